import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extractMarked } from '../../src/build/source-text.mjs';
import { STEP_ACTIONS } from '../../src/rtc/stepper';
import { RESTART_ACTIONS } from '../../src/rtc/step-restart';
import { RESTART_STEP_IDS, STEP_IDS } from '../../src/rtc/steps';
import { ROOT } from '../helpers/server';

const extract: (source: string) => Record<string, string> = extractMarked;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The JavaScript esbuild makes of a function's text, minus whitespace, types and comments. */
function normalise(fnText: string): string {
  const js = transformSync(`(${fnText.replace(/^export /, '')})`, { loader: 'ts', minifyWhitespace: true, format: 'esm' }).code;
  return js.replace(/__name\(([^,]+),"[^"]*"\)/g, '$1').trim();
}

test('every step has exactly one shown source: its own action, or the server relay', () => {
  const actions = extract(read('src/rtc/step-actions.ts'));
  const relay = extract(read('src/signaling/relay.ts'));
  for (const id of STEP_IDS) {
    const shown = actions[id] ?? relay[id];
    assert.type(shown, 'string', `no shown code for ${id}`);
    assert.not.ok(actions[id] !== undefined && relay[id] !== undefined, `${id} is marked twice`);
  }
  assert.match(relay['server-relay-offer'] ?? '', /#relay\(member: Member, to: string \| undefined, message: RelayedSignal\): void \{/);
});

test('the code shown for each step is the code that runs it (same function, same text)', () => {
  const shown = extract(read('src/rtc/step-actions.ts'));
  const ids = Object.keys(STEP_ACTIONS) as (keyof typeof STEP_ACTIONS)[];
  assert.is(ids.length, 21, 'every page-side step has an action');
  for (const id of ids) {
    const text = shown[id];
    assert.type(text, 'string', `${id} has no @show marker`);
    // The running function, as the JS engine holds it, against the shown TypeScript compiled the same way.
    assert.is(normalise(STEP_ACTIONS[id].toString()), normalise(text ?? ''), `${id}: shown code differs from the code that runs`);
  }
});

test('ICE restart steps: the code shown for each is the code that runs it', () => {
  const shown = extract(read('src/rtc/step-actions.ts'));
  assert.equal(Object.keys(RESTART_ACTIONS), [...RESTART_STEP_IDS], 'every restart step has an action');
  for (const id of RESTART_STEP_IDS) {
    const text = shown[id];
    assert.type(text, 'string', `${id} has no @show marker`);
    assert.is(normalise(RESTART_ACTIONS[id].toString()), normalise(text ?? ''), `${id}: shown code differs from the code that runs`);
  }
  assert.match(shown['restart-create-offer'] ?? '', /createOffer\(\{ iceRestart: true \}\)/);
});

test('the extractor: markers, nested braces, strings, templates, methods, errors', () => {
  const src = [
    'const x = 1;',
    '// @show a b',
    'export function f({ p }: { p: { q: string } }): Promise<{ r: number }> {',
    "  const s = '}' + \"{\" + `${'}'}` ; // }",
    '  /* { */ return g(() => { return s; });',
    '}',
    'class C {',
    '  // @show m',
    '  #m(a: number): void {',
    '    if (a) { a++; }',
    '  }',
    '}',
  ].join('\n');
  const out = extract(src);
  assert.equal(Object.keys(out), ['a', 'b', 'm']);
  assert.ok(out.a?.startsWith('function f('));
  assert.ok(out.a?.endsWith('});\n}'));
  assert.is(out.m, '#m(a: number): void {\n  if (a) { a++; }\n}');
  assert.throws(() => extract('// @show x\nconst y = 1;'), SyntaxError);
  assert.throws(() => extract('// @show x\nfunction a() {}\n// @show x\nfunction b() {}'), SyntaxError);
});

test.run();
