/**
 * Constraints: turning the getUserMedia playground's editor state into the exact
 * `MediaStreamConstraints` object that is passed to `getUserMedia()`, and clamping requested
 * numbers to what a live track can do before `applyConstraints()`. Pure functions, no DOM.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Media_Capture_and_Streams_API/Constraints
 * @see https://w3c.github.io/mediacapture-main/#constrainable-interface
 */

/**
 * How a value is requested: a bare value (treated like `ideal` by the browser), `ideal`
 * (a preference), or `exact`/`min`/`max` (requirements: failing them is an `OverconstrainedError`).
 */
export type ConstraintMode = 'plain' | 'ideal' | 'exact' | 'min' | 'max';

/** Every {@link ConstraintMode}, in the order the editor lists them. */
export const CONSTRAINT_MODES: readonly ConstraintMode[] = ['plain', 'ideal', 'exact', 'min', 'max'];

/** A numeric video constraint in the editor: `value` null means "not requested". */
export interface NumberField {
  value: number | null;
  mode: ConstraintMode;
}

/** The numeric video constraints the editor offers (width/height in px, frameRate in frames/s, aspectRatio = width/height). */
export type NumericConstraint = 'width' | 'height' | 'frameRate' | 'aspectRatio';

/** Names of {@link NumericConstraint}, in display order. */
export const NUMERIC_CONSTRAINTS: readonly NumericConstraint[] = ['width', 'height', 'frameRate', 'aspectRatio'];

/** The audio processing switches; `null` means "leave the browser default". */
export type AudioProcessing = 'echoCancellation' | 'noiseSuppression' | 'autoGainControl';

/** Names of {@link AudioProcessing}. */
export const AUDIO_PROCESSING: readonly AudioProcessing[] = ['echoCancellation', 'noiseSuppression', 'autoGainControl'];

/** Everything the constraints editor of the getUserMedia page holds. */
export interface EditorState {
  audio: boolean;
  /** Per switch: true/false to request it, null to leave the default. */
  processing: Record<AudioProcessing, boolean | null>;
  /** A microphone deviceId ('' = any); requested as `{ exact }`. */
  audioDeviceId: string;
  video: boolean;
  numbers: Record<NumericConstraint, NumberField>;
  /** '' = not requested. */
  facingMode: '' | 'user' | 'environment' | 'left' | 'right';
  facingModeMode: ConstraintMode;
  /** A camera deviceId ('' = any); requested as `{ exact }`. */
  videoDeviceId: string;
}

/**
 * The editor's starting point: audio and video on, nothing else requested.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Media_Capture_and_Streams_API/Constraints
 */
export function defaultEditorState(): EditorState {
  const field = (): NumberField => ({ value: null, mode: 'ideal' });
  return {
    audio: true,
    processing: { echoCancellation: null, noiseSuppression: null, autoGainControl: null },
    audioDeviceId: '',
    video: true,
    numbers: { width: field(), height: field(), frameRate: field(), aspectRatio: field() },
    facingMode: '',
    facingModeMode: 'ideal',
    videoDeviceId: '',
  };
}

/**
 * Wraps `value` for `mode`: `plain` gives the bare value, the others `{ [mode]: value }`.
 * @throws TypeError for an unknown mode.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaTrackConstraints#constraindouble
 */
export function withMode<T extends number | string>(value: T, mode: ConstraintMode): T | Partial<Record<Exclude<ConstraintMode, 'plain'>, T>> {
  if (mode === 'plain') return value;
  if (!CONSTRAINT_MODES.includes(mode)) throw new TypeError(`unknown constraint mode ${String(mode)}`);
  return { [mode]: value };
}

/**
 * Builds the `MediaStreamConstraints` for `getUserMedia()` from the editor state. A kind that is
 * on with nothing set becomes `true`; a kind that is off becomes `false` (both off is the empty
 * request the browser rejects with a TypeError: the page lets that happen to show it).
 *
 * @throws TypeError when a number is not finite or not positive.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#constraints
 */
