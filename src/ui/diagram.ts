/**
 * The live signaling sequence diagram: three lifelines (caller | server | callee) and one arrow
 * per signaling message, in the order they were sent or received, with their time offsets, each
 * in the lane of the side that sent or received it ({@link arrowLayout}). Notes (step names in
 * step mode) sit in their side's lane between the arrows. The lane labels say which side is you
 * ({@link laneLabels}). Step-mode `progress` reports are not drawn (the notes carry the steps).
 * Clicking an arrow selects its entry (the inspector shows the message JSON and readable SDP).
 *
 * Each row carries `data-kind`, `data-type` (message type), `data-side` and `data-direction`; each
 * lane label `data-lane` and `data-you` (`true` for this page's sides).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { parseCandidate } from '../rtc/candidates';
import type { NoteEntry, SignalEntry, TraceEntry, TraceSide } from '../rtc/trace';
import { h } from './dom';
import { arrowLayout, laneLabels } from './lanes';

/**
 * `+1234 ms` style offset from the start of the trace.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function formatOffset(t: number): string {
  return `+${Math.round(t)} ms`;
}

/**
 * A short label for a message arrow: its type plus what matters about it.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function signalLabel(entry: SignalEntry): string {
  const m = entry.message;
  switch (m.type) {
    case 'candidate': {
      if (m.candidate === null) return 'candidate (end of candidates)';
      if (m.candidate.candidate === '') return 'candidate (end of generation)';
      try {
        const c = parseCandidate(m.candidate.candidate);
        return `candidate ${c.type} ${c.protocol}`;
      } catch (err) {
        return `candidate (${err instanceof Error ? err.message : 'unreadable'})`;
      }
    }
    case 'join':
      return `join "${m.room}"`;
    case 'welcome':
      return `welcome (${m.peers.length} already here)`;
    case 'error':
      return `error ${m.code}`;
    case 'progress':
      return m.running ? `progress (${m.role} running ${m.running})` : `progress (${m.role}: ${m.done.length} done)`;
    case 'leave':
    case 'offer':
    case 'answer':
    case 'bye':
    case 'peer-joined':
    case 'peer-left':
      return m.type;
  }
}

/**
 * The sequence diagram view.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export class SequenceDiagram {
  /** The element to insert into the page. */
  readonly element: HTMLElement;
  readonly #rows: HTMLOListElement;
  readonly #onSelect: (entry: SignalEntry) => void;
  readonly #lanes: Record<TraceSide, HTMLElement>;
  #selected: HTMLElement | null = null;
  /** Whether the view follows the newest message (the user has not scrolled up to read an older one). */
  #follow = true;
  /** A frame is asked for to scroll to the newest message. */
  #scrollQueued = false;

  /** @param onSelect called with the entry of a clicked arrow. */
  constructor(onSelect: (entry: SignalEntry) => void) {
    this.#onSelect = onSelect;
    this.#rows = h('ol', { class: 'seq-rows', 'aria-label': 'Signaling messages in order' });
    this.#lanes = { caller: h('span', { 'data-lane': 'caller' }, 'caller'), callee: h('span', { 'data-lane': 'callee' }, 'callee') };
    this.element = h(
      'div',
      { class: 'seq' },
      h('div', { class: 'seq-head' }, h('span', {}, 'time'), h('div', { class: 'seq-lanes' }, this.#lanes.caller, h('span', { 'data-lane': 'server' }, 'server'), this.#lanes.callee)),
      this.#rows,
    );
    // Measured when the user scrolls (layout is fresh then), never when a message is added.
    this.element.addEventListener('scroll', () => {
      const box = this.element;
      this.#follow = box.scrollHeight - box.scrollTop - box.clientHeight < 8;
    }, { passive: true });
  }

  /** Labels the lanes: `mine` are the sides this page plays (one on a call page, both on loopback). */
  setMine(mine: ReadonlySet<TraceSide>): void {
    const labels = laneLabels(mine);
    for (const side of ['caller', 'callee'] as const) {
      this.#lanes[side].textContent = labels[side];
      this.#lanes[side].dataset.you = String(mine.has(side));
    }
  }

  /** Draws `entry` if it is a signaling message or a note; other kinds are ignored. */
  add(entry: TraceEntry): void {
    if (entry.kind !== 'signal' && entry.kind !== 'note') return;
    if (entry.kind === 'signal' && entry.message.type === 'progress') return;
    this.#rows.append(entry.kind === 'signal' ? this.#arrow(entry) : this.#note(entry));
    // Follow the newest message, unless the user scrolled up to read an older one: once per frame
    // for all rows added in it. Measuring the box here, per row, made the browser lay out the
    // whole page for every message drawn (6–8 ms each on a busy machine, during call setup).
    if (!this.#follow || this.#scrollQueued) return;
    this.#scrollQueued = true;
    requestAnimationFrame(() => {
      this.#scrollQueued = false;
      if (this.#follow) this.element.scrollTop = this.element.scrollHeight;
    });
  }

  /** Removes every row. */
  clear(): void {
    this.#rows.replaceChildren();
    this.#selected = null;
  }

  /** The arrows drawn, as `side direction type` strings (plus ` data-channel` for that path) in order (for comparing two diagrams). */
  get arrows(): string[] {
    return [...this.#rows.querySelectorAll<HTMLElement>('li[data-kind="signal"]')].map(
      (li) => `${li.dataset.side} ${li.dataset.direction} ${li.dataset.type}${li.dataset.path === 'data-channel' ? ' data-channel' : ''}`,
    );
  }

  #arrow(entry: SignalEntry): HTMLElement {
    // Caller lives on the left, callee on the right, the server in the middle.
    const { lane, towards } = arrowLayout(entry);
    const towardsRight = towards === 'to-right';
    const viaChannel = entry.path === 'data-channel';
    // Over the data channel the message skips the server: say so on the arrow.
    const label = viaChannel ? `${signalLabel(entry)} (data channel)` : signalLabel(entry);
    const button = h(
      'button',
      { type: 'button', class: `seq-arrow ${towards}`, title: 'Show the message' },
      towardsRight ? `${label} ▶` : `◀ ${label}`,
    );
    const li = h(
      'li',
      {
        class: `seq-row seq-${lane}`,
        'data-kind': 'signal',
        'data-type': entry.message.type,
        'data-side': lane,
        'data-direction': entry.direction,
        'data-path': entry.path ?? 'server',
      },
      h('span', { class: 'seq-time' }, formatOffset(entry.t)),
      button,
    );
    button.addEventListener('click', () => {
      this.#selected?.removeAttribute('aria-current');
      li.setAttribute('aria-current', 'true');
      this.#selected = li;
      this.#onSelect(entry);
    });
    return li;
  }

  #note(entry: NoteEntry): HTMLElement {
    return h(
      'li',
      { class: `seq-row seq-note seq-${entry.side}`, 'data-kind': 'note', 'data-side': entry.side },
      h('span', { class: 'seq-time' }, formatOffset(entry.t)),
      h('span', { class: 'seq-note-text' }, `${entry.side}: ${entry.text}`),
    );
  }
}
