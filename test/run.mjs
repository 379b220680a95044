// Runs the uvu test files of one kind (test/unit or test/browser) through tsx, with a hard time
// limit, and prints the closing line "N passed, N failed". Usage: node test/run.mjs unit|browser [filter]
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2];
const filter = process.argv[3];
if (kind !== 'unit' && kind !== 'browser') {
  console.error('usage: node test/run.mjs unit|browser [file-filter]');
  process.exit(2);
}
const limitMs = Number(process.env.TEST_TIME_LIMIT_MS ?? (kind === 'unit' ? 120_000 : 240_000));
const pattern = filter ? `${filter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*\\.test\\.ts$` : '\\.test\\.ts$';

const child = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'node_modules', 'uvu', 'bin.js'), join('test', kind), pattern, '--color=false'],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, FORCE_COLOR: '0' } },
);
/** Kills the test process and everything it started (its process group); gone already is fine. */
function killGroup() {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ESRCH') throw err;
  }
}
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
const timer = setTimeout(() => {
  console.error(`\n${kind} tests exceeded ${limitMs} ms: killing them`);
  killGroup();
}, limitMs);
child.on('exit', (code, signal) => {
  clearTimeout(timer);
  // Browsers started by a killed run must not outlive it.
  killGroup();
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const failed = code === 0 ? total - passed : Math.max(total - passed, 1);
  console.log(`${kind}: ${passed} passed, ${failed} failed`);
  if (total === 0 && code === 0) {
    console.error(`no ${kind} test ran`);
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
