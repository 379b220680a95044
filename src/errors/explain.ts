/**
 * The one place that turns an error (a DOMException from a media or WebRTC API, a TypeError, a
 * signaling error code, a closed signaling socket) into learner-friendly text. Every page shows
 * failures through {@link explainError}; nothing else writes such text.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getUserMedia#exceptions
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#exceptions
 * @see https://developer.mozilla.org/en-US/docs/Web/API/DOMException#error_names
 */
import type { ErrorCode } from '../signaling/protocol';
import { iceCandidateError, iceFailed } from './explain-ice';
import type { ErrorContext, Explanation, PlaygroundErrorName } from './playground-error';

export type { ErrorContext, Explanation, PlaygroundErrorName } from './playground-error';
export { PlaygroundError } from './playground-error';

/** The constraint named by an `OverconstrainedError` (`width`, `frameRate`, …), if any. */
export function failedConstraint(err: unknown): string | undefined {
  const c = (err as { constraint?: unknown } | null)?.constraint;
  return typeof c === 'string' && c !== '' ? c : undefined;
}

const REALLOW =
  'To allow it again: click the camera or lock icon at the left of the address bar, set Camera and Microphone to Allow, then reload the page.';

type Table = Partial<Record<string, (err: unknown) => Omit<Explanation, 'name' | 'raw'>>>;

const media: Table = {
  NotAllowedError: () => ({
    title: 'Permission to use the camera or microphone was denied.',
    detail: `The browser (or you, at its prompt) refused access. ${REALLOW} If the operating system blocks the browser from the camera, allow it in the system privacy settings too.`,
  }),
  NotFoundError: () => ({
    title: 'No camera or microphone matching the request was found.',
    detail: 'The request asked for a kind of device this machine does not have (or a deviceId that no longer exists). Plug one in, or turn that kind off in the request, and try again.',
  }),
  NotReadableError: () => ({
    title: 'The device is there but could not be started.',
    detail: 'Another application or browser tab is probably using the camera or microphone, or the hardware failed. Close the other user (video call apps, other tabs) and try again.',
  }),
  OverconstrainedError: (err) => {
    const c = failedConstraint(err);
    return {
      title: c ? `No device can satisfy the "${c}" constraint.` : 'No device can satisfy the constraints.',
      detail: c
        ? `A required ("exact", "min" or "max") value for "${c}" is outside what the device can do. Use "ideal" to let the browser pick the closest value, or look at the track's capabilities for the allowed range.`
        : 'A required ("exact", "min" or "max") value is outside what the device can do. Use "ideal" instead of "exact" to ask for a preference rather than a requirement.',
    };
  },
  AbortError: () => ({
    title: 'The request was aborted.',
    detail: 'Something other than a permission problem stopped the device from being used (often a hardware or driver hiccup). Try again.',
  }),
  SecurityError: () => ({
    title: 'Media capture is blocked on this page.',
    detail: 'The page is not allowed to use media devices (a Permissions-Policy or an insecure context). Open it over https:// or on localhost.',
  }),
  TypeError: () => ({
    title: 'The request itself is invalid.',
    detail: 'getUserMedia needs at least one of audio or video to be requested (an empty request is a TypeError), and every value must have the right type.',
  }),
  InvalidStateError: () => ({
    title: 'The page is not in a state where this is allowed.',
    detail: 'The document must be active and visible (some browsers also need a click first). Click on the page and try again.',
  }),
};

const display: Table = {
  ...media,
  NotAllowedError: () => ({
    title: 'Screen sharing was cancelled or denied.',
    detail: 'You closed the picker or chose Cancel, or the browser/OS does not allow screen capture for this page. On macOS, allow the browser under System Settings → Privacy & Security → Screen Recording.',
  }),
  NotFoundError: () => ({
    title: 'There is nothing to share.',
    detail: 'The browser found no screen, window or tab to capture (a headless browser, as in automated tests, has none), or the options asked for no video at all (video: false): getDisplayMedia always needs video, even to share only audio.',
  }),
  NotReadableError: () => ({
    title: 'The screen could not be captured.',
    detail: 'The operating system or another program prevented capture. Try another window or screen.',
  }),
  InvalidStateError: () => ({
    title: 'Screen sharing must start from a click.',
    detail: 'getDisplayMedia only works in response to a user gesture on an active page. Click the button again.',
  }),
  TypeError: () => ({
    title: 'These screen-share options are not accepted.',
    detail: 'getDisplayMedia does not allow "exact"/"min" constraints or video: false; check the options object.',
  }),
};

const traceImport: Table = {
  SyntaxError: () => ({
    title: 'This file is not JSON.',
    detail: 'Import a file saved with "Export session (JSON)" on the call page; this one could not be parsed as JSON.',
  }),
  TypeError: () => ({
    title: 'This file is not a call-inspector session.',
    detail: 'The JSON is missing the session marker or one of its entries has the wrong shape (the message says which). Import a file saved with "Export session (JSON)".',
  }),
};

