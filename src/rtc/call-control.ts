/**
 * Call control over the call's own data channel: once a call is connected, hang-up (`bye`) and
 * renegotiation (offer, answer, ICE candidates) can travel peer-to-peer, so they still work while
 * the signaling server is down. The channel is a negotiated one (`id` {@link CONTROL_CHANNEL_ID}
 * on both sides, no `datachannel` event, no glare), separate from the chat channel.
 *
 * Frames are the signaling messages' JSON without `to` (the channel has one other end), with the
 * same call ids (offers, answers and `bye` carry the call's id), and are validated with the same
 * parser as the signaler's.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/createDataChannel
 */
import { parseClientMessage } from '../signaling/protocol';
import type { IceCandidateJSON } from '../signaling/protocol';

/** Label of the control channel. */
export const CONTROL_CHANNEL_LABEL = 'call-control';
/** SCTP stream id of the negotiated control channel (the same on both sides). */
export const CONTROL_CHANNEL_ID = 0;

/**
 * A control message: a signal or hang-up, as a call sends it (through the server or over the data
 * channel). Offers and answers carry the sender's call id (absent only from another client's);
 * `bye` always does: the id of the call it ends.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type ControlMessage =
  | { type: 'offer'; sdp: string; callId?: string }
  | { type: 'answer'; sdp: string; callId?: string }
  | { type: 'candidate'; candidate: IceCandidateJSON | null }
  | { type: 'bye'; callId: string };

/** Which way a call-control message travelled. */
export type SignalPath = 'server' | 'data-channel';

/**
 * Opens the negotiated control channel on `pc` (both sides call this; it never fires
 * `datachannel`).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannelInit
 */
export function openControlChannel(pc: RTCPeerConnection): RTCDataChannel {
  return pc.createDataChannel(CONTROL_CHANNEL_LABEL, { negotiated: true, id: CONTROL_CHANNEL_ID });
}

/** The wire text of `message`. */
export function encodeControl(message: ControlMessage): string {
  return JSON.stringify(message);
}

/**
 * Validates a control frame from the other peer (untrusted): the JSON of an offer, answer,
 * candidate or bye, within the signaler's limits. Never throws.
 * @returns the message, or null for anything else (binary, not JSON, other types, bad fields).
 */
export function parseControl(frame: unknown): ControlMessage | null {
  if (typeof frame !== 'string') return null;
  const parsed = parseClientMessage(frame);
  if (!parsed.ok) return null;
  const m = parsed.message;
  switch (m.type) {
    case 'offer':
    case 'answer':
      return m.callId === undefined ? { type: m.type, sdp: m.sdp } : { type: m.type, sdp: m.sdp, callId: m.callId };
    case 'candidate':
      return { type: 'candidate', candidate: m.candidate };
    case 'bye':
      return { type: 'bye', callId: m.callId };
    case 'join':
    case 'leave':
    case 'progress':
      return null;
    default: {
      const never: never = m;
      return never;
    }
  }
}
