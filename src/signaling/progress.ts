/**
 * The step-mode `progress` signaling message (part of the one union in `./protocol`): where one
 * side is in the 23-step walkthrough, relayed to the other side so both tabs' step lists show both
 * sides. Its fields' validation and its relayed form live here.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { STEP_IDS, isStepId, type StepId } from '../rtc/step-ids';

/**
 * Step mode: where this side is in the walkthrough, for `to` (or every other peer), so both tabs'
 * step lists show both sides. Sent after every change (a step starts or ends, a signal arrives).
 * `done`: every step id this side knows is done (its own and the ones it learned of), at most 23,
 * no repeats; `running`: the step it is running now, if any.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface ProgressMessage { type: 'progress'; to?: string; role: 'caller' | 'callee'; done: StepId[]; running?: StepId }

/**
 * A relayed step-mode progress report; `from` is set by the server.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface RelayedProgress { type: 'progress'; from: string; role: 'caller' | 'callee'; done: StepId[]; running?: StepId }

/**
 * Validates `role`, `done` and `running` of an untrusted `progress` object.
 * @param fail called with the problem in words (the parser's `bad-message` text); must throw.
 * @returns the fields (unknown ones dropped).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function progressFields(o: Record<string, unknown>, fail: (why: string) => never): { role: 'caller' | 'callee'; done: StepId[]; running?: StepId } {
  const role = o.role;
  if (role !== 'caller' && role !== 'callee') return fail('"role" must be "caller" or "callee"');
  const done = o.done;
  if (!Array.isArray(done)) return fail('"done" must be an array of step ids');
  if (done.length > STEP_IDS.length) return fail(`"done" holds at most ${STEP_IDS.length} step ids`);
  const seen = new Set<StepId>();
  for (const id of done) {
    if (!isStepId(id)) return fail(`"done" holds an unknown step id "${String(id).slice(0, 40)}"`);
    if (seen.has(id)) return fail(`"done" names "${id}" twice`);
    seen.add(id);
  }
  const running = o.running;
  if (running !== undefined && !isStepId(running)) return fail('"running" must be a step id');
  return running === undefined ? { role, done: [...seen] } : { role, done: [...seen], running };
}

/**
 * The relayed form of a `progress` message: `to` dropped, `from` set by the relay, fields in the
 * documented order (so `encodeSignal` writes what `encodeMessage` would).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function relayedProgress(from: string, msg: ProgressMessage): RelayedProgress {
  const out: RelayedProgress = { type: 'progress', from, role: msg.role, done: msg.done };
  if (msg.running !== undefined) out.running = msg.running;
  return out;
}
