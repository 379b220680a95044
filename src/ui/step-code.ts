/**
 * The code shown for each step of the step-by-step call: the source text of the very functions
 * that run the steps (`src/rtc/step-actions.ts`) and of the server's relay
 * (`src/signaling/relay.ts`), extracted from those files at build time. Nothing here is a copy.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import ACTIONS from '../rtc/step-actions.ts?source';
import type { RestartStepId, StepId } from '../rtc/steps';
import RELAY from '../signaling/relay.ts?source';

/**
 * The source of the function that runs step `id` (`''` if the build found none, which a unit test
 * rules out).
 */
export function stepCode(id: StepId | RestartStepId): string {
  return ACTIONS[id] ?? RELAY[id] ?? '';
}
