import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { openUserPage } from '../helpers/browser';
import { ROOT } from '../helpers/server';
import { browserSuite } from '../helpers/suite';

const test = browserSuite('index and navigation');

/** Every page the build makes, as its URL path (`/gum.html`), index excluded. */
const builtPages = readdirSync(join(ROOT, 'dist'))
  .filter((f) => f.endsWith('.html') && f !== 'index.html')
  .map((f) => `/${f}`)
  .sort();

test('every page shows the navigation; clicking through it reaches each page, marked as current', async ({ server, tb }) => {
  const { page, context, errors } = await openUserPage(tb.browser, server.url);
  const visible = () => page.$$eval('header.site nav a', (as) =>
    as.filter((a) => (a as HTMLElement).offsetWidth > 0 && (a.textContent ?? '').trim() !== '').map((a) => a.getAttribute('href') ?? ''));
  const navLinks = await visible();
  assert.equal([...navLinks].sort(), builtPages, 'the navigation links every built page');
  for (const href of navLinks) {
    await Promise.all([page.waitForNavigation(), page.click(`header.site nav a[href="${href}"]`)]);
    assert.is(new URL(page.url()).pathname, href, `clicking ${href} goes there`);
    assert.equal(await visible(), navLinks, `navigation shown on ${href}`);
    assert.is(await page.$eval('header.site nav a[aria-current="page"]', (a) => a.getAttribute('href')), href, `${href} is marked current`);
    assert.ok((await page.title()).endsWith('· webrtc-playground'), `title of ${href}`);
    assert.ok(await page.$eval('main', (m) => (m.textContent ?? '').trim().length > 100), `${href} shows content`);
  }
  await Promise.all([page.waitForNavigation(), page.click('header.site a.brand')]);
  assert.is(new URL(page.url()).pathname, '/', 'the brand link goes home');
  assert.equal(errors, []);
  await context.close();
});

test('the index has a card for every page, and each card opens its page', async ({ server, tb }) => {
  const { page, context, errors } = await openUserPage(tb.browser, server.url);
  const cards = await page.$$eval('#pages a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  assert.equal([...cards].sort(), builtPages);
  for (const href of cards) {
    await Promise.all([page.waitForNavigation(), page.click(`#pages a[href="${href}"]`)]);
    assert.is(new URL(page.url()).pathname, href);
    assert.ok(await page.$('header.site nav a[aria-current="page"]'), `${href} loaded with its navigation`);
    await page.goto(server.url); // not goBack(): over BiDi it waits for a load that Firefox's back-forward cache never fires
  }
  assert.equal(errors, []);
  await context.close();
});

test.run();
