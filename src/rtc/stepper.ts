/**
 * A step-driven negotiator: performs the real WebRTC API calls of the walkthrough ({@link STEPS})
 * one at a time, on a {@link Peer} in manual mode, with an explicit caller/callee flow (no perfect
 * negotiation). Signals from the other peer arrive through {@link Stepper.receive} and unblock the
 * steps that wait for them; signals to it leave through the peer's `signal` event.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
import type { IceCandidateJSON } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import { Peer, type Signal } from './peer';
import { STEP_IDS, nextStep, stepsImpliedBy, type NextStep, type PeerRole, type Step, type StepId } from './steps';

/** What a step produced, as plain text. */
export interface StepResult {
  /** One line, e.g. `signalingState: have-local-offer`. */
  summary: string;
  /** More text, e.g. the offer's SDP or the list of candidates. */
  detail?: string;
  /** The step's API call failed but the walkthrough goes on (getUserMedia: this side only receives). */
  error?: unknown;
}

/** Longest wait of the "connected" step for the other side, in ms (10 minutes). */
export const CONNECT_WAIT_MS = 10 * 60_000;

/** Events of a {@link Stepper}. */
export type StepperEvents = {
  /** A step of this side finished. */
  step: [step: Step, result: StepResult];
  /** The next step or what it waits for may have changed (a step ran, or a signal arrived). */
  change: [next: NextStep];
  /** The local stream was opened (getUserMedia step). */
  localstream: [stream: MediaStream];
};

/** Options of a {@link Stepper}. */
export interface StepperOptions {
  role: PeerRole;
  /** Read at the "new RTCPeerConnection" step. */
  configuration: () => RTCConfiguration;
  /** Opens camera and microphone (the getUserMedia step); may reject like getUserMedia. */
  getUserMedia: () => Promise<MediaStream>;
  /** Called with the new peer at the "new RTCPeerConnection" step (e.g. to hand it to a CallSession). */
  onPeer: (peer: Peer) => void;
  /** Longest wait for the first ICE candidate and for the first decoded frame, in ms. Default 20 000. */
  timeoutMs?: number;
}

/** Step-by-step negotiator for one side of a call. */
export class Stepper extends Emitter<StepperEvents> {
  /** This side's role: the caller makes the offer, the callee answers. */
  readonly role: PeerRole;
  readonly #opts: StepperOptions;
  readonly #done = new Set<StepId>();
  /** The result of each step this side ran. */
  readonly results = new Map<StepId, StepResult>();
  #peer: Peer | null = null;
  #stream: MediaStream | null = null;
  #remoteSdp: string | null = null;
  #received: IceCandidateJSON[] = [];
  #gathered: RTCIceCandidate[] = [];
  #sendCandidatesNow = false;
  #addCandidatesNow = false;
  #busy = false;
  #closed = false;

  /** @throws TypeError when `options.role` is not `caller` or `callee`. */
  constructor(options: StepperOptions) {
    super();
    if (options.role !== 'caller' && options.role !== 'callee') throw new TypeError('role must be "caller" or "callee"');
    this.role = options.role;
    this.#opts = options;
  }

