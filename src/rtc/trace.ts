/**
 * The trace of a call session: every signaling message sent and received, every state change of
 * the RTCPeerConnection, every ICE candidate and every stats sample, each with its time offset.
 * The sequence diagram, the state panels, the candidates table and the graphs of the call page all
 * render a Trace; it exports to JSON and imports back to replay a session.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 */
import type { SignalingClient } from '../signaling/client';
import { parseClientMessage, parseServerMessage, type ClientMessage, type IceCandidateJSON, type ServerMessage } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import type { Peer, PeerStates } from './peer';
import { assertStatsSample, type StatsSample } from './stats';

/**
 * Which peer of the call an entry belongs to.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type TraceSide = 'caller' | 'callee';

/** Fields every entry has: `t` = ms since the trace started, `side` = whose event it was. */
interface TraceBase {
  t: number;
  side: TraceSide;
}

/**
 * A signaling message `side` sent to the server, or received from it.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type SignalEntry =
  | (TraceBase & { kind: 'signal'; direction: 'sent'; message: ClientMessage; path?: SignalPath })
  | (TraceBase & { kind: 'signal'; direction: 'received'; message: ServerMessage; path?: SignalPath });
/**
 * Which way a signaling message went: through the signaling `server` (the default), or peer to
 * peer over the call's `data-channel` (while the server was unreachable).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCDataChannel
 */
export type SignalPath = 'server' | 'data-channel';
/**
 * One of the four RTCPeerConnection states of `side` changed to `value`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface StateEntry extends TraceBase { kind: 'state'; which: keyof PeerStates; value: string }
/**
 * A local ICE candidate gathered, or a remote one added; `candidate: null` = end of candidates.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface CandidateEntry extends TraceBase { kind: 'candidate'; origin: 'local' | 'remote'; candidate: IceCandidateJSON | null }
/**
 * One stats sample of `side` (see {@link StatsSample}).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface StatsEntry extends TraceBase { kind: 'stats'; sample: StatsSample }
/**
 * Free text, e.g. the name of a step in step-by-step mode.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface NoteEntry extends TraceBase { kind: 'note'; text: string }

/**
 * One thing that happened during a call.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type TraceEntry = SignalEntry | StateEntry | CandidateEntry | StatsEntry | NoteEntry;

/**
 * A trace entry before it gets its time offset (what {@link Trace.record} takes).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type TraceEntryInit = TraceEntry extends infer E ? (E extends TraceEntry ? Omit<E, 't'> : never) : never;

/**
 * Events of a {@link Trace}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type TraceEvents = { entry: [entry: TraceEntry] };

/**
 * The exported form of a trace (a JSON file).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface TraceJSON {
  format: typeof TRACE_FORMAT;
  version: 1;
  /** Wall-clock start of the trace, ISO 8601. */
  startedAt: string;
  entries: TraceEntry[];
}

/**
 * The `format` marker of exported traces.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export const TRACE_FORMAT = 'webrtc-playground-trace';
const STATE_NAMES: readonly (keyof PeerStates)[] = ['signalingState', 'iceGatheringState', 'iceConnectionState', 'connectionState'];

/**
 * Options of a {@link Trace}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface TraceOptions {
  /** Monotonic clock in ms (default `performance.now`); injectable for tests. */
  now?: () => number;
  /** Wall-clock start (default: now). */
  startedAt?: Date;
}

