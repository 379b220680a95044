import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { niceCeil, seriesPath, timeTicks, timeWindow, yScale } from '../../src/ui/graph-scale';

test('the window starts at the first sample (fills from the left) until 60 s have passed, then scrolls', () => {
  assert.equal(timeWindow(3000, 12_000, 60_000), { start: 3000, end: 63_000 });
  assert.equal(timeWindow(3000, 63_000, 60_000), { start: 3000, end: 63_000 });
  assert.equal(timeWindow(3000, 100_000, 60_000), { start: 40_000, end: 100_000 });
  assert.throws(() => timeWindow(0, 1, 0), TypeError);
});

test('y scale: a nice top, never under the floor (RTT noise of 0–1 ms stays flat under a 50 ms top)', () => {
  assert.equal(yScale([0.4, 1, 0.6], 50), { top: 50, ticks: [0, 25, 50] });
  assert.is(yScale([null, 73], 50).top, 100);
  assert.is(yScale([1234], 100).top, 2000);
  assert.is(yScale([], 1).top, 1);
  assert.is(yScale([NaN, -5], 30).top, 50);
  assert.equal([0.3, 1, 1.5, 2.2, 3, 7, 10, 11].map(niceCeil), [0.5, 1, 2, 2.5, 5, 10, 10, 20]);
  assert.is(niceCeil(0), 1);
});

test('time ticks every 10 s inside the window, labelled in seconds since the trace started', () => {
  assert.equal(timeTicks({ start: 0, end: 60_000 }).map((t) => t.label), ['0 s', '10 s', '20 s', '30 s', '40 s', '50 s', '60 s']);
  const scrolled = timeTicks({ start: 45_000, end: 105_000 });
  assert.is(scrolled[0]?.label, '50 s');
  assert.ok(Math.abs((scrolled[0]?.at ?? 0) - 5 / 60) < 1e-9);
  assert.is(scrolled.at(-1)?.label, '100 s');
});

test('series path: x from the window, y from 0..top (clipped), gaps for unknown values, old points left out', () => {
  const w = { start: 0, end: 60_000 };
  assert.is(seriesPath([{ t: 0, v: 0 }, { t: 30_000, v: 50 }, { t: 60_000, v: 200 }], w, 100, 600, 100), 'M0.0 100.0 L300.0 50.0 L600.0 0.0');
  assert.is(seriesPath([{ t: 0, v: 10 }, { t: 1000, v: null }, { t: 2000, v: 10 }], w, 100, 600, 100), 'M0.0 90.0 M20.0 90.0');
  assert.is(seriesPath([{ t: -5000, v: 10 }, { t: 6000, v: 10 }], w, 100, 600, 100), 'M60.0 90.0');
  // 9 s of samples in a fresh graph: the line starts at the left edge and covers 15% of the width.
  const nine = Array.from({ length: 10 }, (_, i) => ({ t: 1000 + i * 1000, v: 5 }));
  const d = seriesPath(nine, timeWindow(1000, 10_000, 60_000), 10, 1000, 100);
  assert.ok(d.startsWith('M0.0 '), d);
  assert.ok(d.endsWith('L150.0 50.0'), d);
});

test.run();
