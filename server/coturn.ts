/**
 * Runs coturn (`turnserver`) as a child process with the TURN REST shared-secret scheme
 * (`use-auth-secret`): used by `npm start -- --turn` and by the browser tests. The secret goes
 * into a config file readable only by us (never on the command line, where `ps` shows it, and
 * never in a log). Readiness is a real STUN Binding request answered on the listening port.
 *
 * @see https://github.com/coturn/coturn/wiki/turnserver
 * @see https://www.rfc-editor.org/rfc/rfc8656 (TURN)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { accessSync, constants, mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** What to install when `turnserver` is missing, in one sentence a user can act on. */
export const COTURN_INSTALL_HINT =
  'coturn is not installed (no "turnserver" command found). Install it with "sudo apt-get install -y coturn" ' +
  '(Debian/Ubuntu), "sudo dnf install coturn" (Fedora) or "brew install coturn" (macOS).';

/** Thrown by {@link startCoturn} when no `turnserver` executable exists. */
export class CoturnMissingError extends Error {
  constructor() {
    super(COTURN_INSTALL_HINT);
    this.name = 'CoturnMissingError';
  }
}

/**
 * The `turnserver` executable: `TURNSERVER_PATH`, else the first on `PATH` or in the usual
 * system folders; null when none.
 */
export function findTurnserver(): string | null {
  const fromEnv = process.env.TURNSERVER_PATH;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
  const candidates = fromEnv ? [fromEnv] : dirs.filter(Boolean).map((d) => join(d, 'turnserver'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch (err) {
      // Not there or not executable: try the next one.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EACCES' && code !== 'ENOTDIR') throw err;
    }
  }
  return null;
}

/** Options of {@link startCoturn}. */
export interface CoturnOptions {
  /** Shared secret of the TURN REST scheme (`static-auth-secret`). */
  secret: string;
  /** Address to listen on; null = every interface. */
  listeningIp: string | null;
  /** Addresses to relay from. Default `[listeningIp]` (coturn's own choice when that is null). */
  relayIps?: string[];
  /** STUN/TURN port (UDP and TCP), e.g. 3478. */
  port: number;
  /** Range of UDP ports for relayed addresses (inclusive). */
  minPort: number;
  maxPort: number;
  /** TURN realm. Default `webrtc-playground`. */
  realm?: string;
  /** Allow relaying to 127.0.0.0/8 and ::1 (needed when both peers relay through loopback). */
  allowLoopbackPeers: boolean;
  /** File that receives coturn's output. */
  logFile: string;
  /** Own pidfile path (the default is under /var/run). Default in the private work folder. */
  pidFile?: string;
  /** The `turnserver` executable. Default {@link findTurnserver}. */
  executable?: string;
  /** How long to wait for the first STUN answer, ms. Default 10 000. */
  readyTimeoutMs?: number;
}

/** A running coturn. */
export interface Coturn {
  readonly pid: number;
  readonly port: number;
  readonly realm: string;
  readonly minPort: number;
  readonly maxPort: number;
  readonly logFile: string;
  readonly pidFile: string;
  /** Resolves when the process has exited (by {@link Coturn.stop} or by itself). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 2 s; removes the private folder (config with the secret). */
  stop(): Promise<void>;
}

/**
 * Starts coturn and resolves once it answers a STUN Binding request.
 * @throws CoturnMissingError when `turnserver` is not installed; Error (with the log file's path)
 *   when it exits or stays silent before it is ready.
 */
export async function startCoturn(options: CoturnOptions): Promise<Coturn> {
  const exe = options.executable ?? findTurnserver();
  if (!exe) throw new CoturnMissingError();
  const realm = options.realm ?? 'webrtc-playground';
  const dir = mkdtempSync(join(tmpdir(), 'wp-coturn-'));
  const pidFile = options.pidFile ?? join(dir, 'turnserver.pid');
  const ip = options.listeningIp;
  const config = [
    `listening-port=${options.port}`,
    ...(ip ? [`listening-ip=${ip}`] : []),
    ...(options.relayIps ?? (ip ? [ip] : [])).map((r) => `relay-ip=${r}`),
    `min-port=${options.minPort}`,
    `max-port=${options.maxPort}`,
    `realm=${realm}`,
    'use-auth-secret',
    `static-auth-secret=${options.secret}`,
    'fingerprint',
    'no-tls',
    'no-dtls',
    'no-cli',
    'no-multicast-peers',
    ...(options.allowLoopbackPeers ? ['allow-loopback-peers'] : []),
    `userdb=${join(dir, 'turndb')}`,
    `pidfile=${pidFile}`,
    'log-file=stdout',
    'simple-log',
    '',
  ].join('\n');
  const configFile = join(dir, 'turnserver.conf');
  writeFileSync(configFile, config, { mode: 0o600 });
  const log = openSync(options.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(exe, ['-c', configFile], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });
  // If our process exits without stop() (process.exit, an uncaught error), coturn must not outlive it.
  const killOnExit = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.off('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };
  void exited.then(cleanup);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    cleanup();
  };

  const probeHost = ip === null || ip === '0.0.0.0' ? '127.0.0.1' : ip === '::' ? '::1' : ip;
  const ready = await Promise.race([
    waitForStun(probeHost, options.port, options.readyTimeoutMs ?? 10_000).then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
  ]).catch((err: Error) => err);
  if (ready !== 'ready') {
    await stop();
    const why = ready === 'exited' ? `exited with code ${child.exitCode ?? child.signalCode}` : ready.message;
    throw new Error(`coturn did not start (${why}); see its log: ${options.logFile}`);
  }
  return {
    pid: child.pid ?? 0,
    port: options.port,
    realm,
    minPort: options.minPort,
    maxPort: options.maxPort,
    logFile: options.logFile,
    pidFile,
    exited,
    stop,
  };
}

/**
 * Sends STUN Binding requests (RFC 8489, 20-byte header) to `host:port` until one is answered
 * with a Binding success response; one request every 100 ms.
 * @throws Error after `timeoutMs` with no answer.
 * @see https://www.rfc-editor.org/rfc/rfc8489#section-5
 */
export function waitForStun(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const tid = randomBytes(12);
    const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), tid]);
    const done = (err?: Error) => {
      clearInterval(resend);
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve();
    };
    socket.on('error', () => undefined); // ICMP port unreachable before coturn listens: keep trying
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(tid)) done();
    });
    const send = () => socket.send(request, port, host, () => undefined);
    const resend = setInterval(send, 100);
    const timer = setTimeout(() => done(new Error(`no STUN answer from ${host}:${port} within ${timeoutMs} ms`)), timeoutMs);
    send();
  });
}

/**
 * A port free for both UDP and TCP on `host` (the OS picks it), for a STUN/TURN listener.
 * @throws Error when none was found in 20 tries.
 */
export async function freeStunPort(host: string): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      s.once('error', reject);
      s.bind(0, host, () => {
        const p = s.address().port;
        s.close(() => resolve(p));
      });
    });
    if (await tcpFree(host, port)) return port;
  }
  throw new Error(`no port free for both UDP and TCP on ${host}`);
}

/** Whether `port` can be listened on with TCP at `host`. */
export function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/** Whether `port` can be bound with UDP at `host`. */
export function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.once('error', () => resolve(false));
    s.bind(port, host, () => s.close(() => resolve(true)));
  });
}
