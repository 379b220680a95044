/**
 * `npm start -- --turn` as a user runs it (dist/server.js, built by `npm run build`): the server starts coturn with a fresh secret, prints
 * realm and ports (never the secret), serves credentials at /api/turn and stops coturn with
 * itself; with coturn missing it says what to install and goes on without TURN (checked on
 * setupTurn, the part of main.ts that decides it, to spare a second server start).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { freeStunPort } from '../../server/coturn';
import { setupTurn } from '../../server/turn-setup';
import { must } from '../helpers/must';
import { ROOT } from '../helpers/server';

const test = suite('npm start -- --turn');

interface Running {
  child: ChildProcessWithoutNullStreams;
  out: () => string;
  exited: Promise<number | null>;
}

/** Starts `dist/server.js` with plain node, as `npm start` does, and resolves once it printed its certificate hint (the last line). */
async function startMain(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('The certificate is self-signed')) resolve();
    };
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, out: () => out, exited };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

test('--turn starts coturn, prints realm and ports but not the secret, serves /api/turn, and stops coturn on SIGTERM', async () => {
  const turnPort = await freeStunPort('127.0.0.1');
  const run = await startMain(['--port', '0', '--host', '127.0.0.1', '--turn', '--turn-port', String(turnPort), '--turn-ttl', '300']);
  try {
    const out = run.out();
    assert.match(out, new RegExp(`TURN: +coturn \\(pid \\d+\\) on 127\\.0\\.0\\.1, port ${turnPort} UDP\\+TCP, realm "webrtc-playground"`));
    assert.match(out, /relay ports 49152-65535\/udp from 127\.0\.0\.1/);
    const pid = Number(must(/coturn \(pid (\d+)\)/.exec(out)?.[1], 'the coturn pid in the output'));
    const url = must(/Local: +(https:\/\/\S+)/.exec(out)?.[1], 'the Local URL in the output');
    const res = await get(`${url}api/turn`);
    assert.is(res.status, 200);
    const creds = JSON.parse(res.body) as { ttl: number; uris: string[] };
    assert.is(creds.ttl, 300);
    assert.equal(creds.uris, [`turn:127.0.0.1:${turnPort}?transport=udp`, `turn:127.0.0.1:${turnPort}?transport=tcp`]);
    // The secret is in coturn's private config file (named on its command line), never in our output.
    if (existsSync(`/proc/${pid}/cmdline`)) {
      const conf = must(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[2], "coturn's config file argument");
      const secret = must(/static-auth-secret=(\S+)/.exec(readFileSync(conf, 'utf8'))?.[1], 'static-auth-secret in the config');
      assert.ok(secret.length >= 32);
      assert.not.ok(run.out().includes(secret), 'secret not printed');
      assert.not.ok(readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(secret), 'secret not on the command line');
    }
    run.child.kill('SIGTERM');
    assert.is(await run.exited, 0);
    assert.is(alive(pid), false, 'coturn stopped with the server');
  } finally {
    run.child.kill('SIGKILL');
  }
});

test('--turn without coturn installed: the lines printed say what to install, and TURN is off (the server goes on)', async () => {
  const saved = process.env.TURNSERVER_PATH;
  process.env.TURNSERVER_PATH = '/nonexistent/turnserver';
  try {
    const turn = await setupTurn({ managed: true, urls: [], host: '127.0.0.1' });
    assert.is(turn.service, null);
    assert.is(turn.coturn, null);
    assert.match(turn.lines.join('\n'), /TURN: +off\. coturn is not installed .*sudo apt-get install -y coturn.* Going on without TURN\./);
  } finally {
    if (saved === undefined) delete process.env.TURNSERVER_PATH;
    else process.env.TURNSERVER_PATH = saved;
  }
});

test.run();
