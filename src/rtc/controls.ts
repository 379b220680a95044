/**
 * In-call media controls: mute the microphone / turn the camera off (`track.enabled`), switch the
 * camera or microphone, and send the screen in place of the camera, all without renegotiation:
 * the new track goes into the existing sender with `RTCRtpSender.replaceTrack()`, so no new offer
 * is made. The other peer learns the mute and screen state through the data channel.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/replaceTrack
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/enabled
 */
import { getUserMedia } from '../media/capture';
import { getDisplayMedia } from '../media/display';
import { Emitter } from '../util/emitter';

/** What this side sends: microphone on, camera on, screen instead of camera. */
export interface LocalMediaState {
  audio: boolean;
  video: boolean;
  sharing: boolean;
}

/** Events of {@link CallMedia}. */
export type CallMediaEvents = {
  /** The local state changed (send it to the other peer). */
  change: [state: LocalMediaState];
  /** The video being sent changed (camera ⇄ screen, or another camera): update the local preview. */
  preview: [stream: MediaStream];
};

/**
 * The sender of the first transceiver of `kind` (`audio`/`video`) of `pc`, or null. Transceivers
 * keep their kind even while their sender has no track.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getTransceivers
 */
export function senderOf(pc: RTCPeerConnection, kind: 'audio' | 'video'): RTCRtpSender | null {
  const t = pc.getTransceivers().find((tr) => tr.receiver.track.kind === kind && (tr.direction === 'sendrecv' || tr.direction === 'sendonly'));
  return t?.sender ?? null;
}

/**
 * The local media of a call and the controls on it. `stream` is the local camera/microphone
 * stream (its tracks are swapped in place when a device is switched); `pc` returns the current
 * connection (null between calls: changes then only apply locally).
 */
export class CallMedia extends Emitter<CallMediaEvents> {
  readonly stream: MediaStream;
  readonly #pc: () => RTCPeerConnection | null;
  #screen: MediaStreamTrack | null = null;
  #state: LocalMediaState = { audio: true, video: true, sharing: false };

  constructor(stream: MediaStream, pc: () => RTCPeerConnection | null) {
    super();
    this.stream = stream;
    this.#pc = pc;
  }

  /** The current state. */
  get state(): LocalMediaState {
    return { ...this.#state };
  }

  /** The device id of the current track of `kind`, or '' when there is none. */
  deviceId(kind: 'audio' | 'video'): string {
    return this.#track(kind)?.getSettings().deviceId ?? '';
  }

  /**
   * Turns the microphone (`audio`) or camera (`video`) on or off with `track.enabled`: a disabled
   * track sends silence / black frames, and the sender stays in place.
   */
  setEnabled(kind: 'audio' | 'video', enabled: boolean): void {
    for (const track of kind === 'audio' ? this.stream.getAudioTracks() : this.stream.getVideoTracks()) track.enabled = enabled;
    if (kind === 'video' && this.#screen) this.#screen.enabled = enabled;
    this.#set({ ...this.#state, [kind]: enabled });
  }

  /**
   * Switches to another camera or microphone: opens it, puts its track into the sender with
   * `replaceTrack()` (no new offer), and stops the old one.
   * @throws what getUserMedia throws (`NotReadableError`, `OverconstrainedError`, …); the old track
   *   stays when it fails.
   */
  async switchDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    if (!deviceId) throw new TypeError('deviceId is required');
    const fresh = await getUserMedia(kind === 'audio' ? { audio: { deviceId: { exact: deviceId } } } : { video: { deviceId: { exact: deviceId } } });
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0];
    if (!track) throw new DOMException(`no ${kind} track`, 'NotFoundError');
    track.enabled = this.#state[kind];
    const pc = this.#pc();
    const sender = pc ? senderOf(pc, kind) : null;
    try {
      if (sender && !(kind === 'video' && this.#screen)) await sender.replaceTrack(track);
    } catch (err) {
      track.stop();
      throw err;
    }
    const old = this.#track(kind);
    if (old) {
      this.stream.removeTrack(old);
      old.stop();
    }
    this.stream.addTrack(track);
    if (kind === 'video' && !this.#screen) this.emit('preview', this.stream);
  }

  /**
   * Sends the screen instead of the camera: asks for a screen with getDisplayMedia and puts its
   * track into the video sender. When the user stops sharing from the browser's UI, the camera
   * comes back by itself.
   * @throws what getDisplayMedia throws (`NotAllowedError` when cancelled, …); DOMException
   *   `InvalidStateError` when not in a call or already sharing.
   */
  async startScreenShare(signal?: AbortSignal): Promise<void> {
    if (this.#screen) throw new DOMException('already sharing the screen', 'InvalidStateError');
    const pc = this.#pc();
    const sender = pc ? senderOf(pc, 'video') : null;
    if (!sender) throw new DOMException('no video sender: start a call with a camera first', 'InvalidStateError');
    const display = await getDisplayMedia({ video: true }, signal);
    const track = display.getVideoTracks()[0];
    if (!track) throw new DOMException('no screen track', 'NotFoundError');
    try {
      await sender.replaceTrack(track);
    } catch (err) {
      track.stop();
      throw err;
    }
    track.enabled = this.#state.video;
    this.#screen = track;
    track.addEventListener('ended', () => void this.stopScreenShare());
    this.#set({ ...this.#state, sharing: true });
    this.emit('preview', new MediaStream([track]));
  }

  /** Puts the camera back into the video sender and stops the screen capture. */
  async stopScreenShare(): Promise<void> {
    const screen = this.#screen;
    if (!screen) return;
    this.#screen = null;
    const pc = this.#pc();
    const sender = pc ? senderOf(pc, 'video') : null;
    if (sender) await sender.replaceTrack(this.#track('video'));
    screen.stop();
    this.#set({ ...this.#state, sharing: false });
    this.emit('preview', this.stream);
  }

  #track(kind: 'audio' | 'video'): MediaStreamTrack | null {
    return (kind === 'audio' ? this.stream.getAudioTracks() : this.stream.getVideoTracks())[0] ?? null;
  }

  #set(state: LocalMediaState): void {
    this.#state = state;
    this.emit('change', this.state);
  }
}
