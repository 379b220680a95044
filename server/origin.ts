/**
 * The Origin allowlist of the signaler. Browsers send `Origin` with every WebSocket handshake, and
 * any web page may open a WebSocket to any address: without this check a page on another site could
 * join rooms on a learner's laptop. Allowed: this server's own origins (every Local/Network URL it
 * prints), the origins given with `--allow-origin`, and handshakes without an `Origin` header
 * (command-line tools and tests, which are not browsers and could forge any header anyway).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Origin
 * @see https://websockets.spec.whatwg.org/#websocket-opening-handshake
 */
import { hostname } from 'node:os';
import { lanAddresses } from './cert';

/**
 * Normalises an origin as browsers send it (`https://host:port`, default port omitted, host in
 * lower case), or returns null when `value` is not an http(s) origin. `*` stays `*`.
 * @param value an origin or a URL (its path is ignored), e.g. `https://Class.example:443/`.
 */
export function normalizeOrigin(value: string): string | null {
  if (value === '*') return '*';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.origin;
}

/** Options of {@link createOriginPolicy}. */
export interface OriginPolicyOptions {
  /** The port the server listens on. */
  port: number;
  /** The address it listens on (`--host`), when it is a specific one. */
  host?: string;
  /** Extra allowed origins (`--allow-origin`, repeatable); `*` allows every origin. */
  allow?: readonly string[];
}

/** Decides whether a handshake's `Origin` may use the signaler. */
export interface OriginPolicy {
  /** True when `origin` (the header's value, or undefined when absent) is allowed. */
  allows(origin: string | undefined): boolean;
  /** The origins allowed right now, for logs and help. */
  list(): string[];
}

/**
 * Builds the policy. The server's own origins are recomputed when an unknown origin shows up, so a
 * laptop that joins another Wi-Fi keeps accepting its new Network URL.
 * @throws TypeError when an `allow` entry is not an http(s) origin.
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const extra = new Set<string>();
  for (const entry of options.allow ?? []) {
    const origin = normalizeOrigin(entry);
    if (origin === null) throw new TypeError(`--allow-origin needs an origin like https://example.org (got "${entry}")`);
    extra.add(origin);
  }
  const own = (): Set<string> => {
    const hosts = ['localhost', '127.0.0.1', '[::1]', hostname(), ...lanAddresses()];
    const bound = options.host;
    if (bound && bound !== '::' && bound !== '0.0.0.0') hosts.push(bound.includes(':') ? `[${bound}]` : bound);
    const out = new Set<string>();
    for (const host of hosts) {
      const origin = normalizeOrigin(`https://${host}:${options.port}`);
      if (origin !== null) out.add(origin);
    }
    return out;
  };
  let ownOrigins = own();
  return {
    allows(origin) {
      if (origin === undefined) return true;
      if (extra.has('*')) return true;
      const normal = normalizeOrigin(origin);
      if (normal === null) return false;
      if (extra.has(normal) || ownOrigins.has(normal)) return true;
      ownOrigins = own();
      return ownOrigins.has(normal);
    },
    list() {
      return [...ownOrigins, ...extra];
    },
  };
}
