/**
 * A fake RTCPeerConnection for unit tests (no browser): the signaling state machine (offer/answer,
 * implicit rollback, `negotiationneeded` in "stable" and once until negotiated), trickle ICE with
 * one host candidate per generation, ICE restart, negotiated and in-band data channels, and a
 * "network" that connects two fakes when each has the other's current ICE credentials and a
 * candidate of them. Every async operation takes a random 0–`maxDelayMs` ms, so tests see many
 * interleavings. Gathering can be made to stall (as Chromium's sometimes does after a glare) for
 * tests of the ICE watchdog.
 */

import { FakeDataChannel, FakeEvent } from './fake-channel';
export { FakeDataChannel } from './fake-channel';
import type { FakeNetwork } from './fake-network';

type Desc = { type: RTCSdpType; sdp: string };

const ufragOf = (sdp: string): string | null => /a=ice-ufrag:(\S+)/.exec(sdp)?.[1] ?? null;

/** The fake connection; see the module comment. */
export class FakePeerConnection extends EventTarget {
  readonly id: number;
  readonly configuration: RTCConfiguration;
  signalingState: RTCSignalingState = 'stable';
  iceGatheringState: RTCIceGatheringState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  connectionState: RTCPeerConnectionState = 'new';
  localDescription: Desc | null = null;
  remoteDescription: Desc | null = null;
  /** Offers this fake made (setLocalDescription of type offer). */
  offersMade = 0;
  /** Implicit rollbacks (a remote offer while this side had a local one: glare, polite side). */
  rollbacks = 0;
  /** Gatherings that stalled after an implicit rollback (see `FakeNetwork.stallAfterRollback`). */
  stalls = 0;
  /** ICE candidates this fake emitted (icecandidate events with a candidate). */
  candidatesEmitted = 0;
  readonly channels: FakeDataChannel[] = [];
  onnegotiationneeded: ((ev: Event) => void) | null = null;
  onicecandidate: ((ev: Event) => void) | null = null;
  ontrack: ((ev: Event) => void) | null = null;
  ondatachannel: ((ev: Event) => void) | null = null;
  onsignalingstatechange: ((ev: Event) => void) | null = null;
  onicegatheringstatechange: ((ev: Event) => void) | null = null;
  oniceconnectionstatechange: ((ev: Event) => void) | null = null;
  onconnectionstatechange: ((ev: Event) => void) | null = null;
  readonly #net: FakeNetwork;
  #ufrag: string;
  #generation = 0;
  #transceivers: { kind: string; direction: RTCRtpTransceiverDirection; sender: { track: unknown } }[] = [];
  #changes = 0;
  #negotiated = 0;
  #stable: { local: Desc | null; remote: Desc | null; negotiated: number } = { local: null, remote: null, negotiated: 0 };
  #remoteCandidateUfrags = new Set<string>();
  #nnQueued = false;
  #nnFlag = false; // the negotiation-needed flag: one event until nothing is left to negotiate
  #version = 0;

