// `npm start` runs dist/server.js with plain node (no TypeScript loader), and everything it and the
// build import at run time is a runtime dependency, so `npm ci --omit=dev && npm start` serves.
// Needs `npm run build` first (npm test does it).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocket } from 'ws';
import { JEMALLOC_CONF, serverAllocator } from '../../server/allocator.mjs';
import { textOf } from '../../server/app';
import { lanAddresses, loadOrCreateCertificate } from '../../server/cert';
import { decodeTerminalQr } from '../helpers/terminal-qr';
import { ROOT } from '../helpers/server';

const SERVER = join(ROOT, 'dist', 'server.js');

/** Package names imported (statically or dynamically) by an ES module's text. */
function importedPackages(text: string): string[] {
  const names = new Set<string>();
  // import … from "x" / export … from "x" / import "x" at a line start (esbuild's output and build.mjs), and import("x").
  const statements = /^\s*(?:import|export)\s[^;'"]*?from\s*["']([^"'\s]+)["']|^\s*import\s*["']([^"'\s]+)["']|\bimport\(\s*["']([^"'\s]+)["']\s*\)/gm;
  for (const m of text.matchAll(statements)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? '';
    if (spec.startsWith('.') || spec.startsWith('/')) continue;
    if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec));
  }
  return [...names].sort();
}

test('dist/server.js and build.mjs import only runtime dependencies (tsx and TypeScript are not needed)', () => {
  assert.ok(existsSync(SERVER), 'dist/server.js exists: run "npm run build" first');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string> };
  const runtime = Object.keys(pkg.dependencies);
  const used = [...importedPackages(readFileSync(SERVER, 'utf8')), ...importedPackages(readFileSync(join(ROOT, 'build.mjs'), 'utf8'))];
  assert.ok(used.includes('ws') && used.includes('esbuild'), `found the imports (${used.join(', ')})`);
  for (const name of used) assert.ok(runtime.includes(name), `${name} is imported at run time but is not in "dependencies"`);
  assert.not.ok(runtime.includes('tsx'), 'tsx is a devDependency');
  // build.mjs --start checks the port before it builds anything, then runs the server with its allocator.
  assert.is(pkg.scripts.start, 'node build.mjs --start');
});

test('npm start chooses the memory allocator before the server starts: jemalloc when installed, else glibc settings; the operator\'s own choice wins', () => {
  const jemalloc = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';
  const has = (path: string) => path === jemalloc;
  assert.equal(serverAllocator({ platform: 'linux', env: {}, exists: has }), { name: 'jemalloc', env: { LD_PRELOAD: jemalloc, MALLOC_CONF: JEMALLOC_CONF } });
  assert.equal(serverAllocator({ platform: 'linux', env: { MALLOC_CONF: 'narenas:1' }, exists: has }).env.MALLOC_CONF, 'narenas:1');
  const glibc = serverAllocator({ platform: 'linux', env: {}, exists: () => false });
  assert.equal([glibc.name, glibc.env], ['glibc', { MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_TRIM_THRESHOLD_: '65536' }]);
  assert.match(glibc.hint ?? '', /apt-get install libjemalloc2/);
  assert.equal(serverAllocator({ platform: 'linux', env: { LD_PRELOAD: '/opt/my-malloc.so' }, exists: has }), { name: 'custom', env: {} });
  assert.equal(serverAllocator({ platform: 'darwin', env: {}, exists: has }), { name: 'system', env: {} });
  // build.mjs --start puts it in the server's environment, under what is already set.
  const build = readFileSync(join(ROOT, 'build.mjs'), 'utf8');
  assert.match(build, /const env = \{ \.\.\.serverAllocator\(\)\.env, \.\.\.process\.env \};/);
  assert.match(build, /spawn\(process\.execPath, \[join\(ROOT, 'dist', 'server\.js'\)[^\n]*\{ stdio: 'inherit', env \}\)/);
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

test('plain node runs dist/server.js: it prints the QR code of its Network URL, serves the pages over https and relays over wss, and stops on SIGTERM', async () => {
  const certDir = join(tmpdir(), 'webrtc-playground-test-cert');
  await loadOrCreateCertificate(certDir, { dns: ['localhost'], ips: ['127.0.0.1'] });
  const child = spawn(process.execPath, [SERVER, '--port', '0', '--cert', join(certDir, 'cert.pem'), '--key', join(certDir, 'key.pem')], {
    cwd: ROOT,
    // No --import tsx and no NODE_OPTIONS: what `npm start` does.
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Local:\s+https:\/\/localhost:(\d+)\//.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
    });
    // What a phone scans: the QR code of the first Network URL (or, on a machine without one, the line saying so).
    const first = lanAddresses()[0];
    if (first) {
      const qr = out.slice(out.indexOf('phone on the same network:') + 27, out.indexOf('The certificate'));
      assert.is(decodeTerminalQr(qr), `https://${first}:${port}/`, 'the terminal QR code decodes to the Network URL');
    } else {
      assert.match(out, /No network address found/);
    }
    const page = await get(port, '/gum.html');
    assert.is(page.status, 200);
    assert.match(page.body, /<nav aria-label="Pages">/);
    assert.match(page.body, /<script type="module" src="\/js\/gum\.js"><\/script>/);
    assert.not.match(page.body, /js\/dev\.js/, 'no live-reload client outside npm run dev');
    assert.is((await get(port, '/js/gum.js')).status, 200);

    const ws = new WebSocket(`wss://127.0.0.1:${port}/ws`, { rejectUnauthorized: false });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ type: 'join', room: 'start-test' })));
      ws.once('message', (d) => resolve(textOf(d)));
      ws.once('error', reject);
    });
    assert.match(reply, /"type":"welcome"/);
    ws.close();
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.is(await exited, 0, 'exits cleanly on SIGTERM');
    }
  }
});

test.run();
