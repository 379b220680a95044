/**
 * A tour of every page as a new user takes it: open the page (first state), then do its main
 * action and wait until the page shows the result. The layout/accessibility tests and the
 * screenshot script walk the same tour.
 */
import type { Browser, Page } from 'puppeteer';
import { browserName, openUserPage, waitForState, type UserPage } from './browser';

/** One stop of the tour. */
export interface TourStop {
  /** Path of the page, e.g. `/gum.html`. */
  path: string;
  /** What the main action is, for messages. */
  action: string;
  /**
   * Does the page's main action on `user` and waits for its visible result. `open` opens another
   * user's page (a second peer for the call page).
   */
  run(user: UserPage, open: (url: string) => Promise<UserPage>): Promise<void>;
}

const click = async (page: Page, selector: string) => {
  await page.$eval(selector, (el) => el.scrollIntoView({ block: 'center' }));
  await page.click(selector);
};

/** Every page, in the order of the navigation. */
export const TOUR: TourStop[] = [
  { path: '/', action: 'none (links only)', run: async () => undefined },
  {
    path: '/gum.html',
    action: 'Start (getUserMedia)',
    async run({ page }) {
      await click(page, '#start');
      await waitForState(page, '#capture-state', 'live');
    },
  },
  {
    path: '/devices.html',
    action: 'Start camera and microphone',
    async run({ page }) {
      await click(page, '#start');
      await waitForState(page, '#capture-state', 'live');
    },
  },
  {
    path: '/recorder.html',
    action: 'Open source, record, stop',
    async run({ page }) {
      await click(page, '#open-source');
      await waitForState(page, '#source-state', 'live');
      await click(page, '#start');
      await waitForState(page, '#rec-state', 'recording');
      await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('#elapsed')?.dataset.ms) >= 500, { timeout: 10_000, polling: 50 });
      await click(page, '#stop');
      await waitForState(page, '#recordings li[data-recording]', ['ready', 'failed']);
    },
  },
  {
    path: '/screen.html',
    action: 'Share',
    async run({ page }) {
      await click(page, '#share');
      if (browserName(page.browser()) === 'firefox') {
        // Headless Firefox has no screen to share (getDisplayMedia: NotFoundError): the page's
        // plain-words explanation is the state after the action.
        await page.waitForFunction(() => document.querySelector<HTMLElement>('#problem')?.dataset.error === 'NotFoundError', { timeout: 10_000, polling: 50 });
        const text = await page.$eval('#problem', (e) => e.textContent ?? '');
        if (!/nothing to share.*no screen, window or tab to capture/s.test(text)) throw new Error(`screen page in Firefox: no plain-words explanation, only "${text}"`);
        return;
      }
      await waitForState(page, '#share-state', 'live');
    },
  },
  {
    path: '/ice.html',
    action: 'Gather',
    async run({ page }) {
      await click(page, '#gather');
      await waitForState(page, '#gather-state', ['complete', 'timeout'], 30_000);
    },
  },
  {
    path: '/call.html?room=tour-call',
    action: 'Join with a second peer: call connected',
    async run({ page }, open) {
      const other = await open(new URL('/call.html?room=tour-call', page.url()).toString());
      await click(page, '#join');
      await waitForState(page, '#room-state', 'joined');
      await click(other.page, '#join');
      await page.bringToFront();
      await waitForState(page, '#call-state', 'connected', 30_000);
      await page.bringToFront();
      await page.waitForSelector('#inspector .seq-row');
    },
  },
  {
    path: '/loopback.html',
    action: 'Start call',
    async run({ page }) {
      await click(page, '#start');
      await waitForState(page, '#caller .call-state', 'connected', 30_000);
      await waitForState(page, '#callee .call-state', 'connected', 30_000);
      await page.waitForSelector('#inspector .seq-row');
    },
  },
];

/** Opens `url` in a new context of `browser` with the viewport `width`×`height`. */
export async function openSized(browser: Browser, url: string, width: number, height: number): Promise<UserPage> {
  const user = await openUserPage(browser, url);
  await user.page.setViewport({ width, height });
  return user;
}

/**
 * How far the page is wider than its viewport (px; 0 = no horizontal page scroll), and the
 * widest offending elements (selector-ish names) for the failure message. Measured with every card
 * rendered: a card out of view with `content-visibility: auto` (style.css) is not laid out, and its
 * paint containment would clip what sticks out of it instead of widening the page.
 */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const cards = [...document.querySelectorAll<HTMLElement>('main > .card')];
    const before = cards.map((card) => card.style.contentVisibility);
    for (const card of cards) card.style.contentVisibility = 'visible';
    try {
      const vw = document.documentElement.clientWidth;
      const overflow = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - vw;
      const culprits: string[] = [];
      if (overflow > 0) {
        for (const el of document.querySelectorAll<HTMLElement>('body *')) {
          const r = el.getBoundingClientRect();
          if (r.right > vw + 1 && r.width > 0) {
            culprits.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''} (right ${Math.round(r.right)})`);
            if (culprits.length >= 6) break;
          }
        }
      }
      return { overflow, culprits };
    } finally {
      cards.forEach((card, i) => (card.style.contentVisibility = before[i] ?? ''));
    }
  });
}

/**
 * Runs `n` steps of the step panel `panel` (e.g. `#steps`) from the keyboard, as a presenter does:
 * waits until the panel is ready, presses → or Space (alternately), and waits until one more step
 * is done. @throws puppeteer's TimeoutError when a step does not become ready or done in 15 s.
 */
export async function stepWithKeys(page: Page, panel: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await page.waitForFunction((sel: string) => document.querySelector<HTMLElement>(sel)?.dataset.state === 'ready', { timeout: 15_000, polling: 50 }, panel);
    const before = await page.$$eval(`${panel} li[data-state="done"]`, (l) => l.length);
    // ' ' (the key value), not 'Space' (its code): puppeteer over WebDriver BiDi knows key values only.
    await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : ' ');
    await page.waitForFunction((sel: string, b: number) => document.querySelectorAll(`${sel} li[data-state="done"]`).length > b, { timeout: 15_000, polling: 50 }, panel, before);
  }
}
