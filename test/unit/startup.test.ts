import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nextFreePort, portInUse } from '../../server/port-check.mjs';
import { readyBanner, terminalQr } from '../../server/terminal-qr';
import { decodeTerminalQr } from '../helpers/terminal-qr';
import { ROOT } from '../helpers/server';

const test = suite('npm start: terminal QR code, port in use');

test('the ready banner prints a QR code of the first Network URL, which decodes to it', () => {
  for (const color of [true, false]) {
    const banner = readyBanner({ port: 8443, capacity: 2, network: ['192.168.1.20', '10.0.0.5'], color });
    assert.match(banner, /Network: https:\/\/192\.168\.1\.20:8443\//);
    const qr = banner.slice(banner.indexOf('phone on the same network:') + 27, banner.indexOf('The certificate'));
    assert.is(decodeTerminalQr(qr), 'https://192.168.1.20:8443/', `color ${color}`);
    assert.is(banner.includes('\x1b['), color);
  }
  assert.is(decodeTerminalQr(terminalQr('https://[fd00::1]:9000/call.html?room=abc', { color: false })), 'https://[fd00::1]:9000/call.html?room=abc');
  const none = readyBanner({ port: 8443, capacity: 2, network: [], color: false });
  assert.match(none, /No network address found/);
  assert.not.match(none, /[█▀▄]/);
});

function listen(port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(port, () => resolve(s));
  });
}

test('portInUse and nextFreePort see a busy port', async () => {
  const busy = await listen();
  const port = (busy.address() as { port: number }).port;
  assert.is(await portInUse(port), true);
  const free = await nextFreePort(port);
  assert.ok(free > port);
  assert.is(await portInUse(free), false);
  busy.close();
});

/** Runs `node <args>` in the repository; resolves with its exit code and all it printed. */
function run(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: '', HOST: '' } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

/** Modification times (ms) of everything `npm start` builds: dist/server.js, dist/js/ (and its files), dist/*.html. */
function builtTimes(): Record<string, number> {
  const dist = join(ROOT, 'dist');
  const times: Record<string, number> = {};
  const add = (path: string) => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (st) times[path] = st.mtimeMs;
  };
  add(join(dist, 'server.js'));
  add(join(dist, 'js'));
  for (const f of readdirSync(dist, { withFileTypes: true })) if (f.name.endsWith('.html') || f.name.endsWith('.js')) add(join(dist, f.name));
  if (existsSync(join(dist, 'js'))) for (const f of readdirSync(join(dist, 'js'))) add(join(dist, 'js', f));
  return times;
}

test('npm start on a busy port: one clear line with a free port to use, exit 1, no usage text, nothing rebuilt (and the server alone says the same)', async () => {
  const busy = await listen();
  const port = (busy.address() as { port: number }).port;
  const before = builtTimes();
  assert.ok(Object.keys(before).some((f) => f.endsWith('server.js')), 'dist/server.js exists: run "npm run build" first');
  // What `npm start -- --port N` runs (test/unit/start.test.ts checks the script), and the server on its own.
  const [start, server] = await Promise.all([
    run([join(ROOT, 'build.mjs'), '--start', '--port', String(port)]),
    run(['--import', 'tsx', join(ROOT, 'server', 'main.ts'), '--build', '--port', String(port)]),
  ]);
  busy.close();
  for (const [what, { code, out }] of [['npm start', start], ['server/main.ts --build', server]] as const) {
    assert.is(code, 1, what);
    const lines = out.trim().split('\n');
    assert.is(lines.length, 1, `${what}: one line, got:\n${out}`);
    assert.match(lines[0] ?? '', new RegExp(`^error: Port ${port} is already in use \\(is the playground already running\\? then just open it\\)\\. To run a second one: npm start -- --port \\d+$`), what);
    assert.not.match(out, /Usage|EADDRINUSE|built \d+ pages/, what);
  }
  assert.equal(builtTimes(), before, 'nothing in dist/ was rebuilt (modification times unchanged)');
});

test.run();
