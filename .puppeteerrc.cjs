/**
 * Puppeteer must never download its own browser (the tests use a system Chromium,
 * see test/helpers/browser.ts). @type {import('puppeteer').Configuration}
 */
module.exports = { skipDownload: true };
