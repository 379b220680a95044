/**
 * Parses ICE candidate lines (`candidate:842163049 1 udp 1677729535 203.0.113.7 51234 typ srflx
 * raddr 192.168.1.20 rport 51234 generation 0 …`) into the fields the candidates table shows.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate
 * @see https://www.rfc-editor.org/rfc/rfc8839#section-5.1
 */

/** host: a local interface; srflx: the public address a STUN server saw; prflx: learned from a
 * connectivity check; relay: an address on a TURN server.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/candidate
 */
export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/**
 * The fields of one ICE candidate line.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/candidate
 */
export interface ParsedCandidate {
  foundation: string;
  /** 1 = RTP, 2 = RTCP. */
  component: number;
  /** `udp` or `tcp` (lower case). */
  protocol: string;
  /** Higher wins; 32-bit unsigned. */
  priority: number;
  /** IPv4, IPv6 or an mDNS name (`<uuid>.local`) hiding a host address. */
  address: string;
  port: number;
  type: CandidateType;
  /** Whether `address` is an mDNS `.local` name (the browser hides the real local IP). */
  mdns: boolean;
  /** For srflx/prflx/relay: the base address and port it was derived from. */
  relatedAddress: string | null;
  relatedPort: number | null;
  /** For TCP: `active`, `passive` or `so`. */
  tcpType: string | null;
}

const TYPES: readonly string[] = ['host', 'srflx', 'prflx', 'relay'];

/**
 * Parses one candidate line, with or without the `a=` and `candidate:` prefixes.
 * @throws TypeError when the line does not have the RFC 8839 shape (too few fields, bad numbers,
 *   unknown type).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/candidate
 */
export function parseCandidate(line: string): ParsedCandidate {
  if (typeof line !== 'string') throw new TypeError('candidate line must be a string');
  const body = line.trim().replace(/^a=/, '').replace(/^candidate:/, '');
  const f = body.split(/\s+/);
  if (f.length < 8 || f[6] !== 'typ') throw new TypeError(`not an ICE candidate line: "${line.slice(0, 80)}"`);
  const [foundation, comp, proto, prio, address, portText, , type] = f as [string, string, string, string, string, string, string, string];
  const component = Number(comp);
  const priority = Number(prio);
  const port = Number(portText);
  if (!Number.isInteger(component) || !Number.isInteger(priority) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`bad number in ICE candidate line: "${line.slice(0, 80)}"`);
  }
  if (!TYPES.includes(type)) throw new TypeError(`unknown ICE candidate type "${type}"`);
  const ext = new Map<string, string>();
  for (let i = 8; i + 1 < f.length; i += 2) {
    const [key, value] = [f[i], f[i + 1]];
    if (key !== undefined && value !== undefined) ext.set(key, value);
  }
  const rport = ext.has('rport') ? Number(ext.get('rport')) : null;
  return {
    foundation,
    component,
    protocol: proto.toLowerCase(),
    priority,
    address,
    port,
    type: type as CandidateType,
    mdns: address.toLowerCase().endsWith('.local'),
    relatedAddress: ext.get('raddr') ?? null,
    relatedPort: rport !== null && Number.isInteger(rport) ? rport : null,
    tcpType: ext.get('tcptype') ?? null,
  };
}

/**
 * `address:port`, with IPv6 addresses in brackets (`[2001:db8::1]:5000`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCIceCandidate/candidate
 */
export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * The three parts of an ICE candidate priority (RFC 8445 §5.1.2.1):
 * `priority = 2^24 × typePreference + 2^8 × localPreference + (256 − componentId)`.
 * @throws TypeError unless `priority` is an integer from 0 to 2^32 − 1.
 * @see https://www.rfc-editor.org/rfc/rfc8445#section-5.1.2.1
 */
export function decodePriority(priority: number): { typePreference: number; localPreference: number; componentId: number } {
  if (!Number.isInteger(priority) || priority < 0 || priority > 0xffffffff) throw new TypeError(`not an ICE priority: ${priority}`);
  return {
    typePreference: Math.floor(priority / 2 ** 24),
    localPreference: Math.floor(priority / 2 ** 8) % 2 ** 16,
    componentId: 256 - (priority % 2 ** 8),
  };
}
