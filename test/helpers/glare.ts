/**
 * Glare on the call page: both users press "Call again" at the same moment.
 *
 * On loopback the other side's offer arrives within a millisecond or two, so two clicks sent "at
 * once" often are not a glare at all (the second page already got the offer and answers it). A
 * real network gives the two offers time to cross; {@link holdSignalsUntilOffer} gives them that
 * time here: each page holds the signaling messages it receives from the moment the round starts
 * until it has sent its own offer, then gets them in their order (the other side's offer first).
 * So every round is a real glare (both sides offered), and the polite side's implicit rollback
 * happens right after its own offer, in the middle of its ICE gathering, as on a real network.
 */
import type { Page } from 'puppeteer';
import { waitForState, type UserPage } from './browser';

type Dbg = {
  playground?: {
    trace?: { entries: { kind: string; direction?: string; message?: { type: string }; text?: string }[] };
    call?: { peer?: { pc: RTCPeerConnection } | null };
  };
};
/** The fields of a trace entry a failed round's printout shows. */
type TraceLine = { t: number; kind: string; direction?: string; origin?: string; which?: string; message?: { type?: string }; value?: string; text?: string; candidate?: unknown };
/** What the page-side hook keeps on `globalThis` (test instrumentation, not the page's code). */
type Hold = { glareHold?: { on: boolean; held: [WebSocket, unknown][]; replay: WeakSet<Event> } };

/** Offers `page` has sent so far (from its trace). */
export const offersSent = (page: Page): Promise<number> =>
  page.evaluate(() => ((globalThis as Dbg).playground?.trace?.entries ?? []).filter((e) => e.kind === 'signal' && e.direction === 'sent' && e.message?.type === 'offer').length);

/**
 * Wraps the page's `WebSocket` (before it joins) so that, while armed ({@link glareRounds} arms it
 * before each round), received signaling messages wait until the page has sent an offer.
 */
export async function holdSignalsUntilOffer(page: Page): Promise<void> {
  // Plain JavaScript text: tsx would add its own helpers to a named class or function here.
  await page.evaluate(`(() => {
    if (globalThis.glareHold) return;
    const hold = { on: false, held: [], replay: new WeakSet() };
    globalThis.glareHold = hold;
    const release = () => {
      hold.on = false;
      const held = hold.held;
      hold.held = [];
      setTimeout(() => {
        for (const [ws, data] of held) {
          const ev = new MessageEvent('message', { data });
          hold.replay.add(ev);
          ws.dispatchEvent(ev);
        }
      }, 0);
    };
    globalThis.WebSocket = class extends WebSocket {
      constructor(url, protocols) {
        super(url, protocols);
        // Registered before the page's own onmessage, so it can keep a message from reaching it.
        this.addEventListener('message', (ev) => {
          if (!hold.on || hold.replay.has(ev)) return;
          ev.stopImmediatePropagation();
          hold.held.push([this, ev.data]);
        });
      }
      send(data) {
        super.send(data);
        if (hold.on && typeof data === 'string' && data.includes('"type":"offer"')) release();
      }
    };
  })()`);
}

/** Video frames decoded by the page's current RTCPeerConnection (each call has a new one). */
const framesDecoded = (page: Page): Promise<number> =>
  page.evaluate(async () => {
    const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
    let n = 0;
    (await pc?.getStats())?.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
    });
    return n;
  });

/** Times the ICE watchdog restarted ICE on `page` (its note in the sequence diagram's trace). */
const watchdogRestarts = (page: Page): Promise<number> =>
  page.evaluate(() => ((globalThis as Dbg).playground?.trace?.entries ?? []).filter((e) => e.kind === 'note' && /ICE watchdog restarted ICE/.test(e.text ?? '')).length);

/**
 * Each page's connection states, DTLS transport, ICE ufrag/setup lines and shown problem, and
 * (printed) its trace since `marks` (entries before the round): what a failed round went through.
 */
