/**
 * Step mode of a call: binds a {@link CallSession} in manual mode to one {@link Stepper} per call.
 * The peer that joins a room where someone waits is the caller; the one already there is the
 * callee (its first step waits for the offer). After a call ends, each side gets a fresh callee
 * stepper; {@link StepCall.callAgain} turns this side into the caller of a new call.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import type { PeerInfo } from '../signaling/protocol';
import type { CallSession } from './call';
import { Stepper } from './stepper';
import type { PeerRole } from './steps';

/** Options of a {@link StepCall}. */
export interface StepCallOptions {
  /** Read at each "new RTCPeerConnection" step. */
  configuration: () => RTCConfiguration;
  /** The getUserMedia step. */
  getUserMedia: () => Promise<MediaStream>;
  /** Called with each new stepper (show it in a steps panel). */
  onStepper: (stepper: Stepper) => void;
}

/** Drives the calls of one manual-mode session with steppers. */
export class StepCall {
  readonly #session: CallSession;
  readonly #opts: StepCallOptions;
  #stepper: Stepper | null = null;
  #remote: PeerInfo | null = null;

  /** @param session a session created with `manual: true` (otherwise it negotiates by itself). */
  constructor(session: CallSession, options: StepCallOptions) {
    this.#session = session;
    this.#opts = options;
    session.on('room', (state) => {
      if (state === 'joined' && !this.#stepper) this.#start(session.peers.length > 0 ? 'caller' : 'callee');
    });
    session.on('remotesignal', (signal, from) => {
      let stepper = this.#stepper;
      if (signal.type === 'offer' && (!stepper || (stepper.role === 'caller' && !stepper.peer))) stepper = this.#start('callee');
      if (!stepper) return;
      if (stepper.role === 'callee' && !this.#remote) this.#remote = from;
      if (this.#remote && this.#remote.id !== from.id) return;
      stepper.receive(signal);
    });
    session.on('ended', () => {
      this.#stepper?.close();
      this.#start('callee');
    });
  }

  /** The current stepper (null before joining). */
  get stepper(): Stepper | null {
    return this.#stepper;
  }

  /**
   * Starts a new call as the caller, with fresh steps.
   * @throws DOMException `InvalidStateError` when a call is in progress or nobody else is in the room.
   */
  callAgain(): void {
    if (this.#session.peer) throw new DOMException('a call is already in progress', 'InvalidStateError');
    if (this.#session.peers.length === 0) throw new DOMException('nobody else is in the room', 'InvalidStateError');
    this.#start('caller');
  }

  #start(role: PeerRole): Stepper {
    this.#stepper?.close();
    this.#remote = null;
    const stepper = new Stepper({
      role,
      configuration: this.#opts.configuration,
      getUserMedia: this.#opts.getUserMedia,
      onPeer: (peer) => {
        const remote = role === 'caller' ? this.#session.peers[0] : this.#remote;
        if (!remote) {
          peer.close();
          throw new DOMException('nobody else is in the room', 'InvalidStateError');
        }
        this.#remote = remote;
        this.#session.adopt(peer, remote, role);
      },
    });
    this.#stepper = stepper;
    this.#opts.onStepper(stepper);
    return stepper;
  }
}
