/**
 * The in-page probe of the call-setup benchmark (test/bench/call-setup.ts), injected before any
 * page script runs (puppeteer `evaluateOnNewDocument`). It changes nothing the page does; it only
 * records, in epoch milliseconds (`performance.timeOrigin + performance.now()`, comparable between
 * the pages of one browser on one machine):
 * - `t0`: the first `createOffer()`, or `setLocalDescription()` in `stable` (an implicit offer);
 * - `connected`: each RTCPeerConnection's first `connectionState` `connected`;
 * - `frames`: the first remote video frame shown by each `<video>` that plays a remote track
 *   (`requestVideoFrameCallback`, registered when the page sets `srcObject`);
 * - `longTasks`: every long task (≥ 50 ms, `PerformanceObserver` type `longtask`);
 * - `events`: a timeline per connection (made, each negotiation call and when it resolved, each
 *   event), for `--timeline`: where the time between the first offer and `connected` goes.
 *
 * The function is serialised into the page: it must not refer to anything outside itself.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLVideoElement/requestVideoFrameCallback
 * @see https://developer.mozilla.org/en-US/docs/Web/API/PerformanceLongTaskTiming
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcpeerconnection-connectionstate
 */

/** What the probe recorded in one page (epoch ms). */
export interface ProbeRecord {
  /** The first offer made in this page (0: none). */
  t0: number;
  /** Each connection's first `connected`. */
  connected: number[];
  /** Each remote `<video>`'s first frame. */
  frames: number[];
  /** Long tasks: start (epoch ms) and duration (ms). */
  longTasks: { start: number; duration: number }[];
  /** What each connection did, in order: `pc` is its number in this page (order made). */
  events: { t: number; pc: number; what: string }[];
}

/** Installs the probe as `globalThis.__callProbe` (a {@link ProbeRecord}). Runs in the page. */
export function installCallProbe(): void {
  const g = globalThis as unknown as { __callProbe?: ProbeRecord };
  if (g.__callProbe) return;
  const rec: ProbeRecord = { t0: 0, connected: [], frames: [], longTasks: [], events: [] };
  g.__callProbe = rec;
  const now = (): number => performance.timeOrigin + performance.now();
  const numbers = new WeakMap<RTCPeerConnection, number>();
  let made = 0;
  const log = (pc: RTCPeerConnection, what: string): void => void rec.events.push({ t: now(), pc: numbers.get(pc) ?? -1, what });
  const proto = RTCPeerConnection.prototype;
  /** Wraps a method of RTCPeerConnection: logs the call, and when its promise settles. */
  const wrap = (name: string, before?: (pc: RTCPeerConnection) => void): void => {
    const native = Reflect.get(proto, name) as (...a: unknown[]) => unknown;
    Reflect.set(proto, name, function (this: RTCPeerConnection, ...args: unknown[]) {
      before?.(this);
      log(this, name);
      const result = native.apply(this, args);
      if (result instanceof Promise) void result.then(() => log(this, `${name} done`), () => log(this, `${name} failed`));
      return result;
    });
  };
  wrap('createOffer', () => {
    if (!rec.t0) rec.t0 = now();
  });
  wrap('setLocalDescription', (pc) => {
    if (!rec.t0 && pc.signalingState === 'stable') rec.t0 = now();
  });
  for (const name of ['createAnswer', 'setRemoteDescription', 'addIceCandidate', 'addTrack', 'addTransceiver', 'createDataChannel']) wrap(name);
  const remoteTracks = new WeakSet<MediaStreamTrack>();
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement): void => {
    const src = video.srcObject;
    if (watched.has(video) || !(src instanceof MediaStream) || !src.getVideoTracks().some((t) => remoteTracks.has(t))) return;
    watched.add(video);
    video.requestVideoFrameCallback((t) => rec.frames.push(performance.timeOrigin + t));
  };
  const Native = RTCPeerConnection;
  class ProbedPeerConnection extends Native {
    constructor(configuration?: RTCConfiguration) {
      super(configuration);
      numbers.set(this, made++);
      log(this, 'made');
      for (const type of ['negotiationneeded', 'signalingstatechange', 'icegatheringstatechange', 'iceconnectionstatechange', 'connectionstatechange', 'icecandidate', 'track']) {
        this.addEventListener(type, (ev) => {
          const state = type === 'signalingstatechange' ? this.signalingState : type === 'icegatheringstatechange' ? this.iceGatheringState
            : type === 'iceconnectionstatechange' ? this.iceConnectionState : type === 'connectionstatechange' ? this.connectionState
              : type === 'icecandidate' ? ((ev as RTCPeerConnectionIceEvent).candidate ? 'candidate' : 'end') : '';
          log(this, state ? `${type} ${state}` : type);
        });
      }
      let seen = false;
      this.addEventListener('connectionstatechange', () => {
        if (seen || this.connectionState !== 'connected') return;
        seen = true;
        rec.connected.push(now());
      });
      this.addEventListener('track', (ev) => {
        if (ev.track.kind !== 'video') return;
        remoteTracks.add(ev.track);
        for (const v of document.querySelectorAll('video')) watch(v);
      });
    }
  }
  globalThis.RTCPeerConnection = ProbedPeerConnection;
  const srcObject = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject');
  const get = srcObject && (Reflect.get(srcObject, 'get') as ((this: HTMLMediaElement) => MediaProvider | null) | undefined);
  const set = srcObject && (Reflect.get(srcObject, 'set') as ((this: HTMLMediaElement, v: MediaProvider | null) => void) | undefined);
  if (srcObject && get && set) {
    Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
      configurable: true,
      enumerable: srcObject.enumerable,
      get(this: HTMLMediaElement) { return get.call(this); },
      set(this: HTMLMediaElement, value: MediaProvider | null) {
        set.call(this, value);
        if (this instanceof HTMLVideoElement) watch(this);
      },
    });
  }
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) rec.longTasks.push({ start: performance.timeOrigin + e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // No longtask entries in this browser: the benchmark prints "n/a" for its long tasks.
    rec.longTasks = [{ start: -1, duration: -1 }];
  }
}

