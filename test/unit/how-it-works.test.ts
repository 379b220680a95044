import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { extractMarked } from '../../src/build/source-text.mjs';
import { codecChoices, mLinePayloadTypes, preferCodec, rtpmapName } from '../../src/rtc/codecs';
import { readOutboundVideo, validateLimits, withLimits } from '../../src/rtc/encoding';
import { describeResult } from '../../src/ui/run-result';
import { codeRan, onCodeRan, runningSource, shown, type CodeRun } from '../../src/util/code-ran';
import { ROOT } from '../helpers/server';

const extract: (source: string) => Record<string, string> = extractMarked;

test('shown(): passes arguments, this, results and errors through, and reports each run', async () => {
  const seen: CodeRun[] = [];
  const stop = onCodeRan((r) => seen.push(r));
  const add = shown('test-add', function add(this: { k: number }, a: number, b: number): number {
    return a + b + this.k;
  });
  assert.is(add.call({ k: 1 }, 2, 3), 6);
  const later = shown('test-later', async (x: string) => `${x}!`);
  assert.is(await later('hi'), 'hi!');
  const boom = shown('test-boom', (): never => {
    throw new DOMException('no', 'NotAllowedError');
  });
  assert.throws(() => boom(), (e: unknown) => e instanceof DOMException && e.name === 'NotAllowedError');
  const reject = shown('test-reject', async () => {
    throw new TypeError('bad');
  });
  await reject().then(() => assert.unreachable('rejects'), (e: unknown) => assert.instance(e, TypeError));
  stop();
  assert.equal(seen.filter((r) => r.key.startsWith('test-')).map((r) => [r.key, r.ok, r.ok ? r.result : (r.result as Error).name]), [
    ['test-add', true, 6],
    ['test-later', true, 'hi!'],
    ['test-boom', false, 'NotAllowedError'],
    ['test-reject', false, 'TypeError'],
  ]);
  // The running function is the one passed in (its own text), not the wrapper.
  assert.match(runningSource('test-add') ?? '', /^function add\d*\(/, runningSource('test-add'));
  assert.is(runningSource('nope'), undefined);
  assert.throws(() => shown('x', 3 as unknown as () => void), TypeError);
});

test('onCodeRan replays the runs from before it was called (the panel loads later)', () => {
  codeRan('early', 1);
  const seen: string[] = [];
  const stop = onCodeRan((r) => seen.push(r.key));
  codeRan('late', 2);
  stop();
  codeRan('after-stop', 3);
  assert.ok(seen.includes('early') && seen.includes('late'));
  assert.not.ok(seen.includes('after-stop'));
});

test('every shown() key is the key of the // @show marker on its function, and every marker is unique across the panels', () => {
  const files = ['media', 'rtc'].flatMap((d) => readdirSync(join(ROOT, 'src', d)).filter((f) => f.endsWith('.ts')).map((f) => join(ROOT, 'src', d, f)));
  let wrapped = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/shown\(\s*'([^']+)',\s*\n\s*\/\/ @show ([^\n]+)\n/g)) {
      assert.is(m[2]?.trim(), m[1], `${file}: shown('${m[1]}') wraps the function marked ${m[2]}`);
      assert.ok(extract(text)[m[1] ?? ''], `${file}: ${m[1]} extracted`);
      wrapped++;
    }
    const calls = [...text.matchAll(/shown\(\s*'/g)].length;
    assert.is(calls, [...text.matchAll(/shown\(\s*'([^']+)',\s*\n\s*\/\/ @show/g)].length, `${file}: every shown() call is right above its marker`);
  }
  assert.ok(wrapped >= 12, `${wrapped} shown functions`);
});

test('describeResult: streams, descriptions, errors, plain values, long and cyclic objects', () => {
  class MediaStream {
    getTracks() {
      return [{ kind: 'audio' }, { kind: 'video' }];
    }
  }
  assert.is(describeResult(new MediaStream()), 'MediaStream (audio, video)');
  assert.is(describeResult({ type: 'offer', sdp: 'v=0\no=-\ns=-' }), 'description offer, 3 SDP lines');
  assert.is(describeResult(new DOMException('Permission denied', 'NotAllowedError'), false), 'threw NotAllowedError: Permission denied');
  assert.is(describeResult(undefined), 'done');
  assert.is(describeResult(3), '3');
  assert.is(describeResult('recording'), '"recording"');
  assert.is(describeResult({ maxBitrate: 150000 }), '{"maxBitrate":150000}');
  assert.ok(describeResult({ long: 'x'.repeat(500) }).length <= 120);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.is(describeResult(cyclic), 'Object');
});

const CAPS = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=2' },
  { mimeType: 'video/H264', clockRate: 90000 },
  { mimeType: 'video/red', clockRate: 90000 },
  { mimeType: 'video/ulpfec', clockRate: 90000 },
  { mimeType: 'video/AV1', clockRate: 90000 },
];

test('codecs: choices without helpers, chosen codec (all profiles) first, the rest kept in order', () => {
  assert.equal(codecChoices(CAPS), ['video/VP8', 'video/VP9', 'video/H264', 'video/AV1']);
  const ordered = preferCodec(CAPS, 'video/vp9');
  assert.equal(ordered.map((c) => c.mimeType), ['video/VP9', 'video/VP9', 'video/VP8', 'video/rtx', 'video/H264', 'video/red', 'video/ulpfec', 'video/AV1']);
  assert.is(ordered[1]?.sdpFmtpLine, 'profile-id=2');
  assert.is(ordered.length, CAPS.length);
  assert.throws(() => preferCodec(CAPS, 'video/H265'), TypeError);
});

test('codecs: the m=video payload types in order and their rtpmap names', () => {
  const sdp = 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 63\r\na=rtpmap:111 opus/48000/2\r\nm=video 9 UDP/TLS/RTP/SAVPF 98 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:98 VP9/90000\r\na=rtpmap:97 rtx/90000\r\n';
  assert.equal(mLinePayloadTypes(sdp, 'video'), [98, 96, 97]);
  assert.equal(mLinePayloadTypes(sdp, 'audio'), [111, 63]);
  assert.equal(mLinePayloadTypes('v=0\r\n', 'video'), []);
  assert.is(rtpmapName(sdp, 98), 'VP9');
  assert.is(rtpmapName(sdp, 5), null);
});

test('encoding: limits are validated, set on every encoding, removed when null, the rest kept', () => {
  const params = { transactionId: 't1', encodings: [{ active: true, maxBitrate: 500_000, rid: 'a' }], codecs: [], headerExtensions: [], rtcp: {} };
  const capped = withLimits(params, { maxBitrate: 150_000, scaleResolutionDownBy: 2, maxFramerate: 10 });
  assert.equal(capped.encodings, [{ active: true, rid: 'a', maxBitrate: 150_000, scaleResolutionDownBy: 2, maxFramerate: 10 }]);
  assert.is(capped.transactionId, 't1');
  assert.equal(params.encodings[0], { active: true, maxBitrate: 500_000, rid: 'a' }, 'the input is not changed');
  const freed = withLimits(capped, { maxBitrate: null });
  assert.equal(freed.encodings, [{ active: true, rid: 'a' }]);
  for (const bad of [{ maxBitrate: 0 }, { maxBitrate: -5 }, { maxBitrate: Number.NaN }, { scaleResolutionDownBy: 0.5 }, { maxFramerate: 0 }]) {
    assert.throws(() => validateLimits(bad), TypeError, JSON.stringify(bad));
  }
  validateLimits({ scaleResolutionDownBy: 1, maxBitrate: 1, maxFramerate: 0.5 });
});

test('encoding: the sent video from outbound-rtp stats (bitrate between readings, size, rate, codec)', () => {
  const report = (ms: number, bytes: number) => [
    { id: 'C1', type: 'codec', mimeType: 'video/VP9' },
    { id: 'O1', type: 'outbound-rtp', kind: 'video', timestamp: ms, bytesSent: bytes, frameWidth: 320, frameHeight: 240, framesPerSecond: 10, codecId: 'C1' },
    { id: 'O2', type: 'outbound-rtp', kind: 'audio', timestamp: ms, bytesSent: 999_999 },
  ];
  const first = readOutboundVideo(report(1000, 10_000), null);
  assert.equal(first, { kbps: null, width: 320, height: 240, fps: 10, codec: 'video/VP9', bytes: 10_000, timestamp: 1000 });
  const next = readOutboundVideo(report(2000, 28_750), first);
  assert.is(next?.kbps, 150);
  assert.is(readOutboundVideo([{ id: 'x', type: 'inbound-rtp', kind: 'video' }], null), null);
});

test.run();
