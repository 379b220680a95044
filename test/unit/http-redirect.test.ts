import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { PlaygroundServer } from '../../server/app';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { httpsLocation, redirectPlainHttp } from '../../server/http-redirect';
import { startTestServer } from '../helpers/server';

const test = suite<{ server: PlaygroundServer }>('http → https on the same port');
test.before(async (ctx) => {
  ctx.server = await startTestServer();
});
test.after(async (ctx) => {
  await ctx.server.close();
});

type Reply = { status: number; location?: string; body: string };

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a plain http:// request on the HTTPS port is redirected to the same URL over https://', async ({ server }) => {
  const reply = await get(`http://127.0.0.1:${server.port}/call.html?room=abc`);
  assert.is(reply.status, 307);
  assert.is(reply.location, `https://127.0.0.1:${server.port}/call.html?room=abc`);
  const named = await get(`http://localhost:${server.port}/`);
  assert.is(named.location, `https://localhost:${server.port}/`);
  // Following it works: the page is served over TLS on the same port.
  const page = await get(reply.location ?? '');
  assert.is(page.status, 200);
  assert.match(page.body, /<title>Two-peer call/);
});

test('a Host header that is not a plain host[:port] is never echoed: 400', async ({ server }) => {
  const reply = await get(`http://127.0.0.1:${server.port}/`, { Host: 'evil.example/x?<script>' });
  assert.is(reply.status, 400);
  assert.is(reply.location, undefined);
  assert.match(reply.body, /https:\/\//);
});

test('a connection that sends garbage or nothing does not disturb the server', async ({ server }) => {
  await new Promise<void>((resolve) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.end('\x00\x01garbage\r\n\r\n'));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
    socket.resume();
  });
  const silent = connect(server.port, '127.0.0.1');
  const page = await get(`${server.url}gum.html`);
  assert.is(page.status, 200);
  silent.destroy();
});

test('a connection that sends nothing is closed after the first-byte timeout; one that sends in time is served', async () => {
  const listener = redirectPlainHttp(createHttpsServer(), { firstByteTimeoutMs: 150 });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  try {
    const t0 = Date.now();
    const silent = connect(port, '127.0.0.1');
    silent.on('error', () => undefined);
    await new Promise((resolve) => silent.on('close', resolve));
    const waited = Date.now() - t0;
    assert.ok(waited >= 140 && waited < 5000, `closed after ${waited} ms (timeout 150 ms)`);
    // A plain request that starts in time is answered (its timer was cleared at the first byte, not later).
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (c: Buffer) => (reply += c.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET / HTT');
    await new Promise((r) => setTimeout(r, 300));
    if (!socket.destroyed) socket.write('P/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await closed;
    assert.match(reply, /^HTTP\/1\.1 307/);
  } finally {
    listener.close();
  }
});

test('close() resolves while a client keeps an idle keep-alive connection and another sits in its TLS handshake', async () => {
  const server = await startTestServer();
  const agent = new Agent({ keepAlive: true, rejectUnauthorized: false });
  const idle = await new Promise<Socket>((resolve, reject) => {
    const req = httpsRequest(`${server.url}gum.html`, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(req.socket as Socket));
    });
    req.on('error', reject);
    req.end();
  });
  const handshaking = connect(server.port, '127.0.0.1', () => handshaking.write(Buffer.from([0x16, 0x03, 0x01])));
  handshaking.on('error', () => undefined);
  const cut = new Promise<string>((r) => handshaking.on('close', () => r('cut')));
  await new Promise((r) => setTimeout(r, 100));
  assert.not.ok(idle.destroyed, 'the keep-alive connection is open before close()');
  const closed = await Promise.race([
    server.close().then(() => 'closed'),
    new Promise((r) => setTimeout(() => r('still open after 5 s'), 5000).unref()),
  ]);
  assert.is(closed, 'closed');
  assert.is(await Promise.race([cut, new Promise((r) => setTimeout(() => r('not cut'), 2000).unref())]), 'cut', 'the half-done TLS handshake');
  agent.destroy();
});

test('httpsLocation keeps paths, refuses bad hosts and absolute-form targets', () => {
  assert.is(httpsLocation('192.168.1.5:8443', '/x?y=1'), 'https://192.168.1.5:8443/x?y=1');
  assert.is(httpsLocation('[::1]:8443', '/'), 'https://[::1]:8443/');
  assert.is(httpsLocation('host:8443', 'http://other/'), 'https://host:8443/');
  assert.is(httpsLocation('host:8443', '//other/x'), 'https://host:8443/');
  assert.is(httpsLocation(undefined, '/'), null);
  assert.is(httpsLocation('a b', '/'), null);
  assert.is(httpsLocation('host/evil', '/'), null);
});

test.run();