/**
 * The lower bound of call setup, run inside a page that has {@link installCallProbe}: two
 * RTCPeerConnections in one page, no server (offer, answer and ICE candidates handed over
 * directly), camera and microphone both ways plus a data channel, as the call page has. Both
 * connections, both streams and both `<video>` elements exist before the first `createOffer`.
 * Resolves once the offer/answer exchange is done (the probe records the rest).
 * @see https://webrtc.github.io/samples/src/content/peerconnection/pc1/
 */
export async function runBoundCall(): Promise<void> {
  const streams = [
    await navigator.mediaDevices.getUserMedia({ audio: true, video: true }),
    await navigator.mediaDevices.getUserMedia({ audio: true, video: true }),
  ];
  // The same bundlePolicy as the pages: the bound is the best the browser does with their configuration.
  const configuration: RTCConfiguration = { iceServers: [], bundlePolicy: 'max-bundle' };
  const pcs = [new RTCPeerConnection(configuration), new RTCPeerConnection(configuration)];
  const [a, b] = pcs as [RTCPeerConnection, RTCPeerConnection];
  const hold = document.createElement('div');
  document.body.append(hold);
  pcs.forEach((pc, i) => {
    const other = pcs[1 - i] as RTCPeerConnection;
    const stream = streams[i] as MediaStream;
    for (const t of stream.getTracks()) pc.addTrack(t, stream);
    const video = document.createElement('video');
    video.autoplay = video.muted = video.playsInline = true;
    video.width = 160;
    hold.append(video);
    pc.addEventListener('track', (ev) => {
      if (ev.streams[0] && video.srcObject !== ev.streams[0]) video.srcObject = ev.streams[0];
    });
    // Candidates go over as soon as they are gathered; the other side holds them until its remote
    // description is set, as a signaling page must.
    let ready: () => void = () => undefined;
    const remoteSet = new Promise<void>((r) => (ready = r));
    (other as RTCPeerConnection & { remoteSet?: () => void }).remoteSet = ready;
    pc.addEventListener('icecandidate', (ev) => {
      if (ev.candidate) void remoteSet.then(() => other.addIceCandidate(ev.candidate as RTCIceCandidate));
    });
  });
  const ready = (pc: RTCPeerConnection): void => (pc as RTCPeerConnection & { remoteSet?: () => void }).remoteSet?.();
  a.createDataChannel('playground');
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription as RTCSessionDescription);
  ready(b);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription as RTCSessionDescription);
  ready(a);
}
