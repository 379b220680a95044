// The linter holds our rules: each one reports a small file that breaks it, run through the real
// `npm run lint` configuration (.oxlintrc.json with its type-aware rules and our plugin).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT } from '../helpers/server';

const BAD: Record<string, string> = {
  'any.ts': 'export const parse = (text: string): any => JSON.parse(text);\n',
  'non-null.ts': 'export const first = (xs: string[]): string => xs[0]!;\n',
  'empty-catch.ts': 'export function f(g: () => void): void {\n  try {\n    g();\n  } catch {\n    // ignored\n  }\n}\n',
  'empty-promise-catch.ts': 'export const f = (p: Promise<void>): Promise<void> => p.catch(() => {});\n',
  'inner-html.ts': 'export const show = (el: HTMLElement, peerName: string): void => {\n  el.innerHTML = `<b>${peerName}</b>`;\n};\n',
  'adjacent-html.ts': "export const add = (el: HTMLElement, s: string): void => el.insertAdjacentHTML('beforeend', s);\n",
  'switch-missing.ts': [
    "type State = 'idle' | 'connecting' | 'connected' | 'closed';",
    'export function label(s: State): string {',
    '  switch (s) {',
    "    case 'idle':",
    "      return 'not started';",
    "    case 'connected':",
    "      return 'in a call';",
    '  }',
    "  return '';",
    '}',
    '',
  ].join('\n'),
  'switch-default.ts': [
    "type State = 'idle' | 'connecting' | 'connected' | 'closed';",
    'export function label(s: State): string {',
    '  switch (s) {',
    "    case 'idle':",
    "      return 'not started';",
    '    default:',
    "      return 'busy';",
    '  }',
    '}',
    '',
  ].join('\n'),
  'long.ts': Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n',
};

const GOOD = [
  "type State = 'idle' | 'closed';",
  'export function label(s: State, el: HTMLElement, xs: string[]): string {',
  "  el.innerHTML = '';",
  "  el.textContent = xs[0] ?? 'none';",
  '  try {',
  '    JSON.parse(String(el.dataset.raw));',
  '  } catch (err) {',
  "    if (!(err instanceof SyntaxError)) throw err;",
  '  }',
  '  switch (s) {',
  "    case 'idle':",
  "      return 'not started';",
  "    case 'closed':",
  "      return 'ended';",
  '    default: {',
  '      const never: never = s;',
  '      return never;',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

/** Runs the project's lint on a folder of files, with the project's config and plugin. */
async function lint(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wp-lint-'));
  try {
    const config = JSON.parse(readFileSync(join(ROOT, '.oxlintrc.json'), 'utf8')) as { jsPlugins?: string[]; $schema?: string };
    config.jsPlugins = (config.jsPlugins ?? []).map((p) => join(ROOT, p));
    delete config.$schema;
    writeFileSync(join(dir, '.oxlintrc.json'), JSON.stringify(config));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noUncheckedIndexedAccess: true, lib: ['ES2023', 'DOM'], module: 'ESNext', moduleResolution: 'Bundler', noEmit: true, types: [] }, include: ['*.ts'] }));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const bin = join(ROOT, 'node_modules', '.bin', 'oxlint');
    try {
      const { stdout } = await promisify(execFile)(bin, ['--type-aware', '--deny-warnings', '-f', 'unix', '.'], {
        cwd: dir,
        // oxlint looks for its type-aware half in the working folder's node_modules; point it at ours.
        env: { ...process.env, OXLINT_TSGOLINT_PATH: join(ROOT, 'node_modules', '.bin', 'tsgolint') },
      });
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every rule reports the file that breaks it, and passes the file that keeps it', async () => {
  const { code, out } = await lint({ ...BAD, 'good.ts': GOOD });
  assert.is.not(code, 0, 'lint fails');
  const expect: Record<string, RegExp> = {
    'any.ts': /no-explicit-any/,
    'non-null.ts': /no-non-null-assertion/,
    'empty-catch.ts': /playground\(no-empty-catch\)/,
    'empty-promise-catch.ts': /playground\(no-empty-catch\)/,
    'inner-html.ts': /innerHTML with a computed string.*playground\(no-dynamic-html\)/,
    'adjacent-html.ts': /insertAdjacentHTML.*playground\(no-dynamic-html\)/,
    'switch-missing.ts': /"closed" \| "connecting".*switch-exhaustiveness-check/,
    'switch-default.ts': /switch-exhaustiveness-check/,
    'long.ts': /max-lines/,
  };
  for (const [file, rule] of Object.entries(expect)) {
    const lines = out.split('\n').filter((l) => l.startsWith(`${file}:`) || l.includes(`/${file}:`));
    assert.ok(lines.some((l) => rule.test(l)), `${file} is reported by ${rule}: got\n${lines.join('\n') || out}`);
  }
  assert.not.match(out, /good\.ts:/, 'good.ts passes');
});

test.run();
