/**
 * Pure layout rules of the signaling sequence diagram: which lane an arrow is drawn in, which way
 * it points, how the lanes are labelled, and how two tabs' traces merge into one two-sided view.
 * The diagram has three lifelines, caller | server | callee; every signaling message goes between
 * the server and the peer that sent or received it, so it is drawn in that peer's lane.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { Trace, type TraceEntry, type TraceJSON, type TraceSide } from '../rtc/trace';

/**
 * Where an arrow goes: in the `lane` of the side that sent or received the message, pointing
 * `to-right` or `to-left` (caller on the left, server in the middle, callee on the right).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface ArrowLayout {
  lane: TraceSide;
  towards: 'to-right' | 'to-left';
}

/**
 * The lane and direction of a message arrow: sent by the caller or received by the callee points
 * right (caller → server, server → callee); the others point left.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function arrowLayout(entry: { side: TraceSide; direction: 'sent' | 'received' }): ArrowLayout {
  const towardsRight = (entry.side === 'caller') === (entry.direction === 'sent');
  return { lane: entry.side, towards: towardsRight ? 'to-right' : 'to-left' };
}

/**
 * The labels of the caller and callee lanes given which sides this page is: `caller (you)` and
 * `callee (other side)` on a call page; `(this page)` on both when the page runs both peers (the
 * loopback page); plain names when not known yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function laneLabels(mine: ReadonlySet<TraceSide>): Record<TraceSide, string> {
  const label = (side: TraceSide): string => {
    if (mine.size === 0) return side;
    if (mine.size === 2) return `${side} (this page)`;
    return mine.has(side) ? `${side} (you)` : `${side} (other side)`;
  };
  return { caller: label('caller'), callee: label('callee') };
}

/**
 * One two-sided trace from this tab's trace and the other tab's exported one: the other trace's
 * entries of the side(s) this one lacks, moved onto this trace's clock by the difference of the two
 * wall-clock starts, merged in time order. Both tabs' clocks are assumed right (on one machine they
 * are; across devices, NTP-close).
 * @throws TypeError when the other trace adds no side (both are the same side's view).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function mergeTraces(mine: TraceJSON, theirs: TraceJSON): Trace {
  const sides = new Set(mine.entries.map((e) => e.side));
  const shift = Date.parse(theirs.startedAt) - Date.parse(mine.startedAt);
  if (!Number.isFinite(shift)) throw new TypeError('"startedAt" must be an ISO date in both sessions');
  const added = theirs.entries.filter((e) => !sides.has(e.side)).map((e): TraceEntry => ({ ...e, t: Math.max(0, Math.round((e.t + shift) * 10) / 10) }));
  if (added.length === 0) throw new TypeError(`the other session adds nothing: it has no entries of a side other than ${[...sides].join(' and ') || 'none'}`);
  // A stable sort keeps each side's own order for equal times.
  const entries = [...mine.entries, ...added].sort((a, b) => a.t - b.t);
  return Trace.fromJSON({ ...mine, entries });
}