  constructor(net: FakeNetwork, configuration: RTCConfiguration = {}) {
    super();
    this.#net = net;
    this.id = net.nextId();
    this.configuration = configuration;
    this.#ufrag = `u${this.id}g0`;
    net.register(this.#ufrag, this);
  }

  get currentUfrag(): string { return this.#ufrag; }
  getTransceivers(): unknown[] { return this.#transceivers; }
  getSenders(): unknown[] { return this.#transceivers.map((t) => t.sender); }
  getReceivers(): unknown[] { return []; }
  /** RTP packets "received" (one inbound-rtp stats entry), or null for none (the default). */
  packetsIn: number | null = null;
  async getStats(): Promise<Map<string, unknown>> { return new Map(this.packetsIn === null ? [] : [['in', { type: 'inbound-rtp', packetsReceived: this.packetsIn }]]); }

  addTrack(track: unknown): unknown {
    this.#guard();
    const kind = (track as { kind?: string }).kind ?? 'video';
    const free = this.#transceivers.find((t) => t.kind === kind && !t.sender.track);
    if (free) {
      free.sender.track = track;
      free.direction = 'sendrecv';
      if (this.signalingState === 'have-remote-offer') return free.sender;
    } else {
      this.#transceivers.push({ kind, direction: 'sendrecv', sender: { track } });
    }
    this.#changed();
    return this.#transceivers.at(-1)?.sender;
  }

  addTransceiver(kind: string, init: RTCRtpTransceiverInit = {}): unknown {
    this.#guard();
    const t = { kind, direction: init.direction ?? 'sendrecv', sender: { track: null } };
    this.#transceivers.push(t);
    this.#changed();
    return t;
  }

  createDataChannel(label: string, init: RTCDataChannelInit = {}): FakeDataChannel {
    this.#guard();
    const ch = new FakeDataChannel(label, init);
    this.channels.push(ch);
    if (!this.#hasData()) this.#changed();
    if (this.connectionState === 'connected') queueMicrotask(() => this.#pairChannels());
    return ch;
  }

  restartIce(): void {
    this.#guard();
    this.#newGeneration();
    this.#changed();
  }

  /** New ICE credentials (a restart, or a new transport). */
  #newGeneration(): void {
    this.#generation++;
    this.#ufrag = `u${this.id}g${this.#generation}`;
    this.#net.register(this.#ufrag, this);
  }

  /** Runs `op` after every operation called before it (the spec's operations chain). */
  #chain<T>(op: () => Promise<T>): Promise<T> {
    this.#inChain++;
    const run = this.#ops.then(async () => {
      await this.#net.delay();
      return op();
    });
    const done = () => {
      this.#inChain--;
      // The spec checks negotiation-needed again when the chain empties.
      if (this.#inChain === 0) this.#updateNegotiationNeeded();
    };
    this.#ops = run.then(done, done);
    return run;
  }

  #inChain = 0;
  #ops: Promise<void> = Promise.resolve();

  createOffer(options: RTCOfferOptions = {}): Promise<Desc> {
    return this.#chain(() => this.#createOffer(options.iceRestart === true));
  }
  createAnswer(): Promise<Desc> { return this.#chain(() => this.#createAnswer()); }
  setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> { return this.#chain(() => this.#setLocalDescription(desc)); }
  setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> { return this.#chain(() => this.#setRemoteDescription(desc)); }
  addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> { return this.#chain(() => this.#addIceCandidate(c)); }

  async #createOffer(iceRestart = false): Promise<Desc> {
    this.#guard();
    if (iceRestart) this.#newGeneration();
    return { type: 'offer', sdp: this.#sdp() };
  }

  async #createAnswer(): Promise<Desc> {
    this.#guard();
    if (this.signalingState !== 'have-remote-offer') throw new DOMException('no remote offer', 'InvalidStateError');
    return { type: 'answer', sdp: this.#sdp() };
  }

  async #setLocalDescription(desc?: RTCSessionDescriptionInit): Promise<void> {
    this.#guard();
    const type = desc?.type ?? (this.signalingState === 'have-remote-offer' ? 'answer' : 'offer');
    if (type === 'rollback') {
      this.#rollback();
      return;
    }
    if (type === 'offer') {
      if (this.signalingState !== 'stable' && this.signalingState !== 'have-local-offer') throw new DOMException(`cannot set a local offer in ${this.signalingState}`, 'InvalidStateError');
      this.localDescription = { type, sdp: desc?.sdp ?? this.#sdp() };
      this.#negotiated = this.#changes;
      this.offersMade++;
      this.#setSignaling('have-local-offer');
    } else if (type === 'answer') {
      if (this.signalingState !== 'have-remote-offer') throw new DOMException(`cannot set a local answer in ${this.signalingState}`, 'InvalidStateError');
      this.localDescription = { type, sdp: desc?.sdp ?? this.#sdp() };
      this.#negotiated = this.#changes;
      this.#toStable();
    } else {
      throw new DOMException(`unsupported type ${type}`, 'InvalidStateError');
    }
    this.#gather();
    this.#connecting();
  }

  async #setRemoteDescription(desc: RTCSessionDescriptionInit): Promise<void> {
    this.#guard();
    if (desc.type === 'rollback') {
      this.#rollback();
      return;
    }
    const sdp = desc.sdp ?? '';
    if (!sdp.startsWith('v=0')) throw new DOMException('bad SDP', 'OperationError');
    if (desc.type === 'offer') {
      if (this.signalingState === 'have-local-offer') {
        this.rollbacks++;
        this.#rollback(); // implicit rollback
        if (this.#net.stallAfterRollback > 0) {
          // Chromium's glare bug: the rolled-back offer's transport (and the candidates it already
          // sent) is gone, and the new one's gathering never yields a candidate.
          this.#net.stallAfterRollback--;
          this.#newGeneration();
          this.#stalled.add(this.#ufrag);
          this.stalls++;
        }
      }
      // New remote credentials (an ICE restart) restart ICE on this side too.
      const before = ufragOf(this.remoteDescription?.sdp ?? '');
      const after = ufragOf(sdp);
      if (before && after && before !== after) this.#newGeneration();
      if (this.signalingState !== 'stable') throw new DOMException(`cannot set a remote offer in ${this.signalingState}`, 'InvalidStateError');
      this.remoteDescription = { type: 'offer', sdp };
      // Offered m-sections become transceivers (so the answerer's addTrack reuses them).
      const kinds = /a=fake-kinds:(\S*)/.exec(sdp)?.[1]?.split(',').filter(Boolean) ?? [];
      for (const kind of kinds) {
        if (kind === 'data') continue;
        if (this.#transceivers.filter((t) => t.kind === kind).length < kinds.filter((k) => k === kind).length) {
          this.#transceivers.push({ kind, direction: 'recvonly', sender: { track: null } });
        }
      }
      this.#setSignaling('have-remote-offer');
    } else if (desc.type === 'answer') {
      if (this.signalingState !== 'have-local-offer') throw new DOMException(`cannot set a remote answer in ${this.signalingState}`, 'InvalidStateError');
      this.remoteDescription = { type: 'answer', sdp };
      this.#toStable();
    } else {
      throw new DOMException(`unsupported type ${String(desc.type)}`, 'InvalidStateError');
    }
    this.#connecting();
    this.#check();
  }

  async #addIceCandidate(c?: RTCIceCandidateInit | null): Promise<void> {
    this.#guard();
    if (!this.remoteDescription) throw new DOMException('no remote description', 'InvalidStateError');
    if (!c || !c.candidate) return;
    if (!c.candidate.startsWith('candidate:')) throw new DOMException('bad candidate', 'OperationError');
    if (c.usernameFragment) this.#remoteCandidateUfrags.add(c.usernameFragment);
    this.#check();
  }

  close(): void {
    if (this.signalingState === 'closed') return;
    this.signalingState = 'closed';
    this.connectionState = 'closed';
    this.iceConnectionState = 'closed';
    for (const ch of this.channels) ch.close();
    // The other end sees its channels close and ICE lose us (as after a closed tab).
    // Messages already sent arrive first (they are queued with setTimeout 0 too).
    const other = this.#peer;
    if (other && other.#peer === this) setTimeout(() => other.#remoteClosed(), 0);
  }

  #remoteClosed(): void {
    if (this.signalingState === 'closed') return;
    for (const ch of this.channels) ch.close();
    this.iceConnectionState = 'disconnected';
    this.#fire('iceconnectionstatechange');
    this.connectionState = 'disconnected';
    this.#fire('connectionstatechange');
  }

  /** This connection's channel labels that are open. */
  openChannels(): string[] { return this.channels.filter((c) => c.readyState === 'open').map((c) => c.label); }

  #guard(): void {
    if (this.signalingState === 'closed') throw new DOMException('the connection is closed', 'InvalidStateError');
  }

  #hasData(): boolean { return /a=fake-kinds:\S*data/.test(this.localDescription?.sdp ?? '') || /a=fake-kinds:\S*data/.test(this.remoteDescription?.sdp ?? ''); }

  #sdp(): string {
    const kinds = this.#transceivers.map((t) => t.kind);
    if (this.channels.length > 0 || /a=fake-kinds:\S*data/.test(this.remoteDescription?.sdp ?? '')) kinds.push('data');
    this.#version++;
    return `v=0\r\no=- ${this.id} ${this.#version} IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=ice-ufrag:${this.#ufrag}\r\na=fake-kinds:${kinds.join(',')}\r\n`;
  }

  #fire(name: string, props: Record<string, unknown> = {}): void {
    if (this.signalingState === 'closed' && name !== 'connectionstatechange') return;
    const ev = new FakeEvent(name, props);
    const handler = (this as unknown as Record<string, ((ev: Event) => void) | null>)[`on${name}`];
    handler?.call(this, ev);
    this.dispatchEvent(ev);
  }

  #setSignaling(state: RTCSignalingState): void {
    if (this.signalingState === state) return;
    this.signalingState = state;
    this.#fire('signalingstatechange');
  }

  #toStable(): void {
    this.#stable = { local: this.localDescription, remote: this.remoteDescription, negotiated: this.#negotiated };
    this.#setSignaling('stable');
    this.#updateNegotiationNeeded();
  }

  #rollback(): void {
    this.localDescription = this.#stable.local;
    this.remoteDescription = this.#stable.remote;
    this.#negotiated = this.#stable.negotiated;
    this.#setSignaling('stable');
    this.#updateNegotiationNeeded();
  }

