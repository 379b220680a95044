/**
 * Call ids: which call a signaling message belongs to. A page gives every call it starts a fresh
 * random id and puts it on its offers, answers and `bye`; the other side takes it from the offer
 * that starts the call (in a glare, where both sides started it, each learns the other's id from
 * its offer). {@link matchCall} tells, from a message's id, whether it belongs to the running call,
 * to an earlier one (late: ignored), or starts a new one.
 *
 * Ids are opaque to the signaler: it only checks their shape (part of the one union in
 * `./protocol`) and relays them.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */

/** Longest call id accepted, in characters. */
export const MAX_CALL_ID_LENGTH = 64;
/** Call ids: 8–64 URL-safe base64 characters. */
export const CALL_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * Creates a fresh call id: 12 random bytes as 16 URL-safe base64 characters (collisions between
 * two calls of one pair of peers are out of the question).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Crypto/getRandomValues
 */
export function createCallId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(12));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_');
}

/** What {@link matchCall} needs to know about the running call and the calls before it. */
export interface CallIdView {
  /** Whether `callId` names the running call (its own id, or one the peer put on an offer of it). */
  known(callId: string): boolean;
  /** Whether `callId` named a call that has ended on this side. */
  ended(callId: string): boolean;
  /**
   * True while this side started the running call and nothing of the peer's (offer or answer) has
   * come for it yet: an offer with an id not seen before is then a glare (both sides started a
   * call at once), not a new call.
   */
  awaitingPeer: boolean;
}

/**
 * Where a message from the running call's peer belongs:
 * - `this-call`: it names the running call (or names no call: another client's offer or answer).
 * - `glare`: an offer with an id not seen before, while this side's own new call has heard nothing
 *   from the peer: both sides started a call at once. Perfect negotiation settles it; the id is
 *   one more name of the running call.
 * - `new-call`: an offer with an id not seen before, after the peer took part in the running call:
 *   it ended that call (its `bye` never arrived here) and started another. End the running call and
 *   answer the offer as a new call (its RTCPeerConnection has new ICE credentials and a new DTLS
 *   certificate: it cannot be a renegotiation of the old one).
 * - `earlier-call`: it names a call that ended here, or it is an answer or `bye` naming an id the
 *   running call is not known by: late, for an earlier call with the same peer. Ignore it.
 */
export type CallMatch = 'this-call' | 'glare' | 'new-call' | 'earlier-call';

/** Where an offer, answer or `bye` naming `callId` belongs (see {@link CallMatch}). Pure. */
export function matchCall(type: 'offer' | 'answer' | 'bye', callId: string | undefined, view: CallIdView): CallMatch {
  if (callId === undefined || view.known(callId)) return 'this-call';
  if (view.ended(callId) || type !== 'offer') return 'earlier-call';
  return view.awaitingPeer ? 'glare' : 'new-call';
}

/**
 * The ids of calls that ended on this side (the most recent `limit`): a message naming one is
 * late. Both ids of a glare call are kept.
 */
export class EndedCallIds {
  readonly #ids: string[] = [];
  readonly #limit: number;

  /** @param limit how many ids to remember (oldest forgotten first). Default 64. @throws TypeError for a limit below 1. */
  constructor(limit = 64) {
    if (!Number.isInteger(limit) || limit < 1) throw new TypeError(`limit must be a positive integer, got ${limit}`);
    this.#limit = limit;
  }

  /** Remembers `ids` as ended. */
  add(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.#ids.includes(id)) continue;
      this.#ids.push(id);
      if (this.#ids.length > this.#limit) this.#ids.shift();
    }
  }

  /** Whether `callId` named a call that ended here (and is still remembered). */
  has(callId: string): boolean {
    return this.#ids.includes(callId);
  }
}
