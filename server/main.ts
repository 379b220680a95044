/**
 * Command line: `node dist/server.js [--port 8443] [--host ::] [--capacity 2] [--cert f --key f]
 * [--resume-grace 20] [--allow-origin URL]… [--trust-proxy] [--max-… N] [--rate N] [--burst N]
 * [--max-buffered N] [--heartbeat-ms N] [--redis URL [--redis-ttl MS]] [--dev] [--verbose]
 * [--turn | --turn-url URL --turn-secret S] [--turn-ttl N]`. `PORT`, `HOST`, `REDIS_URL`, `TURN_URL`,
 * `TURN_SECRET` and `TURN_TTL` environment variables work too (flags win). Prints the Local and
 * Network URLs, like Vite does, and a QR code of the Network URL for phones. Every flag and default is
 * listed in USAGE below and in the README. `--build` (npm start) builds the pages once the port is known
 * to be free: a busy port is one line, and nothing is rebuilt under the server already running there.
 * Bundled by build.mjs into dist/server.js; `npm start` and `npm run dev` run it with plain node.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_HEARTBEAT_MS, startPlaygroundServer } from './app';
import { lanAddresses, loadCertificateFiles, loadOrCreateCertificate } from './cert';
import { buildLine, startDevBuild, type DevBuilder } from './dev';
import { DEFAULT_LIMITS as L } from './limits';
import { normalizeOrigin } from './origin';
import { nextFreePort, portInUse, portInUseMessage } from './port-check.mjs';
import { readyBanner } from './terminal-qr';
import { setupTurn } from './turn-setup';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `Usage: npm start -- [options]
  --port N        port to listen on (default 8443, or $PORT)
  --host ADDR     address to listen on (default all interfaces, or $HOST)
  --capacity N    peers per room (default 2)
  --cert FILE     use your own certificate (PEM), e.g. from mkcert; needs --key
  --key FILE      private key of --cert (PEM)
  --redis URL     cluster mode: share rooms with other processes through Redis
                  (e.g. redis://127.0.0.1:6379; or $REDIS_URL). See docs/deploy.md
  --redis-ttl MS  cluster mode: a process silent this long is taken for dead and its
                  peers leave their rooms (default 3000; heartbeat every MS/3)
  --resume-grace S  seconds a dropped peer keeps its id and room place for a reconnect
                  (default 20; 0 turns resume off)
  --build         build the pages (production) once the port is known to be free (npm start)
  --dev           build the pages in this process, rebuild on change, reload open pages
  --verbose       log every signaling message
  --turn          also start a TURN server (coturn) with a fresh random secret;
                  pages get short-lived credentials from /api/turn
  --turn-port N   its port (default 3478, or the next free one)
  --turn-url URL  use an existing coturn instead (repeatable; or $TURN_URL, comma-separated),
                  e.g. turn:turn.example.org:3478?transport=udp
  --turn-secret S that coturn's static-auth-secret (better: $TURN_SECRET, not shown by ps)
  --turn-ttl N    lifetime of TURN credentials in seconds (default 3600, or $TURN_TTL)
  --help          show this help

Signaler limits (each refusal is a typed error a page explains):
  --allow-origin URL   also accept pages from this origin, e.g. https://class.example.org
                       (repeatable; "*" = any). Default: only this server's own URLs;
                       clients that send no Origin (scripts, tests) are always accepted
  --trust-proxy        count clients by the last X-Forwarded-For address (only behind
                       your own reverse proxy)
  --max-connections N              open WebSockets in total (default ${L.maxConnections})
  --max-connections-per-address N  open WebSockets per client address (default ${L.maxConnectionsPerAddress})
  --max-rooms N                    rooms at once (default ${L.maxRooms})
  --rate N             messages per second per socket (default ${L.messagesPerSecond})
  --burst N            messages at once before the rate applies (default ${L.messageBurst})
  --max-buffered N     bytes waiting for one reader before it is cut off with 1013
                       (default ${L.maxBufferedBytes})
  --heartbeat-ms N     ping interval; a silent peer is dropped within two intervals and
                       its room told after --resume-grace (default ${DEFAULT_HEARTBEAT_MS})`;

function fail(message: string): never {
  console.error(`error: ${message}\n\n${USAGE}`);
  process.exit(2);
}

/** A runtime problem (not a usage mistake): one line, no usage text. */
function die(message: string): never {
  console.error(`error: ${message}`);
  process.exit(1);
}

