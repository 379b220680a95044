/**
 * The error types every page needs at once: {@link PlaygroundError} (thrown by our own modules)
 * and the shapes of an explanation. The explanations themselves (src/errors/explain.ts, the
 * largest text of the playground) load when a problem is first shown (src/ui/dom.ts).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/DOMException#error_names
 */

/** Which API call failed: the same DOMException name means different things for each. */
export type ErrorContext =
  | 'getUserMedia'
  | 'getDisplayMedia'
  | 'enumerateDevices'
  | 'applyConstraints'
  | 'setSinkId'
  | 'MediaRecorder'
  | 'RTCPeerConnection'
  | 'signaling'
  /** Importing an exported call-inspector session (JSON file). */
  | 'traceImport';

/** What a page shows for a failure. All fields are plain text (render with `textContent`). */
export interface Explanation {
  /** The error's name as the API gives it (`NotAllowedError`, `room-full`, …). */
  name: string;
  /** One short sentence: what happened. */
  title: string;
  /** What it means and what the user can do about it, in plain words. */
  detail: string;
  /** The browser's own message, when there is one (for the curious). */
  raw?: string;
}

/**
 * An error raised by our own modules for a failure that has no DOMException of its own
 * (insecure context, signaler down, ICE failed, …). `name` is one of the keys explained below.
 */
export class PlaygroundError extends Error {
  /** @param name a machine-readable name such as `InsecureContextError` or `SignalingUnreachable`. */
  constructor(name: PlaygroundErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

/** Names of {@link PlaygroundError}s. */
export type PlaygroundErrorName =
  | 'InsecureContextError'
  | 'UnsupportedError'
  | 'SignalingUnreachable'
  | 'SignalingClosed'
  | 'IceFailed'
  | 'IceStuck'
  /** After an ICE restart no media arrives although connected, and one more restart did not help. */
  | 'MediaStalled'
  /** `iceTransportPolicy: 'relay'` with no TURN server in the list: nothing can be gathered. */
  | 'RelayWithoutTurn'
  | 'TimeoutError'
  | 'NoSourceError'
  | 'SourceEndedError';
