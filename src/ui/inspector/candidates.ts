/**
 * The ICE candidates table: every local and remote candidate of each side (type, protocol,
 * address:port or mDNS name, priority), with the pair the connection selected marked from the
 * getStats `transport` / `candidate-pair` stats.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidatePairStats
 */
import { formatAddress, parseCandidate } from '../../rtc/candidates';
import type { PairEnd } from '../../rtc/stats';
import type { CandidateEntry, StatsEntry } from '../../rtc/trace';
import { formatOffset } from '../diagram';
import { h } from '../dom';

const NONE = 'Selected pair: none yet (ICE has not connected).';

/** What the selected pair's candidate types mean for the media path, in a few words. */
export function pathOf(local: string | null, remote: string | null): string {
  const types = `${local ?? '?'} ⇄ ${remote ?? '?'}`;
  if (local === 'relay' || remote === 'relay') return `${types}: media goes through a TURN server (relay)`;
  if (local === 'srflx' || remote === 'srflx') return `${types}: direct, through a NAT (address found with STUN)`;
  if (local === 'prflx' || remote === 'prflx') return `${types}: direct (an address learned during connectivity checks)`;
  if (local === 'host' && remote === 'host') return `${types}: direct, between local addresses`;
  return types;
}

/**
 * The candidates table view.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidatePairStats
 */
export class CandidatesTable {
  /** The element to insert into the page. */
  readonly element: HTMLElement;
  readonly #body: HTMLTableSectionElement;
  readonly #selected: HTMLElement;

  constructor() {
    this.#body = h('tbody', {});
    this.#selected = h('div', { class: 'selected-pair hint', 'data-state': 'none' }, NONE);
    this.element = h(
      'div',
      { class: 'candidates' },
      h(
        'table',
        {},
        h('thead', {}, h('tr', {}, ...['time', 'side', 'origin', 'type', 'protocol', 'address:port', 'priority', 'selected'].map((t) => h('th', {}, t)))),
        this.#body,
      ),
      this.#selected,
    );
  }

  /** Adds a row for a candidate (end-of-candidates markers are skipped). */
  add(entry: CandidateEntry): void {
    const line = entry.candidate?.candidate;
    if (!line) return;
    let cells: string[];
    let attrs: Record<string, string> = {};
    try {
      const c = parseCandidate(line);
      cells = [c.type, c.protocol, formatAddress(c.address, c.port) + (c.mdns ? ' (mDNS)' : ''), String(c.priority)];
      attrs = { 'data-type': c.type, 'data-protocol': c.protocol, 'data-port': String(c.port) };
    } catch (err) {
      cells = ['?', '?', err instanceof Error ? err.message : String(err), ''];
    }
    this.#body.append(
      h(
        'tr',
        { 'data-side': entry.side, 'data-origin': entry.origin, ...attrs },
        h('td', {}, formatOffset(entry.t)),
        h('td', {}, entry.side),
        h('td', {}, entry.origin),
        ...cells.map((c) => h('td', {}, c)),
        h('td', { class: 'selected-cell' }, ''),
      ),
    );
  }

  /** Marks the rows of the pair a stats sample says is selected. */
  select(entry: StatsEntry): void {
    const pair = entry.sample.pair;
    if (!pair) return;
    const describe = (e: PairEnd) => `${e.type ?? '?'} ${e.protocol ?? '?'} ${e.address !== null && e.port !== null ? formatAddress(e.address, e.port) : '?'}`;
    if (this.#selected.dataset.state === 'none') this.#selected.replaceChildren();
    this.#selected.dataset.state = 'selected';
    const text = `Selected pair (${entry.side}): local ${describe(pair.local)} ⇄ remote ${describe(pair.remote)} · ${pathOf(pair.local.type, pair.remote.type)}`;
    let line = this.#selected.querySelector<HTMLElement>(`[data-side="${entry.side}"]`);
    if (!line) {
      line = h('p', { 'data-side': entry.side });
      if (entry.side === 'caller') this.#selected.prepend(line);
      else this.#selected.append(line);
    }
    line.dataset.localType = pair.local.type ?? '';
    line.dataset.remoteType = pair.remote.type ?? '';
    if (line.textContent !== text) line.textContent = text;
    for (const row of this.#body.querySelectorAll<HTMLTableRowElement>(`tr[data-side="${entry.side}"]`)) {
      const end = row.dataset.origin === 'local' ? pair.local : pair.remote;
      const match = end.port !== null && row.dataset.port === String(end.port) && (end.protocol === null || row.dataset.protocol === end.protocol);
      row.dataset.selected = String(match);
      const cell = row.querySelector('.selected-cell');
      if (cell) cell.textContent = match ? '✔ selected' : '';
    }
  }

  /** Removes every row. */
  clear(): void {
    this.#body.replaceChildren();
    this.#selected.dataset.state = 'none';
    this.#selected.textContent = NONE;
  }
}
