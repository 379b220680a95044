/**
 * A readable view of an SDP offer or answer for learners: one line per attribute, the session part
 * then one group per m-section (audio, video, data channel), with codec lines (`a=rtpmap`, `a=fmtp`)
 * and ICE/DTLS lines (`a=ice-ufrag`, `a=candidate`, `a=fingerprint`, `a=setup`, …) marked and
 * explained in a few words. Returns plain data; the page renders it with `textContent`.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Protocols#sdp
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */

/**
 * What a line is about: a codec, ICE, DTLS, the direction, or anything else.
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */
export type SdpMark = 'codec' | 'ice' | 'dtls' | 'direction' | 'plain';

/**
 * One SDP line with its mark and an optional short explanation.
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */
export interface SdpLine {
  /** The line as it is in the SDP (no line ending). */
  text: string;
  mark: SdpMark;
  /** A few words for learners, e.g. `payload type 96 = VP8 at 90000 Hz`. */
  note: string | null;
}

/**
 * One m-section: what media it carries and its lines (the `m=` line first).
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */
export interface SdpSection {
  /** `audio`, `video`, `application` (data channel), … from the `m=` line. */
  media: string;
  /** The `a=mid` value, or null. */
  mid: string | null;
  /** `a=sendrecv` / `sendonly` / `recvonly` / `inactive`, or null. */
  direction: string | null;
  /** Codec names from `a=rtpmap`, in preference order (`VP8/90000`, `opus/48000/2`, …). */
  codecs: string[];
  lines: SdpLine[];
}

/**
 * A parsed SDP: the session-level lines and the m-sections.
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */
export interface PrettySdp {
  session: SdpLine[];
  sections: SdpSection[];
}

const ICE = /^a=(ice-ufrag|ice-pwd|ice-options|ice-lite|candidate|end-of-candidates|remote-candidates)\b/;
const DTLS = /^a=(fingerprint|setup|tls-id)\b/;
const DIRECTION = /^a=(sendrecv|sendonly|recvonly|inactive)$/;
const CODEC = /^a=(rtpmap|fmtp|rtcp-fb):/;

const ICE_NOTES: Record<string, string> = {
  'ice-ufrag': 'ICE username fragment: identifies this side in connectivity checks',
  'ice-pwd': 'ICE password: protects the connectivity checks',
  'ice-options': 'ICE options (trickle = candidates are sent as they are found)',
  candidate: 'an ICE candidate: an address this side can be reached on',
  'end-of-candidates': 'no more ICE candidates will follow',
};
const DTLS_NOTES: Record<string, string> = {
  fingerprint: 'hash of the DTLS certificate: the other side checks it during the handshake',
  setup: 'DTLS role: actpass = either, active = client, passive = server',
};

function classify(text: string): SdpLine {
  let m: RegExpExecArray | null;
  if ((m = CODEC.exec(text))) {
    const rest = text.slice(m[0].length);
    const [pt, ...params] = rest.split(' ');
    const what = params.join(' ');
    const note = m[1] === 'rtpmap' ? `payload type ${pt} = ${what}`
      : m[1] === 'fmtp' ? `parameters of payload type ${pt}`
        : `feedback for payload type ${pt}: ${what}`;
    return { text, mark: 'codec', note };
  }
  if ((m = ICE.exec(text))) return { text, mark: 'ice', note: ICE_NOTES[m[1] ?? ''] ?? null };
  if ((m = DTLS.exec(text))) return { text, mark: 'dtls', note: DTLS_NOTES[m[1] ?? ''] ?? null };
  if (DIRECTION.test(text)) return { text, mark: 'direction', note: 'which way media flows, seen from this side' };
  return { text, mark: 'plain', note: null };
}

/**
 * Splits `sdp` into session lines and m-sections and marks each line.
 * @throws TypeError when `sdp` is not a string starting with `v=0`.
 * @see https://www.rfc-editor.org/rfc/rfc8866
 */
export function prettySdp(sdp: string): PrettySdp {
  if (typeof sdp !== 'string' || !sdp.startsWith('v=0')) throw new TypeError('SDP must be a string starting with "v=0"');
  const out: PrettySdp = { session: [], sections: [] };
  let current: SdpSection | null = null;
  for (const raw of sdp.split(/\r?\n/)) {
    const text = raw.trimEnd();
    if (text === '') continue;
    const line = classify(text);
    if (text.startsWith('m=')) {
      const media = text.slice(2).split(' ')[0] ?? '';
      current = { media, mid: null, direction: null, codecs: [], lines: [{ ...line, note: mediaNote(media) }] };
      out.sections.push(current);
      continue;
    }
    if (!current) {
      out.session.push(line);
      continue;
    }
    current.lines.push(line);
    if (text.startsWith('a=mid:')) current.mid = text.slice(6);
    else if (line.mark === 'direction') current.direction = text.slice(2);
    else if (text.startsWith('a=rtpmap:')) current.codecs.push(text.slice(9).split(' ').slice(1).join(' '));
  }
  return out;
}

function mediaNote(media: string): string {
  if (media === 'application') return 'm-section for the data channel (SCTP over DTLS)';
  return `m-section for one ${media} transceiver: its codecs, transport and direction`;
}