/**
 * An append-only list of {@link TraceEntry}, emitting `entry` for each one recorded.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export class Trace extends Emitter<TraceEvents> {
  readonly startedAt: Date;
  readonly #entries: TraceEntry[] = [];
  readonly #now: () => number;
  readonly #t0: number;

  constructor(options: TraceOptions = {}) {
    super();
    this.#now = options.now ?? (() => performance.now());
    this.#t0 = this.#now();
    this.startedAt = options.startedAt ?? new Date();
  }

  /** Milliseconds since the trace started. */
  get elapsed(): number {
    return this.#now() - this.#t0;
  }

  /** Every entry so far, oldest first. */
  get entries(): readonly TraceEntry[] {
    return this.#entries;
  }

  /**
   * Appends `entry` stamped with `t` (ms since the trace started, rounded to 0.1 ms) and emits `entry`.
   * @param at the time to stamp, in ms since the trace started (default: now, {@link Trace.elapsed});
   *   for an entry recorded late, e.g. a `join` held until its reply tells whose it was.
   * @returns the stored entry.
   */
  record(entry: TraceEntryInit, at: number = this.elapsed): TraceEntry {
    const t = Math.round(at * 10) / 10;
    const full = { ...entry, t } as TraceEntry;
    this.#entries.push(full);
    this.emit('entry', full);
    return full;
  }

  /** The exported form: `{ format, version, startedAt, entries }`. */
  toJSON(): TraceJSON {
    return { format: TRACE_FORMAT, version: 1, startedAt: this.startedAt.toISOString(), entries: [...this.#entries] };
  }

  /**
   * Rebuilds a trace from its exported form (already parsed from JSON), validating every entry.
   * @throws TypeError naming the first problem (wrong format marker, bad entry).
   */
  static fromJSON(value: unknown): Trace {
    if (!isObj(value) || value.format !== TRACE_FORMAT) throw new TypeError(`not a ${TRACE_FORMAT} file`);
    if (value.version !== 1) throw new TypeError(`unsupported trace version ${String(value.version)}`);
    const started = typeof value.startedAt === 'string' ? new Date(value.startedAt) : new Date(NaN);
    if (Number.isNaN(started.getTime())) throw new TypeError('"startedAt" must be an ISO date');
    if (!Array.isArray(value.entries)) throw new TypeError('"entries" must be an array');
    const trace = new Trace({ startedAt: started, now: () => 0 });
    value.entries.forEach((e, i) => trace.#entries.push(validateEntry(e, i)));
    return trace;
  }
}

/**
 * The call id an imported `bye` gets when its trace was recorded before byes carried one.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export const UNKNOWN_CALL_ID = 'unknown-call';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Traces exported before byes named their call hold a `bye` without `callId`: it reads as {@link UNKNOWN_CALL_ID}. */
function withCallId(message: unknown): unknown {
  return isObj(message) && message.type === 'bye' && message.callId === undefined ? { ...message, callId: UNKNOWN_CALL_ID } : message;
}

function validateEntry(e: unknown, i: number): TraceEntry {
  const bad = (why: string) => new TypeError(`entry ${i}: ${why}`);
  if (!isObj(e)) throw bad('must be an object');
  if (typeof e.t !== 'number' || !Number.isFinite(e.t) || e.t < 0) throw bad('"t" must be a non-negative number');
  if (e.side !== 'caller' && e.side !== 'callee') throw bad('"side" must be "caller" or "callee"');
  const base: TraceBase = { t: e.t, side: e.side };
  switch (e.kind) {
    case 'signal': {
      if (e.path !== undefined && e.path !== 'server' && e.path !== 'data-channel') throw bad('"path" must be "server" or "data-channel"');
      const path = e.path === 'data-channel' ? { path: 'data-channel' as const } : {};
      if (e.direction === 'sent') {
        const p = parseClientMessage(withCallId(e.message));
        if (!p.ok) throw bad(`message: ${p.error.message}`);
        return { ...base, kind: 'signal', direction: 'sent', message: p.message, ...path };
      }
      if (e.direction === 'received') {
        const p = parseServerMessage(withCallId(e.message));
        if (!p.ok) throw bad(`message: ${p.error.message}`);
        return { ...base, kind: 'signal', direction: 'received', message: p.message, ...path };
      }
      throw bad('"direction" must be "sent" or "received"');
    }
    case 'state':
      if (!STATE_NAMES.includes(e.which as keyof PeerStates)) throw bad('"which" must name an RTCPeerConnection state');
      if (typeof e.value !== 'string' || e.value.length > 32) throw bad('"value" must be a short string');
      return { ...base, kind: 'state', which: e.which as keyof PeerStates, value: e.value };
    case 'candidate': {
      if (e.origin !== 'local' && e.origin !== 'remote') throw bad('"origin" must be "local" or "remote"');
      const p = parseClientMessage({ type: 'candidate', candidate: e.candidate });
      if (!p.ok || p.message.type !== 'candidate') throw bad(`candidate: ${p.ok ? 'invalid' : p.error.message}`);
      return { ...base, kind: 'candidate', origin: e.origin, candidate: p.message.candidate };
    }
    case 'stats':
      try {
        assertStatsSample(e.sample);
      } catch (err) {
        throw bad(err instanceof Error ? err.message : String(err));
      }
      return { ...base, kind: 'stats', sample: e.sample };
    case 'note':
      if (typeof e.text !== 'string' || e.text.length > 2000) throw bad('"text" must be a string');
      return { ...base, kind: 'note', text: e.text };
    default:
      throw bad(`unknown kind "${String(e.kind).slice(0, 32)}"`);
  }
}

/**
 * Records every message `client` sends (`sent`) and receives (`message`) into `trace`. A `join`
 * is recorded when its reply arrives (stamped with the time it was sent), so that `side()` already
 * knows whose join it was.
 * @param side read at each message (the role is only known once a call starts).
 * @returns a function that stops recording.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function recordSignaling(trace: Trace, client: SignalingClient, side: () => TraceSide): () => void {
  // A `join` is sent before anyone knows whose it is (the room decides the role): it is recorded,
  // with the time it was sent, once the next message (its reply) has told `side()`.
  let join: { message: ClientMessage; at: number } | null = null;
  const flush = () => {
    if (join) trace.record({ kind: 'signal', direction: 'sent', side: side(), message: join.message }, join.at);
    join = null;
  };
  const offSent = client.on('sent', (message) => {
    flush();
    if (message.type === 'join') join = { message, at: trace.elapsed };
    else trace.record({ kind: 'signal', direction: 'sent', side: side(), message });
  });
  const offMsg = client.on('message', (message) => {
    flush();
    trace.record({ kind: 'signal', direction: 'received', side: side(), message });
  });
  return () => {
    flush();
    offSent();
    offMsg();
  };
}

/**
 * Records the state changes, local ICE candidates and added remote ICE candidates of `peer`
 * (a remote candidate queued before the remote description is recorded when it is really added).
 * @returns a function that stops recording.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function recordPeer(trace: Trace, peer: Peer, side: TraceSide): () => void {
  const offs = [
    peer.on('statechange', (which, states) => trace.record({ kind: 'state', side, which, value: states[which] })),
    peer.on('localcandidate', (c) => trace.record({ kind: 'candidate', side, origin: 'local', candidate: c.toJSON() as IceCandidateJSON })),
    peer.on('remotecandidate', (candidate, queued) => {
      if (!queued) trace.record({ kind: 'candidate', side, origin: 'remote', candidate });
    }),
  ];
  return () => offs.forEach((off) => off());
}

/**
 * A side function for {@link recordSignaling} on a page with one call: the call's role once it
 * is known (`role()`); before that a guess from the room, since whoever joins a room where someone
 * already waits makes the call: `welcome` with peers → caller, an empty room → callee.
 * ({@link recordSignaling} holds the `join` itself until its reply, so it gets the right side.)
 * Call it before {@link recordSignaling} so its listener sees `welcome` first.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function roomSide(client: SignalingClient, role: () => TraceSide | null): () => TraceSide {
  let guess: TraceSide = 'caller';
  client.on('message', (m) => {
    if (m.type === 'welcome') guess = m.peers.length > 0 ? 'caller' : 'callee';
  });
  return () => role() ?? guess;
}

/**
 * Options of {@link replaySchedule}.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export interface ReplayOptions {
  /** Longest pause between two entries during a replay, ms (default 300). */
  maxGapMs?: number;
  /** Longest pause before a stats entry, ms (default 50): samples come every second and would drag. */
  maxStatsGapMs?: number;
}

/**
 * When to show each entry during a replay: the recorded order, with the recorded pauses between
 * entries shortened to at most `maxGapMs` (stats samples: `maxStatsGapMs`).
 * @returns one offset in ms from the start of the replay per entry, non-decreasing.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export function replaySchedule(entries: readonly TraceEntry[], options: ReplayOptions = {}): number[] {
  const maxGap = options.maxGapMs ?? 300;
  const maxStats = options.maxStatsGapMs ?? 50;
  let at = 0;
  let prev = entries[0]?.t ?? 0;
  return entries.map((e) => {
    at += Math.min(Math.max(0, e.t - prev), e.kind === 'stats' ? maxStats : maxGap);
    prev = e.t;
    return at;
  });
}
