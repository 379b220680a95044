/**
 * Devices: `enumerateDevices()` grouped by kind, detecting the "labels are hidden until
 * permission" case, `devicechange` subscription, and remembering a chosen device across reloads
 * (localStorage) with a fallback when it is gone.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/enumerateDevices
 * @see https://w3c.github.io/mediacapture-main/#dom-mediadevices-enumeratedevices
 */
import { getUserMedia, mediaDevices } from './capture';
import { shown } from '../util/code-ran';

/** The three kinds of `MediaDeviceInfo`. */
export type DeviceKind = 'audioinput' | 'videoinput' | 'audiooutput';

/** Every {@link DeviceKind}, in display order. */
export const DEVICE_KINDS: readonly DeviceKind[] = ['audioinput', 'videoinput', 'audiooutput'];

/** The fields of `MediaDeviceInfo` this module reads (so plain objects work in tests). */
export interface DeviceLike {
  deviceId: string;
  groupId: string;
  kind: MediaDeviceKind;
  label: string;
}

/** Devices split by kind, plus whether the browser hid their labels. */
export interface DeviceGroups<D extends DeviceLike = DeviceLike> {
  audioinput: D[];
  videoinput: D[];
  audiooutput: D[];
  /**
   * True when every device has an empty label: the page has no camera/microphone permission yet
   * (browsers then also hide deviceIds and may list only one device per kind).
   */
  labelsHidden: boolean;
}

/**
 * Groups a device list by kind, keeping the browser's order (defaults first). Pure.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/enumerateDevices
 */
export function groupDevices<D extends DeviceLike>(devices: readonly D[]): DeviceGroups<D> {
  const groups: DeviceGroups<D> = { audioinput: [], videoinput: [], audiooutput: [], labelsHidden: labelsHidden(devices) };
  for (const d of devices) if (d.kind in groups && d.kind !== ('labelsHidden' as string)) groups[d.kind].push(d);
  return groups;
}

/**
 * Whether the list looks like "before permission": non-empty and no device has a label. Pure.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo/label
 */
export function labelsHidden(devices: readonly DeviceLike[]): boolean {
  return devices.length > 0 && devices.every((d) => d.label === '');
}

const KIND_NAMES: Record<DeviceKind, string> = { audioinput: 'Microphone', videoinput: 'Camera', audiooutput: 'Speaker' };

/**
 * The text to show for a device: its label, or "Camera 2 (name hidden until permission)". Pure.
 * @param index 0-based position among the devices of its kind.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo
 */
export function deviceLabel(d: DeviceLike, index: number): string {
  if (d.label) return d.label;
  const kind = (DEVICE_KINDS as readonly string[]).includes(d.kind) ? KIND_NAMES[d.kind as DeviceKind] : d.kind;
  return `${kind} ${index + 1} (name hidden until permission)`;
}

/**
 * Lists and groups the media devices.
 * @throws PlaygroundError `InsecureContextError`/`UnsupportedError` (see `mediaDevices()`).
 */
export const listDevices = shown(
  'enumerateDevices',
  // @show enumerateDevices
  async function listDevices(): Promise<DeviceGroups<MediaDeviceInfo>> {
    return groupDevices(await mediaDevices().enumerateDevices());
  },
);

/**
 * Calls `handler` on every `devicechange` (a device plugged in or out, or permission granted).
 * @returns a function that removes the listener.
 * @throws PlaygroundError `InsecureContextError`/`UnsupportedError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/devicechange_event
 */
export function onDeviceChange(handler: () => void): () => void {
  const md = mediaDevices();
  md.addEventListener('devicechange', handler);
  return () => md.removeEventListener('devicechange', handler);
}

/** A remembered device: its id and the label it had (to name it when it is gone). */
export interface RememberedDevice {
  deviceId: string;
  label: string;
}

/** The subset of `Storage` used (so tests can pass a Map-backed object). */
export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const STORAGE_KEY = 'webrtc-playground.devices';

/**
 * Reads every remembered choice (localStorage key `webrtc-playground.devices`); a broken entry reads as none.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/localStorage
 */
export function loadChoices(store: KeyValueStore = localStorage): Partial<Record<DeviceKind, RememberedDevice>> {
  const raw = store.getItem(STORAGE_KEY);
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    console.warn('ignoring unreadable remembered devices:', err);
    return {};
  }
  const out: Partial<Record<DeviceKind, RememberedDevice>> = {};
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const kind of DEVICE_KINDS) {
    const v = (parsed as Record<string, unknown>)[kind] as Partial<RememberedDevice> | undefined;
    if (v && typeof v.deviceId === 'string' && typeof v.label === 'string') out[kind] = { deviceId: v.deviceId, label: v.label };
  }
  return out;
}

/**
 * Remembers `device` for `kind` (null forgets it).
 * @throws DOMException `QuotaExceededError` when storage is full or disabled.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Storage/setItem
 */
export function saveChoice(kind: DeviceKind, device: RememberedDevice | null, store: KeyValueStore = localStorage): void {
  const all = loadChoices(store);
  if (device) all[kind] = device;
  else delete all[kind];
  store.setItem(STORAGE_KEY, JSON.stringify(all));
}

