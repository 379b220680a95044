// `npm test`: runs each step as its own npm script, stops at the first that fails, and prints the
// time of each step and of the whole run (the budget is in the README). Usage: node test/all.mjs
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const STEPS = ['test:setup', 'typecheck', 'lint', 'build', 'test:unit', 'test:browser'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @param {string} script @returns {Promise<number>} the exit code */
function run(script) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const seconds = (/** @type {number} */ ms) => `${(ms / 1000).toFixed(1)} s`;
const start = performance.now();
/** @type {string[]} */
const times = [];
for (const step of STEPS) {
  const t0 = performance.now();
  const code = await run(step);
  times.push(`${step} ${seconds(performance.now() - t0)}`);
  if (code !== 0) {
    console.error(`\nnpm test: "${step}" failed (exit ${code}) after ${seconds(performance.now() - start)} (${times.join(', ')})`);
    process.exit(code);
  }
}
console.log(`\nnpm test: passed in ${seconds(performance.now() - start)} (${times.join(', ')})`);
