/**
 * Explanations of ICE failures for src/errors/explain.ts: `icecandidateerror` codes from STUN/TURN
 * servers, and a failed ICE connection with the errors that came before it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8489#section-14.8
 */
import type { Explanation } from './explain';

/**
 * The `errorCode` of an `icecandidateerror` explained (see src/rtc/ice-errors.ts): 401, 403, 486/508, 701, others.
 * @param err an object with the event's `errorCode` (number), `errorText` and `url`
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnectionIceErrorEvent/errorCode
 */
export function iceCandidateError(err: unknown): Omit<Explanation, 'name' | 'raw'> {
  const e = err as { errorCode?: unknown; errorText?: unknown; url?: unknown };
  const code = typeof e.errorCode === 'number' ? e.errorCode : 0;
  const url = typeof e.url === 'string' && e.url !== '' ? e.url : 'an ICE server';
  const text = typeof e.errorText === 'string' && e.errorText !== '' ? ` "${e.errorText}"` : '';
  const said = `The browser reported icecandidateerror ${code}${text} for ${url}.`;
  switch (code) {
    case 401:
      return {
        title: `The TURN server rejected the username/password (401 Unauthorized): ${url}.`,
        detail: `${said} The credentials are wrong or have expired. Credentials from this server's /api/turn are only valid for their ttl (reload the page for fresh ones), and the server's shared secret must be coturn's static-auth-secret. With "Relay only" nothing else can connect, so the call waits here.`,
      };
    case 701:
      return {
        title: `A STUN/TURN server could not be reached (701): ${url}.`,
        detail: `${said} No answer came from that server: the host or port is wrong, the server is down, or a firewall blocks it (try ?transport=tcp, or turns: on port 443). Candidates from other servers and host candidates may still work.`,
      };
    case 403:
      return {
        title: `The TURN server refused to relay to that address (403 Forbidden): ${url}.`,
        detail: `${said} coturn refuses peers in address ranges it is told to deny (loopback addresses unless allow-loopback-peers is set, or denied-peer-ip ranges).`,
      };
    case 486:
    case 508:
      return {
        title: `The TURN server is out of capacity (${code}): ${url}.`,
        detail: `${said} It has reached its quota of allocations for this user or in total. Close other calls or try later.`,
      };
    default:
      return {
        title: `A STUN/TURN server answered with an error (${code}): ${url}.`,
        detail: `${said} STUN error codes 300–699 come from the server (RFC 8489 §14.8); 701 means it could not be reached.`,
      };
  }
}

/**
 * "ICE failed", naming the TURN/STUN errors seen before it, if any.
 * @param err an error whose `cause` is the list of `icecandidateerror`s seen (`{ errorCode, url }`)
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/iceConnectionState
 */
export function iceFailed(err: unknown): Omit<Explanation, 'name' | 'raw'> {
  const cause = (err as { cause?: unknown }).cause;
  const errors = Array.isArray(cause) ? (cause as { errorCode?: unknown; url?: unknown }[]) : [];
  const auth = errors.find((e) => e.errorCode === 401);
  if (auth) {
    return {
      title: 'The call failed: the TURN server rejected our credentials (401).',
      detail: `ICE gave up, and ${String(auth.url)} refused the username/password, so no relay candidate existed. Fix the TURN credentials (or reload for fresh ones) and call again.`,
    };
  }
  const unreachable = errors.find((e) => e.errorCode === 701);
  if (unreachable) {
    return {
      title: 'The call failed: a STUN/TURN server could not be reached (701).',
      detail: `ICE tried every candidate pair and none worked, and ${String(unreachable.url)} never answered. Check the server's address and port (and that UDP, or TCP with ?transport=tcp, is allowed), then call again.`,
    };
  }
  return {
    title: 'The call failed: no network path between the two peers was found.',
    detail: 'ICE tried every candidate pair and none worked. On different networks you need a STUN server (and behind strict NATs a TURN server): add one in the ICE servers box and call again.',
  };
}