/**
 * What to use for a kind given the remembered choice and the current list. Pure.
 * - `none`: nothing remembered, use the default.
 * - `remembered`: it is in the list, use `deviceId`.
 * - `missing`: it is gone, use the default and tell the user.
 * - `unknown`: the list hides deviceIds (no permission yet): try it, fall back if it fails.
 */
export type ChoiceResolution =
  | { status: 'none' }
  | { status: 'remembered'; deviceId: string }
  | { status: 'missing'; remembered: RememberedDevice }
  | { status: 'unknown'; deviceId: string };

/**
 * Decides what to use for one kind: see {@link ChoiceResolution}. Pure.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDeviceInfo/deviceId
 */
export function resolveChoice(remembered: RememberedDevice | undefined, available: readonly DeviceLike[]): ChoiceResolution {
  if (!remembered || remembered.deviceId === '') return { status: 'none' };
  // Also true for an empty list: nothing known, so nothing to compare with.
  if (available.every((d) => d.deviceId === '')) return { status: 'unknown', deviceId: remembered.deviceId };
  if (available.some((d) => d.deviceId === remembered.deviceId)) return { status: 'remembered', deviceId: remembered.deviceId };
  return { status: 'missing', remembered };
}

/** The input kinds a track can be opened for. */
export type InputKind = 'audioinput' | 'videoinput';

const TRACK_KIND: Record<InputKind, 'audio' | 'video'> = { audioinput: 'audio', videoinput: 'video' };

/** Constraints for one input kind: `{ deviceId: { exact } }` for an id, `true` for the default. */
function inputConstraint(deviceId: string | undefined): boolean | MediaTrackConstraints {
  return deviceId ? { deviceId: { exact: deviceId } } : true;
}

/**
 * Opens camera and microphone, with the given deviceIds as `exact` when present. When a given
 * device is gone (`OverconstrainedError` on deviceId, or `NotFoundError`), tries again with the
 * defaults and reports which kinds fell back.
 *
 * @param ids deviceIds to use per kind ('' or missing = default).
 * @param kinds which kinds to open (a machine without a camera: `videoinput: false`).
 * @returns the stream and the kinds whose requested device could not be used.
 * @throws DOMException `NotAllowedError`, `NotFoundError`, `NotReadableError`, … from getUserMedia
 *   (of the retry, when it happens); PlaygroundError `InsecureContextError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia
 */
export const openInputs = shown(
  'openInputs',
  // @show openInputs
  async function openInputs(
    ids: Partial<Record<InputKind, string>>,
    kinds: Record<InputKind, boolean> = { audioinput: true, videoinput: true },
  ): Promise<{ stream: MediaStream; fellBack: InputKind[] }> {
    const asked = (['audioinput', 'videoinput'] as const).filter((k) => kinds[k] && ids[k]);
    const request = (kind: InputKind, id: string | undefined) => kinds[kind] && inputConstraint(id);
    try {
      const stream = await getUserMedia({ audio: request('audioinput', ids.audioinput), video: request('videoinput', ids.videoinput) });
      return { stream, fellBack: [] };
    } catch (err) {
      const name = (err as { name?: unknown } | null)?.name;
      if (asked.length === 0 || (name !== 'OverconstrainedError' && name !== 'NotFoundError')) throw err;
      console.info('remembered device not usable, falling back to the defaults:', err);
      return { stream: await getUserMedia({ audio: kinds.audioinput, video: kinds.videoinput }), fellBack: asked };
    }
  },
);

/**
 * Replaces the `kind` track of `stream` with one from `deviceId`: the old track is stopped first
 * (phones often cannot open two cameras at once), then the new one is opened with
 * `deviceId: { exact }`. The other tracks are kept running.
 *
 * @returns a new MediaStream with the other tracks plus the new one (assign it to `srcObject`),
 *   the stopped old track (readyState `ended`) and the new track.
 * @throws TypeError for an empty deviceId; the getUserMedia DOMExceptions (`OverconstrainedError`
 *   when the device is gone, `NotReadableError` when it is busy).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/stop
 */
export async function replaceInputTrack(
  stream: MediaStream,
  kind: InputKind,
  deviceId: string,
): Promise<{ stream: MediaStream; oldTrack: MediaStreamTrack | null; newTrack: MediaStreamTrack }> {
  if (!deviceId) throw new TypeError('replaceInputTrack needs a deviceId');
  const trackKind = TRACK_KIND[kind];
  const oldTrack = stream.getTracks().find((t) => t.kind === trackKind) ?? null;
  oldTrack?.stop();
  const fresh = await getUserMedia(trackKind === 'audio' ? { audio: inputConstraint(deviceId) } : { video: inputConstraint(deviceId) });
  const newTrack = fresh.getTracks()[0];
  if (!newTrack) throw new DOMException(`getUserMedia returned no ${trackKind} track`, 'NotFoundError');
  const others = stream.getTracks().filter((t) => t !== oldTrack);
  return { stream: new MediaStream([...others, newTrack]), oldTrack, newTrack };
}
