/**
 * Level meter: reads a microphone track through a Web Audio `AnalyserNode` and reports its level
 * (RMS, 0–1, and dBFS) and its loudest frequency (Hz) on every animation frame.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/AnalyserNode
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Web_Audio_API/Visualizations_with_Web_Audio_API
 */

/** One reading of {@link LevelMeter}. */
export interface LevelReading {
  /** Root mean square of the last `fftSize` samples, 0 (silence) to 1 (full scale). */
  rms: number;
  /** `rms` in dB relative to full scale (-Infinity for silence). */
  dbfs: number;
  /** Frequency of the loudest FFT bin, in Hz (0 when silent). */
  peakHz: number;
}

/**
 * Root mean square of samples in [-1, 1] (0 for none). Pure.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/AnalyserNode/getFloatTimeDomainData
 */
export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

/**
 * Frequency in Hz of the loudest bin of `getFloatFrequencyData()` output (values in dB). Pure.
 * @param sampleRate the AudioContext's rate in Hz; bins are `sampleRate / (2 * bins.length)` wide.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/AnalyserNode/getFloatFrequencyData
 */
export function peakFrequency(bins: ArrayLike<number>, sampleRate: number): number {
  let best = -Infinity;
  let index = 0;
  for (let i = 1; i < bins.length; i++) {
    const v = bins[i] ?? -Infinity;
    if (v > best) {
      best = v;
      index = i;
    }
  }
  return best === -Infinity ? 0 : (index * sampleRate) / (2 * bins.length);
}

/**
 * Analyses an audio track. Create it from a user gesture (Start button) so the AudioContext may run.
 * Call {@link LevelMeter.close} when done: it closes the AudioContext (the track is not stopped).
 */
export class LevelMeter {
  readonly #ctx: AudioContext;
  readonly #analyser: AnalyserNode;
  readonly #time: Float32Array<ArrayBuffer>;
  readonly #freq: Float32Array<ArrayBuffer>;
  #raf = 0;

  /**
   * @param track a live audio MediaStreamTrack.
   * @param fftSize FFT size (power of two, 32–32768); 8192 gives ~6 Hz bins at 48 kHz.
   * @throws TypeError when `track` is not an audio track; DOMException `NotSupportedError` from
   *   the AudioContext when Web Audio cannot be used.
   */
  constructor(track: MediaStreamTrack, fftSize = 8192) {
    if (track.kind !== 'audio') throw new TypeError(`LevelMeter needs an audio track, got ${track.kind}`);
    this.#ctx = new AudioContext();
    this.#analyser = this.#ctx.createAnalyser();
    this.#analyser.fftSize = fftSize;
    this.#analyser.smoothingTimeConstant = 0.2;
    this.#ctx.createMediaStreamSource(new MediaStream([track])).connect(this.#analyser);
    this.#time = new Float32Array(this.#analyser.fftSize);
    this.#freq = new Float32Array(this.#analyser.frequencyBinCount);
  }

  /** The AudioContext's state (`running`, `suspended`, `closed`). */
  get state(): AudioContextState {
    return this.#ctx.state;
  }

  /** Reads the analyser once. */
  read(): LevelReading {
    this.#analyser.getFloatTimeDomainData(this.#time);
    this.#analyser.getFloatFrequencyData(this.#freq);
    const level = rms(this.#time);
    return {
      rms: level,
      dbfs: level > 0 ? 20 * Math.log10(level) : -Infinity,
      peakHz: level > 1e-4 ? peakFrequency(this.#freq, this.#ctx.sampleRate) : 0,
    };
  }

  /** Calls `onReading` on every animation frame until {@link LevelMeter.close}. Resumes a suspended context. */
  start(onReading: (r: LevelReading) => void): void {
    if (this.#ctx.state === 'suspended') void this.#ctx.resume().catch((err: unknown) => console.warn('AudioContext.resume failed:', err));
    cancelAnimationFrame(this.#raf);
    const tick = () => {
      onReading(this.read());
      this.#raf = requestAnimationFrame(tick);
    };
    tick();
  }

  /** Stops reading and closes the AudioContext. */
  close(): void {
    cancelAnimationFrame(this.#raf);
    if (this.#ctx.state !== 'closed') void this.#ctx.close().catch((err: unknown) => console.warn('AudioContext.close failed:', err));
  }
}
