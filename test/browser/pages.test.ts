import * as assert from 'uvu/assert';
import { openUserPage } from '../helpers/browser';
import { browserSuite } from '../helpers/suite';

const test = browserSuite('index and navigation');

test('the index links every page; each page loads without errors and has the same navigation', async ({ server, tb }) => {
  const index = await openUserPage(tb.browser, server.url);
  const cards = await index.page.$$eval('#pages a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  const nav = await index.page.$$eval('header.site nav a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
  assert.equal(cards, ['/gum.html', '/devices.html', '/recorder.html', '/screen.html', '/call.html', '/loopback.html']);
  assert.equal(nav, cards);
  await index.context.close();
  for (const href of cards) {
    const { page, context, errors } = await openUserPage(tb.browser, new URL(href, server.url).toString());
    const pageNav = await page.$$eval('header.site nav a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    assert.equal(pageNav, cards, `navigation of ${href}`);
    assert.is(await page.$eval('header.site nav a[aria-current="page"]', (a) => a.getAttribute('href')), href);
    assert.ok((await page.title()).includes('webrtc-playground'), `title of ${href}`);
    assert.ok(await page.$eval('main', (m) => (m.textContent ?? '').trim().length > 100), `${href} shows content`);
    assert.equal(errors, [], `errors on ${href}`);
    await context.close();
  }
});

test.run();
