import * as assert from 'uvu/assert';
import type { Browser, Page } from 'puppeteer';
import { openUserPage, textOf, waitForState } from '../helpers/browser';
import { must } from '../helpers/must';
import { browserSuite, notInThisBrowser } from '../helpers/suite';

// Three fake cameras; no fake UI, so permission is whatever the context grants.
const test = browserSuite('devices page', { fakeUi: false, fakeDevice: 'device-count=3' });

const options = (page: Page, select: string) =>
  page.$$eval(`${select} option`, (os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
const attr = (page: Page, selector: string, name: string) => page.$eval(selector, (e, n) => (e as HTMLElement).getAttribute(n) ?? '', name);
const reads = (page: Page) => attr(page, '#list-info', 'data-reads').then(Number);

async function select(page: Page, selector: string, value: string): Promise<void> {
  await page.select(selector, value);
}

const CHROMIUM_ONLY = 'Firefox takes no per-page camera/microphone grant over WebDriver BiDi and fakes one camera (the Firefox test covers the rest)';

/** A devices page in a context granted camera and microphone, capturing; with its outputs, first two cameras' ids and last output's id. */
async function capturingPage(url: string, tb: { browser: Browser }) {
  const user = await openUserPage(tb.browser, url, ['camera', 'microphone']);
  const { page } = user;
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#list-info')?.dataset.reads) >= 1, { timeout: 10_000 });
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  const cams = await options(page, '#videoinput');
  const outputs = await options(page, '#audiooutput');
  const cam0 = must(cams[0], 'camera 1').value;
  const cam1 = must(cams[1], 'camera 2').value;
  const lastOutput = must(outputs.at(-1), 'an audio output').value;
  return { ...user, outputs, cam0, cam1, lastOutput };
}

test('labels hidden before permission; the grant (Permissions API change) shows them', async ({ server, tb }) => {
  if (tb.name === 'firefox') return notInThisBrowser(tb.name, 'a permission grant seen through the Permissions API', CHROMIUM_ONLY);
  const url = `${server.url}devices.html`;
  const { page, context } = await openUserPage(tb.browser, url);
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#list-info')?.dataset.reads) >= 1, { timeout: 10_000 });
  assert.is(await page.$eval('#labels-notice', (e) => (e as HTMLElement).hidden), false, 'notice about hidden labels is shown');
  assert.match(must((await options(page, '#videoinput'))[0], 'a camera option').text, /name hidden until permission/);
  await waitForState(page, '#perm-camera', 'prompt');
  // Granting (as the browser's prompt would) fires the Permissions API change event: the badge
  // follows, the list is re-read, and the labels appear.
  await context.overridePermissions(new URL(url).origin, ['camera', 'microphone']);
  await waitForState(page, '#perm-camera', 'granted');
  await waitForState(page, '#perm-microphone', 'granted');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#labels-notice')?.hidden === true, { timeout: 10_000 });
  assert.match(await attr(page, '#list-info', 'data-reason'), /permission changed to granted/);
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  const cams = await options(page, '#videoinput');
  assert.equal(cams.map((c) => c.text).slice(0, 3), ['fake_device_0', 'fake_device_1', 'fake_device_2']);
  assert.ok((await options(page, '#audioinput')).every((o) => o.text !== '' && !/hidden/.test(o.text)), 'microphones have labels');
  assert.is((await options(page, '#audiooutput')).length, 3);
  await context.close();
});

test('a devicechange re-reads the list (a new camera shows up)', async ({ server, tb }) => {
  if (tb.name === 'firefox') return notInThisBrowser(tb.name, 'devicechange with three cameras', CHROMIUM_ONLY);
  const { page, context } = await capturingPage(`${server.url}devices.html`, tb);
  const before = await reads(page);
  await page.evaluate(() => {
    const md = navigator.mediaDevices;
    const real = md.enumerateDevices.bind(md);
    md.enumerateDevices = async () => [
      ...(await real()),
      { deviceId: 'plugged-in', groupId: 'g', kind: 'videoinput', label: 'Plugged-in camera' } as unknown as MediaDeviceInfo,
    ];
    md.dispatchEvent(new Event('devicechange'));
  });
  await page.waitForFunction((n: number) => Number(document.querySelector<HTMLElement>('#list-info')?.dataset.reads) > n, { timeout: 10_000 }, before);
  assert.is(await attr(page, '#list-info', 'data-reason'), 'devicechange');
  assert.ok((await options(page, '#videoinput')).some((o) => o.text === 'Plugged-in camera'));
  await context.close();
});

test('switching camera changes only the video track; setSinkId to each output; the tone plays on the chosen one', async ({ server, tb }) => {
  if (tb.name === 'firefox') return notInThisBrowser(tb.name, 'switching between cameras', CHROMIUM_ONLY);
  const { page, context, outputs, cam0, cam1, lastOutput } = await capturingPage(`${server.url}devices.html`, tb);
  const firstMic = await attr(page, '#audio-track', 'data-device-id');
  assert.is(await attr(page, '#video-track', 'data-device-id'), cam0);
  await select(page, '#videoinput', cam1);
  await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#video-track')?.dataset.deviceId === id, { timeout: 10_000 }, cam1);
  await waitForState(page, '#capture-state', 'live');
  assert.is(await attr(page, '#previous-video', 'data-device-id'), cam0);
  assert.is(await attr(page, '#previous-video', 'data-state'), 'ended');
  assert.is(await attr(page, '#audio-track', 'data-device-id'), firstMic, 'microphone untouched');
  await page.waitForFunction(() => {
    const v = document.querySelector<HTMLVideoElement>('#preview');
    return !!v && !v.paused && v.readyState >= 2 && v.videoWidth > 0;
  }, { timeout: 10_000 });
  for (const o of outputs) {
    await select(page, '#audiooutput', o.value);
    await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#sink-current')?.dataset.sinkId === id, { timeout: 10_000 }, o.value);
    assert.is(await attr(page, '#problem', 'data-error'), '');
  }
  await page.click('#tone');
  await waitForState(page, '#tone-state', 'done');
  assert.match(await textOf(page, '#tone-state'), new RegExp(lastOutput));
  await context.close();
});

test('the chosen camera and output are remembered across a reload; a remembered camera that is gone falls back and says so', async ({ server, tb }) => {
  if (tb.name === 'firefox') return notInThisBrowser(tb.name, 'remembering one of three cameras', CHROMIUM_ONLY);
  const { page, context, cam0, cam1, lastOutput } = await capturingPage(`${server.url}devices.html`, tb);
  await select(page, '#videoinput', cam1);
  await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#video-track')?.dataset.deviceId === id, { timeout: 10_000 }, cam1);
  await select(page, '#audiooutput', lastOutput);
  await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#sink-current')?.dataset.sinkId === id, { timeout: 10_000 }, lastOutput);
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#list-info')?.dataset.reads) >= 1, { timeout: 10_000 });
  assert.is(await page.$eval('#videoinput', (s) => (s as HTMLSelectElement).value), cam1);
  await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#sink-current')?.dataset.sinkId === id, { timeout: 10_000 }, lastOutput);
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  assert.is(await attr(page, '#video-track', 'data-device-id'), cam1);
  assert.is(await page.$eval('#fallback-notice', (e) => (e as HTMLElement).hidden), true);
  // A remembered camera that is gone: default camera, and the page says so.
  await page.evaluate(() => {
    const key = 'webrtc-playground.devices';
    const all = JSON.parse(localStorage.getItem(key) ?? '{}') as Record<string, unknown>;
    all.videoinput = { deviceId: 'unplugged-camera-id', label: 'Old USB camera' };
    localStorage.setItem(key, JSON.stringify(all));
  });
  await page.reload({ waitUntil: 'load' });
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#fallback-notice')?.hidden === false, { timeout: 10_000 });
  assert.match(await textOf(page, '#fallback-notice'), /Old USB camera.*not connected/);
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  assert.is(await attr(page, '#video-track', 'data-device-id'), cam0);
  await context.close();
});

test('Firefox: labels appear once getUserMedia is allowed; its fake outputs are listed, chosen with setSinkId, and remembered', async ({ server, tb }) => {
  if (tb.name !== 'firefox') return; // Chromium: the test above
  const { page, context, errors } = await openUserPage(tb.browser, `${server.url}devices.html`, ['camera', 'microphone']);
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#list-info')?.dataset.reads) >= 1, { timeout: 10_000 });
  assert.is(await page.$eval('#labels-notice', (e) => (e as HTMLElement).hidden), false, 'notice about hidden labels is shown');
  assert.match(must((await options(page, '#videoinput'))[0], 'a camera entry').text, /name hidden until permission/);
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('#labels-notice')?.hidden === true, { timeout: 10_000 });
  assert.equal((await options(page, '#videoinput')).map((o) => o.text), ['Default Video Device']);
  assert.equal((await options(page, '#audioinput')).map((o) => o.text), ['Default Audio Device']);
  const outputs = await options(page, '#audiooutput');
  const second = must(outputs[1], 'a second audio output');
  assert.equal(outputs.map((o) => o.text.replace(/ \(PREFERRED\)$/, '')), ['Fake Audio Output 1', 'Fake Audio Output 2']);
  assert.is(await page.$eval('#sink-support', (e) => (e as HTMLElement).hidden), true, 'setSinkId is supported');
  for (const o of outputs) {
    await select(page, '#audiooutput', o.value);
    await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#sink-current')?.dataset.sinkId === id, { timeout: 10_000 }, o.value);
    assert.is(await attr(page, '#problem', 'data-error'), '');
  }
  await page.click('#tone');
  await waitForState(page, '#tone-state', 'done');
  assert.match(await textOf(page, '#tone-state'), new RegExp(second.value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
  // Reload: the remembered output comes back once the outputs are listed again.
  await page.reload({ waitUntil: 'load' });
  await page.click('#start');
  await waitForState(page, '#capture-state', 'live');
  await page.waitForFunction((id: string) => document.querySelector<HTMLElement>('#sink-current')?.dataset.sinkId === id, { timeout: 10_000 }, second.value);
  assert.equal(errors, []);
  await context.close();
});

test('without setSinkId the page says which browsers can choose the output', async ({ server, tb }) => {
  const context = await tb.browser.createBrowserContext();
  const page = await context.newPage();
  await page.evaluateOnNewDocument(() => {
    delete (HTMLMediaElement.prototype as { setSinkId?: unknown }).setSinkId;
  });
  await page.goto(`${server.url}devices.html`, { waitUntil: 'load' });
  assert.is(await page.$eval('#sink-support', (e) => (e as HTMLElement).hidden), false);
  assert.match(await textOf(page, '#sink-support'), /Chrome.*Firefox 116\+.*Safari 18\.4\+/);
  assert.is(await attr(page, '#sink-state', 'data-state'), 'unsupported');
  await context.close();
});

test.run();
