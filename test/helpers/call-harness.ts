/**
 * Two (or more) CallSessions over the in-page relay with fake RTCPeerConnections: a "server" that
 * can go down, come back (same tokens, like a restart with the same certificate) or drop sockets.
 */
import { CallSession, type CallSessionOptions } from '../../src/rtc/session';
import type { NegotiatorFactory } from '../../src/rtc/negotiator';
import { stepByStep } from '../../src/rtc/step-negotiator';
import type { Stepper } from '../../src/rtc/stepper';
import { LoopbackTransport, SignalingClient, type SignalingTransport } from '../../src/signaling/client';
import { Relay } from '../../src/signaling/relay';
import { MemoryResumeTokens } from '../../src/signaling/resume';
import { FakeNetwork } from './fake-network';
import type { FakePeerConnection } from './fake-rtc';

/** Resolves when `ok()` is true (checked every 2 ms). @throws Error naming `what` after `timeoutMs`. */
export function waitFor(ok: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (ok()) return resolve();
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 2);
    };
    tick();
  });
}

/** A transport to a server that is down: it never opens and closes with 1006. */
class DeadTransport implements SignalingTransport {
  readyState = 0;
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  constructor() {
    setTimeout(() => {
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: '', wasClean: false } as CloseEvent);
    }, 1);
  }
  send(): void {
    throw new DOMException('not open', 'InvalidStateError');
  }
  close(): void {
    this.readyState = 3;
  }
}

/** The "server": a relay that can be stopped and started again. */
export class FakeServer {
  relay: Relay | null;
  readonly tokens = new MemoryResumeTokens();
  readonly transports = new Set<LoopbackTransport>();
  readonly graceMs: number;

  constructor(graceMs = 20_000) {
    this.graceMs = graceMs;
    this.relay = this.#newRelay();
  }

  #newRelay(): Relay {
    return new Relay({ resumeGraceMs: this.graceMs, resumeTokens: this.tokens });
  }

  /** A transport factory for a SignalingClient. */
  connect = (): SignalingTransport => {
    if (!this.relay) return new DeadTransport();
    const t = new LoopbackTransport(this.relay);
    this.transports.add(t);
    return t;
  };

  /** Stops: every socket drops (1006); new connections fail until {@link start}. */
  stop(): void {
    for (const t of this.transports) t.drop();
    this.transports.clear();
    this.relay?.close();
    this.relay = null;
  }

  /** Starts again with no state but the same token secret (a restart). */
  start(): void {
    this.relay = this.#newRelay();
  }
}

/** One side: its session, client, and the fakes it made. */
export interface Side {
  session: CallSession;
  client: SignalingClient;
  events: string[];
  /** The side's current fake connection. */
  pc(): FakePeerConnection | undefined;
}

/** Makes a side joined to `room` on `server`, with fake connections from `net`. */
export function makeSide(server: FakeServer, net: FakeNetwork, room: string, extra: Partial<CallSessionOptions> = {}): Side {
  const client = new SignalingClient(server.connect, { delay: (n) => Math.min(50, 5 * n) });
  const session = new CallSession({
    client,
    room,
    localStream: () => null,
    configuration: () => ({ iceServers: [] }),
    peerConnectionFactory: net.factory,
    ...extra,
  });
  const events: string[] = [];
  session.on('ended', (r) => events.push(`ended:${r}`));
  session.on('room', (s) => events.push(`room:${s}`));
  session.on('problem', (err) => events.push(`problem:${err instanceof Error ? err.name : String((err as { code?: string }).code)}`));
  return { session, client, events, pc: () => session.peer?.pc as unknown as FakePeerConnection | undefined };
}

/** Joins two sides (a first, then b: b calls) and waits until both are connected. */
export async function connectedPair(server: FakeServer, net: FakeNetwork, room: string, extra: Partial<CallSessionOptions> = {}): Promise<[Side, Side]> {
  const a = makeSide(server, net, room, extra);
  await waitFor(() => a.session.roomState === 'joined', 'a joined');
  const b = makeSide(server, net, room, extra);
  await waitFor(() => a.session.callState === 'connected' && b.session.callState === 'connected', 'both connected');
  return [a, b];
}

/**
 * Step mode over fake connections: the step-by-step negotiator (no camera: getUserMedia rejects
 * with NotFoundError, so the steps send no track) and the steppers it makes, one per side, in the
 * order the sides start their walkthrough. Each wait of a step gives up after 3 s.
 */
export function fakeStepMode(net: FakeNetwork): { negotiator: NegotiatorFactory; steppers: Stepper[] } {
  const steppers: Stepper[] = [];
  const negotiator = stepByStep({
    configuration: () => ({ iceServers: [] }),
    getUserMedia: () => Promise.reject(new DOMException('no camera here', 'NotFoundError')),
    peerConnectionFactory: net.factory,
    onStepper: (s) => steppers.push(s),
    timeoutMs: 3000,
  });
  return { negotiator, steppers };
}
