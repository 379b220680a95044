/**
 * Cluster-mode test helpers: signalers that share rooms through a test Redis, in this process
 * (many at once, cheap) or as a real child process (`server/main.ts --redis …`, to be SIGKILLed),
 * and a WebSocket client that queues what it receives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { PlaygroundServer, PlaygroundServerOptions } from '../../server/app';
import { tmpdir } from 'node:os';
import { loadOrCreateCertificate } from '../../server/cert';
import { ROOT, startTestServer } from './server';
import { WsClient } from './ws-client';

/** Where startTestServer keeps the test certificate (the same folder and subjects as it uses). */
const TEST_CERT_DIR = join(tmpdir(), 'webrtc-playground-test-cert');
const testCertificate = () => loadOrCreateCertificate(TEST_CERT_DIR, { dns: ['localhost'], ips: ['127.0.0.1'] });

/** The cluster process id a signaler logged when it joined (`[cluster] process <id> joined …`). */
export function processIdIn(output: string): string {
  const m = /\[cluster\] process (\S+) joined the cluster/.exec(output);
  if (!m?.[1]) throw new Error(`no "joined the cluster" line in:\n${output}`);
  return m[1];
}

/** A signaler in this process in cluster mode, with its log lines collected. */
export interface ClusterNode {
  server: PlaygroundServer;
  /** `wss://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** Cluster log lines so far. */
  log: string[];
  /** Resolves with the first log line (past or future) matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves when the relay reports `kind` (`held`, `resumed`, `expired`) for peer `id` (past or future). */
  waitForTrace(kind: 'held' | 'resumed' | 'expired', id: string, timeoutMs?: number): Promise<void>;
}

/** Heartbeat settings of test nodes: a dead process's peers leave within TTL + heartbeat (1.8 s). */
export const TEST_TTL_MS = 1500;
export const TEST_HEARTBEAT_MS = 300;
/** Resume grace period of test nodes. */
export const TEST_GRACE_MS = 2000;

/** Starts a signaler on 127.0.0.1:0 in cluster mode on `redisUrl`. */
export async function startClusterNode(redisUrl: string, options: Partial<PlaygroundServerOptions> = {}): Promise<ClusterNode> {
  const log: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const onLine = (line: string) => {
    log.push(line);
    for (const w of waiters.filter((x) => x.pattern.test(line))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(line);
    }
  };
  const server = await startTestServer({
    resumeGraceMs: TEST_GRACE_MS,
    onTrace: (e) => {
      if (e.kind === 'held' || e.kind === 'resumed' || e.kind === 'expired') onLine(`[trace] ${e.kind} ${e.id}`);
    },
    ...options,
    cluster: {
      url: redisUrl,
      heartbeatMs: TEST_HEARTBEAT_MS,
      ttlMs: TEST_TTL_MS,
      log: onLine,
    },
  });
  const node: ClusterNode = {
    server,
    wsUrl: `wss://127.0.0.1:${server.port}/ws`,
    log,
    waitForTrace: (kind, id, timeoutMs) => node.waitForLog(new RegExp(`^\\[trace\\] ${kind} ${id}$`), timeoutMs).then(() => undefined),
    waitForLog(pattern, timeoutMs = 10_000) {
      const seen = log.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no log line matching ${pattern} within ${timeoutMs} ms; log:\n${log.join('\n')}`)), timeoutMs);
        waiters.push({ pattern, resolve: (line) => { clearTimeout(t); resolve(line); } });
      });
    },
  };
  return node;
}

/** A signaler as its own OS process (`tsx server/main.ts --redis URL`), killable like a crash. */
export interface ChildSignaler {
  child: ChildProcess;
  port: number;
  wsUrl: string;
  /** Everything it printed. */
  output(): string;
  /** SIGKILL (no goodbye to Redis or clients); resolves when it is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns `server/main.ts --port 0 --host 127.0.0.1 [--redis <url> --redis-ttl <TEST_TTL_MS>]` and
 * waits for its "Local:" line. Needs `dist/` (npm run build).
 * @param redisUrl cluster mode on this Redis; omitted: a plain single process (rooms in memory).
 * @param extra more command-line flags (e.g. `--capacity`).
 * @throws Error with its output when it exits or does not start within 30 s.
 */
export async function spawnSignaler(redisUrl?: string, extra: string[] = []): Promise<ChildSignaler> {
  const cluster = redisUrl ? ['--redis', redisUrl, '--redis-ttl', String(TEST_TTL_MS)] : [];
  // The test servers' certificate: same TLS key, so same resume-token secret as in-process nodes.
  await testCertificate();
  const tls = ['--cert', join(TEST_CERT_DIR, 'cert.pem'), '--key', join(TEST_CERT_DIR, 'key.pem')];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'server', 'main.ts'), '--port', '0', '--host', '127.0.0.1', ...tls, ...cluster, ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signaler did not start within 30 s:\n${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += String(chunk);
      const m = /Local:\s+https:\/\/localhost:(\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`signaler exited (${code}) before it was ready:\n${out}`));
    });
  });
  return {
    child,
    port,
    wsUrl: `wss://127.0.0.1:${port}/ws`,
    output: () => out,
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** The signaler test client ({@link WsClient}) plus the checks the cluster tests use. */
export class SignalClient extends WsClient {
  /** Opens a client and waits until it is connected. */
  static override async open(url: string): Promise<SignalClient> {
    const c = new SignalClient(url);
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
    });
    return c;
  }

  /**
   * Proves nothing more is queued for this client: sends a frame that always gets an error back
   * and checks that this error is the very next message (an event, not a sleep).
   */
  async nothingElse(): Promise<boolean> {
    this.send('{');
    const m = await this.next();
    return m.type === 'error' && m.code === 'bad-json';
  }

  close(): void {
    this.ws.terminate();
  }
}
