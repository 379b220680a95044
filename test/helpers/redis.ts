/**
 * A real `redis-server` for cluster tests: started on a free loopback port in its own temporary
 * folder, with persistence off (`--save ''`, no AOF), and stopped after. Also restartable on the
 * same port, to test what the signaler does when Redis goes away and comes back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'];

/**
 * The redis-server binary: `REDIS_SERVER_PATH`, else the usual install paths, else `redis-server` on PATH.
 * @throws Error telling what to install when there is none.
 */
export function findRedisServer(): string {
  const fromEnv = process.env.REDIS_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`REDIS_SERVER_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  if (spawnSync('redis-server', ['--version']).status === 0) return 'redis-server';
  throw new Error(
    'No redis-server found for the cluster tests. Install it (Debian/Ubuntu: "sudo apt-get install -y redis-server", ' +
      'macOS: "brew install redis") or set REDIS_SERVER_PATH to a redis-server binary.',
  );
}

/** A free TCP port on 127.0.0.1 (asked from the OS, then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A running test Redis. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Process id of the running redis-server (changes on restart). */
  readonly pid: number | undefined;
  /** Kills it (SIGKILL: no goodbye to clients, like a crash) and starts it again on the same port, empty. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

function launch(bin: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    bin,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += String(chunk);
      if (/Ready to accept connections/i.test(out)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code} before it was ready:\n${out}`)));
  });
}

/**
 * Starts `redis-server` on 127.0.0.1 and a free port.
 * @throws Error naming the package to install when redis-server is missing, or its output when it fails.
 */
export async function startRedis(): Promise<TestRedis> {
  const bin = findRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'wp-redis-'));
  let child = await launch(bin, port, dir);
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid;
    },
    async restart() {
      await kill('SIGKILL');
      child = await launch(bin, port, dir);
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
