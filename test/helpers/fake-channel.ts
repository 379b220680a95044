/** The fake RTCDataChannel of the fake RTCPeerConnection (see ./fake-rtc.ts). */

/** An Event carrying extra fields (candidate, channel, data). */
export class FakeEvent extends Event {
  constructor(type: string, props: Record<string, unknown> = {}) {
    super(type);
    Object.assign(this, props);
  }
}

/** A fake RTCDataChannel: opens when its connection connects; messages go to its partner. */
export class FakeDataChannel extends EventTarget {
  readonly label: string;
  readonly negotiated: boolean;
  id: number | null;
  readyState: RTCDataChannelState = 'connecting';
  partner: FakeDataChannel | null = null;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: Event) => void) | null = null;
  readonly sent: string[] = [];

  constructor(label: string, init: RTCDataChannelInit = {}) {
    super();
    this.label = label;
    this.negotiated = init.negotiated ?? false;
    this.id = init.id ?? null;
  }

  send(data: string): void {
    if (this.readyState !== 'open') throw new DOMException('not open', 'InvalidStateError');
    this.sent.push(data);
    const partner = this.partner;
    setTimeout(() => {
      if (partner?.readyState === 'open') partner.#fire('message', new FakeEvent('message', { data }));
    }, 0);
  }

  close(): void {
    if (this.readyState === 'closed') return;
    this.readyState = 'closed';
    this.#fire('close', new FakeEvent('close'));
  }

  /** @internal */ open(): void {
    if (this.readyState !== 'connecting') return;
    this.readyState = 'open';
    this.#fire('open', new FakeEvent('open'));
  }

  #fire(name: 'open' | 'message' | 'close', ev: Event): void {
    const handler = this[`on${name}`] as ((ev: Event) => void) | null;
    handler?.call(this, ev);
    this.dispatchEvent(ev);
  }
}

