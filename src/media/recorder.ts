/**
 * Recording a MediaStream with `MediaRecorder`: an explicit state, typed events for each chunk
 * (`dataavailable`), elapsed time that leaves out paused time, and a recording that is stopped and
 * kept (not lost) when a source track ends or the encoder fails.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder
 * @see https://w3c.github.io/mediacapture-record/
 */
import { PlaygroundError } from '../errors/playground-error';
import { shown } from '../util/code-ran';
import { Emitter } from '../util/emitter';

/**
 * The recorder's state: MediaRecorder's own three plus `stopping` (waiting for the last chunk).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/state
 */
export type RecorderState = 'inactive' | 'recording' | 'paused' | 'stopping';

/**
 * What the user (or the source) does to a recorder; `stopped` is the `stop` event.
 * @see https://w3c.github.io/mediacapture-record/#mediarecorder-methods
 */
export type RecorderAction = 'start' | 'pause' | 'resume' | 'stop' | 'stopped';

/**
 * Pure transition of {@link RecorderState}.
 * @returns the next state, or `null` when `action` is not allowed in `state`.
 * @see https://w3c.github.io/mediacapture-record/#mediarecorder-methods
 */
export function nextRecorderState(state: RecorderState, action: RecorderAction): RecorderState | null {
  switch (action) {
    case 'start':
      return state === 'inactive' ? 'recording' : null;
    case 'pause':
      return state === 'recording' ? 'paused' : null;
    case 'resume':
      return state === 'paused' ? 'recording' : null;
    case 'stop':
      return state === 'recording' || state === 'paused' ? 'stopping' : null;
    case 'stopped':
      return 'inactive';
  }
}

/**
 * Timestamps (ms, `performance.now()` clock) for elapsed time without paused time.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Performance/now
 */
export interface RecordingClock {
  startedAt: number;
  /** When the current pause began, or `null` while not paused. */
  pausedAt: number | null;
  /** Sum of finished pauses (ms). */
  pausedMs: number;
}

/**
 * Elapsed recording time in ms at `now`, paused time excluded (frozen while paused). Pure.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/pause
 */
export function clockElapsed(clock: RecordingClock, now: number): number {
  const end = clock.pausedAt ?? now;
  return Math.max(0, end - clock.startedAt - clock.pausedMs);
}

/**
 * Why a recording ended: the user, a source track's `ended` event, or the recorder's `error`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/ended_event
 */
export type StopReason = 'user' | 'track-ended' | 'error';

/**
 * Options for {@link StreamRecorder}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/MediaRecorder#options
 */
export interface StreamRecorderOptions {
  /** Requested MIME type; omit to let the browser choose. */
  mimeType?: string;
  /** Target video bitrate, bits per second. */
  videoBitsPerSecond?: number;
  /** Target audio bitrate, bits per second. */
  audioBitsPerSecond?: number;
  /** Deliver a chunk every this many ms (MP4 in Chromium ignores it); omit for one chunk at stop. */
  timeslice?: number;
}

/**
 * A finished recording (all `dataavailable` chunks in one Blob).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/BlobEvent/data
 */
export interface RecordingResult {
  blob: Blob;
  /** The type the recorder really used (browsers rename some requests). */
  mimeType: string;
  /** Recorded time in ms, pauses excluded. */
  elapsedMs: number;
  chunks: number;
  reason: StopReason;
  /** When recording started (wall clock). */
  startedAt: Date;
}

/**
 * Events of {@link StreamRecorder}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder#events
 */
export type StreamRecorderEvents = {
  state: [state: RecorderState];
  /** A `dataavailable` chunk arrived: its size in bytes and the running totals. */
  chunk: [size: number, count: number, bytes: number];
  /** The source track that ended, before the recording stops. */
  trackended: [track: MediaStreamTrack];
  /** The recorder's `error` event (its DOMException). */
  error: [error: unknown];
  stopped: [result: RecordingResult];
};

/**
 * Makes a MediaRecorder for `stream` and hands each non-empty chunk (`dataavailable`) to `onChunk`.
 * @param init `mimeType`, `videoBitsPerSecond`, `audioBitsPerSecond` (bps).
 * @throws DOMException `NotSupportedError` (mimeType not supported), `SecurityError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/MediaRecorder
 */
export const createMediaRecorder = shown(
  'MediaRecorder',
  // @show MediaRecorder
  function createMediaRecorder(stream: MediaStream, init: MediaRecorderOptions, onChunk: (chunk: Blob) => void): MediaRecorder {
    const recorder = new MediaRecorder(stream, init);
    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size > 0) onChunk(event.data);
    });
    return recorder;
  },
);

/**
 * Starts `recorder`; with `timesliceMs` a chunk arrives every that many ms, else one at stop().
 * @returns the recorder's state afterwards (`recording`).
 * @throws DOMException `InvalidStateError` (already started), `NotSupportedError`, `SecurityError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/start
 */
export const startRecording = shown(
  'MediaRecorder.start',
  // @show MediaRecorder.start
  function startRecording(recorder: MediaRecorder, timesliceMs?: number): RecordingState {
    recorder.start(timesliceMs);
    return recorder.state;
  },
);

/**
 * Wraps one MediaRecorder for one recording.
 * @throws DOMException `NotSupportedError` (from the constructor) when `mimeType` is not supported;
 *   PlaygroundError `UnsupportedError` without MediaRecorder; TypeError for bad options or a stream
 *   with no live track.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder
 */