/** Runs `node build.mjs --production` (pages and server bundle) and waits for it. */
function buildPages(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'build.mjs'), '--production'], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the build failed (exit code ${code ?? 'none'})`))));
  });
}

function intOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        capacity: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        'allow-origin': { type: 'string', multiple: true },
        'trust-proxy': { type: 'boolean', default: false },
        'max-connections': { type: 'string' },
        'max-connections-per-address': { type: 'string' },
        'max-rooms': { type: 'string' },
        rate: { type: 'string' },
        burst: { type: 'string' },
        'max-buffered': { type: 'string' },
        'heartbeat-ms': { type: 'string' },
        redis: { type: 'string' },
        'redis-ttl': { type: 'string' },
        'resume-grace': { type: 'string' },
        build: { type: 'boolean', default: false },
        dev: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        turn: { type: 'boolean', default: false },
        'turn-port': { type: 'string' },
        'turn-url': { type: 'string', multiple: true },
        'turn-secret': { type: 'string' },
        'turn-ttl': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = intOption(values.port ?? process.env.PORT, 'port', 0, 65535) ?? 8443;
  const host = values.host ?? process.env.HOST ?? undefined;
  const capacity = intOption(values.capacity, 'capacity', 1, 64) ?? 2;
  if (Boolean(values.cert) !== Boolean(values.key)) fail('--cert and --key go together');
  const allowOrigins = values['allow-origin'] ?? [];
  for (const o of allowOrigins) {
    if (normalizeOrigin(o) === null) fail(`--allow-origin needs an origin like https://class.example.org (got "${o}")`);
  }
  const limits = {
    maxConnections: intOption(values['max-connections'], 'max-connections', 1, 1_000_000) ?? L.maxConnections,
    maxConnectionsPerAddress: intOption(values['max-connections-per-address'], 'max-connections-per-address', 1, 1_000_000) ?? L.maxConnectionsPerAddress,
    maxRooms: intOption(values['max-rooms'], 'max-rooms', 1, 1_000_000) ?? L.maxRooms,
    messagesPerSecond: intOption(values.rate, 'rate', 1, 1_000_000) ?? L.messagesPerSecond,
    messageBurst: intOption(values.burst, 'burst', 1, 1_000_000) ?? L.messageBurst,
    maxBufferedBytes: intOption(values['max-buffered'], 'max-buffered', 65_536, 1 << 30) ?? L.maxBufferedBytes,
  };
  const heartbeatMs = intOption(values['heartbeat-ms'], 'heartbeat-ms', 100, 3_600_000) ?? DEFAULT_HEARTBEAT_MS;
  const redis = values.redis || process.env.REDIS_URL || undefined;
  const redisTtl = intOption(values['redis-ttl'], 'redis-ttl', 300, 600_000) ?? 3000;
  if (redis !== undefined && !/^rediss?:\/\/./.test(redis)) fail(`--redis must be a redis:// or rediss:// URL (got "${redis}")`);
  const graceText = values['resume-grace'];
  const graceSeconds = graceText === undefined ? 20 : Number(graceText);
  if (graceText === '' || !Number.isFinite(graceSeconds) || graceSeconds < 0 || graceSeconds > 3600) {
    fail(`resume-grace must be a number of seconds from 0 to 3600 (got "${String(graceText)}")`);
  }
  // Before anything is made or built: a second `npm start` must not rebuild dist/ under the first.
  if (await portInUse(port, host)) die(portInUseMessage(port, await nextFreePort(port, host)));
  if (values.build) await buildPages().catch((err: Error) => die(err.message));

  const envUrls = (process.env.TURN_URL ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  const turnSettings = {
    managed: values.turn,
    port: intOption(values['turn-port'], 'turn-port', 1, 65535),
    urls: values['turn-url'] ?? envUrls,
    secret: values['turn-secret'] ?? (process.env.TURN_SECRET || undefined),
    ttl: intOption(values['turn-ttl'] ?? process.env.TURN_TTL, 'turn-ttl', 1, 7 * 24 * 3600),
    host,
  };
  const turn = await setupTurn(turnSettings).catch((err: Error) => fail(err.message));
  const stopTurn = () => turn.coturn?.stop() ?? Promise.resolve();
  let turnService = turn.service;
  void turn.coturn?.exited.then(({ code, signal }) => {
    if (turnService === null) return;
    turnService = null;
    console.error(`  TURN server (coturn) stopped by itself (${signal ?? `code ${code}`}): /api/turn is off. Its log: ${turn.coturn?.logFile}`);
  });

  const tls = values.cert && values.key
    ? await loadCertificateFiles(values.cert, values.key)
    : await loadOrCreateCertificate(join(root, '.cert'));
  if ('created' in tls && tls.created) console.log('  Made a new self-signed certificate in .cert/');

  const distDir = join(root, 'dist');
  if (!values.dev && !existsSync(join(distDir, 'js'))) {
    die('dist/ is missing: run "npm run build" first (npm start does it for you)');
  }

  const server = await startPlaygroundServer({
    tls,
    port,
    host,
    capacity,
    allowOrigins,
    trustProxy: values['trust-proxy'],
    limits,
    heartbeatMs,
    cluster: redis ? { url: redis, ttlMs: redisTtl, heartbeatMs: Math.floor(redisTtl / 3) } : undefined,
    resumeGraceMs: Math.round(graceSeconds * 1000),
    dev: values.dev,
    staticDirs: [join(root, 'public'), distDir],
    onTrace: values.verbose ? (e) => console.log('[signal]', JSON.stringify(e)) : undefined,
    turn: () => turnService,
  }).catch(async (err: NodeJS.ErrnoException) => {
    await stopTurn();
    if (err.code === 'EADDRINUSE') die(portInUseMessage(port, await nextFreePort(port, host)));
    if (err.code === 'EACCES') die(`no permission to listen on port ${port}: pick one above 1024, e.g. npm start -- --port 8443`);
    if (err.message.startsWith('cannot reach Redis')) die(`${err.message}: is redis-server running? (docs/deploy.md)`);
    throw err;
  });

  let builder: DevBuilder | undefined;
  if (values.dev) {
    builder = await startDevBuild(root, (build) => {
      (build.errors.length > 0 ? console.error : console.log)(`  [dev] ${buildLine(build)}`);
      server.announceBuild(build);
    });
  }

  const network = !host || host === '0.0.0.0' || host === '::' ? lanAddresses() : [];
  const mode = redis ? ', cluster mode through Redis' : '';
  console.log(readyBanner({ port: server.port, capacity, mode, network, color: process.stdout.isTTY === true, extra: turn.lines }));

  const shutdown = (signal: string) => {
    console.log(`\n  ${signal}: closing…`);
    void builder?.dispose();
    turnService = null;
    Promise.all([server.close(), stopTurn()]).then(() => process.exit(0), () => process.exit(1));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
