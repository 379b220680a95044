/**
 * ICE tester page: finds its elements, gathers with {@link IceGatherer} and renders each
 * candidate and `icecandidateerror` as a table row. No WebRTC logic lives here.
 */
import { iceCandidateError } from '../errors/explain-ice';
import { decodePriority, formatAddress } from '../rtc/candidates';
import { IceGatherer, type GatherError, type GatheredCandidate, type GatherSummary } from '../rtc/ice-gatherer';
import { defaultIceServersText, parseIceServers } from '../rtc/ice-servers';
import { fetchTurnCredentials, turnLines } from '../rtc/turn-credentials';
import { initPage } from '../ui/page';
import { $, exposeDebug, h, setState, showError, showProblem } from '../ui/dom';

initPage();

const el = {
  problem: $('#problem'),
  form: $('#gather-form', HTMLFormElement),
  servers: $('#servers', HTMLTextAreaElement),
  turnStatus: $('#turn-status'),
  policy: $('#policy', HTMLSelectElement),
  poolSize: $('#pool-size', HTMLInputElement),
  gather: $('#gather', HTMLButtonElement),
  stop: $('#stop', HTMLButtonElement),
  state: $('#gather-state'),
  time: $('#gather-time'),
  candidates: $('#candidates tbody', HTMLTableSectionElement),
  errors: $('#ice-errors tbody', HTMLTableSectionElement),
  noErrors: $('#no-errors'),
  mdnsNote: $('#mdns-note'),
};

let gatherer: IceGatherer | null = null;

el.servers.value = defaultIceServersText(location.hostname);
const turnReady = fetchTurnCredentials().then(
  (creds) => {
    if (creds === null) {
      setState(el.turnStatus, 'off', 'This server has no TURN server (start it with "npm start -- --turn"); add your own lines above.');
      return;
    }
    el.servers.value = [el.servers.value, turnLines(creds)].filter(Boolean).join('\n');
    setState(el.turnStatus, 'ready', `Our TURN server is prefilled, with credentials from /api/turn valid for ${creds.ttl} s.`);
  },
  (err: unknown) => setState(el.turnStatus, 'error', `Could not get TURN credentials: ${err instanceof Error ? err.message : String(err)}`),
);

function candidateRow(c: GatheredCandidate): HTMLTableRowElement {
  const p = c.parsed;
  if (!p) return h('tr', { 'data-type': 'unknown' }, h('td', {}, `${c.t} ms`), h('td', { colspan: '9' }, c.line));
  const prio = decodePriority(p.priority);
  const related = p.relatedAddress !== null ? formatAddress(p.relatedAddress, p.relatedPort ?? 0) : '';
  return h(
    'tr',
    { 'data-type': p.type, 'data-protocol': p.protocol, 'data-mdns': String(p.mdns) },
    h('td', {}, `${c.t} ms`),
    h('td', {}, p.component === 1 ? '1 (RTP)' : p.component === 2 ? '2 (RTCP)' : String(p.component)),
    h('td', {}, p.type),
    h('td', {}, p.foundation),
    h('td', {}, p.protocol + (p.tcpType ? ` (${p.tcpType})` : '')),
    h('td', {}, p.address + (p.mdns ? ' (mDNS)' : '')),
    h('td', {}, String(p.port)),
    h('td', { title: String(p.priority) }, `${prio.typePreference} | ${prio.localPreference} | ${prio.componentId}`),
    h('td', {}, related),
    // Firefox reports no server URL for a candidate (neither RTCIceCandidate.url nor the event's url).
    h('td', { 'data-url': c.url ?? '' }, c.url ?? (p.type === 'host' ? '' : 'not reported by this browser')),
  );
}

function errorRow(e: GatherError): HTMLTableRowElement {
  // The same text the problem box would show (src/errors/explain.ts hands icecandidateerror to this).
  const meaning = iceCandidateError(e).title;
  return h(
    'tr',
    { 'data-code': String(e.errorCode) },
    h('td', {}, `${e.t} ms`),
    h('td', {}, String(e.errorCode)),
    h('td', {}, e.errorText),
    h('td', {}, e.url),
    h('td', {}, meaning),
  );
}

function finished(s: GatherSummary): void {
  const text = s.end === 'complete' ? 'complete' : s.end === 'timeout' ? 'gave up (still gathering)' : 'stopped';
  setState(el.state, s.end, text);
  el.time.textContent = `${s.candidates} candidate(s), ${s.errors} error(s) in ${s.ms} ms.`;
  el.gather.disabled = false;
  el.stop.disabled = true;
}

async function gather(): Promise<void> {
  if (!el.form.reportValidity()) return;
  showProblem(el.problem, null);
  await turnReady;
  let configuration: RTCConfiguration;
  try {
    configuration = {
      iceServers: parseIceServers(el.servers.value),
      iceTransportPolicy: el.policy.value === 'relay' ? 'relay' : 'all',
      iceCandidatePoolSize: Number(el.poolSize.value),
    };
  } catch (err) {
    showError(el.problem, err, 'RTCPeerConnection', { near: el.gather });
    return;
  }
  gatherer?.stop();
  el.candidates.replaceChildren();
  el.errors.replaceChildren();
  el.noErrors.hidden = false;
  el.mdnsNote.hidden = true;
  el.time.textContent = '';
  const g = new IceGatherer(configuration);
  gatherer = g;
  exposeDebug('gatherer', g);
  g.on('candidate', (c) => {
    el.candidates.append(candidateRow(c));
    if (c.parsed?.mdns) el.mdnsNote.hidden = false;
  });
  g.on('error', (e) => {
    el.noErrors.hidden = true;
    el.errors.append(errorRow(e));
  });
  g.on('done', finished);
  setState(el.state, 'gathering');
  el.gather.disabled = true;
  el.stop.disabled = false;
  try {
    await g.start();
  } catch (err) {
    showError(el.problem, err, 'RTCPeerConnection', { near: el.gather });
    el.gather.disabled = false;
    el.stop.disabled = true;
  }
}

el.form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  void gather();
});
el.stop.addEventListener('click', () => gatherer?.stop());
