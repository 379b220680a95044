/**
 * The negotiation of one call, behind one interface: signals from the other peer go in
 * ({@link Negotiator.receive}), signals for it come out (`signal` event), over one
 * RTCPeerConnection ({@link Negotiator.peer}). Two implementations:
 * - {@link PerfectNegotiator} (`./perfect-negotiator`): the perfect-negotiation pattern, by itself.
 * - `StepNegotiator` (`./step-negotiator`): the step-by-step walkthrough, one API call per click.
 *
 * A {@link CallSession} takes a {@link NegotiatorFactory} and makes one negotiator per call, after
 * deciding the role (caller/callee) and politeness once.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation
 */
import type { Emitter } from '../util/emitter';
import type { Peer, Signal } from './peer';

/** Who started the call: the caller sends the first offer, the callee answers it. */
export type CallRole = 'caller' | 'callee';

/** Events of a {@link Negotiator}. */
export type NegotiatorEvents = {
  /** Send this to the other peer (through the signaler, or the data channel when it is down). */
  signal: [signal: Signal];
  /** The RTCPeerConnection now exists (at once for perfect negotiation; at its step in step mode). */
  peer: [peer: Peer];
  /** Something failed; `step` names the API call. */
  error: [err: unknown, step: string];
};

/** What a negotiator is given by the session that makes it. */
export interface NegotiatorContext {
  /** Decided once by the session: `caller` when this side starts the call. */
  role: CallRole;
  /** Decided once by the session (comparing the two peer ids): the polite side yields on glare. */
  polite: boolean;
  /** Makes this call's {@link Peer} (and its RTCPeerConnection). Call it once. */
  createPeer: () => Peer;
  /** The stream to send (null: receive only), read when tracks are added. */
  localStream: () => MediaStream | null;
}

/** What {@link Negotiator.receive} did with a signal. */
export type ReceiveResult =
  /** Applied, queued or deliberately ignored (e.g. the impolite side's glare rule). */
  | 'handled'
  /**
   * This negotiator cannot take an offer in its state (a step-mode caller that has not made its
   * connection yet): the session should end it and answer the offer as callee.
   */
  | 'needs-callee';

/** Negotiates one call over one RTCPeerConnection. */
export interface Negotiator extends Emitter<NegotiatorEvents> {
  readonly role: CallRole;
  /** The connection, once made (see the `peer` event). */
  readonly peer: Peer | null;
  /** Applies a signal from the other peer, strictly in arrival order. Never throws: failures are `error` events. */
  receive(signal: Signal): ReceiveResult;
  /**
   * Starts ICE again with new credentials (a new offer follows, from whichever side makes offers).
   * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce
   */
  restartIce(): void;
  /** Stops negotiating and closes the connection. */
  close(): void;
}

/** Makes the negotiator of a new call. */
export type NegotiatorFactory = (context: NegotiatorContext) => Negotiator;
