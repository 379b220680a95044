/**
 * The ids of the 23 steps of the call walkthrough, in order, on their own: the signaling protocol
 * validates `progress` messages against this list, and importing it does not pull the steps'
 * texts (`./steps`) into every page.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */

/**
 * Step ids, in walkthrough order.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
export const STEP_IDS = [
  'caller-get-user-media',
  'caller-new-peer-connection',
  'caller-add-track',
  'caller-create-offer',
  'caller-set-local-offer',
  'caller-ice-gathering',
  'caller-send-offer',
  'caller-send-candidates',
  'server-relay-offer',
  'callee-get-user-media',
  'callee-new-peer-connection',
  'callee-set-remote-offer',
  'callee-add-track',
  'callee-add-candidates',
  'callee-create-answer',
  'callee-set-local-answer',
  'callee-ice-gathering',
  'callee-send-answer',
  'callee-send-candidates',
  'server-relay-answer',
  'caller-set-remote-answer',
  'caller-add-candidates',
  'connected',
] as const;

/**
 * One step id.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
export type StepId = (typeof STEP_IDS)[number];

/**
 * Whether `v` is one of {@link STEP_IDS}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
export function isStepId(v: unknown): v is StepId {
  return typeof v === 'string' && (STEP_IDS as readonly string[]).includes(v);
}
