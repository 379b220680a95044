import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderPage } from '../../build.mjs';

const layout = `<title>{{title}}</title>
  {{script}}
<nav><a href="/a.html">A</a><a href="/b.html">B</a></nav>
{{main}}
`;

test('fills the title, the script of the page and its <main>, and marks its own link as current', () => {
  const html = renderPage(layout, '<title>Page A</title>\n  <main id="a">a $& $1</main>\n', 'a', true);
  assert.is(html, `<title>Page A · webrtc-playground</title>
  <script type="module" src="/js/a.js"></script>
<nav><a href="/a.html" aria-current="page">A</a><a href="/b.html">B</a></nav>
  <main id="a">a $& $1</main>
`);
});

test('a page without script or title (the index) gets neither, and no current link', () => {
  const html = renderPage(layout, '<main>home</main>', 'index', false);
  assert.is(html, '<title>webrtc-playground</title>\n<nav><a href="/a.html">A</a><a href="/b.html">B</a></nav>\n<main>home</main>\n');
});

test('a page missing from the navigation, or without <main>, is a build error that says what to do', () => {
  assert.throws(() => renderPage(layout, '<main></main>', 'ice', true), /src\/pages\/ice\.html is not in the navigation: add <a href="\/ice\.html">/);
  assert.throws(() => renderPage(layout, '<div></div>', 'a', true), /has no <main> element/);
});

test.run();
