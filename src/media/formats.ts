/**
 * Recording formats for MediaRecorder: the candidate MIME types a page may offer, the default
 * choice from what the browser supports, and the file extension / timestamped file name of a
 * recording. Pure: the support check is passed in (normally `MediaRecorder.isTypeSupported`).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/isTypeSupported_static
 * @see https://developer.mozilla.org/en-US/docs/Web/Media/Guides/Formats/codecs_parameter
 */

/**
 * Whether a recording holds video (plus maybe audio) or audio only.
 * @see https://developer.mozilla.org/en-US/docs/Web/Media/Guides/Formats/Containers
 */
export type RecordingKind = 'video' | 'audio';

/**
 * One MIME type a recorder may be asked for.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/mimeType
 */
export interface RecordingFormat {
  /** The full MIME type with codecs, e.g. `video/webm;codecs=vp8,opus`. */
  mimeType: string;
  /** Short human label for a `<select>`. */
  label: string;
  kind: RecordingKind;
}

/**
 * Every candidate, in order of preference per kind (the first supported one is the default).
 * VP8 WebM first: every recording browser but Safari supports it and it plays back everywhere.
 * @see https://developer.mozilla.org/en-US/docs/Web/Media/Guides/Formats/WebRTC_codecs
 */
export const RECORDING_FORMATS: readonly RecordingFormat[] = [
  { mimeType: 'video/webm;codecs=vp8,opus', label: 'WebM · VP8 + Opus', kind: 'video' },
  { mimeType: 'video/webm;codecs=vp9,opus', label: 'WebM · VP9 + Opus', kind: 'video' },
  { mimeType: 'video/webm;codecs=av1,opus', label: 'WebM · AV1 + Opus', kind: 'video' },
  { mimeType: 'video/mp4', label: 'MP4 (browser picks codecs)', kind: 'video' },
  { mimeType: 'video/mp4;codecs=avc1,mp4a.40.2', label: 'MP4 · H.264 + AAC', kind: 'video' },
  { mimeType: 'video/webm', label: 'WebM (browser picks codecs)', kind: 'video' },
  // Ogg first where supported (Firefox): Firefox's audio-only WebM has no duration and cannot be
  // seeked to find one, while its Ogg/Opus has a real length. Chromium cannot record Ogg.
  { mimeType: 'audio/ogg;codecs=opus', label: 'Ogg audio · Opus', kind: 'audio' },
  { mimeType: 'audio/webm;codecs=opus', label: 'WebM audio · Opus', kind: 'audio' },
  { mimeType: 'audio/mp4', label: 'MP4 audio (browser picks codec)', kind: 'audio' },
  { mimeType: 'audio/webm', label: 'WebM audio (browser picks codec)', kind: 'audio' },
];

/**
 * The candidates of `kind` that `isSupported` accepts, in preference order.
 * @param isSupported usually `(t) => MediaRecorder.isTypeSupported(t)`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaRecorder/isTypeSupported_static
 */
export function supportedFormats(
  isSupported: (mimeType: string) => boolean,
  kind: RecordingKind,
  candidates: readonly RecordingFormat[] = RECORDING_FORMATS,
): RecordingFormat[] {
  return candidates.filter((f) => f.kind === kind && isSupported(f.mimeType));
}

/**
 * The default format: the first (most preferred) entry of a supported list, or `undefined` when
 * the browser supports none of the candidates (then the page lets the browser choose with no
 * mimeType at all).
 * @see https://w3c.github.io/mediacapture-record/#dom-mediarecorderoptions-mimetype
 */
export function defaultFormat(supported: readonly RecordingFormat[]): RecordingFormat | undefined {
  return supported[0];
}

/**
 * The file extension (no dot) for a MIME type: `webm`, `mp4`, `m4a` (audio-only MP4), `mkv`,
 * `ogg`. Parameters (`;codecs=…`) and case are ignored; unknown types give `bin`.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/MIME_types/Common_types
 */
export function fileExtension(mimeType: string): string {
  const base = (mimeType.split(';')[0] ?? '').trim().toLowerCase();
  switch (base) {
    case 'video/webm':
    case 'audio/webm':
      return 'webm';
    case 'video/mp4':
      return 'mp4';
    case 'audio/mp4':
      return 'm4a';
    case 'video/x-matroska':
    case 'audio/x-matroska':
      return 'mkv';
    case 'audio/ogg':
    case 'video/ogg':
      return 'ogg';
    default:
      return 'bin';
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A download name like `recording-2026-11-21_14-05-09.webm` from the local time of `date`
 * (no characters that file systems refuse).
 * @param prefix letters, digits, `-` and `_` only.
 * @throws TypeError for an invalid date or prefix.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Reference/Elements/a#download
 */
export function recordingFileName(mimeType: string, date: Date, prefix = 'recording'): string {
  if (Number.isNaN(date.getTime())) throw new TypeError('recordingFileName: invalid date');
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new TypeError(`recordingFileName: bad prefix ${JSON.stringify(prefix)}`);
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}-${pad(date.getMinutes())}-${pad(date.getSeconds())}`;
  return `${prefix}-${day}_${time}.${fileExtension(mimeType)}`;
}

/**
 * `1536` → `1.5 KiB` (binary units); bytes under 1024 stay bytes; negative/NaN → `–`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Blob/size
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/**
 * A duration in ms as `m:ss.t` (e.g. `2150` → `0:02.1`); negative/non-finite → `–`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/HTMLMediaElement/duration
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const tenths = Math.floor(ms / 100);
  const minutes = Math.floor(tenths / 600);
  const seconds = Math.floor((tenths % 600) / 10);
  return `${minutes}:${pad(seconds)}.${tenths % 10}`;
}
