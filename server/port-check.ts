/**
 * Is a TCP port free? Checked before `npm start` builds anything, so a second `npm start` on a busy
 * port says so in one line instead of rebuilding the pages under the running server first.
 *
 * @see https://nodejs.org/api/net.html#serverlisten
 */
import { createServer } from 'node:net';

/**
 * Whether listening on `port` (and `host`, default all interfaces) fails with `EADDRINUSE`.
 * Other errors (e.g. `EACCES`) resolve to false: the real listen reports them.
 */
export function portInUse(port: number, host?: string): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** The first free port after `port` (up to 20 tried), or `port + 1` when none of them is. */
export async function nextFreePort(port: number, host?: string): Promise<number> {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++) {
    if (!(await portInUse(p, host))) return p;
  }
  return port + 1;
}

/** The one line printed when the port is taken, with a port that is free to try instead. */
export function portInUseMessage(port: number, free: number): string {
  return `Port ${port} is already in use (is the playground already running? then just open it). ` +
    `To run a second one: npm start -- --port ${free}`;
}
