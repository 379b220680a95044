/**
 * The page side of signaling: a typed client over any WebSocket-like transport. The transport is
 * injectable, so the same client runs against the real server (`wss://…/ws`), against the in-page
 * relay of the call page's loopback mode, and in unit tests with no server at all.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket
 */
import { Emitter } from '../util/emitter';
import { encodeMessage, parseServerMessage, type ClientMessage, type ProtocolError, type ServerMessage } from './protocol';
import { Relay, type Member } from './relay';

/** The subset of `WebSocket` the client uses; a real WebSocket satisfies it. */
export interface SignalingTransport {
  /** 0 connecting, 1 open, 2 closing, 3 closed (as `WebSocket.readyState`). */
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
}

/** State of the connection to the signaler. */
export type SignalingState = 'connecting' | 'open' | 'closed';

/** How the connection ended: `wasOpen` false means the server was never reached. */
export interface SignalingCloseInfo {
  /** WebSocket close code (1000 normal, 1001 going away, 1006 abnormal, 1009 too big). */
  code: number;
  reason: string;
  wasOpen: boolean;
}

/** Events of a {@link SignalingClient}. */
export type SignalingEvents = {
  open: [];
  /** A valid message from the server. */
  message: [message: ServerMessage];
  /** A message this client sent (for the sequence diagram). */
  sent: [message: ClientMessage];
  /** The server sent a frame that is not a valid {@link ServerMessage}; it was dropped. */
  invalid: [error: ProtocolError, frame: unknown];
  close: [info: SignalingCloseInfo];
};

/**
 * Typed signaling client.
 * @example
 * ```ts
 * const client = new SignalingClient(new WebSocket(signalingUrl()));
 * client.on('message', (m) => { switch (m.type) { … } });
 * client.on('open', () => client.send({ type: 'join', room: 'demo' }));
 * ```
 */
export class SignalingClient extends Emitter<SignalingEvents> {
  #state: SignalingState = 'connecting';
  #wasOpen = false;
  readonly #transport: SignalingTransport;

  constructor(transport: SignalingTransport) {
    super();
    this.#transport = transport;
    if (transport.readyState === 1) queueMicrotask(() => this.#opened());
    transport.onopen = () => this.#opened();
    transport.onmessage = (ev) => {
      const parsed = parseServerMessage(ev.data);
      if (parsed.ok) this.emit('message', parsed.message);
      else this.emit('invalid', parsed.error, ev.data);
    };
    transport.onerror = () => {
      // The close event follows with the details; nothing else to do here.
    };
    transport.onclose = (ev) => {
      if (this.#state === 'closed') return;
      this.#state = 'closed';
      this.emit('close', { code: ev.code, reason: ev.reason, wasOpen: this.#wasOpen });
    };
  }

  /** `connecting`, `open` or `closed`. */
  get state(): SignalingState {
    return this.#state;
  }

  /**
   * Sends a message to the server.
   * @throws DOMException `InvalidStateError` when the connection is not open.
   */
  send(message: ClientMessage): void {
    if (this.#state !== 'open') throw new DOMException(`signaling is ${this.#state}`, 'InvalidStateError');
    this.#transport.send(encodeMessage(message));
    this.emit('sent', message);
  }

  /** Closes the connection (1000 normal closure). */
  close(): void {
    if (this.#state === 'closed') return;
    this.#transport.close(1000, 'bye');
  }

  #opened(): void {
    if (this.#state !== 'connecting') return;
    this.#state = 'open';
    this.#wasOpen = true;
    this.emit('open');
  }
}

/**
 * The signaler URL of the page's own origin: `wss://host:port/ws` (`ws://` on plain http).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/WebSocket
 */
export function signalingUrl(loc: Pick<Location, 'protocol' | 'host'> = location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}

/**
 * A transport connected to an in-page {@link Relay} instead of a server: the loopback mode of the
 * call page and unit tests. Frames are delivered asynchronously (as a socket would), in order.
 */
export class LoopbackTransport implements SignalingTransport {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  readonly #relay: Relay;
  readonly #member: Member;

  constructor(relay: Relay) {
    this.#relay = relay;
    this.#member = relay.connect({
      send: (text) => {
        queueMicrotask(() => {
          if (this.readyState === 1) this.onmessage?.({ data: text } as MessageEvent);
        });
      },
    });
    setTimeout(() => {
      if (this.readyState !== 0) return;
      this.readyState = 1;
      this.onopen?.(new Event('open'));
    }, 0);
  }

  send(text: string): void {
    if (this.readyState !== 1) throw new DOMException('transport is not open', 'InvalidStateError');
    queueMicrotask(() => this.#relay.receive(this.#member, text));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.#relay.disconnect(this.#member);
    queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true } as CloseEvent));
  }
}
