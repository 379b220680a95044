/**
 * The screen-share options editor's model: what the learner picked, and the exact
 * `getDisplayMedia()` options object built from it (only the keys the learner set, so the code
 * shown is the code run). Pure.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 * @see https://w3c.github.io/mediacapture-screen-share/#dom-displaymediastreamoptions
 */
import type { DisplayMediaOptions } from './display';

/**
 * `include`/`exclude`, or leave the key out and let the browser decide.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 */
export type IncludeChoice = 'default' | 'include' | 'exclude';

/**
 * What the options editor holds.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 */
export interface ScreenEditorState {
  video: boolean;
  audio: boolean;
  /** Preferred surface offered first in the picker; `any` leaves it out. */
  displaySurface: 'any' | 'monitor' | 'window' | 'browser';
  selfBrowserSurface: IncludeChoice;
  surfaceSwitching: IncludeChoice;
  systemAudio: IncludeChoice;
  preferCurrentTab: boolean;
}

/**
 * The editor's start values: video only, every hint left to the browser.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 */
export const DEFAULT_SCREEN_EDITOR: Readonly<ScreenEditorState> = {
  video: true,
  audio: false,
  displaySurface: 'any',
  selfBrowserSurface: 'default',
  surfaceSwitching: 'default',
  systemAudio: 'default',
  preferCurrentTab: false,
};

/**
 * Builds the getDisplayMedia options object from the editor state. `video: false` is passed on
 * as is (getDisplayMedia then rejects: TypeError per spec, NotFoundError in Chromium).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#options
 */
export function buildDisplayMediaOptions(state: ScreenEditorState): DisplayMediaOptions {
  const options: DisplayMediaOptions = {
    video: state.video && state.displaySurface !== 'any' ? { displaySurface: state.displaySurface } : state.video,
    audio: state.audio,
  };
  if (state.selfBrowserSurface !== 'default') options.selfBrowserSurface = state.selfBrowserSurface;
  if (state.surfaceSwitching !== 'default') options.surfaceSwitching = state.surfaceSwitching;
  if (state.systemAudio !== 'default') options.systemAudio = state.systemAudio;
  if (state.preferCurrentTab) options.preferCurrentTab = true;
  return options;
}

/**
 * The call as a learner would type it, for the `<pre>` next to the editor (JSON, 2-space indent).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaDevices/getDisplayMedia#syntax
 */
export function displayMediaCode(options: DisplayMediaOptions): string {
  return `await navigator.mediaDevices.getDisplayMedia(${JSON.stringify(options, null, 2)});`;
}

/**
 * Values of `MediaStreamTrack.contentHint` for video. '' means no hint.
 * @see https://w3c.github.io/mst-content-hint/#video-content-hints
 */
export const VIDEO_CONTENT_HINTS = ['', 'motion', 'detail', 'text'] as const;
/**
 * One of {@link VIDEO_CONTENT_HINTS}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/contentHint
 */
export type VideoContentHint = (typeof VIDEO_CONTENT_HINTS)[number];

/**
 * Narrows a string (a `<select>` value) to a content hint.
 * @throws TypeError for anything else.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/MediaStreamTrack/contentHint
 */
export function parseContentHint(value: string): VideoContentHint {
  const hint = VIDEO_CONTENT_HINTS.find((h) => h === value);
  if (hint === undefined) throw new TypeError(`not a video contentHint: ${JSON.stringify(value)}`);
  return hint;
}
