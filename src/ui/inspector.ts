/**
 * The call inspector: renders a {@link Trace} as a live signaling sequence diagram (with message
 * detail and readable SDP), per-side state panels, an ICE candidates table and live stats graphs;
 * samples getStats every second into the trace; exports the trace as a JSON file and imports one
 * to replay it.
 *
 * Root and `#inspector-mode` get `data-state` `live`, `imported` or `replaying`. Live entries are
 * drawn in idle time: root has `data-pending="yes"` while some wait, `"no"` once all are drawn.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
import { sampleStats, type StatsCounters } from '../rtc/stats';
import { replaySchedule, Trace, type TraceEntry, type TraceSide } from '../rtc/trace';
import { mergeTraces } from './lanes';
import { SequenceDiagram } from './diagram';
import { h, setState, showError, showProblem } from './dom';
import { CandidatesTable } from './inspector/candidates';
import { renderDetail } from './inspector/detail';
import { StatePanels } from './inspector/states';
import { StatsPanel } from './inspector/stats';
import { whenIdle, type IdleTime } from './idle';

/**
 * One peer connection the sampler reads, with the side it plays.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export interface InspectedPeer {
  side: TraceSide;
  pc: RTCPeerConnection;
}

/**
 * Sampling period of getStats, ms.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export const STATS_INTERVAL_MS = 1000;

/** Longest a live trace entry waits for idle time before it is drawn anyway, ms. */
const IDLE_DRAW_TIMEOUT_MS = 250;
/** Entries drawn per slice when the browser stays busy past {@link IDLE_DRAW_TIMEOUT_MS}. */
const IDLE_TIMEOUT_SLICE = 8;

/** Every view of a trace, fed entry by entry. */
class TraceView {
  readonly detail = h('div', { class: 'message-detail', 'aria-live': 'polite' }, h('p', { class: 'hint' }, 'Click an arrow to see the message.'));
  readonly diagram = new SequenceDiagram((entry) => renderDetail(this.detail, entry));
  readonly states = new StatePanels();
  readonly candidates = new CandidatesTable();
  readonly stats = new StatsPanel();

  add(entry: TraceEntry): void {
    switch (entry.kind) {
      case 'signal':
      case 'note':
        this.diagram.add(entry);
        return;
      case 'state':
        this.states.add(entry);
        return;
      case 'candidate':
        this.candidates.add(entry);
        return;
      case 'stats':
        this.stats.add(entry);
        this.candidates.select(entry);
        return;
    }
  }

  clear(): void {
    this.diagram.clear();
    this.states.clear();
    this.candidates.clear();
    this.stats.clear();
    this.detail.replaceChildren(h('p', { class: 'hint' }, 'Click an arrow to see the message.'));
    delete this.detail.dataset.type;
  }
}

