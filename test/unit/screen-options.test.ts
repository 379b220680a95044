import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  buildDisplayMediaOptions,
  DEFAULT_SCREEN_EDITOR,
  displayMediaCode,
  parseContentHint,
} from '../../src/media/screen-options';

test('the default editor asks for video only and sets no hint', () => {
  assert.equal(buildDisplayMediaOptions(DEFAULT_SCREEN_EDITOR), { video: true, audio: false });
});

test('every option the learner sets appears, and only those', () => {
  const options = buildDisplayMediaOptions({
    video: true,
    audio: true,
    displaySurface: 'window',
    selfBrowserSurface: 'exclude',
    surfaceSwitching: 'include',
    systemAudio: 'include',
    preferCurrentTab: true,
  });
  assert.equal(options, {
    video: { displaySurface: 'window' },
    audio: true,
    selfBrowserSurface: 'exclude',
    surfaceSwitching: 'include',
    systemAudio: 'include',
    preferCurrentTab: true,
  });
  const some = buildDisplayMediaOptions({ ...DEFAULT_SCREEN_EDITOR, surfaceSwitching: 'exclude' });
  assert.equal(Object.keys(some).sort(), ['audio', 'surfaceSwitching', 'video']);
});

test('video off is passed on as false (getDisplayMedia explains it with a TypeError)', () => {
  assert.equal(buildDisplayMediaOptions({ ...DEFAULT_SCREEN_EDITOR, video: false, displaySurface: 'monitor' }).video, false);
});

test('the code shown is the options object that is run', () => {
  const options = buildDisplayMediaOptions({ ...DEFAULT_SCREEN_EDITOR, displaySurface: 'browser' });
  const code = displayMediaCode(options);
  assert.ok(code.startsWith('await navigator.mediaDevices.getDisplayMedia('));
  const json = code.slice(code.indexOf('(') + 1, code.lastIndexOf(')'));
  assert.equal(JSON.parse(json), options);
});

test('parseContentHint accepts the video hints only', () => {
  assert.is(parseContentHint('text'), 'text');
  assert.is(parseContentHint(''), '');
  assert.throws(() => parseContentHint('speech'), (e: unknown) => e instanceof TypeError);
});

test.run();
