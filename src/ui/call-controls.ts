/**
 * The in-call controls of the call page: microphone and camera buttons, camera/microphone pickers
 * (replaceTrack, no new offer), screen share in place of the camera, the remote side's mute state
 * and a text chat, all over the call's data channel. Peer text is rendered with `textContent` only.
 *
 * Buttons get `data-state="on"|"off"`; the remote state element gets `data-audio`, `data-video`
 * and `data-screen` (`on`/`off`); each chat line is `li[data-from="me"|"peer"]`.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpSender/replaceTrack
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel
 */
import type { ErrorContext } from '../errors/playground-error';
import { deviceLabel, listDevices } from '../media/devices';
import type { CallMedia, LocalMediaState } from '../rtc/controls';
import { CallChannel, type DataMessage } from '../rtc/data-channel';
import { h, setState } from './dom';

/** The elements of the controls. */
export interface CallControlsElements {
  muteAudio: HTMLButtonElement;
  muteVideo: HTMLButtonElement;
  camera: HTMLSelectElement;
  microphone: HTMLSelectElement;
  shareScreen: HTMLButtonElement;
  remoteMedia: HTMLElement;
  chatLog: HTMLUListElement;
  chatForm: HTMLFormElement;
  chatInput: HTMLInputElement;
  chatSend: HTMLButtonElement;
  /** The local preview `<video>` (shows the screen while sharing). */
  localVideo: HTMLVideoElement;
}

/** Wires the in-call controls; the page hands it the media and the data channel when they exist. */
export class CallControls {
  readonly #el: CallControlsElements;
  readonly #fail: (err: unknown, context: ErrorContext) => void;
  #media: CallMedia | null = null;
  /** The call's data channels: usually one; two after a glare (both sides opened one). */
  #channels: CallChannel[] = [];
  #offMedia: (() => void)[] = [];

  /** @param fail shows a failure on the page (`showError(problem, err, context)`). */
  constructor(el: CallControlsElements, fail: (err: unknown, context: ErrorContext) => void) {
    this.#el = el;
    this.#fail = fail;
    el.muteAudio.addEventListener('click', () => this.#toggle('audio'));
    el.muteVideo.addEventListener('click', () => this.#toggle('video'));
    el.camera.addEventListener('change', () => void this.#switch('video', el.camera.value));
    el.microphone.addEventListener('change', () => void this.#switch('audio', el.microphone.value));
    el.shareScreen.addEventListener('click', () => void this.#share());
    el.chatForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.#sendChat();
    });
    this.#renderRemote(null);
    this.#render();
  }

  /** Sets the local media (null when there is none: the buttons are disabled). */
  setMedia(media: CallMedia | null): void {
    this.#offMedia.forEach((off) => off());
    this.#offMedia = [];
    this.#media = media;
    if (media) {
      this.#offMedia.push(
        media.on('change', (state) => {
          this.#sendState(state);
          this.#render();
        }),
        media.on('preview', (stream) => {
          this.#el.localVideo.srcObject = stream;
        }),
      );
      void this.#fillDevices();
    }
    this.#render();
  }

  /**
   * Adds `channel` (a data channel of the call) for chat and mute state: messages are read from
   * every channel and sent on the newest open one. Null when the call ended: forgets them all.
   */
  setChannel(channel: RTCDataChannel | null): void {
    const ch = channel ? new CallChannel(channel) : null;
    if (ch) this.#channels.push(ch);
    else this.#channels = [];
    if (ch) {
      ch.on('open', () => {
        if (this.#media) this.#sendState(this.#media.state);
        this.#render();
      });
      ch.on('close', () => this.#render());
      ch.on('message', (m) => this.#onMessage(m));
      ch.on('invalid', (error) => this.#line('system', `Ignored a bad data-channel message: ${error}`));
    } else {
      this.#renderRemote(null);
    }
    this.#render();
  }

  #onMessage(m: DataMessage): void {
    switch (m.type) {
      case 'chat':
        this.#line('peer', m.text);
        return;
      case 'mute':
        this.#renderRemote({ audio: m.audio, video: m.video, sharing: this.#el.remoteMedia.dataset.screen === 'on' });
        return;
      case 'screen':
        this.#renderRemote({ audio: this.#el.remoteMedia.dataset.audio !== 'off', video: this.#el.remoteMedia.dataset.video !== 'off', sharing: m.sharing });
        return;
      default: {
        const never: never = m;
        throw new TypeError(`unhandled data message ${JSON.stringify(never)}`);
      }
    }
  }

  #sendState(state: LocalMediaState): void {
    const ch = this.#open();
    if (!ch) return;
    ch.send({ type: 'mute', audio: state.audio, video: state.video });
    ch.send({ type: 'screen', sharing: state.sharing });
  }

  #toggle(kind: 'audio' | 'video'): void {
    const media = this.#media;
    if (media) media.setEnabled(kind, !media.state[kind]);
  }

  async #switch(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const media = this.#media;
    if (!media || !deviceId || deviceId === media.deviceId(kind)) return;
    try {
      await media.switchDevice(kind, deviceId);
    } catch (err) {
      this.#fail(err, 'getUserMedia');
    }
    this.#render();
  }

  async #share(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    try {
      if (media.state.sharing) await media.stopScreenShare();
      else await media.startScreenShare(AbortSignal.timeout(60_000));
    } catch (err) {
      this.#fail(err, 'getDisplayMedia');
    }
  }

