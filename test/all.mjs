// `npm test`: finds or installs the real parts (test:setup), then typecheck, lint and build side by
// side, then the unit tests and the browser tests side by side, stopping after the first group
// that fails. The unit tests mostly wait on timers and servers (about a third of a core over their
// run), so beside the browser tests they cost little and no longer add their whole time to the run;
// their timings are sized for a loaded machine (test/unit/call-recovery.test.ts GRACE_MS). Prints
// the time of each step and of the whole run (the budget is in the README). Usage: node test/all.mjs
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
const start = performance.now();
/** @type {string[]} */
const times = [];

/**
 * Runs one npm script; its output streams line by line when `stream`, else is printed whole when it
 * ends (between two lines of a streaming step beside it).
 * @param {string} script @param {boolean} stream @returns {Promise<number>} the exit code
 */
function run(script, stream) {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (/** @type {Buffer} */ c) => {
      out += c;
      if (!stream) return;
      const end = out.lastIndexOf('\n') + 1;
      process.stdout.write(out.slice(0, end));
      out = out.slice(end);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code, signal) => {
      if (stream) process.stdout.write(out);
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
// are short and independent; the unit tests beside the browser tests, see above). The browser
// tests stream their output; the others are printed whole when each ends.
for (const group of [['test:setup'], ['typecheck', 'lint', 'build'], ['test:unit', 'test:browser']]) {
  const codes = await Promise.all(group.map((step) => run(step, group.length === 1 || step === 'test:browser')));
  const failed = codes.findIndex((c) => c !== 0);
  if (failed >= 0) fail(`"${group[failed]}"`, codes[failed] ?? 1);
}
console.log(`\nnpm test: passed in ${seconds(performance.now() - start)} (${times.join(', ')})`);
