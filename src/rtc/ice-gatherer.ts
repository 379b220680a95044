/**
 * Gathers ICE candidates for an RTCConfiguration, as the ICE tester page shows them: one
 * RTCPeerConnection with one audio transceiver (receive only: no device needed), an offer set as
 * local description, and every `icecandidate` and `icecandidateerror` reported with the time
 * since the start. Nothing is sent anywhere.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icecandidate_event
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/icegatheringstatechange_event
 * @see https://webrtc.github.io/samples/src/content/peerconnection/trickle-ice/
 */
import { Emitter } from '../util/emitter';
import { parseCandidate, type ParsedCandidate } from './candidates';
import { watchIceCandidateErrors, type IceCandidateErrorInfo } from './ice-errors';
import { shown } from '../util/code-ran';

/** One gathered candidate. */
export interface GatheredCandidate {
  /** ms since {@link IceGatherer.start}. */
  t: number;
  /** The candidate line (`candidate:…`). */
  line: string;
  /** Its fields, or null when the browser gave a line we cannot parse. */
  parsed: ParsedCandidate | null;
  /** The STUN/TURN server it came from (srflx, relay), else null. */
  url: string | null;
}

/** One `icecandidateerror`, with its time. */
export interface GatherError extends IceCandidateErrorInfo {
  /** ms since {@link IceGatherer.start}. */
  t: number;
}

/** How a gathering ended. */
export interface GatherSummary {
  /** ms from start to `iceGatheringState` "complete" (or to the timeout/stop). */
  ms: number;
  candidates: number;
  errors: number;
  /** `complete`, `timeout` (still gathering after the time limit) or `stopped`. */
  end: 'complete' | 'timeout' | 'stopped';
}

/** Events of an {@link IceGatherer}. */
export type IceGathererEvents = {
  candidate: [candidate: GatheredCandidate];
  error: [error: GatherError];
  done: [summary: GatherSummary];
};

/**
 * Starts ICE gathering on a fresh `pc`: something to negotiate (one receive-only audio
 * transceiver), then a local offer. `icecandidate` events follow, one per candidate found; the
 * ICE servers of the configuration decide which kinds (host, srflx via STUN, relay via TURN).
 * @throws DOMException `InvalidStateError` (closed connection), `OperationError`.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/setLocalDescription
 */
export const startGathering = shown(
  'gather',
  // @show gather
  async function startGathering(pc: RTCPeerConnection): Promise<void> {
    pc.addTransceiver('audio', { direction: 'recvonly' });
    await pc.setLocalDescription(); // creates the offer and starts gathering
  },
);

/** Gathers candidates once for a configuration. */
export class IceGatherer extends Emitter<IceGathererEvents> {
  readonly #configuration: RTCConfiguration;
  readonly #timeoutMs: number;
  #pc: RTCPeerConnection | null = null;
  #t0 = 0;
  #count = { candidates: 0, errors: 0 };
  #finish: ((end: GatherSummary['end']) => void) | null = null;

  /** @param timeoutMs give up after this many ms (default 30 000). */
  constructor(configuration: RTCConfiguration, timeoutMs = 30_000) {
    super();
    this.#configuration = configuration;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Starts gathering; resolves when it is complete, timed out or stopped.
   * @throws DOMException `SyntaxError`/`InvalidAccessError` for a bad ICE server (RTCPeerConnection
   *   constructor), `InvalidStateError` when called twice.
   */
  async start(): Promise<GatherSummary> {
    if (this.#pc) throw new DOMException('start() was already called', 'InvalidStateError');
    this.#t0 = performance.now();
    const pc = new RTCPeerConnection(this.#configuration);
    this.#pc = pc;
    const done = new Promise<GatherSummary>((resolve) => {
      const timer = setTimeout(() => this.#finish?.('timeout'), this.#timeoutMs);
      this.#finish = (end) => {
        this.#finish = null;
        clearTimeout(timer);
        const summary = { ms: Math.round(performance.now() - this.#t0), ...this.#count, end };
        pc.close();
        this.emit('done', summary);
        resolve(summary);
      };
    });
    pc.addEventListener('icecandidate', (ev) => {
      const c = ev.candidate;
      if (!c || !c.candidate) return; // end of candidates (gathering state tells when all are done)
      let parsed: ParsedCandidate | null = null;
      try {
        parsed = parseCandidate(c.candidate);
      } catch (err) {
        if (!(err instanceof TypeError)) throw err;
      }
      const url = (c as RTCIceCandidate & { url?: string | null }).url ?? (ev as RTCPeerConnectionIceEvent & { url?: string | null }).url ?? null;
      this.#count.candidates++;
      this.emit('candidate', { t: this.#elapsed(), line: c.candidate, parsed, url: url || null });
    });
    watchIceCandidateErrors(pc, (e) => {
      this.#count.errors++;
      this.emit('error', { ...e, t: this.#elapsed() });
    }, { all: true });
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') this.#finish?.('complete');
    });
    try {
      await startGathering(pc);
    } catch (err) {
      this.#finish?.('stopped');
      throw err;
    }
    return done;
  }

  /** Stops gathering now (closes the connection). */
  stop(): void {
    this.#finish?.('stopped');
  }

  #elapsed(): number {
    return Math.round((performance.now() - this.#t0) * 10) / 10;
  }
}
