// Runs the uvu test files of one kind (test/unit or test/browser) through tsx, with hard time limits,
// prints the time each file took and the closing line "N passed, N failed".
// Usage: node test/run.mjs unit|browser [file-filter]
//
// The files are split into runs (a unit file; a browser file in one browser, e.g. gum.test.ts@firefox)
// and the runs into TEST_JOBS processes side by side (default 1 for unit: in 2 processes their
// short watchdog timers flaked on a loaded machine; 2 for browser: 4 browser processes beside the unit
// tests overloaded 2 cores until pages timed out), balanced by the times
// of the previous run. Each process (test/run-files.ts) runs its share one after the other
// and shares browsers between them; each run still has its own server and incognito contexts.
// Lines a test prints starting with "NOT-RUN " (a feature a browser lacks) are repeated in the summary.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2];
const filter = process.argv[3];
if (kind !== 'unit' && kind !== 'browser') {
  console.error('usage: node test/run.mjs unit|browser [file-filter]');
  process.exit(2);
}
const limitMs = Number(process.env.TEST_TIME_LIMIT_MS ?? (kind === 'unit' ? 300_000 : 1_200_000));
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? (kind === 'unit' ? 1 : 2)));
const timesFile = join(root, 'node_modules', '.cache', 'webrtc-playground', `test-times-${kind}.json`);
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** @type {Set<number>} process groups still running, killed if this runner is stopped. */
const groups = new Set();
/** @type {Set<string>} files of browser pids of the running processes (see runTsx). */
const pidFiles = new Set();
/** Kills the browsers whose pids are in `pidFile` (each leads a process group of its own). */
const killBrowsers = (pidFile) => {
  for (const pid of readFileSync(pidFile, 'utf8').split('\n').filter(Boolean)) killGroup(Number(pid));
};
const killGroup = (pid) => {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'ESRCH') throw err; // ESRCH: the group is gone already
  }
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const pid of groups) killGroup(pid);
    for (const f of pidFiles) killBrowsers(f);
    process.exit(130);
  });
}

/**
 * Runs `args` (after `node --import tsx`) in its own process group; `onOutput` gets each chunk.
 * @returns {Promise<{ code: number, ms: number }>}
 */
function runTsx(args, timeLimitMs, onOutput) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    // The browsers the process launches write their pids here (test/helpers/browser.ts): puppeteer
    // puts each browser in a process group of its own, which killing the test process leaves alive.
    const pidDir = mkdtempSync(join(tmpdir(), 'wp-test-'));
    const pidFile = join(pidDir, 'browser-pids');
    writeFileSync(pidFile, '');
    pidFiles.add(pidFile);
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, FORCE_COLOR: '0', TEST_BROWSER_PIDS: pidFile },
    });
    groups.add(child.pid);
    child.stdout.on('data', (c) => onOutput(String(c)));
    child.stderr.on('data', (c) => onOutput(String(c)));
    const timer = setTimeout(() => {
      onOutput(`\nexceeded ${timeLimitMs} ms: killed\n`);
      killGroup(child.pid);
    }, timeLimitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Browsers started by a killed or crashed process must not outlive it.
      killGroup(child.pid);
      groups.delete(child.pid);
      killBrowsers(pidFile);
      pidFiles.delete(pidFile);
      rmSync(pidDir, { recursive: true, force: true });
      resolve({ code: code ?? (signal ? 1 : 0), ms: Date.now() - t0 });
    });
  });
}

/** Passed/failed of one unit's uvu output, from its suites' "(passed / total)" lines. */
function unitCounts(out) {
  let passed = 0;
  let total = 0;
  for (const m of out.matchAll(/\((\d+) \/ (\d+)\)/g)) {
    passed += Number(m[1]);
    total += Number(m[2]);
  }
  return { passed, failed: total - passed };
}

function readTimes() {
  try {
    return JSON.parse(readFileSync(timesFile, 'utf8'));
  } catch (err) {
    if (/** @type {NodeJS.ErrnoException} */ (err).code === 'ENOENT' || err instanceof SyntaxError) return {}; // first run, or a torn file
    throw err;
  }
}

