/**
 * Everything step mode needs, in one chunk of its own: the call and loopback pages load it with a
 * dynamic `import()` only when step mode is chosen, so an auto-mode call never downloads the step
 * list, the step code or the step-by-step negotiator.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export { StepsPanel } from './steps-panel';
export { stepByStep } from '../rtc/step-negotiator';
export { shareSteps } from '../rtc/step-progress';

/**
 * The step-mode chunk, loaded once (later calls get the same promise).
 * @throws nothing itself; the promise rejects with the `TypeError` of a failed module load.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Operators/import
 */
export type StepModeModule = typeof import('./step-mode');