const apply: Table = {
  ...media,
  OverconstrainedError: (err) => {
    const c = failedConstraint(err);
    return {
      title: c ? `The track cannot be set to that "${c}".` : 'The track cannot be set to those constraints.',
      detail: `applyConstraints() asked for ${c ? `a "${c}"` : 'a value'} the device cannot produce. The track keeps its previous settings and goes on running. Check getCapabilities() for the allowed range.`,
    };
  },
  TypeError: () => ({
    title: 'A value in the request is not valid.',
    detail: 'Every number must be positive (width and height in pixels, frameRate in frames per second, aspectRatio = width ÷ height). Fix the field and apply again.',
  }),
};

const sink: Table = {
  NotFoundError: () => ({
    title: 'That audio output is no longer available.',
    detail: 'The speaker or headset was unplugged or its id changed. Pick another output; the page falls back to the default one.',
  }),
  NotAllowedError: () => ({
    title: 'The page may not choose the audio output.',
    detail: 'Choosing a speaker needs microphone permission (Chrome) or a Permissions-Policy "speaker-selection". Grant the microphone first.',
  }),
  AbortError: () => ({
    title: 'Switching the audio output failed.',
    detail: 'The device could not be switched to; try another output.',
  }),
};

const recorder: Table = {
  NotSupportedError: () => ({
    title: 'This recording format is not supported by this browser.',
    detail: 'MediaRecorder.isTypeSupported() said no for that type. Choose another format from the list.',
  }),
  InvalidStateError: () => ({
    title: 'The recorder is not in the right state for that.',
    detail: 'For example, pause needs a recording in progress and start needs an idle recorder, and the source must still have live tracks.',
  }),
  SecurityError: () => ({
    title: 'This stream may not be recorded.',
    detail: 'A track of the stream is not same-origin (isolated), so the browser forbids recording it.',
  }),
  UnknownError: () => ({
    title: 'The recorder failed.',
    detail: 'The browser\'s encoder stopped with an error; what was recorded so far is kept.',
  }),
  InvalidModificationError: () => ({
    title: 'The recorded stream changed, so the recorder stopped.',
    detail: 'A track was added to or removed from the stream while it was being recorded, which MediaRecorder does not allow. What was recorded so far is kept; start a new recording to go on.',
  }),
  TypeError: () => ({
    title: 'A recorder option is not valid.',
    detail: 'Bitrates (kbps) and the timeslice (ms) must be positive numbers; leave a box empty to use the browser\'s default.',
  }),
  EncodingError: () => ({
    title: 'The recording could not be decoded for playback.',
    detail: 'The file was recorded, but this browser\'s player cannot decode it. Download it and try another player, or record in another format.',
  }),
};

const rtc: Table = {
  InvalidStateError: () => ({
    title: 'The connection was in the wrong state for that step.',
    detail: 'Each step of the offer/answer exchange is only allowed in certain signalingStates (e.g. an answer needs "have-local-offer"). The connection may also already be closed.',
  }),
  InvalidAccessError: () => ({
    title: 'The session description did not fit.',
    detail: 'The SDP did not match the connection (wrong type, or not compatible with what was offered).',
  }),
  OperationError: () => ({
    title: 'The browser could not apply that description or candidate.',
    detail: 'The SDP or ICE candidate was rejected (malformed, or for a media section that does not exist).',
  }),
  InvalidModificationError: () => ({
    title: 'The SDP was edited in a way that is not allowed.',
    detail: 'Only a few changes to a local description are permitted before setLocalDescription.',
  }),
  SyntaxError: () => ({
    title: 'An ICE server URL is not valid.',
    detail: 'STUN/TURN URLs look like "stun:host:3478" or "turn:host:3478?transport=udp".',
  }),
  NotReadableError: () => ({
    title: 'The browser could not start the connection\'s media.',
    detail: 'A sender track could not be read; check the camera and microphone.',
  }),
  IceCandidateError: iceCandidateError,
};

const signaling: Record<ErrorCode, () => Omit<Explanation, 'name' | 'raw'>> = {
  'room-full': () => ({
    title: 'This room is full.',
    detail: 'A two-peer call room holds two people, and two are already in it. Pick another room name (or wait until someone leaves).',
  }),
  'bad-json': () => ({
    title: 'The signaling server could not read a message.',
    detail: 'A message sent to the server was not valid JSON. This is a bug in the client that sent it.',
  }),
  'bad-message': () => ({
    title: 'The signaling server refused a message.',
    detail: 'A message had the wrong shape (see docs/protocol.md). The connection stays open.',
  }),
  'not-in-room': () => ({
    title: 'You are not in a room.',
    detail: 'Signals can only be sent after joining a room. Join again.',
  }),
  'already-in-room': () => ({
    title: 'You are already in a room.',
    detail: 'Leave the current room before joining another one.',
  }),
  'unknown-peer': () => ({
    title: 'That peer is no longer in the room.',
    detail: 'The message was for someone who has left. Wait for another peer to join.',
  }),
  'rate-limited': () => ({
    title: 'Too many messages to the signaling server too quickly.',
    detail: 'The server limits how fast one page may send (a real call never comes close). The extra messages were dropped; wait a moment and go on. A page that keeps flooding is disconnected.',
  }),
  'server-full': () => ({
    title: 'The signaling server is full.',
    detail: 'It already holds as many connections as it is allowed to. Try again in a minute, or ask whoever runs it to raise --max-connections.',
  }),
  'too-many-connections': () => ({
    title: 'Too many connections from your network.',
    detail: 'The server allows only so many open connections from one address (a whole classroom behind one router counts as one address). Close other tabs of the playground and try again, or ask whoever runs it to raise --max-connections-per-address.',
  }),
  'too-many-rooms': () => ({
    title: 'The signaling server cannot open another room.',
    detail: 'It already holds as many rooms as it is allowed to. Join a room that already exists, or try again later.',
  }),
};

