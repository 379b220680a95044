/**
 * One RTCPeerConnection to one remote peer, negotiated with the perfect-negotiation pattern:
 * either side may make an offer at any time; on a glare (both offer at once) the polite peer rolls
 * back its own offer and answers, the impolite one ignores the incoming offer. Remote ICE candidates
 * that arrive before the remote description are queued, then added.
 *
 * Signals leave through the `signal` event and enter through {@link Peer.signal}, so two peers can be
 * wired directly (`a.on('signal', s => b.signal(s))`) or through any signaling transport.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation
 * @see https://w3c.github.io/webrtc-pc/#perfect-negotiation-example
 */
import { Emitter } from '../util/emitter';
import type { IceCandidateJSON } from '../signaling/protocol';
import { watchIceCandidateErrors, type IceCandidateErrorInfo } from './ice-errors';

/** A signal one peer sends the other: an SDP offer/answer or an ICE candidate (`null` = end). */
export type Signal =
  | { type: 'offer'; sdp: string }
  | { type: 'answer'; sdp: string }
  | { type: 'candidate'; candidate: IceCandidateJSON | null };

/** The four state machines of an RTCPeerConnection at one moment. */
export interface PeerStates {
  signalingState: RTCSignalingState;
  iceGatheringState: RTCIceGatheringState;
  iceConnectionState: RTCIceConnectionState;
  connectionState: RTCPeerConnectionState;
}

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** Send this to the remote peer. */
  signal: [signal: Signal];
  /** A remote track arrived (with the streams it belongs to). */
  track: [event: RTCTrackEvent];
  /** One of the four states changed; `which` names it. */
  statechange: [which: keyof PeerStates, states: PeerStates];
  /** A local ICE candidate was gathered (already sent as a signal). */
  localcandidate: [candidate: RTCIceCandidate];
  /** A remote ICE candidate was applied (or queued, with `queued` true). */
  remotecandidate: [candidate: IceCandidateJSON | null, queued: boolean];
  /** The remote peer opened a data channel. */
  datachannel: [channel: RTCDataChannel];
  /** A negotiation step failed; `step` names the API call. */
  error: [err: unknown, step: string];
  /** A STUN/TURN server reported a problem (first of each code and URL; see ice-errors.ts). */
  icecandidateerror: [error: IceCandidateErrorInfo];
};

/** Options of a {@link Peer}. */
export interface PeerOptions {
  /** The polite peer yields on glare (rolls back its offer). Exactly one of the two must be polite. */
  polite: boolean;
  /** RTCPeerConnection configuration, e.g. `{ iceServers: [] }` on a LAN. */
  configuration?: RTCConfiguration;
  /**
   * Manual negotiation (the step mode): no offer on `negotiationneeded`, local ICE candidates are
   * only reported (`localcandidate`), not sent; the caller of the API drives every step and sends
   * signals with {@link Peer.send}. Default false (perfect negotiation).
   */
  manual?: boolean;
}

