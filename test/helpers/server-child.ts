/**
 * The playground server in a child process (so a test can SIGKILL it): prints `port N` once
 * listening. Usage: `node --import tsx test/helpers/server-child.ts <port> [resumeGraceMs]`. SIGTERM closes it
 * gracefully (1001 to every socket); SIGKILL kills it with nothing sent.
 */
import { startTestServer } from './server';

const port = Number(process.argv[2] ?? 0);
const grace = process.argv[3];
const server = await startTestServer(grace === undefined ? { port } : { port, resumeGraceMs: Number(grace) });
console.log(`port ${server.port}`);
process.once('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
