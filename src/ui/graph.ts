/**
 * A small live line graph in SVG: a fixed number of samples per series (default 60, i.e. one
 * minute at one sample per second), scaled to the largest value shown, with the latest values
 * printed under it. Each series' latest value is also in `data-value` for tests.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/polyline
 */
import { h } from './dom';

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 240;
const HEIGHT = 60;

/**
 * One line of a {@link LineGraph}.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/polyline
 */
export interface GraphSeries {
  /** Key used in {@link LineGraph.push} and in `data-series`. */
  key: string;
  /** Short label shown with the latest value, e.g. `in`. */
  label: string;
}

/**
 * Options of a {@link LineGraph}.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/polyline
 */
export interface LineGraphOptions {
  /** `data-graph` of the figure (tests find graphs by it). */
  id: string;
  title: string;
  /** Unit printed after values, e.g. `kbps`, `fps`, `ms`. */
  unit: string;
  series: GraphSeries[];
  /** Samples kept per series (default 60). */
  capacity?: number;
}

/**
 * A live SVG line graph of one or more series.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/polyline
 */
export class LineGraph {
  /** The `<figure>` to insert into the page. */
  readonly element: HTMLElement;
  readonly #opts: LineGraphOptions;
  /** Per series key (in series order): its samples, its line and its caption label. */
  readonly #series = new Map<string, { spec: GraphSeries; values: (number | null)[]; line: SVGPolylineElement; label: HTMLElement }>();
  readonly #max: SVGTextElement;

  /** @throws TypeError when `series` is empty. */
  constructor(options: LineGraphOptions) {
    if (options.series.length === 0) throw new TypeError('LineGraph needs at least one series');
    this.#opts = options;
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
    svg.setAttribute('class', 'graph-svg');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `${options.title} over the last ${options.capacity ?? 60} samples`);
    this.#max = document.createElementNS(SVG, 'text');
    this.#max.setAttribute('x', '2');
    this.#max.setAttribute('y', '9');
    this.#max.setAttribute('class', 'graph-max');
    svg.append(this.#max);
    const caption = h('figcaption', {}, h('strong', {}, options.title), ' ');
    options.series.forEach((s, i) => {
      const line = document.createElementNS(SVG, 'polyline');
      line.setAttribute('class', `graph-line graph-line-${i}`);
      line.setAttribute('fill', 'none');
      svg.append(line);
      const label = h('span', { class: `graph-value graph-value-${i}`, 'data-series': s.key, 'data-value': '' }, `${s.label} –`);
      this.#series.set(s.key, { spec: s, values: [], line, label });
      caption.append(label, ' ');
    });
    this.element = h('figure', { class: 'graph', 'data-graph': options.id });
    this.element.append(svg, caption);
  }

  /** Adds one sample: a value (or null = unknown, drawn as a gap at 0) per series key. */
  push(values: Record<string, number | null>): void {
    const cap = this.#opts.capacity ?? 60;
    for (const [key, { spec, values: list, label }] of this.#series) {
      const v = values[key] ?? null;
      list.push(v);
      if (list.length > cap) list.shift();
      label.dataset.value = v === null ? '' : String(v);
      label.textContent = `${spec.label} ${v === null ? '–' : `${formatValue(v)} ${this.#opts.unit}`}`;
    }
    this.#draw();
  }

  /** Removes every sample. */
  clear(): void {
    for (const { spec, values, label } of this.#series.values()) {
      values.length = 0;
      label.dataset.value = '';
      label.textContent = `${spec.label} –`;
    }
    this.#draw();
  }

  #draw(): void {
    const cap = this.#opts.capacity ?? 60;
    let max = 0;
    for (const { values } of this.#series.values()) for (const v of values) if (v !== null && v > max) max = v;
    const top = max > 0 ? max * 1.1 : 1;
    this.#max.textContent = max > 0 ? `${formatValue(max)} ${this.#opts.unit}` : '';
    for (const { values: list, line } of this.#series.values()) {
      const step = WIDTH / Math.max(1, cap - 1);
      const offset = cap - list.length;
      const points = list.map((v, i) => `${((offset + i) * step).toFixed(1)},${(HEIGHT - ((v ?? 0) / top) * (HEIGHT - 12)).toFixed(1)}`);
      line.setAttribute('points', points.join(' '));
    }
  }
}

/**
 * Rounds for display: integers above 10, one decimal below.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/polyline
 */
export function formatValue(v: number): string {
  return Math.abs(v) >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}