  /** The steps this side knows are done (its own, and the others' it learned of from signals). */
  get done(): ReadonlySet<StepId> { return this.#done; }
  /** What this side does next and what it waits for. */
  get next(): NextStep { return nextStep(this.role, this.#done); }
  /** True while a step is running. */
  get busy(): boolean { return this.#busy; }
  /** The peer, from the "new RTCPeerConnection" step on. */
  get peer(): Peer | null { return this.#peer; }
  /** The local stream, from the getUserMedia step on (null if it failed: receive only). */
  get localStream(): MediaStream | null { return this.#stream; }
  /** True when every step of this side is done. */
  get finished(): boolean { return this.next.step === null; }

  /** Feeds a signal from the other peer (via signaling): it unblocks the steps that wait for it. */
  receive(signal: Signal): void {
    if (this.#closed) return;
    if (signal.type === 'candidate') {
      if (!signal.candidate) return; // end-of-candidates: nothing to add
      if (this.#addCandidatesNow && this.#peer) void this.#addCandidate(signal.candidate);
      else this.#received.push(signal.candidate);
      return;
    }
    const expected = this.role === 'callee' ? 'offer' : 'answer';
    if (signal.type !== expected || this.#remoteSdp !== null) return;
    this.#remoteSdp = signal.sdp;
    for (const id of stepsImpliedBy(signal.type)) this.#done.add(id);
    this.emit('change', this.next);
  }

  /**
   * Performs the next step of this side and returns it with its result.
   * @throws DOMException `InvalidStateError` when a step is running, all are done, or the next one
   *   waits for the other peer; otherwise whatever the step's API call throws (the step stays to do).
   */
  async step(): Promise<{ step: Step; result: StepResult }> {
    if (this.#busy) throw new DOMException('a step is still running', 'InvalidStateError');
    const { step, waitingFor } = this.next;
    if (!step) throw new DOMException('all steps are done', 'InvalidStateError');
    if (waitingFor) throw new DOMException(`waiting for: ${waitingFor.name}`, 'InvalidStateError');
    this.#busy = true;
    try {
      const result = await this.#run(step.id);
      this.#done.add(step.id);
      // Connected with media means the other side has done its part too (DTLS needs both descriptions).
      if (step.id === 'connected') for (const id of STEP_IDS) this.#done.add(id);
      this.results.set(step.id, result);
      this.emit('step', step, result);
      return { step, result };
    } finally {
      this.#busy = false;
      this.emit('change', this.next);
    }
  }

  /** Stops: no more signals are handled (the peer is closed by its owner). */
  close(): void {
    this.#closed = true;
  }

  #pc(): RTCPeerConnection {
    return this.#needPeer().pc;
  }

  #needPeer(): Peer {
    if (!this.#peer) throw new DOMException('no RTCPeerConnection yet', 'InvalidStateError');
    return this.#peer;
  }

  async #run(id: StepId): Promise<StepResult> {
    switch (id) {
      case 'caller-get-user-media':
      case 'callee-get-user-media': {
        let stream: MediaStream;
        try {
          stream = await this.#opts.getUserMedia();
        } catch (err) {
          this.#stream = null;
          const name = err instanceof Error ? err.name : 'Error';
          return { summary: `failed (${name}): this side goes on without camera and microphone and only receives`, error: err };
        }
        this.#stream = stream;
        this.emit('localstream', stream);
        return { summary: `MediaStream with ${stream.getTracks().map((t) => `${t.kind} "${t.label}"`).join(', ')}` };
      }
      case 'caller-new-peer-connection':
      case 'callee-new-peer-connection': {
        const configuration = this.#opts.configuration();
        const peer = new Peer({ polite: this.role === 'callee', configuration, manual: true });
        this.#peer = peer;
        peer.on('localcandidate', (c) => {
          if (this.#sendCandidatesNow) peer.send({ type: 'candidate', candidate: c.toJSON() as IceCandidateJSON });
          else this.#gathered.push(c);
        });
        this.#opts.onPeer(peer);
        return { summary: `signalingState: ${peer.pc.signalingState}, iceServers: ${configuration.iceServers?.length ?? 0}`, detail: JSON.stringify(configuration, null, 2) };
      }
      case 'caller-add-track':
      case 'callee-add-track': {
        const pc = this.#pc();
        const stream = this.#stream;
        const kinds: string[] = [];
        if (stream) for (const track of stream.getTracks()) { pc.addTrack(track, stream); kinds.push(track.kind); }
        else if (this.role === 'caller') { pc.addTransceiver('audio', { direction: 'recvonly' }); pc.addTransceiver('video', { direction: 'recvonly' }); }
        if (this.role === 'caller') this.#needPeer().createDataChannel('playground');
        const senders = pc.getSenders().filter((s) => s.track).length;
        return { summary: `${senders} sender(s) (${kinds.join(', ') || 'receive only'})${this.role === 'caller' ? ' + data channel "playground"' : ''}` };
      }
      case 'caller-create-offer':
      case 'callee-create-answer': {
        const pc = this.#pc();
        const desc = id === 'caller-create-offer' ? await pc.createOffer() : await pc.createAnswer();
        this.#localDesc = desc;
        const sdp = desc.sdp ?? '';
        return { summary: `${desc.type}: ${sdp.split(/\r?\n/).filter(Boolean).length} SDP lines, ${mLines(sdp)}`, detail: sdp };
      }
      case 'caller-set-local-offer':
      case 'callee-set-local-answer': {
        const pc = this.#pc();
        if (!this.#localDesc) throw new DOMException('no description to set', 'InvalidStateError');
        await pc.setLocalDescription(this.#localDesc);
        return { summary: `signalingState: ${pc.signalingState}, iceGatheringState: ${pc.iceGatheringState}` };
      }
      case 'caller-ice-gathering':
      case 'callee-ice-gathering': {
        const pc = this.#pc();
        await this.#until(() => this.#gathered.length > 0 || pc.iceGatheringState === 'complete', 'icegatheringstatechange');
        return { summary: `${this.#gathered.length} candidate(s) so far, iceGatheringState: ${pc.iceGatheringState}`, detail: this.#gathered.map((c) => c.candidate).join('\n') };
      }
      case 'caller-send-offer':
      case 'callee-send-answer': {
        const desc = this.#pc().localDescription;
        if (!desc) throw new DOMException('no local description', 'InvalidStateError');
        this.#needPeer().send(desc.type === 'offer' ? { type: 'offer', sdp: desc.sdp } : { type: 'answer', sdp: desc.sdp });
        return { summary: `sent the ${desc.type} (${desc.sdp.length} characters) through the signaling server` };
      }
      case 'caller-send-candidates':
      case 'callee-send-candidates': {
        const peer = this.#needPeer();
        const list = this.#gathered;
        this.#gathered = [];
        this.#sendCandidatesNow = true;
        for (const c of list) peer.send({ type: 'candidate', candidate: c.toJSON() as IceCandidateJSON });
        return { summary: `sent ${list.length} candidate(s); later ones are sent as they are found`, detail: list.map((c) => c.candidate).join('\n') };
      }
      case 'callee-set-remote-offer':
      case 'caller-set-remote-answer': {
        const pc = this.#pc();
        if (this.#remoteSdp === null) throw new DOMException('the remote description has not arrived', 'InvalidStateError');
        await pc.setRemoteDescription({ type: this.role === 'callee' ? 'offer' : 'answer', sdp: this.#remoteSdp });
        return { summary: `signalingState: ${pc.signalingState}, ${pc.getTransceivers().length} transceiver(s)`, detail: this.#remoteSdp };
      }
      case 'callee-add-candidates':
      case 'caller-add-candidates': {
        const list = this.#received;
        this.#received = [];
        this.#addCandidatesNow = true;
        for (const c of list) await this.#addCandidate(c);
        return { summary: `added ${list.length} remote candidate(s); later ones are added as they arrive`, detail: list.map((c) => c.candidate).join('\n') };
      }
      case 'connected': {
        const pc = this.#pc();
        // The other side may still be stepping (the caller's last steps): wait as long as a class needs.
        await this.#until(() => pc.connectionState === 'connected', 'connectionstatechange', CONNECT_WAIT_MS);
        const frames = await this.#firstFrames(pc);
        return { summary: `connectionState: connected, iceConnectionState: ${pc.iceConnectionState}, ${frames} video frame(s) decoded` };
      }
      case 'server-relay-offer':
      case 'server-relay-answer':
        throw new DOMException('the server does this step', 'InvalidStateError');
      default: {
        const never: never = id;
        throw new TypeError(`unknown step ${String(never)}`);
      }
    }
  }

  #localDesc: RTCSessionDescriptionInit | null = null;

  async #addCandidate(c: IceCandidateJSON): Promise<void> {
    try {
      await this.#needPeer().addRemoteCandidate(c);
    } catch (err) {
      this.#peer?.emit('error', err, 'addIceCandidate');
    }
  }

  /** Resolves when `ok()` holds, checking on each `event` of the pc and every 100 ms. */
  #until(ok: () => boolean, event: string, timeoutMs = this.#opts.timeoutMs ?? 20_000): Promise<void> {
    const pc = this.#pc();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pc.signalingState === 'closed') {
          cleanup();
          reject(new DOMException('the connection was closed', 'AbortError'));
          return;
        }
        if (!ok()) return;
        cleanup();
        resolve();
      };
      const timer = setInterval(check, 100);
      const deadline = setTimeout(() => {
        cleanup();
        reject(new DOMException(`gave up after ${timeoutMs} ms waiting for ${event}`, 'TimeoutError'));
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(timer);
        clearTimeout(deadline);
        pc.removeEventListener(event, check);
      };
      pc.addEventListener(event, check);
      check();
    });
  }

  /** Polls getStats until a video frame is decoded (or the timeout): the count. */
  async #firstFrames(pc: RTCPeerConnection): Promise<number> {
    if (!pc.getReceivers().some((r) => r.track.kind === 'video')) return 0;
    const deadline = Date.now() + (this.#opts.timeoutMs ?? 20_000);
    for (;;) {
      const frames = await framesDecoded(pc);
      if (frames > 0 || Date.now() > deadline || pc.connectionState === 'closed') return frames;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

function mLines(sdp: string): string {
  const kinds = sdp.split(/\r?\n/).filter((l) => l.startsWith('m=')).map((l) => l.slice(2).split(' ')[0]);
  return kinds.length ? `m-sections: ${kinds.join(', ')}` : 'no m-sections';
}

/** Sum of `framesDecoded` over the inbound video streams of `pc` (getStats `inbound-rtp`). */
export async function framesDecoded(pc: RTCPeerConnection): Promise<number> {
  let frames = 0;
  (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number }) => {
    if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
  });
  return frames;
}

