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
  /**
   * Event timing of the user's input (the bench's clicks on Join / Start), every entry of 16 ms or
   * more: from the input to the next paint (`duration`), of which waiting for the main thread
   * (`delay`) and running the page's handlers (`processing`), ms.
   */
  inputs: { name: string; start: number; duration: number; delay: number; processing: number }[];
  /**
   * Long animation frames (≥ 50 ms, Chromium): start (epoch ms), duration and blocking time (ms),
   * and the scripts that ran in them (where they come from and their ms).
   */
  frames50: { start: number; duration: number; blocking: number; scripts: { source: string; duration: number }[] }[];
  /** Whether this browser reports long tasks and long animation frames at all (Firefox does not). */
  supports: { longTasks: boolean; frames50: boolean };
  /** The page was hidden (a background tab, whose timers and frames the browser slows) at the first offer or at `connected`. */
  hidden: boolean;
}

/**
 * Installs the probe as `globalThis.__callProbe` (a {@link ProbeRecord}). Runs in the page.
 * @param marks also make each step a performance mark, to see it in a DevTools trace (`--trace`);
 *   off otherwise: while tracing each mark costs ~0.5 ms.
 */
export function installCallProbe(marks = false): void {
  const g = globalThis as unknown as { __callProbe?: ProbeRecord };
  if (g.__callProbe) return;
  const types = typeof PerformanceObserver === 'function' ? PerformanceObserver.supportedEntryTypes : [];
  const supports = { longTasks: types.includes('longtask'), frames50: types.includes('long-animation-frame') };
  const rec: ProbeRecord = { t0: 0, connected: [], frames: [], longTasks: [], events: [], inputs: [], frames50: [], supports, hidden: false };
  g.__callProbe = rec;
  const now = (): number => performance.timeOrigin + performance.now();
  const numbers = new WeakMap<RTCPeerConnection, number>();
  let made = 0;
  /** Records a step; also a performance mark, so a DevTools trace (`--trace`) shows it on the page's main thread. */
  const push = (pc: number, what: string, t = now()): void => {
    rec.events.push({ t, pc, what });
    if (marks) performance.mark(`probe ${pc < 0 ? '' : `pc${pc} `}${what}`);
  };
  const log = (pc: RTCPeerConnection, what: string): void => push(numbers.get(pc) ?? -1, what);
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
  const first = (): void => {
    if (rec.t0) return;
    rec.t0 = now();
    rec.hidden ||= document.hidden;
  };
  wrap('createOffer', first);
  wrap('setLocalDescription', (pc) => {
    if (pc.signalingState === 'stable') first();
  });
  for (const name of ['createAnswer', 'setRemoteDescription', 'addIceCandidate', 'addTrack', 'addTransceiver', 'createDataChannel']) wrap(name);
  const remoteTracks = new WeakSet<MediaStreamTrack>();
  const watched = new WeakSet<HTMLVideoElement>();
  const watch = (video: HTMLVideoElement): void => {
    const src = video.srcObject;
    if (watched.has(video) || !(src instanceof MediaStream) || !src.getVideoTracks().some((t) => remoteTracks.has(t))) return;
    watched.add(video);
    video.requestVideoFrameCallback((t) => {
      rec.frames.push(performance.timeOrigin + t);
      const r = video.getBoundingClientRect();
      const seen = r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth;
      push(-1, `first remote frame${seen ? '' : ' (offscreen)'}`, performance.timeOrigin + t);
    });
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
        rec.hidden ||= document.hidden;
      });
      this.addEventListener('track', (ev) => {
        if (ev.track.kind !== 'video') return;
        remoteTracks.add(ev.track);
        for (const v of document.querySelectorAll('video')) watch(v);
      });
    }
  }
  globalThis.RTCPeerConnection = ProbedPeerConnection;
  // The signaling hops (connection -1): when each message left (`WebSocket.send`) and when the page
  // began to handle each one that came (its `message` event, dispatched before the page's own listener).
  const typeOf = (text: unknown): string => (typeof text === 'string' ? /"type":"([a-z-]+)"/.exec(text)?.[1] ?? '?' : 'binary');
  const NativeSocket = WebSocket;
  const nativeSend = Reflect.get(NativeSocket.prototype, 'send') as WebSocket['send'];
  NativeSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
    push(-1, `ws send ${typeOf(data)}`);
    nativeSend.call(this, data);
  };
  class ProbedSocket extends NativeSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (ev) => push(-1, `ws message ${typeOf(ev.data)}`));
    }
  }
  globalThis.WebSocket = ProbedSocket;
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
  const observe = (type: string, options: PerformanceObserverInit, take: (e: PerformanceEntry) => void): void => {
    if (!types.includes(type)) return; // not in this browser: the benchmark says "n/a"
    new PerformanceObserver((list) => list.getEntries().forEach(take)).observe({ type, buffered: true, ...options });
  };
  observe('longtask', {}, (e) => rec.longTasks.push({ start: performance.timeOrigin + e.startTime, duration: e.duration }));
  observe('event', { durationThreshold: 16 } as PerformanceObserverInit, (e) => {
    const t = e as PerformanceEventTiming;
    rec.inputs.push({ name: t.name, start: performance.timeOrigin + t.startTime, duration: t.duration, delay: t.processingStart - t.startTime, processing: t.processingEnd - t.processingStart });
  });
  observe('long-animation-frame', {}, (e) => {
    // PerformanceLongAnimationFrameTiming (Chromium 123+), not in TypeScript's DOM types yet.
    const f = e as PerformanceEntry & { blockingDuration: number; scripts: { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number }[] };
    rec.frames50.push({
      start: performance.timeOrigin + f.startTime,
      duration: f.duration,
      blocking: f.blockingDuration,
      scripts: f.scripts.map((sc) => ({ source: `${sc.invoker} ${sc.sourceFunctionName || ''}@${sc.sourceURL.replace(/^.*\//, '').replace(/-[A-Z0-9]{8}\.js$/, '.js')}`, duration: sc.duration })),
    });
  });
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
  // On screen, as a user watching the call sees it (see VIEWPORT in call-setup.ts).
  const hold = document.createElement('div');
  hold.style.cssText = 'position: fixed; top: 0; left: 0; z-index: 1000';
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
