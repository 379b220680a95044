/**
 * A live line graph of one or more series over a fixed time window (default the last 60 s, filling
 * from the left), with a time axis, a y axis in the graph's unit (from 0 to a nice top with a
 * floor), a legend where each series has its own dash pattern and label (not only a colour), and
 * the latest value of each series printed. Each series' latest value is also in `data-value` for
 * tests; the figure has `data-window-ms`, each line `data-line` and `data-first-x`/`data-last-x`
 * (0–1: where it starts and ends across the width).
 *
 * The plot is an SVG stretched to its box (lines keep their width); the axis labels are HTML, so
 * they stay readable at any size (phone, projector).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/path
 */
import { h } from './dom';
import { seriesPath, timeTicks, timeWindow, yScale, type GraphPoint } from './graph-scale';

const SVG = 'http://www.w3.org/2000/svg';
/** viewBox units of the plot (stretched to the element's size). */
const WIDTH = 1000;
const HEIGHT = 100;
/** Dash patterns by series index: solid, dashed, dotted. */
const DASHES = ['', '6 4', '2 3'];

/**
 * One line of a {@link LineGraph}.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/stroke-dasharray
 */
export interface GraphSeries {
  /** Key used in {@link LineGraph.push} and in `data-series`. */
  key: string;
  /** Label in the legend, e.g. `in (received)`; '' for a graph's only series. */
  label: string;
}

/**
 * Options of a {@link LineGraph}.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/path
 */
export interface LineGraphOptions {
  /** `data-graph` of the figure (tests find graphs by it). */
  id: string;
  title: string;
  /** Unit printed on the y axis and after values, e.g. `kbps`, `fps`, `ms`. */
  unit: string;
  series: GraphSeries[];
  /** Time shown, in ms (default 60 000: the last minute). */
  windowMs?: number;
  /** Smallest top of the y axis, in the unit (default 1), e.g. 50 for a round-trip time in ms. */
  floor?: number;
}

interface SeriesState {
  spec: GraphSeries;
  points: GraphPoint[];
  path: SVGPathElement;
  value: HTMLElement;
}

function svg<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/**
 * A live graph of one or more series over time.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Element/path
 */
export class LineGraph {
  /** The `<figure>` to insert into the page. */
  readonly element: HTMLElement;
  readonly #opts: Required<LineGraphOptions>;
  readonly #series = new Map<string, SeriesState>();
  readonly #grid: SVGGElement;
  readonly #yLabels: HTMLElement;
  readonly #xLabels: HTMLElement;
  #first: number | null = null;
  #last = 0;

