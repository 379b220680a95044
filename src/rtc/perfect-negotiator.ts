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
import type { Peer, Signal } from './peer';

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
  #pending: (IceCandidateJSON | null)[] = [];
  #queue: Promise<void> = Promise.resolve();
  #tracksAdded = false;
  #closed = false;

  /**
   * Makes the connection at once. The caller adds its tracks and the chat data channel, which
   * fires `negotiationneeded` and so sends the offer; the callee adds its tracks when the offer
   * arrives, so they ride in the answer.
   * @throws what the RTCPeerConnection constructor throws (bad ICE server URL).
   */
  constructor(ctx: NegotiatorContext) {
    super();
    this.#ctx = ctx;
    this.role = ctx.role;
    this.polite = ctx.polite;
    const peer = ctx.createPeer();
    this.peer = peer;
    peer.on('negotiationneeded', () => void this.#negotiate().then(() => codeRan('negotiate', peer.pc.localDescription?.type ?? null)));
    peer.on('icecandidate', (c) => {
      this.emit('signal', { type: 'candidate', candidate: c ? (c.toJSON() as IceCandidateJSON) : null });
    });
    queueMicrotask(() => {
      if (this.#closed) return;
      this.emit('peer', peer);
      if (ctx.role === 'caller') {
        peer.createDataChannel(CHAT_CHANNEL);
        this.#addLocalTracks();
      }
    });
  }

  receive(signal: Signal): ReceiveResult {
    if (this.#closed) return 'handled';
    this.#queue = this.#queue.then(() => this.#handle(signal)).then(() => codeRan('receive-signal', signal.type)).catch((err: unknown) => {
      if (!this.#closed) this.emit('error', err, signal.type === 'candidate' ? 'addIceCandidate' : 'setRemoteDescription');
    });
    return 'handled';
  }

  /** Resolves when every signal received so far has been applied (for tests). */
  settled(): Promise<void> {
    return this.#queue;
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
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
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
  async #handle(signal: Signal): Promise<void> {
    const pc = this.peer.pc;
    if (this.#closed || pc.signalingState === 'closed') return;
    if (signal.type === 'candidate') {
      if (!pc.remoteDescription) {
        this.#pending.push(signal.candidate);
        this.peer.emit('remotecandidate', signal.candidate, true);
        return;
      }
      await this.#addCandidate(signal.candidate);
      return;
    }
    const offerCollision = signal.type === 'offer' && (this.#makingOffer || pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.polite && offerCollision;
    if (this.#ignoreOffer) return;
    await pc.setRemoteDescription({ type: signal.type, sdp: signal.sdp });
    if (signal.type === 'offer') {
      this.#addLocalTracks();
      await pc.setLocalDescription();
      const desc = pc.localDescription;
      if (!this.#closed && desc) this.emit('signal', { type: 'answer', sdp: desc.sdp });
    }
    // Queued candidates after the answer has left: the caller waits for the answer, not for them.
    const queued = this.#pending;
    this.#pending = [];
    for (const c of queued) await this.#addCandidate(c);
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
