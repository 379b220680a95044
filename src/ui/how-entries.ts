/**
 * What each page's "How it works" panel lists: the few API calls the page teaches, each as the
 * source text of the very function that runs it. The texts come from the modules themselves at
 * build time (`?source` imports, `// @show` markers, see src/build/source-text.mjs): nothing here
 * is a copy of code. This file is only loaded with the panel (dynamic `import()`).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Media_Capture_and_Streams_API
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API
 */
import CAPTURE from '../media/capture.ts?source';
import DEVICES from '../media/devices.ts?source';
import DISPLAY from '../media/display.ts?source';
import RECORDER from '../media/recorder.ts?source';
import SINK from '../media/sink.ts?source';
import CODECS from '../rtc/codecs.ts?source';
import ENCODING from '../rtc/encoding.ts?source';
import GATHERER from '../rtc/ice-gatherer.ts?source';
import PERFECT from '../rtc/perfect-negotiator.ts?source';
import STEPS from '../rtc/step-actions.ts?source';

/**
 * One API call a page teaches.
 * @see https://developer.mozilla.org/en-US/docs/Web/API
 */
export interface HowEntry {
  /** The `// @show` keys whose runs light this entry up; the first one's function is shown. */
  keys: readonly string[];
  /** The API as a learner looks it up, e.g. `navigator.mediaDevices.getUserMedia()`. */
  api: string;
  /** Its MDN page. */
  mdn: string;
  /** When the page runs it, in plain words. */
  when: string;
  /** The function's source text (TypeScript, as in the repository). */
  code: string;
}

/**
 * The pages that have a panel (the `<main id="NAME-page">` of each; `index` has no id).
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Element/main
 */
export type HowPage = 'index' | 'gum' | 'recorder' | 'screen' | 'devices' | 'call' | 'loopback' | 'ice';

const MDN = 'https://developer.mozilla.org/en-US/docs/Web/API/';

const entry = (sources: Readonly<Record<string, string>>, keys: readonly string[], api: string, path: string, when: string): HowEntry => ({
  keys,
  api,
  mdn: MDN + path,
  when,
  code: sources[keys[0] ?? ''] ?? '',
});

const gum = entry(CAPTURE, ['getUserMedia'], 'navigator.mediaDevices.getUserMedia()', 'MediaDevices/getUserMedia', 'Start: asks for the camera and microphone with the constraints object.');
const stop = entry(CAPTURE, ['stopStream'], 'MediaStreamTrack.stop()', 'MediaStreamTrack/stop', 'Stop, or before opening a new source: releases the devices.');
const gdm = entry(DISPLAY, ['getDisplayMedia'], 'navigator.mediaDevices.getDisplayMedia()', 'MediaDevices/getDisplayMedia', 'Share: the browser asks which screen, window or tab to capture.');
const recorder = [
  entry(RECORDER, ['MediaRecorder'], 'new MediaRecorder()', 'MediaRecorder/MediaRecorder', 'Start recording: makes the recorder and collects each chunk (dataavailable).'),
  entry(RECORDER, ['MediaRecorder.start'], 'MediaRecorder.start()', 'MediaRecorder/start', 'Start recording: a chunk arrives every timeslice ms.'),
];
const steps = [
  entry(STEPS, ['caller-create-offer'], 'RTCPeerConnection.createOffer()', 'RTCPeerConnection/createOffer', 'Step mode, caller: describes what it wants to send and receive.'),
  entry(STEPS, ['callee-create-answer'], 'RTCPeerConnection.createAnswer()', 'RTCPeerConnection/createAnswer', 'Step mode, callee: answers the offer.'),
  entry(STEPS, ['caller-set-local-offer', 'callee-set-local-answer'], 'RTCPeerConnection.setLocalDescription()', 'RTCPeerConnection/setLocalDescription', 'Step mode, both sides: applies their own description; ICE gathering starts.'),
  entry(STEPS, ['callee-set-remote-offer', 'caller-set-remote-answer'], 'RTCPeerConnection.setRemoteDescription()', 'RTCPeerConnection/setRemoteDescription', "Step mode, both sides: applies the other side's description."),
  entry(STEPS, ['callee-add-candidates', 'caller-add-candidates'], 'RTCPeerConnection.addIceCandidate()', 'RTCPeerConnection/addIceCandidate', "Step mode, both sides: adds the other side's ICE candidates."),
];
const perfect = [
  entry(PERFECT, ['negotiate'], 'setLocalDescription() on negotiationneeded', 'WebRTC_API/Perfect_negotiation', 'Auto mode: tracks were added, so an offer is made and sent.'),
  entry(PERFECT, ['receive-signal'], 'setRemoteDescription() / addIceCandidate()', 'WebRTC_API/Perfect_negotiation', 'Auto mode: each offer, answer or candidate from the other side (a glare is resolved here).'),
];

/**
 * Each page's entries, in the order a learner meets them. `index` teaches no API: none.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API
 */
export const HOW_ENTRIES: Readonly<Record<HowPage, readonly HowEntry[]>> = {
  index: [],
  gum: [gum, entry(CAPTURE, ['applyConstraints'], 'MediaStreamTrack.applyConstraints()', 'MediaStreamTrack/applyConstraints', 'applyConstraints: changes the live video track, then reads getSettings().'), stop],
  recorder: [gum, gdm, ...recorder, stop],
  screen: [gdm, ...recorder, stop],
  devices: [
    entry(DEVICES, ['enumerateDevices'], 'navigator.mediaDevices.enumerateDevices()', 'MediaDevices/enumerateDevices', 'On load, after permission and on devicechange: lists the devices.'),
    entry(DEVICES, ['openInputs'], 'getUserMedia({ deviceId: { exact } })', 'MediaTrackConstraints/deviceId', 'Opening the chosen camera and microphone (falls back to the defaults when one is gone).'),
    entry(SINK, ['setSinkId'], 'HTMLMediaElement.setSinkId()', 'HTMLMediaElement/setSinkId', 'Choosing a speaker: routes the sound to that output.'),
    stop,
  ],
  call: [
    gum,
    entry(CODECS, ['setCodecPreferences'], 'RTCRtpTransceiver.setCodecPreferences()', 'RTCRtpTransceiver/setCodecPreferences', 'Before each offer or answer, when a codec is chosen in "Codec and bandwidth".'),
    ...perfect,
    ...steps,
    entry(ENCODING, ['setParameters'], 'RTCRtpSender.setParameters()', 'RTCRtpSender/setParameters', 'During the call: a new maxBitrate, scaleResolutionDownBy or maxFramerate.'),
  ],
  loopback: [gum, ...perfect, ...steps],
  ice: [entry(GATHERER, ['gather'], 'RTCPeerConnection.setLocalDescription()', 'RTCPeerConnection/icecandidate_event', 'Gather: a fresh connection makes an offer; each candidate found is an icecandidate event.')],
};

/**
 * Whether `name` is a page with a panel.
 * @see https://developer.mozilla.org/en-US/docs/Web/HTML/Element/main
 */
export function isHowPage(name: string): name is HowPage {
  return Object.hasOwn(HOW_ENTRIES, name);
}
