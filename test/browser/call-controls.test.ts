// One call between two pages (set up once, before the tests), then one test per in-call control, so a
// failing control does not hide the others. Each test leaves the call as it found it.
import * as assert from 'uvu/assert';
import type { Page } from 'puppeteer';
import { openUserPage, waitForState, type UserPage } from '../helpers/browser';
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

const offersOfBoth = async () => (await offersSent(call.a.page)) + (await offersSent(call.b.page));

/** Waits until the page's inbound video framesDecoded grows by more than `more` from now. */
async function framesGrow(page: Page, more = 5): Promise<void> {
  const read = () =>
    page.evaluate(async () => {
      const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
      if (!pc) throw new Error('no RTCPeerConnection in playground.call');
      let n = 0;
      (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
      });
      return n;
    });
  const start = await read();
  await page.bringToFront();
  await page.waitForFunction(
    async (target: number) => {
      const pc = (globalThis as Dbg).playground?.call?.peer?.pc;
      let n = 0;
      (await pc?.getStats())?.forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded ?? 0;
      });
      return n > target;
    },
    { timeout: 15_000, polling: 150 },
    start + more,
  ).catch((err: unknown) => {
    throw new Error(`remote video frames stopped (${String(err)})`);
  });
}

function sentVideo(page: Page): Promise<{ label: string; deviceId: string }> {
  return page.evaluate(() => {
    const t = (globalThis as Dbg).playground?.call?.peer?.pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
    if (!t) throw new Error('no video sender with a track');
    return { label: t.label, deviceId: t.getSettings().deviceId ?? '' };
  });
}

const attr = (page: Page, sel: string, name: string) => page.$eval(sel, (e, n) => e.getAttribute(n as string), name);
const remoteMedia = (page: Page, name: string, value: string) =>
  page.waitForFunction((n: string, v: string) => document.querySelector('#remote-media')?.getAttribute(n) === v, { timeout: 10_000 }, name, value);

/** The call shared by the tests: A and B joined and connected. */
let call: { a: UserPage; b: UserPage };

test.before(async ({ server, tb }) => {
  const url = `${server.url}call.html?room=test-controls`;
  call = { a: await openUserPage(tb.browser, url), b: await openUserPage(tb.browser, url) };
  for (const { page } of [call.a, call.b]) {
    await page.click('#join');
    await waitForState(page, '#room-state', 'joined');
  }
  for (const { page } of [call.a, call.b]) await waitForState(page, '#call-state', 'connected');
});

test.after.each(() => {
  assert.equal([...call.a.errors, ...call.b.errors], [], 'no errors on either page');
});

test('one offer sets up the call', async () => {
  assert.is(await offersOfBoth(), 1);
});

test('switching the camera uses replaceTrack: no new offer, the other side keeps decoding', async () => {
  const { a, b } = call;
  await b.page.waitForFunction(() => document.querySelectorAll('#camera-select option').length === 3, { timeout: 10_000 });
  const before = await sentVideo(b.page);
  const offers = await offersOfBoth();
  // Measured: after replaceTrack to fake_device_1 the sender's framesSent stops growing (also in a bare
  // two-RTCPeerConnection page); fake_device_2 sends normally. So switch to fake_device_2.
  const other = await b.page.$$eval('#camera-select option', (os) => os.find((o) => o.textContent === 'fake_device_2')?.getAttribute('value') ?? '');
  assert.ok(other, 'fake_device_2 is listed');
  assert.is.not(other, before.deviceId);
  await b.page.select('#camera-select', other);
  await b.page.waitForFunction((id: string) => (globalThis as Dbg).playground?.call?.peer?.pc.getSenders().some((s) => s.track?.getSettings().deviceId === id), { timeout: 10_000 }, other);
  await framesGrow(a.page);
  assert.is(await attr(a.page, '#call-state', 'data-state'), 'connected');
  assert.is(await offersOfBoth(), offers, 'no new offer');
});

