/**
 * The stats panel: per side, live graphs of video and audio bitrate (kbps, in and out), video
 * frames per second and round-trip time (ms), plus the latest resolution, packets lost, jitter and
 * codecs, from the samples the inspector takes every second.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats
 */
import type { MediaRates } from '../../rtc/stats';
import type { StatsEntry, TraceSide } from '../../rtc/trace';
import { formatOffset } from '../diagram';
import { h } from '../dom';
import { formatValue, LineGraph } from '../graph';

interface SidePanel {
  graphs: LineGraph[];
  facts: HTMLElement;
}

const show = (v: number | null, unit = ''): string => (v === null ? '–' : `${formatValue(v)}${unit}`);

function facts(kind: string, m: MediaRates): string {
  const res = m.width !== null && m.height !== null ? ` · ${m.width}×${m.height}` : '';
  return `${kind}: codec ${m.codec ?? '–'}${res} · packets lost ${show(m.packetsLost)} · jitter ${show(m.jitterMs, ' ms')}`;
}

/**
 * The stats graphs of both sides, created at a side's first sample.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats
 */
export class StatsPanel {
  /** The element to insert into the page. */
  readonly element: HTMLElement = h('div', { class: 'stats-panels' });
  readonly #sides = new Map<TraceSide, SidePanel>();

  /** Plots one sample. */
  add(entry: StatsEntry): void {
    const panel = this.#panel(entry.side);
    const { video, audio, rttMs } = entry.sample;
    const [videoKbps, fps, audioKbps, rtt] = panel.graphs as [LineGraph, LineGraph, LineGraph, LineGraph];
    videoKbps.push(entry.t, { in: video.inKbps, out: video.outKbps });
    fps.push(entry.t, { fps: video.fps });
    audioKbps.push(entry.t, { in: audio.inKbps, out: audio.outKbps });
    rtt.push(entry.t, { rtt: rttMs });
    panel.facts.replaceChildren(
      h('li', {}, `sample at ${formatOffset(entry.t)}`),
      h('li', { 'data-kind': 'video' }, facts('video', video)),
      h('li', { 'data-kind': 'audio' }, facts('audio', audio)),
    );
  }

  /** Removes every graph. */
  clear(): void {
    this.element.replaceChildren();
    this.#sides.clear();
  }

  #panel(side: TraceSide): SidePanel {
    let panel = this.#sides.get(side);
    if (panel) return panel;
    // "in" solid, "out" dashed (see LineGraph): told apart by line style and label, not only colour.
    const io = [{ key: 'in', label: 'in (received)' }, { key: 'out', label: 'out (sent)' }];
    const graphs = [
      new LineGraph({ id: `${side}-video-kbps`, title: 'video bitrate', unit: 'kbps', series: io, floor: 100 }),
      new LineGraph({ id: `${side}-video-fps`, title: 'video frames received', unit: 'fps', series: [{ key: 'fps', label: '' }], floor: 30 }),
      new LineGraph({ id: `${side}-audio-kbps`, title: 'audio bitrate', unit: 'kbps', series: io, floor: 50 }),
      new LineGraph({ id: `${side}-rtt`, title: 'round-trip time', unit: 'ms', series: [{ key: 'rtt', label: '' }], floor: 50 }),
    ];
    const factList = h('ul', { class: 'stats-facts plain' });
    panel = { graphs, facts: factList };
    this.#sides.set(side, panel);
    const el = h('div', { class: 'stats-side', 'data-side': side }, h('h4', {}, `${side} stats (every second)`), h('div', { class: 'graphs' }, ...graphs.map((g) => g.element)), factList);
    if (side === 'caller') this.element.prepend(el);
    else this.element.append(el);
    return panel;
  }
}
