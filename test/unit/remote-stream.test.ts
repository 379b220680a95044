/**
 * When the remote media is shown (src/rtc/remote-stream.ts): one stream of the receivers' tracks,
 * shown only once this side's offer or answer is out, so the `<video>` sets itself up (and asks for
 * the audio output device) where no negotiation step waits for the main thread.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RemoteStream } from '../../src/rtc/remote-stream';

/** A MediaStream stand-in: the calls RemoteStream makes. */
class FakeStream {
  readonly tracks: MediaStreamTrack[] = [];
  getTrackById(id: string): MediaStreamTrack | null { return this.tracks.find((t) => t.id === id) ?? null; }
  addTrack(track: MediaStreamTrack): void { this.tracks.push(track); }
  getTracks(): MediaStreamTrack[] { return [...this.tracks]; }
}
const track = (id: string, kind: string): MediaStreamTrack => ({ id, kind }) as MediaStreamTrack;
const withReceivers = (...tracks: MediaStreamTrack[]): RTCPeerConnection => ({ getReceivers: () => tracks.map((t) => ({ track: t })) }) as unknown as RTCPeerConnection;

test('the caller: its receivers\' tracks (made by addTrack) are shown once its offer is out, in one stream', () => {
  const shown: MediaStream[] = [];
  const remote = new RemoteStream((s) => shown.push(s), () => new FakeStream() as unknown as MediaStream);
  const audio = track('a', 'audio');
  const video = track('v', 'video');
  assert.is(remote.stream, null, 'no stream before a track');
  remote.ready(withReceivers(audio, video));
  assert.is(shown.length, 1, 'shown once, with both tracks');
  assert.equal(shown[0]?.getTracks().map((t) => t.id), ['a', 'v']);
  // The same tracks come again in the answer's track events: nothing changes.
  remote.add(audio);
  remote.add(video);
  remote.ready(withReceivers(audio, video));
  assert.is(shown.length, 1, 'the track events of known receivers show nothing again');
  // A renegotiation adds a track: it joins the same stream, shown at once.
  remote.add(track('s', 'video'));
  assert.is(shown.length, 2);
  assert.is(shown[1], shown[0], 'the same stream object (srcObject is not reloaded)');
  assert.is(shown[1]?.getTracks().length, 3);
});

test('the callee: the offer\'s track events are collected, and shown only once its answer is out', () => {
  const shown: MediaStream[] = [];
  const remote = new RemoteStream((s) => shown.push(s), () => new FakeStream() as unknown as MediaStream);
  const audio = track('a', 'audio');
  const video = track('v', 'video');
  remote.add(audio);
  remote.add(video);
  assert.is(shown.length, 0, 'not while the answer is being made');
  remote.ready(withReceivers(audio, video));
  assert.is(shown.length, 1);
  assert.equal(shown[0]?.getTracks().map((t) => t.id), ['a', 'v']);
});

test('a side with no receiver yet (step mode before addTrack) shows nothing and makes no stream', () => {
  const shown: MediaStream[] = [];
  const remote = new RemoteStream((s) => shown.push(s), () => new FakeStream() as unknown as MediaStream);
  remote.ready(withReceivers());
  assert.is(shown.length, 0);
  assert.is(remote.stream, null);
  remote.add(track('v', 'video'));
  assert.is(shown.length, 1, 'a later track is shown at once');
});

test.run();
