import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  defaultFormat,
  fileExtension,
  formatBytes,
  formatDuration,
  recordingFileName,
  RECORDING_FORMATS,
  supportedFormats,
} from '../../src/media/formats';
import { clockElapsed, nextRecorderState } from '../../src/media/recorder';

/** Chromium's answers as measured (../shared/browser-testing.md). */
const chromium = new Set([
  'video/webm;codecs=vp8,opus',
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=av1,opus',
  'video/webm',
  'video/mp4',
  'audio/webm;codecs=opus',
  'audio/webm',
  'audio/mp4',
]);
/** Safari-like: MP4 only. */
const safari = new Set(['video/mp4', 'video/mp4;codecs=avc1,mp4a.40.2', 'audio/mp4']);
/** Firefox: WebM VP8 and Ogg/WebM audio. */
const firefox = new Set(['video/webm;codecs=vp8,opus', 'video/webm', 'audio/ogg;codecs=opus', 'audio/webm;codecs=opus', 'audio/webm']);

test('supportedFormats keeps only supported types of the kind, in preference order', () => {
  const video = supportedFormats((t) => chromium.has(t), 'video').map((f) => f.mimeType);
  assert.equal(video, ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm;codecs=av1,opus', 'video/mp4', 'video/webm']);
  const audio = supportedFormats((t) => chromium.has(t), 'audio').map((f) => f.mimeType);
  assert.equal(audio, ['audio/webm;codecs=opus', 'audio/mp4', 'audio/webm']);
  assert.ok(RECORDING_FORMATS.every((f) => f.mimeType.startsWith(`${f.kind}/`)), 'each candidate has the kind of its type');
});

test('defaultFormat picks the most preferred supported type per browser', () => {
  const pick = (table: Set<string>, kind: 'video' | 'audio') => defaultFormat(supportedFormats((t) => table.has(t), kind))?.mimeType;
  assert.is(pick(chromium, 'video'), 'video/webm;codecs=vp8,opus');
  assert.is(pick(chromium, 'audio'), 'audio/webm;codecs=opus');
  assert.is(pick(safari, 'video'), 'video/mp4');
  assert.is(pick(safari, 'audio'), 'audio/mp4');
  assert.is(pick(firefox, 'video'), 'video/webm;codecs=vp8,opus');
  assert.is(pick(firefox, 'audio'), 'audio/ogg;codecs=opus', 'Ogg: Firefox\'s WebM audio has no duration');
  assert.is(pick(new Set(), 'video'), undefined);
});

test('fileExtension follows the container, not the codecs', () => {
  assert.is(fileExtension('video/webm;codecs=vp8,opus'), 'webm');
  assert.is(fileExtension('audio/webm;codecs=opus'), 'webm');
  assert.is(fileExtension('video/mp4;codecs=vp9,opus'), 'mp4');
  assert.is(fileExtension('VIDEO/MP4'), 'mp4');
  assert.is(fileExtension('audio/mp4'), 'm4a');
  assert.is(fileExtension('video/x-matroska;codecs=avc1,opus'), 'mkv');
  assert.is(fileExtension('audio/ogg; codecs=opus'), 'ogg');
  assert.is(fileExtension(''), 'bin');
});

test('recordingFileName is timestamped from local time with a safe name', () => {
  const d = new Date(2026, 10, 21, 4, 5, 9);
  assert.is(recordingFileName('video/webm;codecs=vp8', d), 'recording-2026-11-21_04-05-09.webm');
  assert.is(recordingFileName('video/mp4', d, 'screen'), 'screen-2026-11-21_04-05-09.mp4');
  assert.throws(() => recordingFileName('video/mp4', new Date(Number.NaN)), (e: unknown) => e instanceof TypeError);
  assert.throws(() => recordingFileName('video/mp4', d, '../x'), (e: unknown) => e instanceof TypeError);
});

test('formatBytes and formatDuration', () => {
  assert.is(formatBytes(0), '0 B');
  assert.is(formatBytes(1536), '1.5 KiB');
  assert.is(formatBytes(3 * 1024 * 1024), '3.00 MiB');
  assert.is(formatDuration(0), '0:00.0');
  assert.is(formatDuration(2150), '0:02.1');
  assert.is(formatDuration(61_000), '1:01.0');
  assert.is(formatDuration(Number.POSITIVE_INFINITY), '–');
});

test('recorder state transitions and elapsed time without pauses', () => {
  assert.is(nextRecorderState('inactive', 'start'), 'recording');
  assert.is(nextRecorderState('recording', 'pause'), 'paused');
  assert.is(nextRecorderState('paused', 'resume'), 'recording');
  assert.is(nextRecorderState('paused', 'stop'), 'stopping');
  assert.is(nextRecorderState('stopping', 'stopped'), 'inactive');
  assert.is(nextRecorderState('inactive', 'pause'), null);
  assert.is(nextRecorderState('recording', 'start'), null);
  assert.is(nextRecorderState('stopping', 'stop'), null);
  assert.is(clockElapsed({ startedAt: 1000, pausedAt: null, pausedMs: 0 }, 3000), 2000);
  assert.is(clockElapsed({ startedAt: 1000, pausedAt: 2000, pausedMs: 0 }, 9000), 1000, 'frozen while paused');
  assert.is(clockElapsed({ startedAt: 1000, pausedAt: null, pausedMs: 1500 }, 4000), 1500);
});

test.run();
