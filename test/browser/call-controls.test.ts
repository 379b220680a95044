import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, waitForState } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';

const test = browserSuite('in-call controls', { fakeDevice: 'device-count=3' }, {
  notIn: {
    firefox:
      "Firefox's fake media has one camera (no camera to switch to) and headless Firefox cannot share a screen; " +
      'mute, chat and hang-up with Firefox are tested against Chromium in call-cross.test.ts',
  },
});

type Dbg = {
  playground?: {
    call?: { peer?: { pc: RTCPeerConnection } | null };
    trace?: { entries: { kind: string; direction?: string; message?: { type: string } }[] };
  };
};

/** Offers this page sent, from the debug trace of signaling messages. */
function offersSent(page: Page): Promise<number> {
  return page.evaluate(() =>
    ((globalThis as Dbg).playground?.trace?.entries ?? []).filter((e) => e.kind === 'signal' && e.direction === 'sent' && e.message?.type === 'offer').length,
  );
}

/** Waits until the page's inbound video framesDecoded grows by more than `more` from now. */
async function framesGrow(page: Page, more = 5): Promise<void> {
  const read = () =>
    page.evaluate(async () => {
      let n = 0;
      (await (globalThis as Dbg).playground!.call!.peer!.pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
      });
      return n;
    });
  const start = await read();
  await page.bringToFront();
  for (let i = 0; i < 100; i++) {
    if ((await read()) > start + more) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error('remote video frames stopped');
}

function sentVideo(page: Page): Promise<{ label: string; deviceId: string }> {
  return page.evaluate(() => {
    const t = (globalThis as Dbg).playground!.call!.peer!.pc.getSenders().find((s) => s.track?.kind === 'video')!.track!;
    return { label: t.label, deviceId: t.getSettings().deviceId ?? '' };
  });
}

const attr = (page: Page, sel: string, name: string) => page.$eval(sel, (e, n) => e.getAttribute(n as string), name);

test('switch camera, mute, screen share, chat and ICE restart during one call', async ({ server, tb }) => {
  const url = `${server.url}call.html?room=test-controls`;
  const a = await openUserPage(tb.browser, url);
  const b = await openUserPage(tb.browser, url);
  for (const { page } of [a, b]) {
    await page.click('#join');
    await waitForState(page, '#room-state', 'joined');
  }
  for (const { page } of [a, b]) await waitForState(page, '#call-state', 'connected');
  const offers = (await offersSent(a.page)) + (await offersSent(b.page));
  assert.is(offers, 1, 'one offer set up the call');

  // Switch camera on B (3 fake cameras): replaceTrack, no new offer, A keeps decoding.
  await b.page.waitForFunction(() => document.querySelectorAll('#camera-select option').length === 3, { timeout: 10_000 });
  const before = await sentVideo(b.page);
  // Measured: after replaceTrack to fake_device_1 the sender's framesSent stops growing (also in a bare
  // two-RTCPeerConnection page); fake_device_2 sends normally. So switch to fake_device_2.
  const other = await b.page.$$eval('#camera-select option', (os) => os.find((o) => o.textContent === 'fake_device_2')!.getAttribute('value')!);
  assert.is.not(other, before.deviceId);
  await b.page.select('#camera-select', other);
  await b.page.waitForFunction((id: string) => (globalThis as Dbg).playground!.call!.peer!.pc.getSenders().some((s) => s.track?.getSettings().deviceId === id), { timeout: 10_000 }, other);
  await framesGrow(a.page);
  assert.is(await attr(a.page, '#call-state', 'data-state'), 'connected');

  // Mute microphone and camera on B: A sees it through the data channel.
  await b.page.click('#mute-audio');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-audio') === 'off', { timeout: 10_000 });
  assert.is(await attr(b.page, '#mute-audio', 'data-state'), 'off');
  await b.page.click('#mute-video');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-video') === 'off', { timeout: 10_000 });
  assert.match(await a.page.$eval('#remote-media', (e) => e.textContent ?? ''), /microphone: muted.*camera: off/);
  await b.page.click('#mute-video');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-video') === 'on', { timeout: 10_000 });

  // Screen share into the call in place of the camera, then back.
  await b.page.click('#share-screen');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-screen') === 'on', { timeout: 10_000 });
  assert.match((await sentVideo(b.page)).label, /screen/);
  await framesGrow(a.page);
  await b.page.click('#share-screen');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-screen') === 'off', { timeout: 10_000 });
  assert.is((await sentVideo(b.page)).deviceId, other, 'the chosen camera is back');
  // Stopping from the browser's own "Stop sharing" UI (the track's ended event) also brings the camera back.
  await b.page.click('#share-screen');
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-screen') === 'on', { timeout: 10_000 });
  await b.page.evaluate(() => (globalThis as Dbg).playground!.call!.peer!.pc.getSenders().find((s) => s.track?.kind === 'video')!.track!.dispatchEvent(new Event('ended')));
  await a.page.waitForFunction(() => document.querySelector('#remote-media')?.getAttribute('data-screen') === 'off', { timeout: 10_000 });
  assert.is((await sentVideo(b.page)).deviceId, other);
  assert.is(await attr(b.page, '#share-screen', 'data-state'), 'off');
  assert.is((await offersSent(a.page)) + (await offersSent(b.page)), 1, 'no new offer for any of it');

  // Chat both ways; peer text stays text.
  await a.page.waitForFunction(() => !document.querySelector<HTMLInputElement>('#chat-input')!.disabled, { timeout: 10_000 });
  await a.page.type('#chat-input', 'hello <b>B</b>');
  await a.page.click('#chat-send');
  await b.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hello <b>B</b>'), { timeout: 10_000 });
  assert.is(await b.page.$$eval('#chat-log b', (l) => l.length), 0, 'no HTML from the peer');
  await b.page.type('#chat-input', 'hi A');
  await b.page.keyboard.press('Enter');
  await a.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hi A'), { timeout: 10_000 });

  // ICE restart: a new offer with new ICE credentials, and the call is connected again.
  const ufrag = () => a.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground!.call!.peer!.pc.localDescription!.sdp)?.[1]);
  const ufrag0 = await ufrag();
  await a.page.click('#restart-ice');
  await a.page.waitForFunction((u: string) => /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground!.call!.peer!.pc.localDescription!.sdp)?.[1] !== u, { timeout: 10_000 }, ufrag0!);
  assert.is((await offersSent(a.page)) + (await offersSent(b.page)), 2, 'the restart sent one new offer');
  for (const { page } of [a, b]) await waitForState(page, '#call-state', 'connected');
  await framesGrow(b.page);
  assert.equal([...a.errors, ...b.errors], []);
  await a.context.close();
  await b.context.close();
});

test.run();
