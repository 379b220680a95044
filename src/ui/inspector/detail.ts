/**
 * The detail pane of the inspector: the JSON of a selected signaling message and, for an offer or
 * answer, its SDP pretty-printed (one line per attribute, m-sections grouped, codec and ICE/DTLS
 * lines marked with `data-mark`). Rendered with `textContent` only: SDP comes from the other peer.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/sdp
 */
import { formatAddress, parseCandidate } from '../../rtc/candidates';
import { prettySdp, type SdpLine } from '../../rtc/sdp';
import type { SignalEntry } from '../../rtc/trace';
import { formatOffset, signalLabel } from '../diagram';
import { formatJSON, h } from '../dom';

function lineItem(line: SdpLine): HTMLElement {
  const li = h('li', { class: `sdp-line sdp-${line.mark}`, 'data-mark': line.mark }, h('code', {}, line.text));
  if (line.note) li.append(' ', h('span', { class: 'sdp-note' }, line.note));
  return li;
}

/**
 * Renders the SDP of an offer/answer as grouped, marked lines. @throws TypeError for a non-SDP string.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/sdp
 */
export function renderSdp(sdp: string): HTMLElement {
  const pretty = prettySdp(sdp);
  const root = h('div', { class: 'sdp' }, h('h4', {}, 'Session'), h('ol', { class: 'sdp-lines' }, ...pretty.session.map(lineItem)));
  for (const s of pretty.sections) {
    const summary = [`m=${s.media}`, s.mid !== null ? `mid ${s.mid}` : '', s.direction ?? '', s.codecs.length ? `codecs: ${s.codecs.join(', ')}` : '']
      .filter(Boolean)
      .join(' · ');
    root.append(
      h('details', { class: 'sdp-section', open: '', 'data-media': s.media }, h('summary', {}, summary), h('ol', { class: 'sdp-lines' }, ...s.lines.map(lineItem))),
    );
  }
  return root;
}

/**
 * Fills `pane` with the detail of `entry` (title, JSON, readable SDP or candidate fields).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCSessionDescription/sdp
 */
export function renderDetail(pane: HTMLElement, entry: SignalEntry): void {
  const m = entry.message;
  const verb = entry.direction === 'sent' ? 'sent by' : 'received by';
  const shown = 'sdp' in m ? { ...m, sdp: `(${m.sdp.split(/\r?\n/).filter(Boolean).length} lines, shown below)` } : m;
  pane.replaceChildren(
    h('h3', {}, `${signalLabel(entry)}: ${verb} ${entry.side} at ${formatOffset(entry.t)}`),
    h('pre', { class: 'message-json' }, formatJSON(shown)),
  );
  pane.dataset.type = m.type;
  if ('sdp' in m) {
    pane.append(h('p', { class: 'hint' }, 'Marked on the left: green = codec (a=rtpmap, a=fmtp, a=rtcp-fb), orange = ICE (ufrag, pwd, candidates), blue = DTLS (fingerprint, setup), grey = direction.'));
    try {
      pane.append(renderSdp(m.sdp));
    } catch (err) {
      pane.append(h('p', { class: 'muted' }, `The SDP could not be read: ${err instanceof Error ? err.message : String(err)}`));
    }
  } else if (m.type === 'candidate' && m.candidate && m.candidate.candidate) {
    try {
      const c = parseCandidate(m.candidate.candidate);
      pane.append(
        h('p', {}, `type ${c.type} · ${c.protocol} · ${formatAddress(c.address, c.port)}${c.mdns ? ' (mDNS name hiding a local IP)' : ''} · priority ${c.priority}`),
      );
    } catch (err) {
      pane.append(h('p', { class: 'muted' }, `The candidate could not be read: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
}
