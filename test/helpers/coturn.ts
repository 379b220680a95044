/**
 * A real coturn for browser tests: `turnserver` on 127.0.0.1 and a free port, the TURN REST
 * shared-secret scheme, `allow-loopback-peers` (both peers relay through loopback), its own
 * pidfile and log file, and relay ports in a random block above the kernel's ephemeral range so
 * that parallel test runs on one machine do not fight over them. Stop it in the suite's `after`.
 * When coturn is missing it throws with the command to install it: nothing is skipped.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomTurnSecret } from '../../server/turn';
import { freeStunPort, startCoturn, udpFree, type Coturn } from '../../server/coturn';
import { requirePart, TURNSERVER } from './real-parts';

/** A coturn started by {@link startTestCoturn}, with its shared secret and URLs. */
export interface TestCoturn extends Coturn {
  secret: string;
  /** `turn:127.0.0.1:<port>?transport=udp` */
  udpUrl: string;
  /** `turn:127.0.0.1:<port>?transport=tcp` */
  tcpUrl: string;
  /** The log so far (for failure messages and the no-secret check). */
  readLog(): string;
}

const RELAY_LOW = 61_000;
const RELAY_HIGH = 65_500;
const RELAY_BLOCK = 40;

/** A block of {@link RELAY_BLOCK} UDP ports above the ephemeral range whose ends are free now. */
async function relayBlock(host: string): Promise<[number, number]> {
  for (let i = 0; i < 20; i++) {
    const slots = Math.floor((RELAY_HIGH - RELAY_LOW) / RELAY_BLOCK);
    const min = RELAY_LOW + Math.floor(Math.random() * slots) * RELAY_BLOCK;
    const max = min + RELAY_BLOCK - 1;
    if ((await udpFree(host, min)) && (await udpFree(host, max))) return [min, max];
  }
  throw new Error('no free block of relay ports found');
}

/**
 * Starts coturn on 127.0.0.1 for one test file.
 * @throws Error with the install command when `turnserver` is missing.
 */
export async function startTestCoturn(): Promise<TestCoturn> {
  const executable = requirePart(TURNSERVER); // throws with the install command when missing
  const host = '127.0.0.1';
  const secret = randomTurnSecret();
  const port = await freeStunPort(host);
  const [minPort, maxPort] = await relayBlock(host);
  const logFile = join(tmpdir(), `wp-test-coturn-${process.pid}-${port}.log`);
  const coturn = await startCoturn({ secret, listeningIp: host, port, minPort, maxPort, allowLoopbackPeers: true, logFile, realm: 'test', executable });
  return {
    ...coturn,
    secret,
    udpUrl: `turn:${host}:${port}?transport=udp`,
    tcpUrl: `turn:${host}:${port}?transport=tcp`,
    readLog: () => readFileSync(logFile, 'utf8'),
  };
}
