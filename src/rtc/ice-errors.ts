/**
 * `icecandidateerror`: what the browser says when a STUN or TURN server did not help gather a
 * candidate (401 wrong/expired TURN credentials, 701 server unreachable, …). It is the only signal
 * of a TURN problem: with a wrong password and `iceTransportPolicy: 'relay'` the connection stays
 * "new" for ever and no `failed` state comes. Listen where the RTCPeerConnection is made, with
 * {@link watchIceCandidateErrors}; {@link iceFailedError} builds the "ICE failed" error with the
 * errors seen, so the page only says "no network path" when no server reported a problem.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidateerror_event
 * @see https://w3c.github.io/webrtc-pc/#rtcpeerconnectioniceerrorevent
 */
import { PlaygroundError } from '../errors/playground-error';
import type { IceDiagnosis } from './ice-watchdog';

/**
 * One `icecandidateerror`, as plain data.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnectionIceErrorEvent
 */
export interface IceCandidateErrorInfo {
  /** STUN error code (300–699, e.g. 401 Unauthorized) or 701 (server not reachable). */
  errorCode: number;
  /** The server's reason phrase or the browser's text (may be empty). */
  errorText: string;
  /** The STUN/TURN server URL that failed. */
  url: string;
  /** Local address the request left from (null when hidden or unknown). */
  address: string | null;
  /** Local port (null when unknown). */
  port: number | null;
}

/** The plain data of an `icecandidateerror` event (also accepts Firefox's `hostCandidate` form). */
export function iceCandidateErrorInfo(ev: Event): IceCandidateErrorInfo {
  const e = ev as Partial<RTCPeerConnectionIceErrorEvent> & { hostCandidate?: string };
  const [hostAddress, hostPort] = typeof e.hostCandidate === 'string' ? e.hostCandidate.split(/:(?=\d+$)/) : [];
  return {
    errorCode: typeof e.errorCode === 'number' ? e.errorCode : 0,
    errorText: typeof e.errorText === 'string' ? e.errorText : '',
    url: typeof e.url === 'string' ? e.url : '',
    address: typeof e.address === 'string' && e.address !== '' ? e.address : hostAddress ?? null,
    port: typeof e.port === 'number' ? e.port : hostPort ? Number(hostPort) : null,
  };
}

const seen = new WeakMap<RTCPeerConnection, IceCandidateErrorInfo[]>();

/** Every `icecandidateerror` seen so far on `pc` (through {@link watchIceCandidateErrors}). */
export function iceErrorsOf(pc: RTCPeerConnection): readonly IceCandidateErrorInfo[] {
  return seen.get(pc) ?? [];
}

/** Options of {@link watchIceCandidateErrors}. */
export interface WatchOptions {
  /**
   * Report every event. Default false: only the first per (code, URL), since the browser repeats
   * the same error for each local interface and component.
   */
  all?: boolean;
}

/**
 * Listens to `icecandidateerror` on `pc`, keeps the errors for {@link iceErrorsOf} and calls
 * `onError` for each new one.
 * @returns a function that stops listening.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidateerror_event
 */
export function watchIceCandidateErrors(
  pc: RTCPeerConnection,
  onError: (error: IceCandidateErrorInfo) => void,
  options: WatchOptions = {},
): () => void {
  const list = seen.get(pc) ?? [];
  seen.set(pc, list);
  const listener = (ev: Event) => {
    const info = iceCandidateErrorInfo(ev);
    const repeat = list.some((e) => e.errorCode === info.errorCode && e.url === info.url);
    list.push(info);
    if (repeat && !options.all) return;
    onError(info);
  };
  pc.addEventListener('icecandidateerror', listener);
  return () => pc.removeEventListener('icecandidateerror', listener);
}

/**
 * An `icecandidateerror` as an error for {@link explainError} (name `IceCandidateError`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnectionIceErrorEvent/errorCode
 */
export class IceCandidateError extends Error {
  readonly errorCode: number;
  readonly errorText: string;
  readonly url: string;

  constructor(info: IceCandidateErrorInfo) {
    super(`icecandidateerror ${info.errorCode}${info.errorText ? ` "${info.errorText}"` : ''} from ${info.url || 'an ICE server'}`);
    this.name = 'IceCandidateError';
    this.errorCode = info.errorCode;
    this.errorText = info.errorText;
    this.url = info.url;
  }
}

/**
 * The error to show when `connectionState` becomes `failed`: it carries (as `cause`) the
 * `icecandidateerror`s seen on `pc`, so the explanation names a TURN/STUN problem when there was one.
 */
export function iceFailedError(pc: RTCPeerConnection): PlaygroundError {
  const err = new PlaygroundError('IceFailed', 'connectionState is "failed"');
  err.cause = [...iceErrorsOf(pc)];
  return err;
}

/** Whether an ICE configuration forces relay candidates but lists no TURN server. */
export function relayWithoutTurn(configuration: RTCConfiguration): boolean {
  if (configuration.iceTransportPolicy !== 'relay') return false;
  const urls = (configuration.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  return !urls.some((u) => /^turns?:/i.test(u));
}

/**
 * The page-facing error for an ICE watchdog's diagnosis: `IceFailed` (with the STUN/TURN errors
 * seen on `pc` as its cause) only for a true "no network path"; otherwise `IceStuck` with the
 * reason in plain words.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceConnectionState
 */
export function diagnosisError(d: IceDiagnosis, pc: RTCPeerConnection): PlaygroundError {
  return d.cause === 'no-network-path' ? iceFailedError(pc) : new PlaygroundError('IceStuck', d.message);
}
