/**
 * The call's data channel: a typed message union (chat text, mute state, screen-share state), a
 * parser that treats every incoming frame as untrusted input, and a small wrapper around an
 * RTCDataChannel that sends and receives those messages as JSON text.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Using_data_channels
 */
import { Emitter } from '../util/emitter';

/** Longest chat text, in characters. */
export const MAX_CHAT_LENGTH = 2000;
/** Largest frame accepted, in characters (a frame is JSON text). */
export const MAX_DATA_FRAME = 8 * 1024;

/** A message on the call's data channel. `text` is untrusted: render it with `textContent`. */
export type DataMessage =
  /** A chat line. */
  | { type: 'chat'; text: string }
  /** The sender's microphone (`audio`) and camera (`video`) are on (true) or muted (false). */
  | { type: 'mute'; audio: boolean; video: boolean }
  /** The sender now sends its screen (true) or its camera (false) as video. */
  | { type: 'screen'; sharing: boolean };

/** Result of {@link parseDataMessage}. */
export type ParsedDataMessage = { ok: true; message: DataMessage } | { ok: false; error: string };

/**
 * Validates one incoming frame (untrusted input from the other peer): a JSON text of at most
 * {@link MAX_DATA_FRAME} characters that is exactly one {@link DataMessage} (unknown fields are
 * dropped). Never throws.
 */
export function parseDataMessage(frame: unknown): ParsedDataMessage {
  if (typeof frame !== 'string') return { ok: false, error: 'binary frame (only JSON text is expected)' };
  if (frame.length > MAX_DATA_FRAME) return { ok: false, error: `frame too big (${frame.length} > ${MAX_DATA_FRAME} characters)` };
  let value: unknown;
  try {
    value = JSON.parse(frame);
  } catch (err) {
    return { ok: false, error: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  switch (v.type) {
    case 'chat':
      if (typeof v.text !== 'string' || v.text.length === 0) return { ok: false, error: 'chat.text must be a non-empty string' };
      if (v.text.length > MAX_CHAT_LENGTH) return { ok: false, error: `chat.text longer than ${MAX_CHAT_LENGTH} characters` };
      return { ok: true, message: { type: 'chat', text: v.text } };
    case 'mute':
      if (typeof v.audio !== 'boolean' || typeof v.video !== 'boolean') return { ok: false, error: 'mute.audio and mute.video must be booleans' };
      return { ok: true, message: { type: 'mute', audio: v.audio, video: v.video } };
    case 'screen':
      if (typeof v.sharing !== 'boolean') return { ok: false, error: 'screen.sharing must be a boolean' };
      return { ok: true, message: { type: 'screen', sharing: v.sharing } };
    default:
      return { ok: false, error: `unknown message type ${JSON.stringify(String(v.type)).slice(0, 40)}` };
  }
}

/** Events of a {@link CallChannel}. */
export type CallChannelEvents = {
  open: [];
  close: [];
  /** A valid message from the other peer. */
  message: [message: DataMessage];
  /** The other peer sent something that is not a {@link DataMessage}; it was dropped. */
  invalid: [error: string];
};

/** Typed messages over one RTCDataChannel. */
export class CallChannel extends Emitter<CallChannelEvents> {
  readonly channel: RTCDataChannel;

  constructor(channel: RTCDataChannel) {
    super();
    this.channel = channel;
    channel.addEventListener('open', () => this.emit('open'));
    channel.addEventListener('close', () => this.emit('close'));
    channel.addEventListener('message', (ev: MessageEvent) => {
      const parsed = parseDataMessage(ev.data);
      if (parsed.ok) this.emit('message', parsed.message);
      else this.emit('invalid', parsed.error);
    });
  }

  /** True when messages can be sent (`readyState` is `open`). */
  get open(): boolean {
    return this.channel.readyState === 'open';
  }

  /**
   * Sends `message` as JSON text.
   * @throws DOMException `InvalidStateError` when the channel is not open; TypeError for chat text
   *   that is empty or longer than {@link MAX_CHAT_LENGTH}.
   */
  send(message: DataMessage): void {
    if (message.type === 'chat' && (message.text.length === 0 || message.text.length > MAX_CHAT_LENGTH)) {
      throw new TypeError(`chat text must be 1–${MAX_CHAT_LENGTH} characters`);
    }
    if (!this.open) throw new DOMException(`the data channel is ${this.channel.readyState}`, 'InvalidStateError');
    this.channel.send(JSON.stringify(message));
  }
}
