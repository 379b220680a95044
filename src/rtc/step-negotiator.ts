/**
 * The step-by-step {@link Negotiator}: a {@link Stepper} behind the same interface as perfect
 * negotiation, so a {@link CallSession} runs a step-mode call exactly like an automatic one. The
 * page clicks through `negotiator.stepper`; signals in and out are the session's business.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { Emitter } from '../util/emitter';
import type { CallRole, Negotiator, NegotiatorContext, NegotiatorEvents, NegotiatorFactory, ReceiveResult } from './negotiator';
import type { Peer, PeerConnectionFactory, Signal } from './peer';
import { Stepper } from './stepper';

/** Options of {@link stepByStep}. */
export interface StepNegotiatorOptions {
  /** Read at the "new RTCPeerConnection" step. */
  configuration: () => RTCConfiguration;
  /** The getUserMedia step (the page's, which also shows the preview). */
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Makes the RTCPeerConnection (tests inject a fake). */
  peerConnectionFactory?: PeerConnectionFactory;
  /** Called with each new negotiator's stepper (show it in a steps panel). */
  onStepper?: (stepper: Stepper) => void;
  /** Longest wait of a waiting step, in ms (see {@link Stepper}). */
  timeoutMs?: number;
}

/** Step-by-step negotiation of one call. */
export class StepNegotiator extends Emitter<NegotiatorEvents> implements Negotiator {
  readonly role: CallRole;
  /** The steps of this side (click through them with `stepper.step()`). */
  readonly stepper: Stepper;

  constructor(ctx: NegotiatorContext, options: StepNegotiatorOptions) {
    super();
    this.role = ctx.role;
    const stepper = new Stepper({
      role: ctx.role,
      configuration: options.configuration,
      getUserMedia: options.getUserMedia,
      peerConnectionFactory: options.peerConnectionFactory,
      timeoutMs: options.timeoutMs,
      send: (signal) => this.emit('signal', signal),
    });
    this.stepper = stepper;
    stepper.on('peer', (peer) => {
      peer.on('error', (err, step) => this.emit('error', err, step));
      this.emit('peer', peer);
    });
  }

  get peer(): Peer | null {
    return this.stepper.peer;
  }

  receive(signal: Signal): ReceiveResult {
    // A caller that has not made its connection yet cannot take an offer: answer it as callee.
    if (signal.type === 'offer' && this.role === 'caller' && !this.stepper.peer) return 'needs-callee';
    this.stepper.receive(signal);
    return 'handled';
  }

  /**
   * Starts the ICE restart as steps the learner clicks (`stepper.restart`; the steps are
   * `RESTART_STEPS` in `./steps`). Before the walkthrough reached "connected" there is no call to
   * restart yet: nothing happens (the learner is still clicking through it).
   */
  restartIce(): void {
    if (this.stepper.finished && this.stepper.peer) this.stepper.beginIceRestart();
  }

  close(): void {
    this.stepper.close();
    this.removeAllListeners();
  }
}

/** The {@link NegotiatorFactory} of step mode. */
export function stepByStep(options: StepNegotiatorOptions): NegotiatorFactory {
  return (ctx) => {
    const negotiator = new StepNegotiator(ctx, options);
    options.onStepper?.(negotiator.stepper);
    return negotiator;
  };
}
