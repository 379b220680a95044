/**
 * One RTCPeerConnection to one remote peer, as events: its four states, local ICE candidates,
 * remote tracks and data channels, `negotiationneeded`. It does not negotiate by itself: a
 * {@link Negotiator} (perfect negotiation, or the step-by-step one) drives it.
 *
 * Every RTCPeerConnection of the call page is made by {@link Peer}'s constructor through a
 * {@link PeerConnectionFactory} (default: `new RTCPeerConnection(configuration)`): the one place to
 * hook into a new connection, and the seam that lets unit tests run with a fake connection.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
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

/**
 * Makes an RTCPeerConnection. Injected in tests (a fake connection); the default is
 * {@link createPeerConnection}.
 * @throws what the RTCPeerConnection constructor throws (`SyntaxError`, `InvalidAccessError` for a
 *   bad ICE server URL).
 */
export type PeerConnectionFactory = (configuration: RTCConfiguration) => RTCPeerConnection;

/**
 * The default {@link PeerConnectionFactory}: `new RTCPeerConnection(configuration)`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection
 */
export const createPeerConnection: PeerConnectionFactory = (configuration) => new RTCPeerConnection(configuration);

/**
 * Adds each track of `stream` that `pc` does not send yet (`addTrack`, with `stream` as its
 * stream): a connection made ahead (a spare) may have some or all of them already.
 * @throws DOMException `InvalidStateError` when `pc` is closed (from addTrack).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addTrack
 */
export function addTracksNotSent(pc: RTCPeerConnection, stream: MediaStream): void {
  const sent = new Set(pc.getSenders().map((sender) => sender.track));
  for (const track of stream.getTracks()) if (!sent.has(track)) pc.addTrack(track, stream);
}

/** Events of a {@link Peer}. */
export type PeerEvents = {
  /** A local ICE candidate was gathered; `null` = gathering finished (end of candidates). */
  icecandidate: [candidate: RTCIceCandidate | null];
  /** A local ICE candidate was gathered (for display; the same as a non-null `icecandidate`). */
  localcandidate: [candidate: RTCIceCandidate];
  /** A remote ICE candidate was applied (or queued, with `queued` true). */
  remotecandidate: [candidate: IceCandidateJSON | null, queued: boolean];
  /** The connection needs an offer (a track or data channel was added, ICE restart asked). */
  negotiationneeded: [];
  /** A remote track arrived (with the streams it belongs to). */
  track: [event: RTCTrackEvent];
  /** One of the four states changed; `which` names it. */
  statechange: [which: keyof PeerStates, states: PeerStates];
  /** A data channel of this connection: opened by us ({@link Peer.createDataChannel}) or by the remote peer. */
  datachannel: [channel: RTCDataChannel];
  /** A negotiation step failed; `step` names the API call. */
  error: [err: unknown, step: string];
  /** A STUN/TURN server reported a problem (first of each code and URL; see ice-errors.ts). */
  icecandidateerror: [error: IceCandidateErrorInfo];
};

/** Options of a {@link Peer}. */
export interface PeerOptions {
  /** RTCPeerConnection configuration, e.g. `{ iceServers: [] }` on a LAN. */
  configuration?: RTCConfiguration;
  /** Makes the connection. Default {@link createPeerConnection}. */
  factory?: PeerConnectionFactory;
}

/**
 * An RTCPeerConnection and its events.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
export class Peer extends Emitter<PeerEvents> {
  /** The underlying connection, for getStats and inspection. */
  readonly pc: RTCPeerConnection;
  /** The configuration it was made with. */
  readonly configuration: RTCConfiguration;
  #closed = false;

  /** @throws DOMException `SyntaxError`/`InvalidAccessError` for a bad ICE server URL (from the constructor). */
  constructor(options: PeerOptions = {}) {
    super();
    this.configuration = options.configuration ?? {};
    const pc = (options.factory ?? createPeerConnection)(this.configuration);
    this.pc = pc;
    pc.onnegotiationneeded = () => this.emit('negotiationneeded');
    pc.onicecandidate = ({ candidate }) => {
      // Sent first, shown second: the candidate must not wait for the inspector.
      this.emit('icecandidate', candidate);
      if (candidate) this.emit('localcandidate', candidate);
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

  /** True after {@link Peer.close}. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Adds a remote ICE candidate and reports it with `remotecandidate`.
   * @throws DOMException `InvalidStateError` without a remote description, `OperationError` for a bad candidate.
   * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/addIceCandidate
   */
  async addRemoteCandidate(candidate: IceCandidateJSON | null): Promise<void> {
    await this.pc.addIceCandidate(candidate ?? undefined);
    this.emit('remotecandidate', candidate, false);
  }

  /**
   * Opens a data channel and reports it with `datachannel`, as the remote side's channels are.
   * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel
   */
  createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
    const channel = this.pc.createDataChannel(label, init);
    this.emit('datachannel', channel);
    return channel;
  }

  /** Closes the connection; no events are fired after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.close();
    this.emit('statechange', 'connectionState', this.states);
    this.removeAllListeners();
  }
}
