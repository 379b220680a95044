/**
 * Loopback call: both peers in one page, signaling handed over in-page through a {@link Relay}
 * (no server), so one screen shows the whole call and the setup time has no network in it: the
 * lower bound of call setup time. Works in auto mode (two {@link CallSession}s negotiate by
 * themselves) and in step mode (a step-by-step negotiator per side).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { LoopbackTransport, SignalingClient } from '../signaling/client';
import { Relay } from '../signaling/relay';
import { perfectNegotiation } from './perfect-negotiator';
import { CallSession } from './session';
import { SpareConnection } from './spare-connection';
import type { Stepper } from './stepper';
import type { PeerRole } from './steps';

/** Options of {@link startLoopback}. */
export interface LoopbackOptions {
  mode: 'auto' | 'step';
  configuration: () => RTCConfiguration;
  /** Opens a camera/microphone stream for one side (called once per side). */
  getUserMedia: (role: PeerRole) => Promise<MediaStream>;
  /** Called for each side's session right after it is made (wire its events for display). */
  onSession: (role: PeerRole, session: CallSession, client: SignalingClient) => void;
  /** Step mode: called with each new stepper of a side. */
  onStepper?: (role: PeerRole, stepper: Stepper) => void;
  /** Auto mode: a getUserMedia failure of a side (it then only receives). */
  onMediaError?: (role: PeerRole, err: unknown) => void;
}

/** A running loopback call. */
export interface Loopback {
  sessions: Record<PeerRole, CallSession>;
  /**
   * Auto mode: resolves with the call setup time in ms, from the caller starting negotiation
   * (its RTCPeerConnection with tracks, which makes the offer) to both sides `connected`.
   * Null in step mode (clicks are in it).
   */
  setupMs: Promise<number> | null;
  /** Leaves the room on both sides (closes both connections). */
  stop(): void;
}

/**
 * Starts a loopback call: the callee joins first, then the caller.
 * @throws what `getUserMedia` throws only through `onMediaError` (auto mode); DOMException
 *   `TimeoutError` when a side cannot join the in-page room within 5 s (should not happen).
 */
export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  const relay = new Relay({ capacity: 2 });
  const room = 'loopback';
  const streams: Partial<Record<PeerRole, MediaStream | null>> = {};
  const open = async (role: PeerRole): Promise<MediaStream> => {
    streams[role]?.getTracks().forEach((t) => t.stop());
    const stream = await options.getUserMedia(role);
    streams[role] = stream;
    return stream;
  };
  if (options.mode === 'auto') {
    for (const role of ['callee', 'caller'] as const) {
      try {
        await open(role);
      } catch (err) {
        streams[role] = null;
        options.onMediaError?.(role, err);
      }
    }
  }
  // Step mode is a chunk of its own (dynamic import): an auto-mode page never loads it.
  const stepByStep = options.mode === 'step' ? (await import('./step-negotiator')).stepByStep : null;
  // Auto mode: the callee's connection is made while it waits for the caller (a spare, taken by
  // the offer), as both connections of the in-page bound exist before its first offer. Made when
  // the offer arrives instead, the callee's answer waits for the browser to set up a new connection
  // while the caller's candidates queue behind it on the page's one WebRTC thread (~10 ms).
  // Step mode makes the callee's connection as a step of its own.
  const spare = stepByStep ? null : new SpareConnection();
  const make = (role: PeerRole): CallSession => {
    const client = new SignalingClient(new LoopbackTransport(relay));
    const session = new CallSession({
      client,
      room,
      name: role,
      localStream: () => streams[role] ?? null,
      configuration: options.configuration,
      peerConnectionFactory: role === 'callee' ? spare?.factory : undefined,
      negotiator: stepByStep
        ? stepByStep({
          configuration: options.configuration,
          getUserMedia: () => open(role),
          onStepper: (stepper) => options.onStepper?.(role, stepper),
        })
        : perfectNegotiation,
    });
    options.onSession(role, session, client);
    return session;
  };
  const joined = (s: CallSession) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new DOMException('the in-page room did not answer', 'TimeoutError')), 5000);
      s.once('room', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  const callee = make('callee');
  await joined(callee);
  // The callee only answers: its tracks go into its spare now (see SpareConnection.prepare).
  spare?.prepare(options.configuration(), streams.callee);
  const caller = make('caller');
  let setupMs: Promise<number> | null = null;
  if (options.mode === 'auto') {
    setupMs = new Promise<number>((resolve) => {
      let t0 = 0;
      caller.once('peer', () => {
        t0 = performance.now();
      });
      const check = () => {
        if (t0 && caller.callState === 'connected' && callee.callState === 'connected') resolve(performance.now() - t0);
      };
      caller.on('call', check);
      callee.on('call', check);
    });
  }
  await joined(caller);
  return {
    sessions: { caller, callee },
    setupMs,
    stop() {
      caller.close();
      callee.close();
      spare?.dispose();
      for (const s of Object.values(streams)) s?.getTracks().forEach((t) => t.stop());
    },
  };
}