const ours: Record<PlaygroundErrorName, (err: unknown) => Omit<Explanation, 'name' | 'raw'>> = {
  InsecureContextError: () => ({
    title: 'Camera, microphone and screen capture need a secure page.',
    detail: 'navigator.mediaDevices only exists on https:// pages or on localhost. Open this page with https:// (npm start serves it that way) instead of plain http://.',
  }),
  UnsupportedError: () => ({
    title: 'This browser does not support that API.',
    detail: 'Try a current version of Chrome, Edge, Firefox or Safari.',
  }),
  SignalingUnreachable: () => ({
    title: 'Cannot reach the signaling server.',
    detail: 'The page could not open its WebSocket to /ws. Is the server (npm start) running, and did the browser accept its certificate? Reload once it is up.',
  }),
  SignalingClosed: () => ({
    title: 'The connection to the signaling server was lost.',
    detail: 'The server stopped or the network dropped. The page reconnects by itself and gets its old id back; a call already connected keeps running peer-to-peer meanwhile, and hang-up still reaches the other side over the call\'s data channel.',
  }),
  IceStuck: (err) => ({
    title: 'The call could not connect.',
    detail: err instanceof Error && err.message ? err.message : 'ICE did not find a working candidate pair, even after an ICE restart.',
  }),
  MediaStalled: (err) => ({
    title: 'The call is connected, but no audio or video arrives any more.',
    detail: err instanceof Error && err.message ? err.message : 'Media stopped after an ICE restart.',
  }),
  IceFailed: iceFailed,
  RelayWithoutTurn: () => ({
    title: 'Relay only is on, but no TURN server is in the ICE servers list.',
    detail: 'With iceTransportPolicy "relay" the browser only uses relay candidates, which come from a TURN server, so nothing is gathered and the call could never connect. Add a "turn:host:port username password" line (a server started with "npm start -- --turn" fills one in by itself), or untick "Relay only".',
  }),
  TimeoutError: () => ({
    title: 'This took too long.',
    detail: 'The browser did not answer in time; try again.',
  }),
  NoSourceError: () => ({
    title: 'There is nothing to record yet.',
    detail: 'Open a source first (camera and microphone, a screen, or the microphone alone), then press Start.',
  }),
  SourceEndedError: () => ({
    title: 'The source stopped while recording.',
    detail: 'A track of the recorded stream ended (you stopped sharing, unplugged the device, or another program took it). The recording was stopped and kept: find it in the list below.',
  }),
};

const tables: Record<ErrorContext, Table> = {
  getUserMedia: media,
  enumerateDevices: media,
  applyConstraints: apply,
  getDisplayMedia: display,
  setSinkId: sink,
  MediaRecorder: recorder,
  RTCPeerConnection: rtc,
  signaling: {},
  traceImport,
};

/** Whether `code` is a signaling error code. */
function isErrorCode(code: string): code is ErrorCode {
  return code in signaling;
}

/**
 * Turns any error into an {@link Explanation} a learner can read.
 *
 * @param err a DOMException (or an `Error` with a DOMException-style `name`), a {@link PlaygroundError},
 *   or a signaling error object `{ code }` from an `error` message.
 * @param context which API failed, since names differ by API (`NotAllowedError` for screen share
 *   means "cancelled"). Default `getUserMedia`.
 */
export function explainError(err: unknown, context: ErrorContext = 'getUserMedia'): Explanation {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && isErrorCode(code)) {
    const raw = (err as { message?: unknown }).message;
    return { name: code, ...signaling[code](), ...(typeof raw === 'string' ? { raw } : {}) };
  }
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err)
    ? String((err as { name: unknown }).name)
    : 'Error';
  const raw = err instanceof Error || (typeof err === 'object' && err !== null && 'message' in err)
    ? String((err as { message: unknown }).message)
    : String(err);
  const known = (ours as Table)[name] ?? tables[context][name];
  if (known) return { name, ...known(err), ...(raw ? { raw } : {}) };
  return {
    name,
    title: 'Something went wrong.',
    detail: 'The browser reported an error this playground does not know yet; its message is below.',
    raw,
  };
}