export class StreamRecorder extends Emitter<StreamRecorderEvents> {
  readonly stream: MediaStream;
  readonly #mr: MediaRecorder;
  readonly #timeslice: number | undefined;
  readonly #chunks: Blob[] = [];
  #state: RecorderState = 'inactive';
  #clock: RecordingClock | null = null;
  #bytes = 0;
  #reason: StopReason = 'user';
  #startedAt = new Date();
  #result: Promise<RecordingResult>;
  #resolve!: (r: RecordingResult) => void;
  readonly #onEnded = (ev: Event) => {
    if (this.#state !== 'recording' && this.#state !== 'paused') return;
    this.#reason = 'track-ended';
    this.emit('trackended', ev.target as MediaStreamTrack);
    // The result reaches its listeners through the recording's own promise (`result`).
    void this.stop();
  };

  constructor(stream: MediaStream, options: StreamRecorderOptions = {}) {
    super();
    if (typeof MediaRecorder !== 'function') throw new PlaygroundError('UnsupportedError', 'MediaRecorder is not available');
    if (!(stream instanceof MediaStream)) throw new TypeError('StreamRecorder needs a MediaStream');
    if (!stream.getTracks().some((t) => t.readyState === 'live')) throw new TypeError('the stream has no live track to record');
    for (const key of ['videoBitsPerSecond', 'audioBitsPerSecond', 'timeslice'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new TypeError(`${key} must be a positive number, got ${v}`);
    }
    if (options.mimeType && !MediaRecorder.isTypeSupported(options.mimeType)) {
      throw new DOMException(`MediaRecorder does not support ${options.mimeType}`, 'NotSupportedError');
    }
    this.stream = stream;
    this.#timeslice = options.timeslice;
    const init: MediaRecorderOptions = {};
    if (options.mimeType) init.mimeType = options.mimeType;
    if (options.videoBitsPerSecond) init.videoBitsPerSecond = options.videoBitsPerSecond;
    if (options.audioBitsPerSecond) init.audioBitsPerSecond = options.audioBitsPerSecond;
    this.#result = new Promise((resolve) => (this.#resolve = resolve));
    this.#mr = createMediaRecorder(stream, init, (chunk) => {
      this.#chunks.push(chunk);
      this.#bytes += chunk.size;
      this.emit('chunk', chunk.size, this.#chunks.length, this.#bytes);
    });
    this.#mr.addEventListener('error', (ev) => {
      this.#reason = 'error';
      this.emit('error', (ev as Event & { error?: unknown }).error ?? new DOMException('MediaRecorder error', 'UnknownError'));
    });
    // `stop` comes after the last dataavailable, whoever stopped it (us, the browser, an error).
    this.#mr.addEventListener('stop', () => this.#finish());
  }

  /** Current state. */
  get state(): RecorderState {
    return this.#state;
  }

  /** The MIME type the recorder uses (known for sure only after start). */
  get mimeType(): string {
    return this.#mr.mimeType;
  }

  /** Chunks received so far. */
  get chunkCount(): number {
    return this.#chunks.length;
  }

  /** Bytes received so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Recorded time in ms so far, pauses excluded. */
  elapsedMs(now: number = performance.now()): number {
    return this.#clock ? clockElapsed(this.#clock, now) : 0;
  }

  /** Resolves with the recording once it has stopped (for any reason). */
  get result(): Promise<RecordingResult> {
    return this.#result;
  }

  /**
   * Starts recording.
   * @throws DOMException `InvalidStateError` when already started; `NotSupportedError` /
   *   `SecurityError` from MediaRecorder.start().
   */
  start(): void {
    const next = this.#transition('start');
    startRecording(this.#mr, this.#timeslice);
    this.#startedAt = new Date();
    this.#clock = { startedAt: performance.now(), pausedAt: null, pausedMs: 0 };
    for (const t of this.stream.getTracks()) t.addEventListener('ended', this.#onEnded);
    this.#set(next);
  }

  /** Pauses. @throws DOMException `InvalidStateError` unless recording. */
  pause(): void {
    const next = this.#transition('pause');
    this.#mr.pause();
    if (this.#clock) this.#clock.pausedAt = performance.now();
    this.#set(next);
  }

  /** Resumes. @throws DOMException `InvalidStateError` unless paused. */
  resume(): void {
    const next = this.#transition('resume');
    this.#mr.resume();
    if (this.#clock?.pausedAt != null) {
      this.#clock.pausedMs += performance.now() - this.#clock.pausedAt;
      this.#clock.pausedAt = null;
    }
    this.#set(next);
  }

  /** Stops; {@link result} resolves after the last chunk. Does nothing when already stopping. */
  stop(): Promise<RecordingResult> {
    if (this.#state === 'stopping' || this.#state === 'inactive') return this.#result;
    const next = this.#transition('stop');
    if (this.#clock && this.#clock.pausedAt === null) this.#clock.pausedAt = performance.now();
    this.#set(next);
    if (this.#mr.state !== 'inactive') this.#mr.stop();
    return this.#result;
  }

  #transition(action: RecorderAction): RecorderState {
    const next = nextRecorderState(this.#state, action);
    if (next === null) throw new DOMException(`cannot ${action} while ${this.#state}`, 'InvalidStateError');
    return next;
  }

  #set(state: RecorderState): void {
    this.#state = state;
    this.emit('state', state);
  }

  #finish(): void {
    for (const t of this.stream.getTracks()) t.removeEventListener('ended', this.#onEnded);
    if (this.#clock && this.#clock.pausedAt === null) this.#clock.pausedAt = performance.now();
    const mimeType = this.#mr.mimeType || this.#chunks[0]?.type || '';
    const result: RecordingResult = {
      blob: new Blob(this.#chunks, { type: mimeType }),
      mimeType,
      elapsedMs: this.elapsedMs(),
      chunks: this.#chunks.length,
      reason: this.#reason,
      startedAt: this.#startedAt,
    };
    this.#set('inactive');
    this.#resolve(result);
    this.emit('stopped', result);
  }
}
