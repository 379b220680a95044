/**
 * Chromium ↔ Firefox calls through the signaler: both join orders, media both ways, the negotiated
 * codecs on the page, chat, mute, hang-up, call again, glare, and a step-mode call.
 */
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, textOf, waitForState, type UserPage } from '../helpers/browser';
import { must } from '../helpers/must';
import { describeRound, holdSignalsUntilOffer, offersSent } from '../helpers/glare';
import { crossBrowserSuite } from '../helpers/suite';

const test = crossBrowserSuite('call page, Chromium ↔ Firefox');

type Dbg = {
  playground?: {
    call?: { peer?: { pc: RTCPeerConnection } | null };
    stepper?: { peer?: { pc: RTCPeerConnection } | null };
    trace?: { entries: { kind: string; direction?: string; message?: { type: string } }[] };
  };
};

/**
 * Inbound video frames decoded and audio RTP packets received, from the page's RTCPeerConnection.
 * (Audio packets, not samples: Firefox's totalSamplesReceived keeps growing with concealment
 * samples when no packet arrives at all.)
 */
function inbound(page: Page, which: 'call' | 'stepper' = 'call'): Promise<{ frames: number; audioPackets: number }> {
  return page.evaluate(async (w: 'call' | 'stepper') => {
    const pc = (globalThis as Dbg).playground?.[w]?.peer?.pc;
    let frames = 0;
    let audioPackets = 0;
    if (!pc) return { frames, audioPackets };
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') frames += r.framesDecoded ?? 0;
      if (r.kind === 'audio') audioPackets += r.packetsReceived ?? 0;
    });
    return { frames, audioPackets };
  }, which);
}