test('muting the microphone and the camera is seen by the other side', async () => {
  const { a, b } = call;
  await b.page.click('#mute-audio');
  await remoteMedia(a.page, 'data-audio', 'off');
  assert.is(await attr(b.page, '#mute-audio', 'data-state'), 'off');
  await b.page.click('#mute-video');
  await remoteMedia(a.page, 'data-video', 'off');
  assert.match(await a.page.$eval('#remote-media', (e) => e.textContent ?? ''), /microphone: muted.*camera: off/);
  await b.page.click('#mute-video');
  await remoteMedia(a.page, 'data-video', 'on');
  await b.page.click('#mute-audio');
  await remoteMedia(a.page, 'data-audio', 'on');
});

test('sharing the screen replaces the camera (frames arrive, no new offer), and stopping brings the camera back', async () => {
  const { a, b } = call;
  const camera = (await sentVideo(b.page)).deviceId;
  const offers = await offersOfBoth();
  await b.page.click('#share-screen');
  await remoteMedia(a.page, 'data-screen', 'on');
  assert.match((await sentVideo(b.page)).label, /screen/);
  await framesGrow(a.page);
  await b.page.click('#share-screen');
  await remoteMedia(a.page, 'data-screen', 'off');
  assert.is((await sentVideo(b.page)).deviceId, camera, 'the chosen camera is back');
  assert.is(await offersOfBoth(), offers, 'no new offer');
});

test("stopping the share from the browser's own UI (the track's ended event) brings the camera back", async () => {
  const { a, b } = call;
  const camera = (await sentVideo(b.page)).deviceId;
  await b.page.click('#share-screen');
  await remoteMedia(a.page, 'data-screen', 'on');
  await b.page.evaluate(() => {
    const track = (globalThis as Dbg).playground?.call?.peer?.pc.getSenders().find((s) => s.track?.kind === 'video')?.track;
    if (!track) throw new Error('no video sender with a track');
    track.dispatchEvent(new Event('ended'));
  });
  await remoteMedia(a.page, 'data-screen', 'off');
  assert.is((await sentVideo(b.page)).deviceId, camera);
  assert.is(await attr(b.page, '#share-screen', 'data-state'), 'off');
});

test('chat goes both ways over the data channel, and peer text stays text', async () => {
  const { a, b } = call;
  await a.page.waitForFunction(() => document.querySelector<HTMLInputElement>('#chat-input')?.disabled === false, { timeout: 10_000 });
  await a.page.type('#chat-input', 'hello <b>B</b>');
  await a.page.click('#chat-send');
  await b.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hello <b>B</b>'), { timeout: 10_000 });
  assert.is(await b.page.$$eval('#chat-log b', (l) => l.length), 0, 'no HTML from the peer');
  await b.page.type('#chat-input', 'hi A');
  await b.page.keyboard.press('Enter');
  await a.page.waitForFunction(() => document.querySelector('#chat-log li[data-from="peer"]')?.textContent?.includes('hi A'), { timeout: 10_000 });
});

test('ICE restart sends one new offer with new ICE credentials, and the call connects again', async () => {
  const { a, b } = call;
  const ufrag = () => a.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground?.call?.peer?.pc.localDescription?.sdp ?? '')?.[1] ?? '');
  const ufrag0 = await ufrag();
  assert.ok(ufrag0, 'a local description with an ICE ufrag');
  const offers = await offersOfBoth();
  await a.page.click('#restart-ice');
  await a.page.waitForFunction((u: string) => {
    const now = /a=ice-ufrag:(\S+)/.exec((globalThis as Dbg).playground?.call?.peer?.pc.localDescription?.sdp ?? '')?.[1];
    return now !== undefined && now !== u;
  }, { timeout: 10_000 }, ufrag0);
  assert.is(await offersOfBoth(), offers + 1, 'the restart sent one new offer');
  for (const { page } of [a, b]) await waitForState(page, '#call-state', 'connected');
  await framesGrow(b.page);
});

test.run();
