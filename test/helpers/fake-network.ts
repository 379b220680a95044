/** The "network" of fake RTCPeerConnections (see ./fake-rtc.ts). */
import { FakePeerConnection } from './fake-rtc';

/** Shared by the fakes of one test: links them, and holds the knobs. */
export class FakeNetwork {
  readonly #byUfrag = new Map<string, FakePeerConnection>();
  /** Largest random delay of an async operation, in ms. */
  maxDelayMs: number;
  /** The next `stallGatherings` gatherings (any fake) find no candidate and stay "gathering". */
  stallGatherings = 0;
  /**
   * The next `stallAfterRollback` implicit rollbacks (glare, polite side) leave that side's ICE
   * gathering stuck: no candidate of the current credentials is ever emitted, as Chromium's
   * gathering sometimes stays "gathering" after a rollback. Only an ICE restart recovers it.
   */
  stallAfterRollback = 0;
  /** Every fake made, in order. */
  readonly peers: FakePeerConnection[] = [];
  #n = 0;

  constructor(options: { maxDelayMs?: number } = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 3;
  }

  /** A factory for `CallSession`/`Peer` (`PeerConnectionFactory`). */
  readonly factory = (configuration: RTCConfiguration): RTCPeerConnection => {
    const pc = new FakePeerConnection(this, configuration);
    this.peers.push(pc);
    return pc as unknown as RTCPeerConnection;
  };

  /** @internal */ nextId(): number {
    return ++this.#n;
  }

  /** @internal */ delay(): Promise<void> {
    const ms = Math.random() * this.maxDelayMs;
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** @internal */ register(ufrag: string, pc: FakePeerConnection): void {
    this.#byUfrag.set(ufrag, pc);
  }

  /** @internal */ find(ufrag: string | null): FakePeerConnection | undefined {
    return ufrag ? this.#byUfrag.get(ufrag) : undefined;
  }
}

