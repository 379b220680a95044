/**
 * The TURN part of the command line: `--turn` starts a managed coturn with a fresh random secret;
 * `--turn-url`/`--turn-secret` (or `TURN_URL`/`TURN_SECRET`) use an existing coturn. Either way
 * `GET /api/turn` then hands out ephemeral credentials. The secret is never printed.
 *
 * @see https://github.com/coturn/coturn/wiki/turnserver#turn-rest-api
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lanAddresses } from './cert';
import { CoturnMissingError, startCoturn, tcpFree, udpFree, freeStunPort, type Coturn } from './coturn';
import { checkTurnTtl, DEFAULT_TURN_TTL_S, randomTurnSecret, type TurnService } from './turn';

/** TURN settings from flags and environment. */
export interface TurnSettings {
  /** `--turn`: start coturn ourselves. */
  managed: boolean;
  /** `--turn-port` (managed): STUN/TURN port. Default 3478 (the next free one when taken). */
  port?: number;
  /** `--turn-url` (repeatable) or `TURN_URL` (comma-separated): an existing TURN server. */
  urls: string[];
  /** `--turn-secret` or `TURN_SECRET`: its shared secret (`static-auth-secret`). */
  secret?: string;
  /** `--turn-ttl` or `TURN_TTL`: credential lifetime, s. Default 3600. */
  ttl?: number;
  /** The server's `--host` (undefined: every interface). */
  host?: string;
}

/** The result of {@link setupTurn}. */
export interface TurnSetup {
  /** For `GET /api/turn` (null: TURN off). */
  service: TurnService | null;
  /** The managed coturn, to stop with the server. */
  coturn: Coturn | null;
  /** Lines to print next to the URLs (no secret in them). */
  lines: string[];
}

const TURN_URL = /^turns?:[^\s?]+(\?transport=(udp|tcp))?$/;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Checks TURN settings.
 * @throws TypeError with a message for the user (bad URL, URL without secret, secret without URL,
 *   both `--turn` and `--turn-url`, bad TTL).
 */
export function checkTurnSettings(s: TurnSettings): void {
  for (const url of s.urls) {
    if (!TURN_URL.test(url)) throw new TypeError(`--turn-url must look like turn:host:3478 or turns:host:5349?transport=tcp (got "${url}")`);
  }
  if (s.managed && s.urls.length > 0) throw new TypeError('use either --turn (start coturn here) or --turn-url (an existing one), not both');
  if (s.urls.length > 0 && !s.secret) throw new TypeError('--turn-url needs the shared secret of that coturn: set TURN_SECRET (or --turn-secret)');
  if (s.secret !== undefined && s.urls.length === 0 && !s.managed) throw new TypeError('--turn-secret needs --turn-url');
  if (s.ttl !== undefined) checkTurnTtl(s.ttl);
}

/**
 * Starts coturn (`--turn`) or describes the external one. When coturn is not installed it says
 * what to install and returns TURN off, so the playground still starts.
 * @throws TypeError for bad settings (see {@link checkTurnSettings}); Error when coturn fails to start.
 */
export async function setupTurn(s: TurnSettings): Promise<TurnSetup> {
  checkTurnSettings(s);
  const ttl = s.ttl ?? DEFAULT_TURN_TTL_S;
  if (s.urls.length > 0 && s.secret) {
    return {
      service: { secret: s.secret, endpoint: { kind: 'external', urls: s.urls }, ttl },
      coturn: null,
      lines: [`  ➜  TURN:    ${s.urls.join(', ')} (existing server, credentials valid ${ttl} s, from /api/turn)`],
    };
  }
  if (!s.managed) return { service: null, coturn: null, lines: [] };

  const listeningIp = s.host && s.host !== '0.0.0.0' && s.host !== '::' ? (s.host === 'localhost' ? '127.0.0.1' : s.host) : null;
  // Relay from the LAN addresses: peers on this machine then talk to a non-loopback address and
  // coturn needs no allow-loopback-peers (which would let TURN users reach this machine's
  // loopback services). Only a machine with no LAN address relays through loopback.
  const lan = lanAddresses();
  const relayIps = listeningIp ? [listeningIp] : lan.length > 0 ? lan : ['127.0.0.1'];
  const allowLoopbackPeers = relayIps.every((ip) => LOOPBACK.has(ip));
  const probe = listeningIp ?? '127.0.0.1';
  let port = s.port ?? 3478;
  if (s.port === undefined && !((await udpFree(probe, port)) && (await tcpFree(probe, port)))) port = await freeStunPort(probe);
  const secret = randomTurnSecret();
  const logFile = join(tmpdir(), `webrtc-playground-turnserver-${process.pid}.log`);
  let coturn: Coturn;
  try {
    coturn = await startCoturn({ secret, listeningIp, relayIps, port, minPort: 49152, maxPort: 65535, allowLoopbackPeers, logFile });
  } catch (err) {
    if (err instanceof CoturnMissingError) {
      return { service: null, coturn: null, lines: [`  ✗  TURN:    off. ${err.message} Going on without TURN.`] };
    }
    throw err;
  }
  const where = listeningIp ?? 'every interface';
  return {
    service: { secret, endpoint: { kind: 'managed', host: listeningIp, port }, ttl },
    coturn,
    lines: [
      `  ➜  TURN:    coturn (pid ${coturn.pid}) on ${where}, port ${port} UDP+TCP, realm "${coturn.realm}"`,
      `              relay ports ${coturn.minPort}-${coturn.maxPort}/udp from ${relayIps.join(', ')}${allowLoopbackPeers ? ' (loopback peers allowed)' : ''}`,
      `              fresh random shared secret (not shown); credentials valid ${ttl} s from /api/turn; log: ${logFile}`,
    ],
  };
}
