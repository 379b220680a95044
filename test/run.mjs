// Runs the uvu test files of one kind (test/unit or test/browser) through tsx, with hard time limits,
// prints the time each file took and the closing line "N passed, N failed".
// Usage: node test/run.mjs unit|browser [file-filter]
//
// Unit files run in one process. Browser files are split into TEST_JOBS groups (default 2, balanced
// by the times of the previous run), each group one process (test/run-files.ts) so its files share
// browsers; each file still has its own server and incognito contexts. Lines a test prints starting
// with "NOT-RUN " (a feature a browser lacks) are repeated in the summary.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const kind = process.argv[2];
const filter = process.argv[3];
if (kind !== 'unit' && kind !== 'browser') {
  console.error('usage: node test/run.mjs unit|browser [file-filter]');
  process.exit(2);
}
const limitMs = Number(process.env.TEST_TIME_LIMIT_MS ?? (kind === 'unit' ? 120_000 : 600_000));
const jobs = Math.max(1, Number(process.env.TEST_JOBS ?? 2));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const timesFile = join(root, 'node_modules', '.cache', 'webrtc-playground', `test-times-${kind}.json`);
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** @type {Set<number>} process groups still running, killed if this runner is stopped. */
const groups = new Set();
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
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, FORCE_COLOR: '0' },
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
      resolve({ code: code ?? (signal ? 1 : 0), ms: Date.now() - t0 });
    });
  });
}

/** Passed/failed of a whole uvu run, from its closing "Total/Passed" lines. */
function runCounts(out, code) {
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? 0);
  return { passed, failed: code === 0 ? total - passed : Math.max(total - passed, 1) };
}

/** Passed/failed of one file's uvu output, from its suites' "(passed / total)" lines. */
function fileCounts(out) {
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

/** @type {{ file: string, out: string, code: number, ms: number, passed: number, failed: number }[]} */
const results = [];
/** Browser files that failed and then passed when run again. */
const flaky = [];
if (kind === 'unit') {
  // One process for all unit files: they are fast, and a process per file would cost more than they do.
  const pattern = filter ? `${escape(filter)}.*\\.test\\.ts$` : '\\.test\\.ts$';
  let out = '';
  const uvuBin = join(root, 'node_modules', 'uvu', 'bin.js');
  const r = await runTsx([uvuBin, join('test', kind), pattern, '--color=false'], limitMs, (c) => {
    out += c;
    process.stdout.write(c);
  });
  results.push({ file: `${files.length} files`, out, ...r, ...runCounts(out, r.code) });
} else {
  // Longest first onto the least loaded group (a file never timed counts as long).
  const previous = readTimes();
  const cost = (f) => previous[f] ?? 60_000;
  const n = Math.min(jobs, files.length);
  const plan = Array.from({ length: n }, () => ({ files: [], total: 0 }));
  for (const f of [...files].sort((a, b) => cost(b) - cost(a))) {
    const lightest = plan.reduce((a, b) => (b.total < a.total ? b : a));
    lightest.files.push(f);
    lightest.total += cost(f);
  }
  console.log(`${kind}: ${files.length} files in ${n} processes`);
  const deadline = setTimeout(() => {
    console.error(`\n${kind} tests exceeded ${limitMs} ms in all: killing them`);
    for (const pid of groups) killGroup(pid);
  }, limitMs);
  const runGroup = async (group) => {
    let pending = '';
    let fileOut = '';
    const r = await runTsx([join('test', 'run-files.ts'), ...group.files.map((f) => join('test', kind, f))], limitMs, (chunk) => {
      pending += chunk;
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const line = pending.slice(0, nl + 1);
        pending = pending.slice(nl + 1);
        const done = /^FILE-TIME (\S+) (\d+)/.exec(line);
        if (!done) {
          fileOut += line;
          continue;
        }
        const c = fileCounts(fileOut);
        results.push({ file: done[1], out: fileOut, code: c.failed ? 1 : 0, ms: Number(done[2]), ...c });
        console.log(`\n── ${done[1]}: ${c.passed} passed, ${c.failed} failed in ${seconds(Number(done[2]))}`);
        process.stdout.write(fileOut.replace(/^\s+/, ''));
        fileOut = '';
      }
    });
    const rest = fileOut + pending;
    if (r.code !== 0 && !results.some((x) => group.files.includes(x.file) && x.failed > 0)) {
      // A crash or timeout outside any finished file: show its output and count it as a failure.
      process.stdout.write(rest);
      results.push({ file: `(process running ${group.files.join(', ')})`, out: rest, code: r.code, ms: r.ms, passed: 0, failed: 1 });
    } else if (rest.trim()) {
      process.stdout.write(rest.replace(/\n\s*Total:[\s\S]*$/, '\n'));
    }
  };
  await Promise.all(plan.map(runGroup));
  clearTimeout(deadline);
  // A browser file that failed runs once more, alone, and is reported as flaky when it then passes:
  // a real-browser call on a shared 2-core machine can stall (e.g. Chromium's ICE gathering after a
  // glare), and one stall must not hide the rest of a run. Both runs' output is printed; a file
  // failing twice fails the run. TEST_RETRIES=0 turns this off.
  const retries = Number(process.env.TEST_RETRIES ?? 1);
  const again = files.filter((f) => {
    const r = results.find((x) => x.file === f);
    return !r || r.failed > 0; // failed, or never finished (its process crashed or was killed)
  });
  if (retries > 0 && again.length > 0) {
    console.log(`\n${kind}: ${again.length} file(s) failed, running them once more: ${again.join(', ')}`);
    const kept = results.filter((r) => !again.includes(r.file) && !r.file.startsWith('(process running '));
    results.splice(0, results.length, ...kept);
    // Each in a process (and so a browser) of its own, one after the other: nothing left by the files
    // it ran beside the first time, and no other file competing for the 2 cores.
    for (const f of again) await runGroup({ files: [f], total: 0 });
    for (const f of again) {
      const second = results.find((r) => r.file === f);
      if (second && second.failed === 0 && second.code === 0) flaky.push(f);
    }
  }
  try {
    mkdirSync(dirname(timesFile), { recursive: true });
    const timed = Object.fromEntries(results.filter((r) => files.includes(r.file)).map((r) => [r.file, r.ms]));
    writeFileSync(timesFile, JSON.stringify({ ...previous, ...timed }, null, 1));
  } catch (err) {
    console.error(`could not save the test times (${String(err)}); the next run balances its processes less well`);
  }
}

let passed = 0;
let failed = 0;
const notRun = new Set();
for (const r of results) {
  passed += r.passed;
  failed += r.failed;
  for (const line of r.out.split('\n')) if (line.startsWith('NOT-RUN ')) notRun.add(line.slice(8).trim());
}
if (kind === 'browser') {
  console.log(`\n${kind} test time per file (${Math.min(jobs, files.length)} processes side by side):`);
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
