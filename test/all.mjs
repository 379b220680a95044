// `npm test`: finds or installs the real parts (test:setup), builds, then runs typecheck, lint, the
// unit tests and the browser tests side by side (they mostly wait: on timers, sockets and browsers,
// so running them together costs far less than one after the other). The browser tests' output
// streams as each file ends; the other steps' output is printed whole when each ends. Prints the
// time of each step and of the whole run (the budget is in the README). Usage: node test/all.mjs
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

// First what the rest needs: the programs the tests drive, and the built pages and server.
for (const step of ['test:setup', 'build']) {
  const code = await run(step, true);
  if (code !== 0) fail(`"${step}"`, code);
}
const steps = [['typecheck', false], ['lint', false], ['test:unit', false], ['test:browser', true]];
const codes = await Promise.all(steps.map(([s, stream]) => run(/** @type {string} */ (s), /** @type {boolean} */ (stream))));
const failed = steps.filter((_, i) => codes[i] !== 0).map(([s]) => `"${s}"`);
if (failed.length > 0) fail(failed.join(', '), codes.find((c) => c !== 0) ?? 1);
console.log(`\nnpm test: passed in ${seconds(performance.now() - start)} (${times.join(', ')})`);
