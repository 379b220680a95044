/**
 * Perfect negotiation: either side may make an offer at any time; on a glare (both offer at once)
 * the polite peer rolls back its own offer and answers, the impolite one ignores the incoming
 * offer. Remote ICE candidates that arrive before the remote description are queued, then added.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Perfect_negotiation
 * @see https://w3c.github.io/webrtc-pc/#perfect-negotiation-example
 */
import type { IceCandidateJSON } from '../signaling/protocol';
import { codeRan } from '../util/code-ran';
import { Emitter } from '../util/emitter';
import type { CallRole, Negotiator, NegotiatorContext, NegotiatorEvents, NegotiatorFactory, ReceiveResult } from './negotiator';
import { addTracksNotSent, type Peer, type Signal } from './peer';
import { negotiationMissed } from './spare-connection';

/** Label of the chat/controls data channel the caller opens. */
export const CHAT_CHANNEL = 'playground';

/** The perfect-negotiation {@link Negotiator}. */
export class PerfectNegotiator extends Emitter<NegotiatorEvents> implements Negotiator {
  readonly role: CallRole;
  readonly polite: boolean;
  readonly peer: Peer;
  readonly #ctx: NegotiatorContext;
  #makingOffer = false;
  #ignoreOffer = false;
  /** Remote candidates held until the description they belong to (`seq`) is set. */
  #pending: { seq: number; candidate: IceCandidateJSON | null }[] = [];
  #queue: Promise<void> = Promise.resolve();
  /** Descriptions received and not yet handled (in the queue or being applied). */
  #queued = 0;
  /** The candidates added at once (outside the queue), for {@link PerfectNegotiator.settled}. */
  #adding: Promise<void> = Promise.resolve();
  /** How many remote descriptions (offers, answers) came so far. */
  #seq = 0;
  /** The latest remote description that is applied (or ignored): its candidates are added at once. */
  #applied = 0;
  /** Our answer's setLocalDescription is running: candidates that come meanwhile are held until it is done. */
  #answering = false;
  #tracksAdded = false;
  #closed = false;

  /**
   * Makes the connection at once. The caller adds its tracks and the chat data channel, which
   * fires `negotiationneeded` and so sends the offer (or offers at once when a spare connection
   * fired it before: see `negotiationMissed`); the callee adds its tracks when the offer arrives
   * (a spare may have them already), so they ride in the answer.
   * @throws what the RTCPeerConnection constructor throws (bad ICE server URL).
   */
  constructor(ctx: NegotiatorContext) {
    super();
    this.#ctx = ctx;
    this.role = ctx.role;
    this.polite = ctx.polite;
    const peer = ctx.createPeer();
    this.peer = peer;
    const negotiate = () => void this.#negotiate().then(() => codeRan('negotiate', peer.pc.localDescription?.type ?? null));
    peer.on('negotiationneeded', negotiate);
    peer.on('icecandidate', (c) => {
      this.emit('signal', { type: 'candidate', candidate: c ? (c.toJSON() as IceCandidateJSON) : null });
    });
    queueMicrotask(() => {
      if (this.#closed) return;
      this.emit('peer', peer);
      if (ctx.role === 'caller') {
        peer.createDataChannel(CHAT_CHANNEL);
        this.#addLocalTracks();
        // A spare that had our tracks ahead fired its negotiationneeded before we listened.
        if (negotiationMissed(peer.pc)) negotiate();
      }
    });
  }

  /**
   * Descriptions are applied one after the other (a queue). A candidate does not wait in that queue:
   * it is added at once when its description is applied, else held until that description is set
   * and then added ahead of our answer (the browser's operations chain orders the calls), as two
   * connections in one page do it: ICE checks start the moment the answer is set.
   */
  receive(signal: Signal): ReceiveResult {
    if (this.#closed) return 'handled';
    if (signal.type === 'candidate') {
      if (this.#seq > 0 && this.#applied === this.#seq && this.peer.pc.remoteDescription && !this.#answering) {
        const added = this.#addCandidate(signal.candidate).then(() => codeRan('receive-signal', signal.type), (err: unknown) => {
          if (!this.#closed) this.emit('error', err, 'addIceCandidate');
        });
        this.#adding = Promise.all([this.#adding, added]).then(() => undefined);
      } else {
        this.#pending.push({ seq: Math.max(1, this.#seq), candidate: signal.candidate });
        this.peer.emit('remotecandidate', signal.candidate, true);
      }
      return 'handled';
    }
    const seq = ++this.#seq;
    // Nothing ahead in the queue: applied now, within this message's task, so setRemoteDescription
    // starts before the display work that the same message set off (a new call's state, its
    // connection's panels) runs in the microtasks after it. Else it waits its turn.
    const handle = () => this.#handle(signal, seq).finally(() => this.#queued--);
    const handled = this.#queued++ === 0 ? handle() : this.#queue.then(handle);
    this.#queue = handled.then(() => codeRan('receive-signal', signal.type)).catch((err: unknown) => {
      if (!this.#closed) this.emit('error', err, 'setRemoteDescription');
    });
    return 'handled';
  }

