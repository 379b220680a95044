/**
 * The media watchdog of a call: after an ICE restart (asked by either side), it checks that RTP
 * packets still arrive. If none arrive for a while although the connection says "connected", the
 * new ICE session is not carrying this side's media: the call restarts ICE once more, from this
 * side, and explains it; if that does not help either, it only explains.
 *
 * Why: between Chromium and Firefox, when Chromium restarts ICE it pairs its new candidates with
 * Firefox's *old* ones (from before the restart) before the answer comes; Firefox's old ICE session
 * still answers their connectivity checks, so Chromium picks such a pair and sends all its media
 * there, while Firefox only listens on the new session, which never completes ("checking"). Firefox
 * then receives nothing (audio and video), Chromium still receives Firefox's media, and both
 * connections say "connected". An ICE restart made by Firefox ends it (Chromium's pairs are then
 * chosen by Firefox). Nothing in the signaling is wrong: every candidate of the new session arrives.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCInboundRtpStreamStats/packetsReceived
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce
 */
import { Emitter } from '../util/emitter';

/** Options of a {@link MediaWatchdog}. */
export interface MediaWatchdogOptions {
  /** RTP packets received so far on the connection, every kind together (see {@link inboundPackets}). */
  packetsReceived: () => Promise<number>;
  /** Whether the connection says "connected" now (a stall only counts then). */
  connected: () => boolean;
  /** How long without a new packet counts as a stall, in ms. Default 2000. */
  stallMs?: number;
  /** How long after a restart to keep watching, in ms. Default 15000. */
  watchMs?: number;
  /** How often to read the counter, in ms. Default 250. */
  intervalMs?: number;
}

/** Events of a {@link MediaWatchdog}. */
export type MediaWatchdogEvents = {
  /**
   * No packet arrived for `stallMs` while connected, after a restart. `again` is true when the
   * restart being watched was the one this watchdog asked for (so restarting helped nothing).
   */
  stall: [stallMs: number, again: boolean];
};

/** Watches inbound media after ICE restarts; see the module comment. */
export class MediaWatchdog extends Emitter<MediaWatchdogEvents> {
  readonly #opts: MediaWatchdogOptions;
  readonly #stallMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  /** The restart being watched is the one a stall asked for. */
  #own = false;
  #round = 0;

  constructor(options: MediaWatchdogOptions) {
    super();
    this.#opts = options;
    this.#stallMs = options.stallMs ?? 2000;
  }

  /** True while a restart is being watched. */
  get watching(): boolean {
    return this.#timer !== null;
  }

  /**
   * Starts watching after an ICE restart (again from now if it already watches).
   * @param own true for the restart this watchdog's own `stall` event led to.
   */
  watch(own = false): void {
    this.#clear();
    this.#own = own;
    const round = ++this.#round;
    const started = Date.now();
    let last = -1;
    let lastGrowth = started;
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void this.#opts.packetsReceived().then((n) => {
        busy = false;
        if (round !== this.#round || this.#timer === null) return;
        const now = Date.now();
        // Nothing ever received (e.g. the other side sends nothing) is no stall.
        if (n === 0) return;
        if (n !== last || !this.#opts.connected()) {
          last = n;
          lastGrowth = now;
        } else if (now - lastGrowth >= this.#stallMs) {
          this.#clear();
          this.emit('stall', this.#stallMs, this.#own);
          return;
        }
        if (now - started >= (this.#opts.watchMs ?? 15_000)) this.#clear();
      }, () => {
        // getStats rejects only once the connection is closed: nothing more to watch.
        busy = false;
        this.#clear();
      });
    }, this.#opts.intervalMs ?? 250);
  }

  /** Stops watching. */
  stop(): void {
    this.#clear();
    this.removeAllListeners();
  }

  #clear(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/**
 * RTP packets `pc` has received so far, audio and video together (`inbound-rtp` stats).
 * @throws DOMException `InvalidStateError` once the connection is closed (from getStats).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/getStats
 */
export async function inboundPackets(pc: RTCPeerConnection): Promise<number> {
  let n = 0;
  (await pc.getStats()).forEach((r: { type: string; packetsReceived?: number }) => {
    if (r.type === 'inbound-rtp') n += r.packetsReceived ?? 0;
  });
  return n;
}