  #sendChat(): void {
    const text = this.#el.chatInput.value.trim();
    const ch = this.#open();
    if (!text || !ch) return;
    try {
      ch.send({ type: 'chat', text });
    } catch (err) {
      this.#fail(err, 'RTCPeerConnection');
      return;
    }
    this.#line('me', text);
    this.#el.chatInput.value = '';
  }

  /** The newest open channel, or null. */
  #open(): CallChannel | null {
    return [...this.#channels].reverse().find((c) => c.open) ?? null;
  }

  #line(from: 'me' | 'peer' | 'system', text: string): void {
    const who = from === 'me' ? 'You' : from === 'peer' ? 'Peer' : 'Note';
    this.#el.chatLog.append(h('li', { 'data-from': from }, h('strong', {}, `${who}: `), text));
    this.#el.chatLog.scrollTop = this.#el.chatLog.scrollHeight;
  }

  async #fillDevices(): Promise<void> {
    const media = this.#media;
    if (!media) return;
    try {
      const groups = await listDevices();
      const fill = (select: HTMLSelectElement, devices: MediaDeviceInfo[], current: string) => {
        select.replaceChildren(...devices.map((d, i) => h('option', { value: d.deviceId }, deviceLabel(d, i))));
        select.value = current;
      };
      fill(this.#el.camera, groups.videoinput, media.deviceId('video'));
      fill(this.#el.microphone, groups.audioinput, media.deviceId('audio'));
    } catch (err) {
      this.#fail(err, 'enumerateDevices');
    }
  }

  #render(): void {
    const media = this.#media;
    const state = media?.state;
    setState(this.#el.muteAudio, state?.audio === false ? 'off' : 'on', state?.audio === false ? 'Unmute microphone' : 'Mute microphone');
    setState(this.#el.muteVideo, state?.video === false ? 'off' : 'on', state?.video === false ? 'Turn camera on' : 'Turn camera off');
    setState(this.#el.shareScreen, state?.sharing ? 'on' : 'off', state?.sharing ? 'Stop sharing (back to camera)' : 'Share screen instead of camera');
    for (const b of [this.#el.muteAudio, this.#el.muteVideo, this.#el.camera, this.#el.microphone, this.#el.shareScreen]) b.disabled = !media;
    const open = this.#open() !== null;
    this.#el.chatInput.disabled = !open;
    this.#el.chatSend.disabled = !open;
  }

  #renderRemote(state: LocalMediaState | null): void {
    const r = this.#el.remoteMedia;
    if (!state) {
      for (const k of ['audio', 'video', 'screen'] as const) delete r.dataset[k];
      r.textContent = 'Remote microphone and camera: unknown (no data channel yet).';
      return;
    }
    r.dataset.audio = state.audio ? 'on' : 'off';
    r.dataset.video = state.video ? 'on' : 'off';
    r.dataset.screen = state.sharing ? 'on' : 'off';
    r.textContent = `Remote microphone: ${state.audio ? 'on' : 'muted'} · camera: ${state.video ? 'on' : 'off'}${state.sharing ? ' · sharing their screen' : ''}`;
  }
}
