/**
 * When the call page holds its display work ({@link holdDisplay}): while a call is about to start
 * or sets up, so the browser's main thread is free for the negotiation.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */
import type { CallSession } from '../rtc/session';
import { holdDisplay, nextVideoFrame } from './idle';

/**
 * Holds the page's display work around the calls of `session` (auto mode; step mode holds
 * nothing): from now (the page is joining: when the server answers, this side calls whoever is in
 * the room) and from a peer's arrival (the newcomer calls this side), until `remoteVideo` shows its
 * first frame after the call is `connected`. Released at once when nobody is there to call, when
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
      void nextVideoFrame(remoteVideo, 500).then(held);
    } else releaseNow();
  });
}