/**
 * Perfect-negotiation peer connection.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
export class Peer extends Emitter<PeerEvents> {
  /** The underlying connection, for getStats and inspection. */
  readonly pc: RTCPeerConnection;
  readonly polite: boolean;
  /** True when negotiation is driven step by step from outside (see {@link PeerOptions.manual}). */
  readonly manual: boolean;
  #makingOffer = false;
  #ignoreOffer = false;
  #pending: (IceCandidateJSON | null)[] = [];
  #queue: Promise<void> = Promise.resolve();
  #localStream: MediaStream | null = null;
  #tracksAdded = false;

  /** @throws DOMException `SyntaxError`/`InvalidAccessError` for a bad ICE server URL (from the constructor). */
  constructor(options: PeerOptions) {
    super();
    this.polite = options.polite;
    this.manual = options.manual ?? false;
    this.pc = new RTCPeerConnection(options.configuration);
    const pc = this.pc;
    pc.onnegotiationneeded = () => {
      if (!this.manual) void this.#negotiate();
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.emit('localcandidate', candidate);
      if (!this.manual) this.emit('signal', { type: 'candidate', candidate: candidate ? candidate.toJSON() as IceCandidateJSON : null });
    };
    pc.ontrack = (ev) => this.emit('track', ev);
    pc.ondatachannel = (ev) => this.emit('datachannel', ev.channel);
    pc.onsignalingstatechange = () => this.emit('statechange', 'signalingState', this.states);
    pc.onicegatheringstatechange = () => this.emit('statechange', 'iceGatheringState', this.states);
    pc.oniceconnectionstatechange = () => this.emit('statechange', 'iceConnectionState', this.states);
    pc.onconnectionstatechange = () => this.emit('statechange', 'connectionState', this.states);
    watchIceCandidateErrors(pc, (e) => this.emit('icecandidateerror', e));
  }

  /** The current four states. */
  get states(): PeerStates {
    const { signalingState, iceGatheringState, iceConnectionState, connectionState } = this.pc;
    return { signalingState, iceGatheringState, iceConnectionState, connectionState };
  }

  /**
   * Sets the stream whose tracks this peer sends. With `now` true (the caller), the tracks are added
   * at once, which fires `negotiationneeded` and so sends an offer; otherwise (the callee) they are
   * added when the remote offer arrives, so they ride in the answer. A null stream receives only.
   */
  setLocalStream(stream: MediaStream | null, now: boolean): void {
    this.#localStream = stream;
    if (now) this.#addLocalTracks();
  }

  /**
   * Feeds a signal from the remote peer. Signals are applied strictly in arrival order.
   * Failures are reported through the `error` event, never thrown.
   */
  signal(signal: Signal): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(signal)).catch((err: unknown) => {
      this.emit('error', err, signal.type === 'candidate' ? 'addIceCandidate' : 'setRemoteDescription');
    });
    return this.#queue;
  }

  /**
   * Sends `signal` to the remote peer (emits `signal`): for manual negotiation.
   * @throws DOMException `InvalidStateError` when the peer is not manual.
   */
  send(signal: Signal): void {
    if (!this.manual) throw new DOMException('send() is for manual negotiation only', 'InvalidStateError');
    this.emit('signal', signal);
  }

  /**
   * Adds a remote ICE candidate (manual negotiation) and reports it with `remotecandidate`.
   * @throws DOMException `InvalidStateError` without a remote description, `OperationError` for a bad candidate.
   * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addIceCandidate
   */
  async addRemoteCandidate(candidate: IceCandidateJSON): Promise<void> {
    await this.pc.addIceCandidate(candidate);
    this.emit('remotecandidate', candidate, false);
  }

  /**
   * Opens a data channel (the caller does, before its offer) and reports it with `datachannel`,
   * as the remote side's channel is.
   * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel
   */
  createDataChannel(label: string): RTCDataChannel {
    const channel = this.pc.createDataChannel(label);
    this.emit('datachannel', channel);
    return channel;
  }

  /** Asks ICE to restart: a new offer with new credentials follows. @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce */
  restartIce(): void {
    this.pc.restartIce();
  }

  /** Closes the connection (no events are fired after this). */
  close(): void {
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.close();
    this.emit('statechange', 'connectionState', this.states);
    this.removeAllListeners();
  }

  #addLocalTracks(): void {
    if (this.#tracksAdded) return;
    this.#tracksAdded = true;
    const stream = this.#localStream;
    if (stream && stream.getTracks().length > 0) {
      for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
      return;
    }
    // Nothing to send (no camera, or permission denied): still receive both kinds.
    if (this.pc.getTransceivers().length === 0) {
      this.pc.addTransceiver('audio', { direction: 'recvonly' });
      this.pc.addTransceiver('video', { direction: 'recvonly' });
    }
  }

  async #negotiate(): Promise<void> {
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      const desc = this.pc.localDescription;
      if (desc && desc.type === 'offer') this.emit('signal', { type: 'offer', sdp: desc.sdp });
    } catch (err) {
      this.emit('error', err, 'setLocalDescription');
    } finally {
      this.#makingOffer = false;
    }
  }

  async #handle(signal: Signal): Promise<void> {
    const pc = this.pc;
    if (pc.signalingState === 'closed') return;
    if (signal.type === 'candidate') {
      if (!pc.remoteDescription) {
        this.#pending.push(signal.candidate);
        this.emit('remotecandidate', signal.candidate, true);
        return;
      }
      await this.#addCandidate(signal.candidate);
      return;
    }
    const offerCollision = signal.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && offerCollision;
    if (this.#ignoreOffer) return;
    await pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    const queued = this.#pending;
    this.#pending = [];
    for (const c of queued) await this.#addCandidate(c);
    if (signal.type === 'offer') {
      this.#addLocalTracks();
      await pc.setLocalDescription();
      const desc = pc.localDescription;
      if (desc) this.emit('signal', { type: 'answer', sdp: desc.sdp });
    }
  }

  async #addCandidate(candidate: IceCandidateJSON | null): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate ?? undefined);
      this.emit('remotecandidate', candidate, false);
    } catch (err) {
      if (!this.#ignoreOffer) throw err;
    }
  }
}
