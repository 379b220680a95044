// @ts-check
/**
 * Is a TCP port free? Checked by `npm start` (build.mjs --start) before anything is built, so a
 * second `npm start` on a busy port says so in one line instead of rebuilding dist/ under the
 * running server first; the server checks again before it makes anything. Plain JavaScript so
 * that build.mjs, run by plain node, can import it.
 *
 * @see https://nodejs.org/api/net.html#serverlisten
 */
import { createServer } from 'node:net';

/**
 * Whether listening on `port` (and `host`, default all interfaces) fails with `EADDRINUSE`.
 * Other errors (e.g. `EACCES`) resolve to false: the real listen reports them.
 * @param {number} port TCP port (0 is never in use)
 * @param {string} [host] address to listen on
 * @returns {Promise<boolean>}
 */
export function portInUse(port, host) {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (/** @type {NodeJS.ErrnoException} */ err) => resolve(err.code === 'EADDRINUSE'));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/**
 * The first free port after `port` (up to 20 tried), or `port + 1` when none of them is.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<number>}
 */
export async function nextFreePort(port, host) {
  for (let p = port + 1; p <= Math.min(port + 20, 65535); p++) {
    if (!(await portInUse(p, host))) return p;
  }
  return port + 1;
}

/**
 * The one line printed when the port is taken, with a port that is free to try instead.
 * @param {number} port the busy port
 * @param {number} free a port to suggest
 * @returns {string}
 */
export function portInUseMessage(port, free) {
  return `Port ${port} is already in use (is the playground already running? then just open it). ` +
    `To run a second one: npm start -- --port ${free}`;
}