  /** Resolves when every signal received so far has been applied (for tests). */
  async settled(): Promise<void> {
    await this.#queue;
    await this.#adding;
  }

  restartIce(): void {
    if (!this.#closed) this.peer.pc.restartIce();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.peer.close();
    this.removeAllListeners();
  }

  #addLocalTracks(): void {
    if (this.#tracksAdded) return;
    this.#tracksAdded = true;
    const pc = this.peer.pc;
    const stream = this.#ctx.localStream();
    if (stream && stream.getTracks().length > 0) {
      addTracksNotSent(pc, stream); // a spare connection may have them already (see SpareConnection.prepare)
      return;
    }
    // Nothing to send (no camera, or permission denied): still receive both kinds.
    if (pc.getTransceivers().length === 0) {
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
  }

  // @show negotiate
  async #negotiate(): Promise<void> {
    const pc = this.peer.pc;
    try {
      this.#makingOffer = true;
      await pc.setLocalDescription();
      const desc = pc.localDescription;
      if (!this.#closed && desc && desc.type === 'offer') this.emit('signal', { type: 'offer', sdp: desc.sdp });
    } catch (err) {
      if (!this.#closed) this.emit('error', err, 'setLocalDescription');
    } finally {
      this.#makingOffer = false;
    }
  }

  // @show receive-signal
  async #handle(signal: Exclude<Signal, { type: 'candidate' }>, seq: number): Promise<void> {
    const pc = this.peer.pc;
    if (this.#closed || pc.signalingState === 'closed') return;
    const offerCollision = signal.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && offerCollision;
    // Ignored: its candidates stay held for the description that comes next (the other side rolls
    // back and answers ours with the same ICE credentials).
    if (this.#ignoreOffer) return;
    await pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    // Its candidates go in now, before our answer (not awaited: the browser chains them ahead of it).
    const added = this.#release(seq);
    if (signal.type === 'offer') {
      this.#addLocalTracks();
      // Candidates that arrive while our answer is being set are held and added once it is sent.
      // The browser would apply them only after it anyway (one operations chain), and adding one
      // now blocks this page's main thread until the WebRTC thread, busy with the answer, takes
      // the call (10–20 ms per candidate on a busy machine, while other signals wait).
      this.#answering = true;
      try {
        await pc.setLocalDescription();
      } finally {
        this.#answering = false;
      }
      const desc = pc.localDescription;
      if (!this.#closed && desc) this.emit('signal', { type: 'answer', sdp: desc.sdp });
      await Promise.all([added, this.#release(seq)]);
      return;
    }
    await added;
  }

  /** Description `seq` is applied: adds the candidates held for it, and later ones at once. */
  async #release(seq: number): Promise<void> {
    this.#applied = seq;
    const now = this.#pending.filter((p) => p.seq <= seq);
    this.#pending = this.#pending.filter((p) => p.seq > seq);
    await Promise.all(now.map((p) => this.#addCandidate(p.candidate).catch((err: unknown) => {
      if (!this.#closed) this.emit('error', err, 'addIceCandidate');
    })));
  }

  async #addCandidate(candidate: IceCandidateJSON | null): Promise<void> {
    try {
      await this.peer.addRemoteCandidate(candidate);
    } catch (err) {
      if (!this.#ignoreOffer) throw err;
    }
  }
}

/** The {@link NegotiatorFactory} of auto mode. */
export const perfectNegotiation: NegotiatorFactory = (ctx) => new PerfectNegotiator(ctx);
