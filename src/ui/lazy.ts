/**
 * Page parts that load on demand, each a chunk of its own (esbuild `splitting`, ESM): a page's
 * first download holds only what it needs before the user does anything. Each loader starts its
 * download once and hands every caller the same promise.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 * @see https://esbuild.github.io/api/#splitting
 */
import type { CallCoreModule } from './call-core';
import type { StepModeModule } from './step-mode';

/** One shared promise per module: the first call starts the download. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | null = null;
  return () => {
    promise ??= load();
    // A failed load (network) may be tried again on the next call.
    promise.catch(() => (promise = null));
    return promise;
  };
}

/**
 * The inspector (sequence diagram, states, candidates, stats graphs, SDP viewer).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export const loadInspector: () => Promise<typeof import('./inspector')> = once(() => import('./inspector'));

/**
 * Step mode: the step list panel and the step-by-step negotiator.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export const loadStepMode: () => Promise<StepModeModule> = once(() => import('./step-mode'));

/**
 * The room QR code painter (with the `qrcode` package).
 * @see https://github.com/soldair/node-qrcode#createtext-options
 */
export const loadQr: () => Promise<typeof import('./qr')> = once(() => import('./qr'));

/**
 * The call machinery (room session, call, signaling client and protocol, trace, in-call controls,
 * the in-page loopback): what a call page needs from Join / Start on.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export const loadCallCore: () => Promise<CallCoreModule> = once(() => import('./call-core'));
