/**
 * The shapes around a `CallSession` (`./session`): its room states, events and options, apart from the
 * class so that `./session` stays one readable file.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import type { ErrorContext } from '../errors/playground-error';
import type { ReconnectInfo, SignalingClient } from '../signaling/client';
import type { PeerInfo, RelayedProgress } from '../signaling/protocol';
import type { Call, EndReason } from './call';
import type { ControlMessage, SignalPath } from './call-control';
import type { CallState } from './call-state';
import type { NegotiatorFactory } from './negotiator';
import type { Peer, PeerConnectionFactory } from './peer';

/** State of our membership in the signaling room. */
export type RoomState = 'connecting' | 'joined' | 'reconnecting' | 'full' | 'left';

/** Events of a `CallSession`. */
export type CallSessionEvents = {
  room: [state: RoomState];
  /** A reconnect attempt is scheduled (the room state is `reconnecting`). */
  reconnecting: [info: ReconnectInfo];
  /** The other peers in the room changed. */
  peers: [peers: PeerInfo[]];
  /** A new call started (its negotiator exists; its peer may come later in step mode). */
  callstart: [call: Call];
  call: [state: CallState];
  /** The call's RTCPeerConnection exists (wire its events for display). */
  peer: [peer: Peer, remote: PeerInfo];
  /** A remote media stream arrived. */
  remotestream: [stream: MediaStream];
  ended: [reason: EndReason];
  /** A chat data channel of the call. */
  datachannel: [channel: RTCDataChannel];
  /** A call-control message went over the call's data channel (for the sequence diagram). */
  control: [direction: 'sent' | 'received', message: ControlMessage, path: SignalPath];
  /**
   * A `bye`, answer or offer from the call's peer named an earlier call (`callId`: one that ended
   * here, or for a `bye`/answer not one of the current call's ids): late, ignored. An offer of an
   * ended call is answered with a `bye` for it.
   */
  stale: [type: 'offer' | 'answer' | 'bye', callId: string, path: SignalPath];
  /** Something failed: show it. `context` tells {@link explainError} which API it was. */
  problem: [err: unknown, context: ErrorContext];
  /** Step mode: the other side's step progress (from the call's remote peer, or a peer of the room before a call). */
  progress: [progress: RelayedProgress];
  /** The ICE watchdog restarted ICE on this side (the call sat in "connecting" past `afterMs`). */
  icerestart: [afterMs: number];
  /** After an ICE restart no media arrived for `afterMs` although connected; `restarted`: ICE restarted again from this side. */
  mediastall: [afterMs: number, restarted: boolean];
  /**
   * After a reconnect the peer of the running call is not in the room (the signaler restarted and
   * it has not come back yet): it is given until `at` (wall-clock ms) before it counts as left.
   */
  awaiting: [peer: PeerInfo, at: number];
  /** The awaited peer (see `awaiting`) is back in the room: the wait is over, the call goes on. */
  returned: [peer: PeerInfo];
};

/** Options of a `CallSession`. */
export interface CallSessionOptions {
  client: SignalingClient;
  room: string;
  name?: string;
  /** The stream to send (null: receive only); read when a call adds its tracks. */
  localStream: () => MediaStream | null;
  /** Read when a call starts, so edits on the page apply to the next call. */
  configuration: () => RTCConfiguration;
  /** Makes each call's negotiator. Default: perfect negotiation. */
  negotiator?: NegotiatorFactory;
  /** Makes each RTCPeerConnection (tests inject a fake). Default `new RTCPeerConnection`. */
  peerConnectionFactory?: PeerConnectionFactory;
  /** ICE watchdog timeout in ms. Default 5000. */
  iceTimeoutMs?: number;
  /** No media this long after an ICE restart counts as stalled (ms). Default 2000. */
  mediaStallMs?: number;
  /** False: no ICE candidate leaves this side (the `candidates=none` demo). Default true. */
  sendCandidates?: boolean;
}
