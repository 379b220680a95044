/**
 * The display hold of a call's setup (src/ui/idle.ts): state badges drawn once at the hold's end
 * (the latest state of each), or every DEFERRED_UPDATE_MAX_MS while it lasts; work in idle time
 * waits for the end. Runs without a browser: a stand-in `document` and timers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = { dataset: {} as Record<string, string> };
Object.assign(globalThis, { document: { documentElement: root } });
const { batchWhenIdle, DEFERRED_UPDATE_MAX_MS, holdDisplay, showSoon, whenIdle } = await import('../../src/ui/idle');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('without a hold an update is drawn at once', () => {
  const drawn: string[] = [];
  showSoon(drawn, () => drawn.push('connected'));
  assert.equal(drawn, ['connected']);
});

test('during a hold only the latest update of each badge is drawn, once, when the hold ends, in order', async () => {
  const drawn: string[] = [];
  const ice = {};
  const connection = {};
  const release = holdDisplay();
  assert.ok('callSetup' in root.dataset, 'the page is marked as setting up (style.css skips cards out of view)');
  showSoon(ice, () => drawn.push('ice checking'));
  showSoon(connection, () => drawn.push('connection connecting'));
  showSoon(ice, () => drawn.push('ice connected'));
  let idle = 0;
  whenIdle(() => idle++);
  await sleep(5);
  assert.equal(drawn, [], 'nothing drawn while the call sets up');
  assert.is(idle, 0, 'idle work waits too');
  release();
  assert.equal(drawn, ['connection connecting', 'ice connected'], 'the latest of each, in the order of their latest change');
  assert.not.ok('callSetup' in root.dataset);
  await sleep(20);
  assert.is(idle, 1, 'the idle work ran after the hold');
  release();
  assert.is(drawn.length, 2, 'a second release does nothing');
});

test('a long hold (a slow network) still draws what waited, every DEFERRED_UPDATE_MAX_MS', async () => {
  const drawn: string[] = [];
  const badge = {};
  const release = holdDisplay();
  showSoon(badge, () => drawn.push('checking'));
  await sleep(DEFERRED_UPDATE_MAX_MS + 50);
  assert.equal(drawn, ['checking'], 'drawn although the hold goes on');
  showSoon(badge, () => drawn.push('connected'));
  assert.equal(drawn, ['checking'], 'the next update waits again');
  release();
  assert.equal(drawn, ['checking', 'connected']);
});

test('batchWhenIdle draws what came since the last drawing at once, in order, and waits for a hold', async () => {
  const batches: number[][] = [];
  const add = batchWhenIdle<number>((items) => batches.push(items));
  add(1);
  add(2);
  await sleep(20);
  assert.equal(batches, [[1, 2]], 'one drawing for both');
  const release = holdDisplay();
  add(3);
  await sleep(20);
  assert.equal(batches.length, 1, 'nothing drawn while a call sets up');
  add(4);
  release();
  await sleep(20);
  assert.equal(batches, [[1, 2], [3, 4]]);
});

test.run();
