import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertStatsSample, kbps, sampleStats } from '../../src/rtc/stats';

/** A getStats report shaped like Chromium's (only the fields the sampler reads, plus a few others). */
function report(ms: number, k: number): Record<string, unknown>[] {
  return [
    { id: 'CIT01_96', type: 'codec', timestamp: ms, mimeType: 'video/VP8', payloadType: 96 },
    { id: 'CIT01_111', type: 'codec', timestamp: ms, mimeType: 'audio/opus', payloadType: 111 },
    { id: 'OT01V1', type: 'outbound-rtp', kind: 'video', ssrc: 1, timestamp: ms, bytesSent: 125_000 * k, codecId: 'CIT01_96' },
    { id: 'IT01V2', type: 'inbound-rtp', kind: 'video', ssrc: 2, timestamp: ms, bytesReceived: 100_000 * k, framesDecoded: 20 * k, frameWidth: 640, frameHeight: 480, packetsLost: k, jitter: 0.004, codecId: 'CIT01_96', framesPerSecond: 19 },
    { id: 'OT01A3', type: 'outbound-rtp', kind: 'audio', ssrc: 3, timestamp: ms, bytesSent: 4_000 * k, codecId: 'CIT01_111' },
    { id: 'IT01A4', type: 'inbound-rtp', kind: 'audio', ssrc: 4, timestamp: ms, bytesReceived: 4_250 * k, packetsLost: 0, jitter: 0.0125, codecId: 'CIT01_111' },
    { id: 'T01', type: 'transport', timestamp: ms, selectedCandidatePairId: 'CPa_b' },
    { id: 'CPa_b', type: 'candidate-pair', timestamp: ms, localCandidateId: 'Ia', remoteCandidateId: 'Ib', state: 'succeeded', nominated: true, currentRoundTripTime: 0.002 },
    { id: 'CPa_c', type: 'candidate-pair', timestamp: ms, localCandidateId: 'Ia', remoteCandidateId: 'Ic', state: 'failed', nominated: false, currentRoundTripTime: 0.5 },
    { id: 'Ia', type: 'local-candidate', timestamp: ms, address: '192.0.2.2', port: 40306, candidateType: 'host', protocol: 'udp' },
    { id: 'Ib', type: 'remote-candidate', timestamp: ms, address: '192.0.2.3', port: 50123, candidateType: 'prflx', protocol: 'udp' },
    { id: 'Ic', type: 'remote-candidate', timestamp: ms, address: '192.0.2.9', port: 1, candidateType: 'host', protocol: 'udp' },
  ];
}

test('kbps: bytes and ms → kilobits per second; null when it cannot be known', () => {
  assert.is(kbps(0, 0, 125_000, 1000), 1000);
  assert.is(kbps(1000, 5000, 1000 + 62_500, 5500), 1000);
  assert.is(kbps(null, null, 10, 1000), null);
  assert.is(kbps(10, 1000, 20, 1000), null, 'no time passed');
  assert.is(kbps(500, 1000, 20, 2000), null, 'counter went back: a new stream');
});

test('first sample: no rates yet, but resolution, codec, loss, jitter, RTT and the selected pair', () => {
  const { sample } = sampleStats(report(10_000, 1), null);
  assert.is(sample.video.inKbps, null);
  assert.is(sample.video.outKbps, null);
  assert.is(sample.video.fps, 19, 'framesPerSecond until there are two samples');
  assert.is(sample.video.width, 640);
  assert.is(sample.video.height, 480);
  assert.is(sample.video.codec, 'video/VP8');
  assert.is(sample.audio.codec, 'audio/opus');
  assert.is(sample.video.packetsLost, 1);
  assert.is(sample.video.jitterMs, 4);
  assert.is(sample.audio.jitterMs, 12.5);
  assert.is(sample.rttMs, 2, 'RTT of the selected pair, not of the failed one');
  assert.equal(sample.pair, {
    local: { address: '192.0.2.2', port: 40306, type: 'host', protocol: 'udp' },
    remote: { address: '192.0.2.3', port: 50123, type: 'prflx', protocol: 'udp' },
  });
});

test('second sample one second later: bitrates in kbps and decoded fps', () => {
  const first = sampleStats(report(10_000, 1), null);
  const { sample } = sampleStats(report(11_000, 2), first.counters);
  assert.is(sample.video.outKbps, 1000);
  assert.is(sample.video.inKbps, 800);
  assert.is(sample.video.fps, 20);
  assert.is(sample.audio.outKbps, 32);
  assert.is(sample.audio.inKbps, 34);
  assert.is(sample.audio.fps, null);
  assertStatsSample(JSON.parse(JSON.stringify(sample)));
});

test('half-second interval doubles the rate; an empty report gives an empty sample', () => {
  const first = sampleStats(report(0, 1), null);
  const { sample } = sampleStats(report(500, 2), first.counters);
  assert.is(sample.video.outKbps, 2000);
  const empty = sampleStats([], null).sample;
  assert.equal(empty.video, { outKbps: null, inKbps: null, fps: null, width: null, height: null, packetsLost: null, jitterMs: null, codec: null });
  assert.is(empty.pair, null);
  assert.throws(() => sampleStats(null as unknown as [], null), TypeError);
});

test.run();
