/**
 * Pure scaling and windowing of the live stats graphs: a fixed time window (default the last 60 s)
 * that fills from the left, "nice" y scales with a floor (so 0↔1 ms of noise is not drawn as
 * cliffs), tick positions, and the SVG path of a series.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/d
 */

/**
 * A time window in ms on the trace's clock.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Performance/now
 */
export interface TimeWindow {
  start: number;
  end: number;
}

/**
 * The window shown for samples from `firstT` to `lastT` (ms): while less than `windowMs` has
 * passed it starts at the first sample, so the line grows from the left edge; after that it is the
 * last `windowMs` and scrolls.
 * @throws TypeError when `windowMs` is not a positive number.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Performance/now
 */
export function timeWindow(firstT: number, lastT: number, windowMs: number): TimeWindow {
  if (!(windowMs > 0)) throw new TypeError('windowMs must be a positive number');
  const start = Math.max(firstT, lastT - windowMs);
  return { start, end: start + windowMs };
}

/**
 * The smallest of 1, 2, 2.5, 5 × 10^n that is ≥ `v` (v ≤ 0 gives 1).
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/viewBox
 */
export function niceCeil(v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/**
 * The y scale: from 0 to a nice top at least `floor` (in the graph's unit, e.g. 50 ms for RTT)
 * and at least the largest value, with ticks at 0, half and the top.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/viewBox
 */
export function yScale(values: Iterable<number | null>, floor: number): { top: number; ticks: number[] } {
  let max = 0;
  for (const v of values) if (v !== null && Number.isFinite(v) && v > max) max = v;
  const top = niceCeil(Math.max(max, floor));
  return { top, ticks: [0, top / 2, top] };
}

/**
 * Time ticks inside `w`: every `stepMs` (default 10 s) on the trace's clock, as the fraction of the
 * width (0–1) and the label in seconds since the trace started, e.g. `{ at: 0.25, label: '20 s' }`.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/viewBox
 */
export function timeTicks(w: TimeWindow, stepMs = 10_000): { at: number; label: string }[] {
  const out: { at: number; label: string }[] = [];
  const span = w.end - w.start;
  for (let t = Math.ceil(w.start / stepMs) * stepMs; t <= w.end + 1e-6; t += stepMs) {
    out.push({ at: (t - w.start) / span, label: `${Math.round(t / 1000)} s` });
  }
  return out;
}

/**
 * One sample of a series: time in ms on the trace's clock, value in the graph's unit (null:
 * unknown, drawn as a gap).
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/d
 */
export interface GraphPoint {
  t: number;
  v: number | null;
}

/**
 * The SVG path (`d`) of `points` in a `width`×`height` box: x from the window, y from 0 (bottom)
 * to `top` (values above are clipped to the top); a null value breaks the line. Points before the
 * window are left out.
 * @see https://developer.mozilla.org/en-US/docs/Web/SVG/Attribute/d
 */
export function seriesPath(points: readonly GraphPoint[], w: TimeWindow, top: number, width: number, height: number): string {
  const span = w.end - w.start;
  let d = '';
  let pen = false;
  for (const { t, v } of points) {
    if (t < w.start - 1e-6 || v === null) {
      pen = false;
      continue;
    }
    const x = ((t - w.start) / span) * width;
    const y = height - (Math.min(Math.max(v, 0), top) / top) * height;
    d += `${pen ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)} `;
    pen = true;
  }
  return d.trim();
}
