/**
 * ICE server lists as a learner types them: one server per line,
 * `URL [username credential]`, e.g. `stun:stun.l.google.com:19302` or
 * `turn:turn.example.org:3478?transport=udp alice s3cret`. Blank lines and `#` comments are ignored.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#iceservers
 */

/** A public STUN server, suggested for calls across networks. */
export const PUBLIC_STUN = 'stun:stun.l.google.com:19302';

const SCHEME = /^(stun|stuns|turn|turns):[^\s]+$/;

/**
 * Parses the ICE servers text.
 * @returns the `iceServers` array for `RTCConfiguration` (empty for empty text).
 * @throws TypeError naming the line when a URL is not `stun:`/`stuns:`/`turn:`/`turns:`, or a TURN
 *   server lacks username and credential.
 */
export function parseIceServers(text: string): RTCIceServer[] {
  const out: RTCIceServer[] = [];
  text.split('\n').forEach((rawLine, i) => {
    const line = rawLine.replace(/#.*/, '').trim();
    if (!line) return;
    const [url, username, credential, ...rest] = line.split(/\s+/);
    if (!url || !SCHEME.test(url) || rest.length > 0) {
      throw new TypeError(`line ${i + 1}: expected "stun:host:port" or "turn:host:port user password", got "${line.slice(0, 80)}"`);
    }
    const isTurn = url.startsWith('turn');
    if (!isTurn) {
      out.push({ urls: url });
      return;
    }
    if (!username || !credential) throw new TypeError(`line ${i + 1}: a TURN server needs a username and a credential`);
    out.push({ urls: url, username, credential });
  });
  return out;
}

/**
 * The default ICE servers text for a page at `hostname`: none on localhost (host candidates are
 * enough on one machine), a public STUN server elsewhere (for calls across networks).
 */
export function defaultIceServersText(hostname: string): string {
  const local = hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]' || hostname === '::1';
  return local ? '' : PUBLIC_STUN;
}
