/**
 * What a call page needs once the user joins (or starts) a call, in one chunk of its own: the room
 * session and its call, the signaling client and protocol, the trace the inspector shows, and the
 * in-call controls and the codec/bandwidth card. The pages load it with a dynamic `import()` in idle time after their first
 * paint, so it is there before the user presses Join, and await it there at the latest.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export { CallSession } from '../rtc/session';
export { perfectNegotiation } from '../rtc/perfect-negotiator';
export { SignalingClient, cappedReconnectDelay, signalingUrl } from '../signaling/client';
export { recordPeer, recordSignaling, roomSide, Trace } from '../rtc/trace';
export { CallMedia } from '../rtc/controls';
export { CallControls } from './call-controls';
export { CodecBandwidth } from './codec-bandwidth';
export { startLoopback } from '../rtc/loopback';
export { keepSpare, SpareConnection } from '../rtc/spare-connection';

/**
 * The call-core chunk as its loader returns it.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 */
export type CallCoreModule = typeof import('./call-core');
