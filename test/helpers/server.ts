/**
 * Starts the real playground server on port 0 for a test file, with a certificate made once per
 * test run in the OS temp folder.
 */
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPlaygroundServer, type PlaygroundServer, type PlaygroundServerOptions } from '../../server/app';
import { loadOrCreateCertificate } from '../../server/cert';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Starts a server on 127.0.0.1 and a free port, serving `public/` and `dist/` like `npm start`.
 * @param options overrides (capacity, heartbeatMs, limits, …). Refusal logs are dropped unless `log` is given.
 */
export async function startTestServer(options: Partial<PlaygroundServerOptions> = {}): Promise<PlaygroundServer> {
  const tls = await loadOrCreateCertificate(join(tmpdir(), 'webrtc-playground-test-cert'), {
    dns: ['localhost'],
    ips: ['127.0.0.1'],
  });
  return startPlaygroundServer({
    tls,
    port: 0,
    host: '127.0.0.1',
    staticDirs: [join(ROOT, 'public'), join(ROOT, 'dist')],
    log: () => undefined,
    ...options,
  });
}