  /** @throws TypeError when `series` is empty or `windowMs` is not positive. */
  constructor(options: LineGraphOptions) {
    if (options.series.length === 0) throw new TypeError('LineGraph needs at least one series');
    const windowMs = options.windowMs ?? 60_000;
    if (!(windowMs > 0)) throw new TypeError('windowMs must be a positive number');
    this.#opts = { ...options, windowMs, floor: options.floor ?? 1 };
    const plot = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', class: 'graph-svg', 'aria-hidden': 'true' });
    this.#grid = svg('g', { class: 'graph-grid' });
    plot.append(this.#grid);
    const legend = h('span', { class: 'graph-legend' });
    options.series.forEach((s, i) => {
      const dash = DASHES[i % DASHES.length] ?? '';
      const path = svg('path', { class: `graph-line graph-line-${i}`, fill: 'none', 'vector-effect': 'non-scaling-stroke', 'data-line': s.key, d: '' });
      if (dash) path.setAttribute('stroke-dasharray', dash);
      plot.append(path);
      const swatch = svg('svg', { class: 'graph-swatch', viewBox: '0 0 24 6', width: '24', height: '6', 'aria-hidden': 'true' });
      const sample = svg('line', { x1: '0', y1: '3', x2: '24', y2: '3', class: `graph-line graph-line-${i}` });
      if (dash) sample.setAttribute('stroke-dasharray', dash);
      swatch.append(sample);
      const value = h('span', { class: 'graph-now' }, '–');
      const item = h('span', { class: `graph-value graph-value-${i}`, 'data-series': s.key, 'data-value': '' }, swatch, ' ', s.label ? `${s.label} ` : '', value);
      this.#series.set(s.key, { spec: s, points: [], path, value });
      legend.append(item, ' ');
    });
    this.#yLabels = h('div', { class: 'graph-y', 'aria-hidden': 'true' });
    this.#xLabels = h('div', { class: 'graph-x', 'aria-hidden': 'true' });
    const seconds = Math.round(windowMs / 1000);
    this.element = h('figure', { class: 'graph', 'data-graph': options.id, 'data-window-ms': String(windowMs) },
      h('figcaption', {}, h('strong', {}, options.title), ` (${options.unit}, last ${seconds} s) `, legend),
      h('div', { class: 'graph-plot', role: 'img', 'aria-label': `${options.title} in ${options.unit} over the last ${seconds} seconds` },
        this.#yLabels, plot, h('span', {}), this.#xLabels));
    this.#draw();
  }

  /**
   * Adds one sample taken at `t` (ms on the trace's clock, non-decreasing): a value per series key
   * (null or missing = unknown, drawn as a gap).
   */
  push(t: number, values: Record<string, number | null>): void {
    this.#first ??= t;
    this.#last = Math.max(this.#last, t);
    const keepFrom = this.#last - this.#opts.windowMs - 1000;
    for (const s of this.#series.values()) {
      const v = values[s.spec.key] ?? null;
      s.points.push({ t, v });
      while ((s.points[0]?.t ?? Infinity) < keepFrom) s.points.shift();
      s.value.parentElement?.setAttribute('data-value', v === null ? '' : String(v));
      s.value.textContent = v === null ? '–' : `${formatValue(v)} ${this.#opts.unit}`;
    }
    this.#draw();
  }

  /** Removes every sample. */
  clear(): void {
    this.#first = null;
    this.#last = 0;
    for (const s of this.#series.values()) {
      s.points.length = 0;
      s.value.parentElement?.setAttribute('data-value', '');
      s.value.textContent = '–';
    }
    this.#draw();
  }

  #draw(): void {
    const first = this.#first ?? 0;
    const w = timeWindow(first, this.#first === null ? 0 : this.#last, this.#opts.windowMs);
    const all: (number | null)[] = [];
    for (const s of this.#series.values()) for (const p of s.points) if (p.t >= w.start) all.push(p.v);
    const { top, ticks } = yScale(all, this.#opts.floor);
    const grid: SVGElement[] = [];
    this.#yLabels.replaceChildren(...[...ticks].reverse().map((v) => h('span', {}, `${formatValue(v)} ${this.#opts.unit}`)));
    for (const v of ticks) {
      const y = (HEIGHT - (v / top) * HEIGHT).toFixed(1);
      grid.push(svg('line', { x1: '0', x2: String(WIDTH), y1: y, y2: y, class: 'graph-gridline', 'vector-effect': 'non-scaling-stroke' }));
    }
    const xs = timeTicks(w);
    for (const { at } of xs) {
      const x = (at * WIDTH).toFixed(1);
      grid.push(svg('line', { x1: x, x2: x, y1: '0', y2: String(HEIGHT), class: 'graph-gridline', 'vector-effect': 'non-scaling-stroke' }));
    }
    this.#grid.replaceChildren(...grid);
    this.#xLabels.replaceChildren(...xs.map(({ at, label }) => {
      const span = h('span', {}, label);
      span.style.left = `${(at * 100).toFixed(2)}%`;
      return span;
    }));
    const span = w.end - w.start;
    for (const s of this.#series.values()) {
      s.path.setAttribute('d', seriesPath(s.points, w, top, WIDTH, HEIGHT));
      const shown = s.points.filter((p) => p.t >= w.start && p.v !== null);
      const a = shown[0];
      const b = shown.at(-1);
      s.path.dataset.firstX = a ? ((a.t - w.start) / span).toFixed(3) : '';
      s.path.dataset.lastX = b ? ((b.t - w.start) / span).toFixed(3) : '';
    }
    this.element.dataset.top = String(top);
  }
}

/**
 * Rounds for display: integers from 10 up, one decimal below.
 * @see https://developer.mozilla.org/en-US/docs/Web/JavaScript/Reference/Global_Objects/Math/round
 */
export function formatValue(v: number): string {
  return Math.abs(v) >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}
