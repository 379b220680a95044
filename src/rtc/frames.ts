/**
 * Counting decoded video frames from getStats, the proof that media really flows.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats/framesDecoded
 */

/**
 * Sum of `framesDecoded` over the inbound video streams of `pc` (getStats `inbound-rtp`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats/framesDecoded
 */
export async function framesDecoded(pc: RTCPeerConnection): Promise<number> {
  let frames = 0;
  (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
  });
  return frames;
}