/**
 * Starts sampling getStats of every peer `getPeers` returns, every {@link STATS_INTERVAL_MS} ms,
 * recording a `stats` entry per connected peer. A getStats failure is skipped (the connection is
 * closing).
 * @returns a function that stops the sampler.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export function startStatsSampler(trace: Trace, getPeers: () => InspectedPeer[]): () => void {
  const counters = new WeakMap<RTCPeerConnection, StatsCounters>();
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const { side, pc } of getPeers()) {
        if (pc.connectionState === 'closed' || pc.connectionState === 'new') continue;
        let report: RTCStatsReport;
        try {
          report = await pc.getStats();
        } catch (err) {
          console.warn('getStats failed (connection closing?):', err);
          continue;
        }
        const { sample, counters: next } = sampleStats(report.values() as Iterable<Record<string, unknown>>, counters.get(pc) ?? null);
        counters.set(pc, next);
        trace.record({ kind: 'stats', side, sample });
      }
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), STATS_INTERVAL_MS);
  return () => clearInterval(timer);
}

/**
 * Renders the inspector for `trace` into `root` and runs the stats sampler for `getPeers()`.
 * Import replaces the view with the imported trace (live recording goes on); "Merge" shows this
 * trace together with the other tab's exported one (both sides in one diagram); "Back to live"
 * returns to the live trace. Root and `#inspector-mode` get `data-state` `live`, `imported`,
 * `merged` or `replaying`.
 * @returns `destroy()` stops the sampler and empties `root`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export function mountInspector(root: HTMLElement, trace: Trace, getPeers: () => InspectedPeer[]): { destroy(): void } {
  const view = new TraceView();
  const problem = h('div', { class: 'problem', role: 'alert', hidden: '' });
  const mode = h('span', { class: 'badge', id: 'inspector-mode', 'data-state': 'live' }, 'live');
  const exportButton = h('button', { type: 'button', id: 'inspector-export', class: 'secondary' }, 'Export session (JSON)');
  const download = h('a', { id: 'inspector-download', hidden: '' }, 'download');
  const importInput = h('input', { type: 'file', id: 'inspector-import', accept: 'application/json,.json' });
  const mergeInput = h('input', { type: 'file', id: 'inspector-merge', accept: 'application/json,.json' });
  const backButton = h('button', { type: 'button', id: 'inspector-live', class: 'secondary', hidden: '' }, 'Back to live session');
  const replayButton = h('button', { type: 'button', id: 'inspector-replay', class: 'secondary' }, 'Replay');
  let shown: Trace = trace;
  let merged = false;
  let timers: ReturnType<typeof setTimeout>[] = [];
  // The sides this page plays (one on a call page, both on loopback), for the lane labels.
  const mine = new Set<TraceSide>();
  const noteSide = (e: TraceEntry) => {
    if (mine.has(e.side)) return;
    mine.add(e.side);
    if (shown === trace || merged) view.diagram.setMine(mine);
  };

  const setMode = () => {
    const live = shown === trace;
    const state = timers.length > 0 ? 'replaying' : live ? 'live' : merged ? 'merged' : 'imported';
    setState(mode, state, state === 'imported' ? `imported (${shown.startedAt.toISOString()})` : state);
    root.dataset.state = state;
    backButton.hidden = live;
  };
  // Live entries are drawn in idle time, in slices, never inside the event that recorded them:
  // a call's signaling must not wait for the diagram, the tables or the graphs.
  let pending: TraceEntry[] = [];
  let cancelIdle: (() => void) | null = null;
  const drawPending = (idle: IdleTime) => {
    cancelIdle = null;
    let n = 0;
    while (pending.length > 0 && (idle.timeRemaining() > 1 || (idle.didTimeout && n < IDLE_TIMEOUT_SLICE))) {
      const e = pending.shift();
      if (e) view.add(e);
      n++;
    }
    if (pending.length > 0) cancelIdle = whenIdle(drawPending, IDLE_DRAW_TIMEOUT_MS);
    else root.dataset.pending = 'no';
  };
  const stopReplay = () => {
    timers.forEach(clearTimeout);
    timers = [];
    pending = [];
    cancelIdle?.();
    cancelIdle = null;
    root.dataset.pending = 'no'; // nothing live waits: show() and replay() draw everything themselves
  };
  const show = (t: Trace, isMerge = false) => {
    stopReplay();
    shown = t;
    merged = isMerge;
    view.clear();
    view.diagram.setMine(t === trace || isMerge ? mine : new Set());
    for (const e of t.entries) view.add(e);
    setMode();
  };
  // Replays the shown trace in recorded order with shortened pauses; live entries wait until it ends.
  const replay = () => {
    stopReplay();
    view.clear();
    const entries = [...shown.entries];
    const at = replaySchedule(entries);
    const last = at.at(-1) ?? 0;
    timers = entries.map((e, i) => setTimeout(() => view.add(e), at[i]));
    timers.push(setTimeout(() => {
      timers = [];
      for (const e of shown.entries.slice(entries.length)) view.add(e);
      setMode();
    }, last + 1));
    setMode();
  };
  for (const e of trace.entries) noteSide(e);
  const offEntry = trace.on('entry', (e) => {
    noteSide(e);
    if (shown !== trace || timers.length > 0) return;
    pending.push(e);
    if (cancelIdle) return;
    root.dataset.pending = 'yes';
    cancelIdle = whenIdle(drawPending, IDLE_DRAW_TIMEOUT_MS);
  });

  exportButton.addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(shown.toJSON(), null, 2)], { type: 'application/json' });
    if (download.href) URL.revokeObjectURL(download.href);
    download.href = URL.createObjectURL(blob);
    download.download = `webrtc-session-${shown.startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
    download.click();
  });
  importInput.addEventListener('change', async () => {
    const file = importInput.files?.[0];
    if (!file) return;
    showProblem(problem, null);
    try {
      show(Trace.fromJSON(JSON.parse(await file.text())));
    } catch (err) {
      showError(problem, err, 'traceImport');
    } finally {
      importInput.value = '';
    }
  });
  mergeInput.addEventListener('change', async () => {
    const file = mergeInput.files?.[0];
    if (!file) return;
    showProblem(problem, null);
    try {
      const other = Trace.fromJSON(JSON.parse(await file.text()));
      show(mergeTraces(trace.toJSON(), other.toJSON()), true);
    } catch (err) {
      showError(problem, err, 'traceImport');
    } finally {
      mergeInput.value = '';
    }
  });
  backButton.addEventListener('click', () => show(trace));
  replayButton.addEventListener('click', replay);

  root.replaceChildren(
    h('h2', {}, 'Inspector'),
    h('p', { class: 'hint' }, 'Everything this page sees of the call: signaling messages, states, ICE candidates and stats. Times are offsets from joining.'),
    h('div', { class: 'row' }, 'Showing: ', mode, exportButton, h('label', {}, 'Import a session: ', importInput), replayButton, backButton, download),
    h('p', { class: 'row hint' }, h('label', {}, "Merge the other side's session (exported in the other tab) to see both sides in one diagram: ", mergeInput)),
    problem,
    h('h3', {}, 'Signaling sequence'),
    h('div', { class: 'inspector-seq' }, view.diagram.element, view.detail),
    h('h3', {}, 'States'),
    view.states.element,
    h('h3', {}, 'ICE candidates'),
    view.candidates.element,
    h('h3', {}, 'Stats'),
    view.stats.element,
  );
  // What the trace holds already is drawn like live entries: in idle time, in slices.
  setMode();
  pending = [...trace.entries];
  root.dataset.pending = pending.length > 0 ? 'yes' : 'no';
  if (pending.length > 0) cancelIdle = whenIdle(drawPending, IDLE_DRAW_TIMEOUT_MS);
  const stopSampler = startStatsSampler(trace, getPeers);
  return {
    destroy() {
      stopSampler();
      stopReplay();
      offEntry();
      if (download.href) URL.revokeObjectURL(download.href);
      root.replaceChildren();
      delete root.dataset.pending; // until the next inspector is mounted here
    },
  };
}