const files = readdirSync(join(root, 'test', kind))
  .filter((f) => f.endsWith('.test.ts') && (!filter || f.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error(`no ${kind} test file matches "${filter ?? ''}"`);
  process.exit(1);
}

/** The browsers of this run (test/helpers/browser.ts checks the names). */
const browsers = (process.env.TEST_BROWSERS?.trim() || 'chromium,firefox').split(',').map((b) => b.trim()).filter(Boolean);
/**
 * What the processes run, one after the other: a unit test file, or a browser test file in one
 * browser ("gum.test.ts@firefox", see test/run-files.ts), so a file's Chromium and Firefox halves
 * can run side by side. A browser file that does not use browserSuite() (its own launches, or both
 * browsers in one test) is run once, whole.
 * @type {string[]}
 */
const units = files.flatMap((f) => {
  if (kind === 'unit' || !/\bbrowserSuite\s*[<(]/.test(readFileSync(join(root, 'test', kind, f), 'utf8'))) return [f];
  return browsers.map((b) => `${f}@${b}`);
});

/** @type {{ file: string, out: string, code: number, ms: number, passed: number, failed: number }[]} */
const results = [];
/** Units that failed and then passed when run again. */
const flaky = [];
// Longest first onto the least loaded process (a unit never timed counts as long).
const previous = readTimes();
const cost = (u) => previous[u] ?? (kind === 'unit' ? 5_000 : 60_000);
const n = Math.min(jobs, units.length);
const plan = Array.from({ length: n }, () => ({ units: /** @type {string[]} */ ([]), total: 0 }));
/** The test file of a run ("gum.test.ts@firefox" → "gum.test.ts"). */
const fileOf = (u) => u.replace(/@[^@]*$/, '');
for (const u of [...units].sort((a, b) => cost(b) - cost(a))) {
  // A file's other half goes to another process where there is one: side by side, and a process
  // that has imported a file cannot import it again (see segments).
  const others = plan.filter((l) => !l.units.some((x) => fileOf(x) === fileOf(u)));
  const lightest = (others.length > 0 ? others : plan).reduce((a, b) => (b.total < a.total ? b : a));
  lightest.units.push(u);
  lightest.total += cost(u);
}

/**
 * `units` cut into consecutive groups that each name a file at most once. A file is imported once
 * per process (the module cache also keeps it when asked again, e.g. for its Firefox half after its
 * Chromium half), so each group runs in a process of its own, one group after the other.
 * @param {string[]} lane
 * @returns {string[][]}
 */
const segments = (lane) => {
  /** @type {string[][]} */
  const out = [];
  for (const u of lane) {
    const last = out.at(-1);
    if (last && !last.some((x) => fileOf(x) === fileOf(u))) last.push(u);
    else out.push([u]);
  }
  return out;
};
console.log(`${kind}: ${units.length} runs (${files.length} files) in ${n} processes side by side`);
const deadline = setTimeout(() => {
  console.error(`\n${kind} tests exceeded ${limitMs} ms in all: killing them`);
  for (const pid of groups) killGroup(pid);
}, limitMs);

/** Runs `lane.units` one after the other (browsers shared within a process), printing each unit's block as it ends. */
const runLane = async (lane) => {
  for (const group of segments(lane.units)) await runProcess(group);
};

/** Runs `units` (no file twice) one after the other in one process. */
const runProcess = async (units) => {
  const lane = { units };
  let pending = '';
  let unitOut = '';
  const args = lane.units.map((u) => join('test', kind, u));
  const r = await runTsx([join('test', 'run-files.ts'), ...args], limitMs, (chunk) => {
    pending += chunk;
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl + 1);
      pending = pending.slice(nl + 1);
      const done = /^FILE-TIME (\S+) (\d+)/.exec(line);
      if (!done) {
        unitOut += line;
        continue;
      }
      const c = unitCounts(unitOut);
      // A run that ran no test and gave no reason (a NOT-RUN line) tested nothing: that fails.
      if (c.passed + c.failed === 0 && !/^NOT-RUN /m.test(unitOut)) {
        c.failed = 1;
        unitOut += `ran no test: ${done[1]} registered none in its process\n`;
      }
      results.push({ file: done[1], out: unitOut, code: c.failed ? 1 : 0, ms: Number(done[2]), ...c });
      console.log(`\n── ${done[1]}: ${c.passed} passed, ${c.failed} failed in ${seconds(Number(done[2]))}`);
      process.stdout.write(unitOut.replace(/^\s+/, ''));
      unitOut = '';
    }
  });
  const rest = unitOut + pending;
  if (r.code !== 0 && !results.some((x) => lane.units.includes(x.file) && x.failed > 0)) {
    // A crash or timeout outside any finished unit: show its output and count it as a failure.
    process.stdout.write(rest);
    results.push({ file: `(process running ${lane.units.join(', ')})`, out: rest, code: r.code, ms: r.ms, passed: 0, failed: 1 });
  } else if (rest.trim()) {
    process.stdout.write(rest.replace(/\n\s*Total:[\s\S]*$/, '\n'));
  }
};
await Promise.all(plan.map(runLane));
clearTimeout(deadline);

