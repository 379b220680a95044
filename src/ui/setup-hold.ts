/**
 * When the call page holds its display work ({@link holdDisplay}): while a call is about to start
 * or sets up, so the browser's main thread is free for the negotiation.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */
import type { CallSession } from '../rtc/session';
import { holdDisplay, nextVideoFrame } from './idle';

/**
 * How long the hold lasts after the remote video's first frame, ms: the other side's setup ends
 * within about this after ours, and two pages on one machine (an instructor's two tabs, the
 * benchmark's two browser contexts) share its CPU, so the display work this page held (the
 * inspector, the "How it works" panel, laying out the cards out of view: up to 50–100 ms on a busy
 * 2-core machine) waits until the other side has its first frame too. Side by side, 3 runs of 40
 * calls: no long animation frame during setup in 120 calls, against 3 when released at the frame.
 */
export const HOLD_AFTER_FIRST_FRAME_MS = 150;

/**
 * Holds the page's display work around the calls of `session` (auto mode; step mode holds
 * nothing): from now (the page is joining: when the server answers, this side calls whoever is in
 * the room) and from a peer's arrival (the newcomer calls this side), until
 * {@link HOLD_AFTER_FIRST_FRAME_MS} after `remoteVideo` shows its first frame after the call is
 * `connected`. Released at once when nobody is there to call, when
 * the room is left or lost, when the call ends or fails; at the latest after
 * {@link DISPLAY_HOLD_MAX_MS} (see {@link holdDisplay}).
 * @param remoteVideo the `<video>` that plays the remote stream.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLVideoElement/requestVideoFrameCallback
 */
export function holdDisplayDuringSetup(session: CallSession, remoteVideo: HTMLVideoElement): void {
  let release: (() => void) | null = null;
  const hold = () => {
    release ??= holdDisplay();
  };
  const releaseNow = () => {
    release?.();
    release = null;
  };
  hold();
  session.on('room', (state) => {
    if (state !== 'joined' || (session.peers.length === 0 && session.callState === 'idle')) releaseNow();
  });
  session.on('peers', (peers) => {
    if (session.roomState === 'joined' && session.callState === 'idle' && peers.length > 0) hold();
  });
  session.on('call', (state) => {
    if (state === 'connecting') hold();
    else if (state === 'connected' && release) {
      const held = release;
      release = null;
      void nextVideoFrame(remoteVideo, 500).then(() => setTimeout(held, HOLD_AFTER_FIRST_FRAME_MS));
    } else releaseNow();
  });
}
