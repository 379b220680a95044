/**
 * Runs the playground server as `npm start` does, in a child process (plain `node dist/server.js`,
 * so `npm run build` first), so a test can stop it (SIGTERM: graceful) or kill it (SIGKILL) mid-call
 * and start it again on the same port with the same certificate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateCertificate } from '../../server/cert';
import { freePort } from './redis';
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
 * Starts `dist/server.js` on 127.0.0.1:`port` (0: a free one) with the tests' certificate and
 * resolves once it listens (its ready banner names the port). The bundled server starts in a
 * fraction of the CPU of the TypeScript sources through a loader (~1.2 s of CPU each on a loaded
 * machine), and it is what `npm start` runs.
 * @param resumeGraceMs the server's resume grace period (default: the server's 20 s), whole ms.
 * @throws Error when it exits or stays silent for 30 s.
 */
export async function startServerProcess(port = 0, resumeGraceMs?: number): Promise<ServerProcess> {
  const certDir = join(tmpdir(), 'webrtc-playground-test-cert');
  await loadOrCreateCertificate(certDir, { dns: ['localhost'], ips: ['127.0.0.1'] });
  const listen = port === 0 ? await freePort() : port;
  const args = [
    join(ROOT, 'dist', 'server.js'),
    '--port', String(listen),
    '--host', '127.0.0.1',
    '--cert', join(certDir, 'cert.pem'),
    '--key', join(certDir, 'key.pem'),
    ...(resumeGraceMs === undefined ? [] : ['--resume-grace', String(resumeGraceMs / 1000)]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the server child did not start within 30 s'));
    }, 30_000);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += String(d);
      if (!out.includes(`https://localhost:${listen}/`)) return;
      clearTimeout(timer);
      child.stdout?.removeAllListeners('data');
      child.stdout?.resume(); // keep draining what it prints later (SIGTERM's "closing…")
      resolve({
        port: listen,
        url: `https://localhost:${listen}/`,
        async stop(signal) {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server child exited (${String(code)}) before listening:\n${out}`));
    });
  });
}
