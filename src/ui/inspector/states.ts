/**
 * The state panel of each side: the current signalingState, iceGatheringState,
 * iceConnectionState and connectionState, each with its history and time offsets.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */
import type { PeerStates } from '../../rtc/peer';
import type { StateEntry, TraceSide } from '../../rtc/trace';
import { formatOffset } from '../diagram';
import { h, setState } from '../dom';

const NAMES: readonly (keyof PeerStates)[] = ['signalingState', 'iceGatheringState', 'iceConnectionState', 'connectionState'];

/**
 * State panels of both sides, created when a side's first state change arrives.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/signalingState
 */
export class StatePanels {
  /** The element to insert into the page. */
  readonly element: HTMLElement = h('div', { class: 'state-panels grid2' });
  readonly #rows = new Map<string, { badge: HTMLElement; history: HTMLOListElement }>();
  /** Said while no side has a panel (else the heading stood over nothing until the first change). */
  readonly #empty = h('p', { class: 'hint' }, 'No state change yet. A new RTCPeerConnection starts in "stable", "new", "new", "new"; each side\'s panel appears with its first change (setLocalDescription or setRemoteDescription).');

  constructor() {
    this.element.append(this.#empty);
  }

  /** Shows `entry` as the current value and appends it to the history. */
  add(entry: StateEntry): void {
    const row = this.#row(entry.side, entry.which);
    setState(row.badge, entry.value);
    const last = row.history.lastElementChild as HTMLElement | null;
    if (last?.dataset.state === entry.value) return; // Peer.close() repeats the final state
    row.history.append(h('li', { 'data-state': entry.value }, `${entry.value} `, h('span', { class: 'muted' }, formatOffset(entry.t))));
  }

  /** Removes every panel. */
  clear(): void {
    this.element.replaceChildren(this.#empty);
    this.#rows.clear();
  }

  #row(side: TraceSide, which: keyof PeerStates): { badge: HTMLElement; history: HTMLOListElement } {
    const key = `${side} ${which}`;
    let row = this.#rows.get(key);
    if (row) return row;
    let panel = this.element.querySelector<HTMLElement>(`[data-side="${side}"]`);
    if (!panel) {
      const body = h('tbody', {});
      for (const name of NAMES) {
        const badge = h('span', { class: 'badge', 'data-state': 'none' }, '–');
        const history = h('ol', { class: 'state-history' });
        this.#rows.set(`${side} ${name}`, { badge, history });
        body.append(h('tr', { 'data-which': name }, h('th', {}, h('code', {}, name)), h('td', {}, badge), h('td', {}, history)));
      }
      panel = h('div', { class: 'state-panel', 'data-side': side }, h('h4', {}, `${side} states`), h('div', { class: 'scroll-x', 'aria-label': `${side} states` }, h('table', {}, body)));
      this.#empty.remove();
      // Caller first, callee second.
      if (side === 'caller') this.element.prepend(panel);
      else this.element.append(panel);
    }
    row = this.#rows.get(key);
    if (!row) throw new DOMException(`no state row for ${key}`, 'InvalidStateError');
    return row;
  }
}
