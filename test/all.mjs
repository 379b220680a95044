// `npm test`: finds or installs the real parts (test:setup), then typecheck, lint and build side by
// side, then the unit tests, then the browser tests (the test steps one after the other: run side by
// side they overloaded 2 cores until pages timed out; the unit tests beside the browser tests made a
// watchdog-timing unit test, call-recovery's "missing peer whose call is still up", fail 1 run in 4),
// stopping at the first step that fails. Prints the time of each step and of the whole
// run (the budget is in the README). Usage: node test/all.mjs
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
const start = performance.now();
/** @type {string[]} */
const times = [];

/**
 * Runs one npm script; its output streams when `stream`, else is printed whole when it ends.
 * @param {string} script @param {boolean} stream @returns {Promise<number>} the exit code
 */
function run(script, stream) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: stream ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (c) => (out += c));
    child.stderr?.on('data', (c) => (out += c));
    child.on('exit', (code, signal) => {
      const status = code ?? (signal ? 1 : 0);
      times.push(`${script} ${seconds(performance.now() - t0)}`);
      if (!stream) process.stdout.write(`\n═══ ${script} (${status === 0 ? 'passed' : `failed, exit ${status}`}, ${seconds(performance.now() - t0)})\n${out}`);
      resolve(status);
    });
  });
}

/** @param {string} what @param {number} code */
function fail(what, code) {
  console.error(`\nnpm test: ${what} failed (exit ${code}) after ${seconds(performance.now() - start)} (${times.join(', ')})`);
  process.exit(code || 1);
}

// Each group after the one before; the steps of a group side by side (typecheck, lint and build
// are short and independent; their output is printed whole when each ends).
for (const group of [['test:setup'], ['typecheck', 'lint', 'build'], ['test:unit'], ['test:browser']]) {
  const codes = await Promise.all(group.map((step) => run(step, group.length === 1)));
  const failed = codes.findIndex((c) => c !== 0);
  if (failed >= 0) fail(`"${group[failed]}"`, codes[failed] ?? 1);
}
console.log(`\nnpm test: passed in ${seconds(performance.now() - start)} (${times.join(', ')})`);