export function buildConstraints(state: EditorState): MediaStreamConstraints {
  let audio: boolean | MediaTrackConstraints = state.audio;
  if (state.audio) {
    const a: MediaTrackConstraints = {};
    for (const key of AUDIO_PROCESSING) {
      const v = state.processing[key];
      if (v !== null) a[key] = v;
    }
    if (state.audioDeviceId) a.deviceId = { exact: state.audioDeviceId };
    if (Object.keys(a).length > 0) audio = a;
  }
  let video: boolean | MediaTrackConstraints = state.video;
  if (state.video) {
    const v: MediaTrackConstraints = {};
    for (const key of NUMERIC_CONSTRAINTS) {
      const { value, mode } = state.numbers[key];
      if (value === null) continue;
      if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${key} must be a positive number, got ${value}`);
      v[key] = withMode(value, mode) as ConstrainDouble;
    }
    if (state.facingMode) v.facingMode = withMode(state.facingMode, state.facingModeMode) as ConstrainDOMString;
    if (state.videoDeviceId) v.deviceId = { exact: state.videoDeviceId };
    if (Object.keys(v).length > 0) video = v;
  }
  return { audio, video };
}

/** A numeric range as `getCapabilities()` reports it (`{ min, max }`, either may be missing). */
export interface Range {
  min?: number;
  max?: number;
}

/** Requested values for a live video track (px, frames/s, ratio); undefined = leave as is. */
export type NumericRequest = Partial<Record<NumericConstraint, number>>;

/** Result of {@link clampToCapabilities}. */
export interface ClampResult {
  /** The constraints to pass to `applyConstraints()`: each value as `{ exact }`. */
  constraints: MediaTrackConstraints;
  /** Values that were changed to fit, with what was asked and what is used. */
  clamped: { name: NumericConstraint; requested: number; used: number; range: Range }[];
}

/**
 * Clamps each requested number into the track's capability range (as the course does with
 * `width < capabilities.width.max ? width : capabilities.width.max`, but on both ends and for all
 * four numbers) and requests the result as `exact`. A constraint the track has no range for is
 * passed through unchanged, so the browser decides.
 *
 * @param request e.g. `{ width: 5000, frameRate: 10 }`.
 * @param capabilities the track's `getCapabilities()`.
 * @throws TypeError when a requested value is not a finite positive number.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/getCapabilities
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/applyConstraints
 */
export function clampToCapabilities(request: NumericRequest, capabilities: MediaTrackCapabilities): ClampResult {
  const constraints: MediaTrackConstraints = {};
  const clamped: ClampResult['clamped'] = [];
  for (const name of NUMERIC_CONSTRAINTS) {
    const requested = request[name];
    if (requested === undefined) continue;
    if (!Number.isFinite(requested) || requested <= 0) throw new TypeError(`${name} must be a positive number, got ${requested}`);
    const range = (capabilities as Partial<Record<NumericConstraint, Range>>)[name] ?? {};
    let used = requested;
    if (typeof range.max === 'number' && used > range.max) used = range.max;
    if (typeof range.min === 'number' && used < range.min) used = range.min;
    if (used !== requested) clamped.push({ name, requested, used, range: { ...range } });
    constraints[name] = { exact: used };
  }
  return { constraints, clamped };
}

/** One applied value that {@link unmetSettings} found missing from the track's settings. */
export interface UnmetSetting {
  name: NumericConstraint;
  /** What `applyConstraints()` was asked for (exact). */
  asked: number;
  /** What `getSettings()` reports afterwards, or undefined when it reports nothing. */
  reported: number | undefined;
}

/**
 * The exact values a successful `applyConstraints()` accepted that `getSettings()` does not show
 * afterwards (e.g. Firefox meets `frameRate: { exact: 10 }` by dropping frames and still reports
 * the camera's 30). Width/height/aspect ratio compare to 0.5 px / 0.01, frame rate to 0.5 frames/s.
 *
 * @param constraints what was passed, as made by {@link clampToCapabilities}.
 * @param settings the track's `getSettings()` after the call resolved.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/getSettings
 */
export function unmetSettings(constraints: MediaTrackConstraints, settings: MediaTrackSettings): UnmetSetting[] {
  const unmet: UnmetSetting[] = [];
  for (const name of NUMERIC_CONSTRAINTS) {
    const c = constraints[name];
    const asked = typeof c === 'number' ? c : typeof c === 'object' && c !== null && typeof c.exact === 'number' ? c.exact : undefined;
    if (asked === undefined) continue;
    const reported = (settings as Partial<Record<NumericConstraint, number>>)[name];
    const tolerance = name === 'aspectRatio' ? 0.01 : 0.5;
    if (typeof reported !== 'number' || Math.abs(reported - asked) > tolerance) unmet.push({ name, asked, reported });
  }
  return unmet;
}
