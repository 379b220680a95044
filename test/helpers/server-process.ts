/**
 * Runs the playground server in a child process, so a test can stop it (SIGTERM: graceful) or
 * kill it (SIGKILL) mid-call and start it again on the same port with the same certificate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './server';

/** A server child process. */
export interface ServerProcess {
  readonly port: number;
  /** `https://localhost:<port>/` */
  readonly url: string;
  /** Stops it with `signal` and resolves when the process is gone. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/**
 * Starts the server in a child process on `port` (0: a free one) and resolves once it listens.
 * @param resumeGraceMs the server's resume grace period (default: the server's 20 s).
 * @throws Error when it exits or stays silent for 30 s.
 */
export function startServerProcess(port = 0, resumeGraceMs?: number): Promise<ServerProcess> {
  const args = [join(ROOT, 'test', 'helpers', 'server-child.ts'), String(port), ...(resumeGraceMs === undefined ? [] : [String(resumeGraceMs)])];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the server child did not start within 30 s'));
    }, 30_000);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      const m = /port (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const p = Number(m[1]);
      resolve({
        port: p,
        url: `https://localhost:${p}/`,
        async stop(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server child exited (${String(code)}) before listening`));
    });
  });
}