// A browser run that failed runs once more, alone, and is reported as flaky when it then passes:
// a real-browser call on a shared 2-core machine can stall (e.g. Chromium's ICE gathering after a
// glare), and one stall must not hide the rest of a run. Both runs' output is printed; a unit
// failing twice fails the run. TEST_RETRIES=0 turns this off; unit tests are not retried.
const retries = Number(process.env.TEST_RETRIES ?? (kind === 'browser' ? 1 : 0));
const again = units.filter((u) => {
  const r = results.find((x) => x.file === u);
  return !r || r.failed > 0; // failed, or never finished (its process crashed or was killed)
});
if (retries > 0 && again.length > 0) {
  console.log(`\n${kind}: ${again.length} run(s) failed, running them once more: ${again.join(', ')}`);
  const kept = results.filter((r) => !again.includes(r.file) && !r.file.startsWith('(process running '));
  results.splice(0, results.length, ...kept);
  // Each in a process (and so a browser) of its own, one after the other: nothing left by the runs
  // beside it the first time, and nothing else competing for the 2 cores.
  for (const u of again) await runLane({ units: [u], total: 0 });
  for (const u of again) {
    const second = results.find((r) => r.file === u);
    if (second && second.failed === 0 && second.code === 0) flaky.push(u);
  }
}
try {
  mkdirSync(dirname(timesFile), { recursive: true });
  const timed = Object.fromEntries(results.filter((r) => units.includes(r.file)).map((r) => [r.file, r.ms]));
  writeFileSync(timesFile, JSON.stringify({ ...previous, ...timed }, null, 1));
} catch (err) {
  console.error(`could not save the test times (${String(err)}); the next run balances its processes less well`);
}

let passed = 0;
let failed = 0;
const notRun = new Set();
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  for (const line of r.out.split('\n')) if (line.startsWith('NOT-RUN ')) notRun.add(line.slice(8).trim());
}
if (kind === 'browser' || process.env.TEST_TIMES) {
  console.log(`\n${kind} test time per run (${n} processes side by side):`);
  for (const r of [...results].sort((a, b) => b.ms - a.ms)) {
    console.log(`  ${seconds(r.ms).padStart(8)}  ${r.file}${r.failed ? `  (${r.failed} failed)` : ''}`);
  }
}
if (flaky.length > 0) {
  console.log(`\nFLAKY: failed once, passed when run again (see the first run's output above): ${flaky.join(', ')}`);
}
if (notRun.size > 0) {
  console.log(`\nnot run where a browser lacks the feature (what the page says instead is tested):`);
  for (const line of notRun) console.log(`  ${line}`);
}
console.log(`\n${kind}: ${passed} passed, ${failed} failed in ${seconds(Date.now() - started)}`);
if (passed + failed === 0) {
  console.error(`no ${kind} test ran`);
  process.exit(1);
}
process.exit(failed > 0 || results.some((r) => r.code !== 0) ? 1 : 0);