/** Waits until both the video frames decoded and the audio packets received by `page` grow. */
async function mediaFlowsInto(page: Page, which: 'call' | 'stepper' = 'call'): Promise<void> {
  const start = await inbound(page, which);
  await page.bringToFront();
  for (let i = 0; i < 100; i++) {
    const now = await inbound(page, which);
    if (now.frames > start.frames + 5 && now.audioPackets > start.audioPackets) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  const end = await inbound(page, which);
  throw new Error(`media did not flow in: frames ${start.frames} → ${end.frames}, audio packets ${start.audioPackets} → ${end.audioPackets}`);
}


async function join(page: Page): Promise<void> {
  await page.click('#join');
  await waitForState(page, '#room-state', 'joined');
}

async function bothConnected(a: UserPage, b: UserPage): Promise<void> {
  try {
    await waitForState(a.page, '#call-state', 'connected', 20_000);
    await waitForState(b.page, '#call-state', 'connected', 20_000);
  } catch (err) {
    // Both pages' connection states, recent trace and SDP lines: what the next failure needs.
    const states = await describeRound([a.page, b.page], [0, 0]);
    throw new Error(`${String(err)}\n  first page: ${states[0] ?? ''}\n  second page: ${states[1] ?? ''}`);
  }
}

/** The codecs the inspector's stats panel shows for this page's own side (received or sent). */
async function shownCodecs(page: Page): Promise<{ video: string; audio: string }> {
  await page.waitForFunction(
    () => [...document.querySelectorAll('#inspector .stats-panels li[data-kind]')].some((li) => /codec (video|audio)\//.test(li.textContent ?? '')),
    { timeout: 15_000, polling: 200 },
  );
  const facts = await page.$$eval('#inspector .stats-panels li[data-kind]', (lis) => lis.map((li) => `${(li as HTMLElement).dataset.kind}|${li.textContent ?? ''}`));
  return {
    video: facts.filter((f) => f.startsWith('video|')).join(' '),
    audio: facts.filter((f) => f.startsWith('audio|')).join(' '),
  };
}

test('Firefox calls Chromium (Chromium waits): media both ways, VP8 + Opus shown, chat, mute, hang-up, call again, glare', async ({ server, chromium, firefox }) => {
  const url = `${server.url}call.html?room=cross-1`;
  const c = await openUserPage(chromium.browser, url);
  const f = await openUserPage(firefox.browser, url);
  // For the glare at the end (armed there only): each page's incoming signals wait until it has offered.
  for (const { page } of [c, f]) await holdSignalsUntilOffer(page);
  await join(c.page);
  await join(f.page); // joins second: the caller
  await bothConnected(c, f);
  assert.is((await offersSent(f.page)) + (await offersSent(c.page)), 1, 'one offer');
  assert.is(await offersSent(f.page), 1, 'Firefox (second to join) made the offer');
  await mediaFlowsInto(c.page);
  await mediaFlowsInto(f.page);

  // Without H.264 in Firefox (OpenH264 is a runtime download), the two agree on VP8 and Opus.
  for (const { page } of [c, f]) {
    const codecs = await shownCodecs(page);
    assert.match(codecs.video, /codec video\/VP8/, codecs.video);
    assert.match(codecs.audio, /codec audio\/opus/i, codecs.audio);
  }

  // Chat both ways over the data channel.
  await c.page.waitForFunction(() => document.querySelector<HTMLInputElement>('#chat-input')?.disabled === false, { timeout: 10_000 });
  await f.page.waitForFunction(() => document.querySelector<HTMLInputElement>('#chat-input')?.disabled === false, { timeout: 10_000 });
  await c.page.type('#chat-input', 'hello Firefox');
  await c.page.click('#chat-send');
  await f.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hello Firefox'), { timeout: 10_000 });
  await f.page.type('#chat-input', 'hello Chromium');
  await f.page.keyboard.press('Enter');
  await c.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hello Chromium'), { timeout: 10_000 });

  // Mute on each side: the other side sees it.
  await f.page.click('#mute-audio');
  await c.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-audio') === 'off', { timeout: 10_000 });
  await c.page.click('#mute-video');
  await f.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-video') === 'off', { timeout: 10_000 });
  await c.page.click('#mute-video');
  await f.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-video') === 'on', { timeout: 10_000 });
  await f.page.click('#mute-audio');
  await c.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-audio') === 'on', { timeout: 10_000 });

  // Hang up in Firefox: Chromium sees it; "Call again" from Chromium connects again.
  await f.page.click('#hangup');
  await waitForState(c.page, '#call-state', 'idle');
  await waitForState(f.page, '#call-state', 'idle');
  assert.match(await textOf(c.page, '#remote-caption'), /hung up/);
  await c.page.click('#call');
  await bothConnected(c, f);
  await mediaFlowsInto(f.page);

  // Glare: both press "Call again" at the same moment; both really offer, one call results.
  await c.page.click('#hangup');
  await waitForState(f.page, '#call-state', 'idle');
  await waitForState(c.page, '#call-state', 'idle');
  const before = { c: await offersSent(c.page), f: await offersSent(f.page) };
  // A page whose click comes late (a loaded machine) must not have taken the other's offer already:
  // it would answer instead of offering. Held signals reach it once it has sent its own offer.
  await Promise.all([c, f].map(({ page }) => page.evaluate(() => {
    const hold = (globalThis as { glareHold?: { on: boolean } }).glareHold;
    if (hold) hold.on = true;
  })));
  await Promise.all([c, f].map(({ page }) => page.evaluate(() => document.querySelector<HTMLButtonElement>('#call')?.click())));
  await bothConnected(c, f);
  assert.ok((await offersSent(c.page)) > before.c && (await offersSent(f.page)) > before.f, 'both sides sent an offer (a real glare)');
  await mediaFlowsInto(c.page);
  await mediaFlowsInto(f.page);

  await f.page.click('#leave');
  await waitForState(c.page, '#call-state', 'idle');
  assert.match(await textOf(c.page, '#remote-caption'), /left the room/);
  assert.equal([...c.errors, ...f.errors], [], 'no page errors, console errors or failed requests');
  await c.context.close();
  await f.context.close();
});

test('Chromium calls Firefox (Firefox waits): media both ways, VP8 + Opus shown, ICE restart from either side, hang-up seen', async ({ server, chromium, firefox }) => {
  const url = `${server.url}call.html?room=cross-2`;
  const f = await openUserPage(firefox.browser, url);
  const c = await openUserPage(chromium.browser, url);
  await join(f.page);
  await join(c.page); // joins second: the caller
  await bothConnected(c, f);
  assert.is(await offersSent(c.page), 1, 'Chromium (second to join) made the offer');
  assert.is(await offersSent(f.page), 0);
  await mediaFlowsInto(f.page);
  await mediaFlowsInto(c.page);
  for (const { page } of [c, f]) {
    const codecs = await shownCodecs(page);
    assert.match(codecs.video, /codec video\/VP8/, codecs.video);
    assert.match(codecs.audio, /codec audio\/opus/i, codecs.audio);
  }
  // ICE restart, asked by Chromium then by Firefox: each sends one new offer with new ICE
  // credentials, the call connects again and media flows both ways. After Chromium's restart
  // Firefox often receives nothing (Chromium keeps sending to Firefox's old candidates; see
  // src/rtc/media-watchdog.ts): Firefox's page must then say so and restart ICE itself.
  for (const [asker, other] of [[c, f], [f, c]] as const) {
    const who = asker === f ? 'Firefox' : 'Chromium';
    const ufrag = () => asker.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground?.call?.peer?.pc.localDescription?.sdp ?? '')?.[1] ?? '');
    const before = await ufrag();
    const offers = await offersSent(asker.page);
    await asker.page.waitForFunction(() => document.querySelector<HTMLButtonElement>('#restart-ice')?.disabled === false, { timeout: 10_000 });
    await asker.page.click('#restart-ice');
    await asker.page.waitForFunction((u: string) => {
      const now = /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground?.call?.peer?.pc.localDescription?.sdp ?? '')?.[1];
      return now !== undefined && now !== u;
    }, { timeout: 10_000 }, before);
    assert.is(await offersSent(asker.page), offers + 1, `${who}'s restart sent one new offer`);
    await bothConnected(asker, other);
    await mediaFlowsInto(other.page);
    await mediaFlowsInto(asker.page);
    const hint = await textOf(other.page, '#room-hint');
    if (/No audio or video arrived/.test(hint)) {
      console.log(`  after ${who}'s ICE restart the other side received nothing and restarted ICE itself`);
      assert.match(hint, /restarted ICE once more/, 'the page says what it did');
    }
  }
  await c.page.click('#hangup');
  await waitForState(f.page, '#call-state', 'idle');
  assert.match(await textOf(f.page, '#remote-caption'), /hung up/);
  assert.equal([...c.errors, ...f.errors], []);
  await c.context.close();
  await f.context.close();
});

