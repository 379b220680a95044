import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LoopbackTransport, SignalingClient, signalingUrl, type SignalingTransport } from '../../src/signaling/client';
import type { ServerMessage } from '../../src/signaling/protocol';
import { Relay, type RelayTrace } from '../../src/signaling/relay';

function collect(client: SignalingClient): { inbox: ServerMessage[]; next: () => Promise<ServerMessage> } {
  const inbox: ServerMessage[] = [];
  const waiters: ((m: ServerMessage) => void)[] = [];
  client.on('message', (m) => {
    const w = waiters.shift();
    if (w) w(m);
    else inbox.push(m);
  });
  return {
    inbox,
    next: () => {
      const m = inbox.shift();
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push(resolve));
    },
  };
}

const opened = (c: SignalingClient) => new Promise<void>((r) => c.once('open', r));

test('two clients signal each other through an in-page relay, no server', async () => {
  const trace: RelayTrace[] = [];
  const relay = new Relay({ onTrace: (e) => trace.push(e) });
  const a = new SignalingClient(new LoopbackTransport(relay));
  const b = new SignalingClient(new LoopbackTransport(relay));
  const ia = collect(a);
  const ib = collect(b);
  await Promise.all([opened(a), opened(b)]);
  assert.is(a.state, 'open');
  a.send({ type: 'join', room: 'loop' });
  const wa = await ia.next();
  b.send({ type: 'join', room: 'loop', name: 'Bob' });
  const wb = await ib.next();
  assert.is(wa.type, 'welcome');
  assert.ok(wb.type === 'welcome' && wb.peers.length === 1);
  const joinedMsg = await ia.next();
  assert.ok(joinedMsg.type === 'peer-joined' && joinedMsg.peer.name === 'Bob');
  a.send({ type: 'offer', sdp: 'v=0\r\n' });
  const offer = await ib.next();
  assert.equal(offer, { type: 'offer', from: wa.type === 'welcome' ? wa.id : '', sdp: 'v=0\r\n' });
  assert.ok(trace.some((e) => e.kind === 'in' && e.message.type === 'offer'));
  const closed = new Promise((r) => b.once('close', r));
  b.close();
  assert.equal(await closed, { code: 1000, reason: 'bye', wasOpen: true });
  const left = await ia.next();
  assert.is(left.type, 'peer-left');
});

test('sending before open or after close throws InvalidStateError; invalid server frames are reported, not thrown', async () => {
  const relay = new Relay();
  const t = new LoopbackTransport(relay);
  const c = new SignalingClient(t);
  assert.throws(() => c.send({ type: 'leave' }), (e: unknown) => (e as DOMException).name === 'InvalidStateError');
  await opened(c);
  const invalid: string[] = [];
  c.on('invalid', (err) => invalid.push(err.code));
  t.onmessage?.({ data: '{oops' } as MessageEvent);
  t.onmessage?.({ data: '{"type":"offer","sdp":"v=0"}' } as MessageEvent);
  assert.equal(invalid, ['bad-json', 'bad-message']);
  const closed = new Promise((resolve) => c.on('close', resolve));
  c.close();
  await closed;
  assert.throws(() => c.send({ type: 'leave' }), (e: unknown) => (e as DOMException).name === 'InvalidStateError');
});

test('signalingUrl follows the page origin', () => {
  assert.is(signalingUrl({ protocol: 'https:', host: '192.168.1.5:8443' }), 'wss://192.168.1.5:8443/ws');
  assert.is(signalingUrl({ protocol: 'http:', host: 'localhost:8080' }), 'ws://localhost:8080/ws');
});

test('Relay refuses a capacity below 1 with TypeError', () => {
  assert.throws(() => new Relay({ capacity: 0 }), TypeError);
  assert.is(new Relay({ capacity: 5 }).capacity, 5);
});
test('a connection attempt that hangs is abandoned after connectTimeoutMs and the next attempt follows', async () => {
  /** A transport whose connection never opens nor closes by itself (a lost packet on flaky Wi-Fi). */
  class HungTransport implements SignalingTransport {
    readyState = 0;
    closedWith: number | undefined;
    onopen: ((ev: Event) => void) | null = null;
    onmessage: ((ev: MessageEvent) => void) | null = null;
    onclose: ((ev: CloseEvent) => void) | null = null;
    onerror: ((ev: Event) => void) | null = null;
    send(): void {
      throw new DOMException('not open', 'InvalidStateError');
    }
    close(code = 1005): void {
      this.readyState = 3;
      this.closedWith = code;
    }
  }
  const made: HungTransport[] = [];
  const client = new SignalingClient(
    () => {
      const t = new HungTransport();
      made.push(t);
      return t;
    },
    { delay: () => 0, connectTimeoutMs: 30 },
  );
  const closes: string[] = [];
  client.on('close', (info) => closes.push(info.reason));
  const third = await new Promise<number>((resolve) => client.on('reconnecting', (next) => next.attempt === 3 && resolve(next.attempt)));
  assert.is(third, 3);
  assert.ok(made.length >= 2, 'a new transport per attempt');
  assert.ok(made[0]?.readyState === 3, 'the hung attempt was closed');
  assert.match(closes[0] ?? '', /no answer within 30 ms/);
  client.close();
});

test.run();
