import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildConstraints, clampToCapabilities, defaultEditorState, unmetSettings, withMode, type ConstraintMode } from '../../src/media/constraints';

test('defaults: audio and video true', () => {
  assert.equal(buildConstraints(defaultEditorState()), { audio: true, video: true });
});

test('kinds turned off become false (both off is the empty request)', () => {
  const s = defaultEditorState();
  s.audio = false;
  assert.equal(buildConstraints(s), { audio: false, video: true });
  s.video = false;
  assert.equal(buildConstraints(s), { audio: false, video: false });
});

test('each mode wraps the value; plain is bare', () => {
  const expected: Record<ConstraintMode, unknown> = { plain: 640, ideal: { ideal: 640 }, exact: { exact: 640 }, min: { min: 640 }, max: { max: 640 } };
  for (const [mode, want] of Object.entries(expected)) {
    const s = defaultEditorState();
    s.numbers.width = { value: 640, mode: mode as ConstraintMode };
    assert.equal(buildConstraints(s), { audio: true, video: { width: want } }, mode);
  }
  assert.throws(() => withMode(1, 'nearest' as ConstraintMode), (e: unknown) => e instanceof TypeError);
});

test('all video fields, facingMode and deviceId', () => {
  const s = defaultEditorState();
  s.numbers = {
    width: { value: 320, mode: 'exact' },
    height: { value: 240, mode: 'exact' },
    frameRate: { value: 15, mode: 'max' },
    aspectRatio: { value: 1.3333, mode: 'ideal' },
  };
  s.facingMode = 'environment';
  s.facingModeMode = 'exact';
  s.videoDeviceId = 'cam-2';
  assert.equal(buildConstraints(s).video, {
    width: { exact: 320 },
    height: { exact: 240 },
    frameRate: { max: 15 },
    aspectRatio: { ideal: 1.3333 },
    facingMode: { exact: 'environment' },
    deviceId: { exact: 'cam-2' },
  });
});

test('audio processing switches and microphone; null means browser default', () => {
  const s = defaultEditorState();
  s.processing = { echoCancellation: false, noiseSuppression: null, autoGainControl: true };
  s.audioDeviceId = 'mic-1';
  assert.equal(buildConstraints(s).audio, { echoCancellation: false, autoGainControl: true, deviceId: { exact: 'mic-1' } });
});

test('fields of a kind that is off are not sent', () => {
  const s = defaultEditorState();
  s.video = false;
  s.numbers.width = { value: 320, mode: 'exact' };
  assert.equal(buildConstraints(s).video, false);
});

test('bad numbers are a TypeError', () => {
  for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
    const s = defaultEditorState();
    s.numbers.height = { value: bad, mode: 'ideal' };
    assert.throws(() => buildConstraints(s), (e: unknown) => e instanceof TypeError, String(bad));
  }
});

const caps = { width: { min: 1, max: 1280 }, height: { min: 1, max: 720 }, frameRate: { min: 0, max: 30 }, aspectRatio: { min: 0.001, max: 1280 } } as MediaTrackCapabilities;

test('clamp: inside the range passes as exact, nothing reported', () => {
  assert.equal(clampToCapabilities({ width: 640, frameRate: 10 }, caps), { constraints: { width: { exact: 640 }, frameRate: { exact: 10 } }, clamped: [] });
});

test('clamp: above max and below min are moved to the edge and reported', () => {
  const r = clampToCapabilities({ width: 4000, height: 720, frameRate: 60 }, caps);
  assert.equal(r.constraints, { width: { exact: 1280 }, height: { exact: 720 }, frameRate: { exact: 30 } });
  assert.equal(r.clamped.map((c) => [c.name, c.requested, c.used]), [['width', 4000, 1280], ['frameRate', 60, 30]]);
  const low = clampToCapabilities({ width: 100 }, { width: { min: 160, max: 1920 } } as MediaTrackCapabilities);
  assert.equal(low.constraints, { width: { exact: 160 } });
  assert.is(low.clamped[0]?.range.min, 160);
});

test('clamp: no capability range leaves the value to the browser', () => {
  assert.equal(clampToCapabilities({ width: 5000 }, {}), { constraints: { width: { exact: 5000 } }, clamped: [] });
});

test('clamp: bad request values are a TypeError', () => {
  assert.throws(() => clampToCapabilities({ width: -1 }, caps), (e: unknown) => e instanceof TypeError);
  assert.throws(() => clampToCapabilities({ frameRate: Number.NaN }, caps), (e: unknown) => e instanceof TypeError);
});

test('unmetSettings: exact values the settings do not show (within 0.5 px or frame/s)', () => {
  const applied = { width: { exact: 320 }, frameRate: { exact: 10 }, aspectRatio: { exact: 4 / 3 } };
  assert.equal(unmetSettings(applied, { width: 320, frameRate: 10.2, aspectRatio: 1.3333 }), []);
  assert.equal(unmetSettings(applied, { width: 320, frameRate: 30, aspectRatio: 1.3333 }), [{ name: 'frameRate', asked: 10, reported: 30 }]);
  assert.equal(unmetSettings({ height: 240 }, {}), [{ name: 'height', asked: 240, reported: undefined }]);
  assert.equal(unmetSettings({ width: { ideal: 100 } }, { width: 640 }), [], 'only exact or plain numbers are checked');
});

test.run();