/** Clicks "Next step" on whichever side is ready until both are done; returns the clicks. */
async function stepAll(pages: Page[]): Promise<number> {
  let clicks = 0;
  for (let guard = 0; guard < 200; guard++) {
    const states = await Promise.all(pages.map((p) => p.$eval('#steps', (e) => (e as HTMLElement).dataset.state ?? '')));
    if (states.every((s) => s === 'done')) return clicks;
    const ready = states.findIndex((s) => s === 'ready');
    if (ready >= 0) {
      const page = must(pages[ready], 'the ready page');
      await page.click('#next-step');
      clicks++;
      await page.waitForFunction(() => document.querySelector<HTMLElement>('#steps')?.dataset.state !== 'running', { timeout: 30_000, polling: 50 });
    } else {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('steps did not finish');
}

test('step mode across the two browsers (Chromium calls, Firefox answers): every step one click at a time, then media flows', async ({ server, chromium, firefox }) => {
  const url = `${server.url}call.html?room=cross-steps`;
  const callee = await openUserPage(firefox.browser, url);
  const caller = await openUserPage(chromium.browser, url);
  for (const { page } of [callee, caller]) {
    await page.click('#mode-step');
    await join(page);
  }
  await waitForState(callee.page, '#steps', 'waiting');
  await waitForState(caller.page, '#steps', 'ready');
  const clicks = await stepAll([caller.page, callee.page]);
  assert.is(clicks, 22, 'caller 11 own steps + callee 11 own steps');
  for (const { page } of [caller, callee]) {
    await waitForState(page, '#call-state', 'connected');
    assert.is(await page.$$eval('#steps li[data-state="done"]', (l) => l.length), 23);
  }
  await mediaFlowsInto(callee.page, 'stepper');
  await mediaFlowsInto(caller.page, 'stepper');
  assert.equal([...caller.errors, ...callee.errors], []);
  await caller.context.close();
  await callee.context.close();
});

test.run();