export async function describeRound(pages: Page[], marks: number[]): Promise<string[]> {
  for (const [i, p] of pages.entries()) {
    console.log(`--- trace of page ${i + 1} in the failed round:\n` + await p.evaluate((since: number) => ((globalThis as unknown as { playground?: { trace?: { entries: TraceLine[] } } }).playground?.trace?.entries ?? [])
      .slice(since).filter((e) => e.kind !== 'stats')
      .map((e) => `${e.t} ${e.kind} ${e.direction ?? e.origin ?? e.which ?? ''} ${e.message?.type ?? e.value ?? e.text ?? (e.candidate ? 'candidate' : e.candidate === null ? 'end of candidates' : '')}`).join('\n'), marks[i] ?? 0));
  }
  return Promise.all(pages.map((p) => p.evaluate(async () => {
    const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
    if (!pc) return 'no call';
    const dtls: string[] = [];
    (await pc.getStats()).forEach((r: { type: string; dtlsState?: string; dtlsRole?: string; iceState?: string }) => {
      if (r.type === 'transport') dtls.push(`dtls ${r.dtlsState ?? '?'} ${r.dtlsRole ?? ''} ice ${r.iceState ?? ''}`);
    });
    const lines = [pc.localDescription?.sdp, pc.remoteDescription?.sdp].map((sdp) => (sdp ?? '').split('\r\n').filter((l) => l.startsWith('a=setup') || l.startsWith('a=ice-ufrag')).slice(0, 2).join(','));
    const problem = document.querySelector('#problem')?.textContent ?? '';
    return `${pc.signalingState}/${pc.iceGatheringState}/${pc.iceConnectionState}/${pc.connectionState} [${dtls.join(';')}] local ${lines[0] ?? ''} remote ${lines[1] ?? ''} problem: ${problem}`;
  })));
}

/** What {@link glareRounds} saw. */
export interface GlareResult {
  /** Rounds in which both pages sent an offer (a real glare). */
  glares: number;
  /** Rounds the impolite side's ICE watchdog had to restart ICE to connect. */
  recovered: number;
  /** Time of each round in ms: hang-up, both "Call again", both connected with frames decoded. */
  roundMs: number[];
}

/**
 * `rounds` times: hang up on `a`, then "Call again" on both pages at once, and wait until both are
 * connected again and decode video frames of the new call (each wait up to `timeoutMs`). The
 * pages must have been given {@link holdSignalsUntilOffer} before they joined.
 * @throws Error naming the round and both connections' states when a round does not connect.
 */
export async function glareRounds(a: UserPage, b: UserPage, rounds: number, timeoutMs = 30_000): Promise<GlareResult> {
  const pages = [a.page, b.page];
  const both = (state: string) => Promise.all(pages.map((p) => waitForState(p, '#call-state', state, timeoutMs)));
  const result: GlareResult = { glares: 0, recovered: 0, roundMs: [] };
  for (let round = 0; round < rounds; round++) {
    const t0 = Date.now();
    await a.page.click('#hangup');
    await both('idle');
    const before = await Promise.all(pages.map(async (p) => [await offersSent(p), await watchdogRestarts(p)] as const));
    const marks = await Promise.all(pages.map((p) => p.evaluate(() => (globalThis as Dbg).playground?.trace?.entries.length ?? 0)));
    // Both pages hold first, then both click: a page whose click came late must not have taken
    // the other's offer already (it would answer instead of offering).
    await Promise.all(pages.map((p) => p.evaluate(() => {
      const hold = (globalThis as typeof globalThis & Hold).glareHold;
      if (!hold) throw new Error('holdSignalsUntilOffer() was not called on this page');
      hold.on = true;
    })));
    await Promise.all(pages.map((p) => p.evaluate(() => document.querySelector<HTMLButtonElement>('#call')?.click())));
    const tClick = Date.now();
    let tConn = 0;
    try {
      await both('connected');
      tConn = Date.now();
      await Promise.all(pages.map((p) => p.waitForFunction(async () => {
        let n = 0;
        (await (globalThis as Dbg).playground?.call?.peer?.pc.getStats())?.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
          if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
        });
        return n > 0;
      }, { timeout: timeoutMs, polling: 50 })));
    } catch (err) {
      const states = await describeRound(pages, marks);
      console.log('page errors:', a.errors, b.errors);
      throw new Error(`glare round ${round + 1}: no connected call with frames (signaling/gathering/ICE/connection: ${states.join(' and ')}; frames ${await framesDecoded(a.page)}, ${await framesDecoded(b.page)}): ${String(err)}`);
    }
    const after = await Promise.all(pages.map(async (p) => [await offersSent(p), await watchdogRestarts(p)] as const));
    if (after.every(([offers], i) => offers > (before[i]?.[0] ?? 0))) result.glares++;
    if (after.some(([, restarts], i) => restarts > (before[i]?.[1] ?? 0))) result.recovered++;
    result.roundMs.push(Date.now() - t0);
    if (process.env.TEST_TIMES) console.log(`  glare round ${round + 1}: hangup ${tClick - t0} connect ${tConn - tClick} frames ${Date.now() - tConn}`);
  }
  const mean = result.roundMs.reduce((s, ms) => s + ms, 0) / Math.max(1, rounds);
  console.log(`  glare: both sides offered in ${result.glares} of ${rounds} rounds; the ICE watchdog recovered ${result.recovered}; ${Math.round(mean)} ms per round (max ${Math.max(...result.roundMs)} ms)`);
  return result;
}