  #changed(): void {
    this.#changes++;
    this.#updateNegotiationNeeded();
  }

  #updateNegotiationNeeded(): void {
    if (this.#nnQueued) return;
    this.#nnQueued = true;
    setTimeout(() => {
      this.#nnQueued = false;
      if (this.#inChain !== 0 || this.signalingState !== 'stable') return;
      const needed = this.#changes > this.#negotiated;
      if (needed && !this.#nnFlag) this.#fire('negotiationneeded');
      this.#nnFlag = needed;
    }, 0);
  }

  #gather(): void {
    const ufrag = this.#ufrag;
    if (this.#gathered.has(ufrag)) return;
    this.#gathered.add(ufrag);
    this.iceGatheringState = 'gathering';
    this.#fire('icegatheringstatechange');
    if (this.#net.stallGatherings > 0) {
      this.#net.stallGatherings--;
      return; // stuck in "gathering" with no candidate
    }
    void this.#net.delay().then(() => {
      if (this.signalingState === 'closed' || this.#ufrag !== ufrag || this.#stalled.has(ufrag)) return;
      const init = { candidate: `candidate:1 1 udp 2122260223 10.0.0.${this.id} ${40000 + this.id} typ host`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: ufrag };
      this.candidatesEmitted++;
      this.#fire('icecandidate', { candidate: { ...init, toJSON: () => init } });
      this.iceGatheringState = 'complete';
      this.#fire('icegatheringstatechange');
      this.#fire('icecandidate', { candidate: null });
    });
  }

  readonly #gathered = new Set<string>();
  /** ICE generations (ufrags) whose gathering stalled after an implicit rollback. */
  readonly #stalled = new Set<string>();
  #connecting(): void {
    if (this.connectionState !== 'new' || !this.localDescription || !this.remoteDescription) return;
    this.iceConnectionState = 'checking';
    this.#fire('iceconnectionstatechange');
    this.connectionState = 'connecting';
    this.#fire('connectionstatechange');
  }

  /** Connects with the fake whose credentials we hold, when both sides hold each other's. */
  #check(): void {
    const remoteUfrag = ufragOf(this.remoteDescription?.sdp ?? '');
    const other = this.#net.find(remoteUfrag);
    if (!other || !remoteUfrag || remoteUfrag !== other.currentUfrag) return;
    if (!this.#remoteCandidateUfrags.has(remoteUfrag)) return;
    const back = ufragOf(other.remoteDescription?.sdp ?? '');
    if (back !== this.#ufrag || !other.#remoteCandidateUfrags.has(this.#ufrag)) return;
    this.#connected(other);
    other.#connected(this);
  }

  #peer: FakePeerConnection | null = null;

  #connected(other: FakePeerConnection): void {
    this.#peer = other;
    if (this.connectionState === 'connected' || this.signalingState === 'closed') return;
    this.iceConnectionState = 'connected';
    this.#fire('iceconnectionstatechange');
    this.connectionState = 'connected';
    this.#fire('connectionstatechange');
    queueMicrotask(() => this.#pairChannels());
  }

  #pairChannels(): void {
    const other = this.#peer;
    if (!other || this.signalingState === 'closed') return;
    for (const ch of this.channels) {
      if (ch.partner) continue;
      if (ch.negotiated) {
        const mate = other.channels.find((c) => c.negotiated && c.id === ch.id && !c.partner);
        if (!mate) continue;
        [ch.partner, mate.partner] = [mate, ch];
        ch.open();
        mate.open();
        continue;
      }
      const mirror = new FakeDataChannel(ch.label);
      mirror.partner = ch;
      ch.partner = mirror;
      other.channels.push(mirror);
      other.#fire('datachannel', { channel: mirror });
      ch.open();
      mirror.open();
    }
  }
}
