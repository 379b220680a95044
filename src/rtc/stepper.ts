/**
 * A step-driven negotiator: performs the real WebRTC API calls of the walkthrough ({@link STEPS})
 * one at a time, with an explicit caller/callee flow (no perfect negotiation). Each step runs its
 * function from `./step-actions` (the code the page shows); this class keeps the bookkeeping:
 * results, what each step waits for, time limits. Signals from the other peer arrive through
 * {@link Stepper.receive}; signals to it leave through the `send` option.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
import type { IceCandidateJSON } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import { framesDecoded } from './frames';
export { framesDecoded };
import { Peer, type PeerConnectionFactory, type Signal } from './peer';
import * as actions from './step-actions';
import { answerRestart, IceRestartSteps } from './step-restart';
import type { StepScope, StepSignal } from './step-actions';
import { STEP_IDS, nextStep, stepsImpliedBy, type NextStep, type PeerRole, type Step, type StepId } from './steps';
import { codeRan } from '../util/code-ran';

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
  /** A step of this side started (its API call is about to run). */ start: [step: Step];
  /** A step of this side finished. */
  step: [step: Step, result: StepResult];
  /** The next step or what it waits for may have changed (a step ran, or a signal arrived). */
  change: [next: NextStep];
  /** The local stream was opened (getUserMedia step). */
  localstream: [stream: MediaStream];
  /** The connection was made (the "new RTCPeerConnection" step). */
  peer: [peer: Peer];
  /** An ICE restart began on this side: click through `stepper.restart`. */
  restart: [steps: IceRestartSteps];
  /** The other side restarted ICE and this side answered (or failed to: `error`). */
  restartanswered: [summary: string, error?: unknown];
};

/** Options of a {@link Stepper}. */
export interface StepperOptions {
  role: PeerRole;
  /** Read at the "new RTCPeerConnection" step. */
  configuration: () => RTCConfiguration;
  /** Makes the RTCPeerConnection at that step. Default `new RTCPeerConnection`. */
  peerConnectionFactory?: PeerConnectionFactory;
  /** Opens camera and microphone (the getUserMedia step); may reject like getUserMedia. */
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  /** Sends a signal to the other peer. */
  send: (signal: Signal) => void;
  /** Longest wait for the first ICE candidate and for the first decoded frame, in ms. Default 20 000. */
  timeoutMs?: number;
}

/**
 * The function each step runs (the code the page shows for it). The server's steps run on the
 * server, not here.
 */
export const STEP_ACTIONS: Record<Exclude<StepId, 'server-relay-offer' | 'server-relay-answer'>, (scope: StepScope) => unknown> = {
  'caller-get-user-media': actions.getUserMedia,
  'callee-get-user-media': actions.getUserMedia,
  'caller-new-peer-connection': actions.newPeerConnection,
  'callee-new-peer-connection': actions.newPeerConnection,
  'caller-add-track': actions.callerAddTrack,
  'callee-add-track': actions.calleeAddTrack,
  'caller-create-offer': actions.createOffer,
  'callee-create-answer': actions.createAnswer,
  'caller-set-local-offer': actions.setLocalDescription,
  'callee-set-local-answer': actions.setLocalDescription,
  'caller-ice-gathering': actions.iceGathering,
  'callee-ice-gathering': actions.iceGathering,
  'caller-send-offer': actions.sendDescription,
  'callee-send-answer': actions.sendDescription,
  'caller-send-candidates': actions.sendCandidates,
  'callee-send-candidates': actions.sendCandidates,
  'callee-set-remote-offer': actions.setRemoteDescription,
  'caller-set-remote-answer': actions.setRemoteDescription,
  'callee-add-candidates': actions.addCandidates,
  'caller-add-candidates': actions.addCandidates,
  connected: actions.connected,
};

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
  #remote: StepScope['remote'] = null;
  #description: RTCSessionDescriptionInit | null = null;
  #received: IceCandidateJSON[] = [];
  #gathered: RTCIceCandidate[] = [];
  #sendCandidatesNow = false;
  #addCandidatesNow = false;
  #busy = false;
  #running: Step | null = null;
  #closed = false;
  #restart: IceRestartSteps | null = null;

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
  /** The step running now, or null. */ get running(): Step | null { return this.#running; }
  /** The peer, from the "new RTCPeerConnection" step on. */
  get peer(): Peer | null { return this.#peer; }
  /** The local stream, from the getUserMedia step on (null if it failed: receive only). */
  get localStream(): MediaStream | null { return this.#stream; }
  /** True when every step of this side is done. */
  get finished(): boolean { return this.next.step === null; }
  /** The ICE restart this side is stepping through (see {@link Stepper.beginIceRestart}), or null. */
  get restart(): IceRestartSteps | null { return this.#restart; }

  /**
   * Starts an ICE restart as steps (`RESTART_STEPS` in `./steps`): createOffer with `iceRestart`, then one
   * click per call. Does nothing while one is in progress.
   * @throws DOMException `InvalidStateError` before the walkthrough reached "connected".
   */
  beginIceRestart(): IceRestartSteps {
    if (!this.finished || !this.#peer) throw new DOMException('finish the call\'s steps first', 'InvalidStateError');
    const current = this.#restart;
    if (current && current.next.step !== null) return current;
    const steps = new IceRestartSteps(() => this.#scope());
    this.#restart = steps;
    this.emit('restart', steps);
    this.emit('change', this.next);
    return steps;
  }

  /** Feeds a signal from the other peer (via signaling): it unblocks the steps that wait for it. */
  receive(signal: Signal): void {
    if (this.#closed) return;
    if (signal.type === 'candidate') {
      if (!signal.candidate) return; // end-of-candidates: nothing to add
      if (this.#addCandidatesNow && this.#peer) void this.#addCandidate(signal.candidate);
      else this.#received.push(signal.candidate);
      return;
    }
    // After the walkthrough: an ICE restart's offer (answered by itself) or answer (a step waits for it).
    if (this.finished && signal.type === 'offer') {
      void this.#answerRestart(signal.sdp);
      return;
    }
    if (signal.type === 'answer' && this.#restart?.receiveAnswer(signal.sdp)) return;
    const expected = this.role === 'callee' ? 'offer' : 'answer';
    if (signal.type !== expected || this.#remote !== null) return;
    this.#remote = { type: signal.type, sdp: signal.sdp };
    for (const id of stepsImpliedBy(signal.type)) this.#done.add(id);
    this.emit('change', this.next);
  }

  /**
   * Performs the next step of this side and returns it with its result.
   * @throws DOMException `InvalidStateError` when a step is running, all are done, or the next one
   *   waits for the other peer; `TimeoutError` when a waiting step gives up; `AbortError` when
   *   the call was closed meanwhile; otherwise whatever the step's API call throws (the step stays to do).
   */
  async step(): Promise<{ step: Step; result: StepResult }> {
    if (this.#busy) throw new DOMException('a step is still running', 'InvalidStateError');
    const { step, waitingFor } = this.next;
    if (!step) throw new DOMException('all steps are done', 'InvalidStateError');
    if (waitingFor) throw new DOMException(`waiting for: ${waitingFor.name}`, 'InvalidStateError');
    this.#busy = true;
    this.#running = step; this.emit('start', step); this.emit('change', this.next);
    try {
      const result = await this.#run(step.id);
      codeRan(step.id, result.summary); // lights this step's code in the page's "How it works" panel
      this.#done.add(step.id);
      // Connected with media means the other side has done its part too (DTLS needs both descriptions).
      if (step.id === 'connected') for (const id of STEP_IDS) this.#done.add(id);
      this.results.set(step.id, result);
      this.emit('step', step, result);
      return { step, result };
    } finally {
      this.#busy = false; this.#running = null;
      this.emit('change', this.next);
    }
  }

  /** Stops: no more signals are handled, a waiting step ends with `AbortError`; closes the connection. */
  close(): void {
    this.#closed = true;
    this.#peer?.close();
  }

  #scope(): StepScope {
    const peer = this.#peer;
    return {
      media: { getUserMedia: (c) => this.#opts.getUserMedia(c) },
      createPeerConnection: (configuration) => {
        const factory = this.#opts.peerConnectionFactory;
        return factory ? factory(configuration) : new RTCPeerConnection(configuration);
      },
      configuration: this.#opts.configuration(),
      get pc(): RTCPeerConnection {
        if (!peer) throw new DOMException('no RTCPeerConnection yet', 'InvalidStateError');
        return peer.pc;
      },
      stream: this.#stream,
      signaling: { send: (s) => this.#send(s) },
      pending: this.#gathered,
      received: this.#received,
      description: this.#description,
      remote: this.#remote,
    };
  }

  async #answerRestart(sdp: string): Promise<void> {
    try {
      const summary = await answerRestart(this.#scope(), sdp);
      this.emit('restartanswered', summary);
    } catch (err) {
      this.emit('restartanswered', 'The other side restarted ICE; answering it failed.', err);
    }
  }

  #send(s: StepSignal): void {
    if (s.type !== 'candidate') {
      this.#opts.send(s.type === 'offer' ? { type: 'offer', sdp: s.sdp } : { type: 'answer', sdp: s.sdp });
      return;
    }
    const c = s.candidate;
    this.#opts.send({ type: 'candidate', candidate: { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null, usernameFragment: c.usernameFragment ?? null } });
  }

  /** Runs `id`'s action, bounded by `timeoutMs` and by close(). */
  async #act<T>(id: keyof typeof STEP_ACTIONS, timeoutMs = this.#opts.timeoutMs ?? 20_000): Promise<T> {
    const run = Promise.resolve(STEP_ACTIONS[id](this.#scope())) as Promise<T>;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let poll: ReturnType<typeof setInterval> | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DOMException(`gave up after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
      poll = setInterval(() => {
        if (this.#closed) reject(new DOMException('the call was closed', 'AbortError'));
      }, 100);
    });
    try {
      return await Promise.race([run, limit]);
    } finally {
      clearTimeout(timer);
      clearInterval(poll);
    }
  }

  async #run(id: StepId): Promise<StepResult> {
    switch (id) {
      case 'caller-get-user-media':
      case 'callee-get-user-media': {
        let stream: MediaStream;
        try {
          stream = await this.#act<MediaStream>(id, CONNECT_WAIT_MS);
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
        const pc = await this.#act<RTCPeerConnection>(id);
        const peer = new Peer({ configuration, factory: () => pc });
        this.#peer = peer;
        peer.on('localcandidate', (c) => {
          if (this.#sendCandidatesNow) this.#send({ type: 'candidate', candidate: c.toJSON() });
          else this.#gathered.push(c);
        });
        this.emit('peer', peer);
        return { summary: `signalingState: ${pc.signalingState}, iceServers: ${configuration.iceServers?.length ?? 0}`, detail: JSON.stringify(configuration, null, 2) };
      }
      case 'caller-add-track':
      case 'callee-add-track': {
        const kinds = this.#stream?.getTracks().map((t) => t.kind) ?? [];
        const channel = await this.#act<RTCDataChannel | undefined>(id);
        if (channel && this.#peer) this.#peer.emit('datachannel', channel);
        const senders = this.#peer?.pc.getSenders().filter((s) => s.track).length ?? 0;
        return { summary: `${senders} sender(s) (${kinds.join(', ') || 'receive only'})${channel ? ` + data channel "${channel.label}"` : ''}` };
      }
      case 'caller-create-offer':
      case 'callee-create-answer': {
        const desc = await this.#act<RTCSessionDescriptionInit>(id);
        this.#description = desc;
        const sdp = desc.sdp ?? '';
        return { summary: `${desc.type}: ${sdp.split(/\r?\n/).filter(Boolean).length} SDP lines, ${mLines(sdp)}`, detail: sdp };
      }
      case 'caller-set-local-offer':
      case 'callee-set-local-answer': {
        await this.#act(id);
        const pc = this.#scope().pc;
        return { summary: `signalingState: ${pc.signalingState}, iceGatheringState: ${pc.iceGatheringState}` };
      }
      case 'caller-ice-gathering':
      case 'callee-ice-gathering': {
        await this.#act(id);
        const pc = this.#scope().pc;
        return { summary: `${this.#gathered.length} candidate(s) so far, iceGatheringState: ${pc.iceGatheringState}`, detail: this.#gathered.map((c) => c.candidate).join('\n') };
      }
      case 'caller-send-offer':
      case 'callee-send-answer': {
        await this.#act(id);
        const desc = this.#scope().pc.localDescription;
        return { summary: `sent the ${desc?.type ?? 'description'} (${desc?.sdp.length ?? 0} characters) through the signaling server` };
      }
      case 'caller-send-candidates':
      case 'callee-send-candidates': {
        const list = this.#gathered.map((c) => c.candidate);
        const n = await this.#act<number>(id);
        this.#sendCandidatesNow = true;
        return { summary: `sent ${n} candidate(s); later ones are sent as they are found`, detail: list.join('\n') };
      }
      case 'callee-set-remote-offer':
      case 'caller-set-remote-answer': {
        await this.#act(id);
        const pc = this.#scope().pc;
        return { summary: `signalingState: ${pc.signalingState}, ${pc.getTransceivers().length} transceiver(s)`, detail: this.#remote?.sdp ?? '' };
      }
      case 'callee-add-candidates':
      case 'caller-add-candidates': {
        const list = this.#received.map((c) => c.candidate);
        const n = await this.#act<number>(id);
        this.#addCandidatesNow = true;
        for (const c of list.slice(0, n)) this.#peer?.emit('remotecandidate', { candidate: c }, false);
        return { summary: `added ${n} remote candidate(s); later ones are added as they arrive`, detail: list.join('\n') };
      }
      case 'connected': {
        // The other side may still be stepping (the caller's last steps): wait as long as a class needs.
        await this.#act(id, CONNECT_WAIT_MS);
        const pc = this.#scope().pc;
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

  async #addCandidate(c: IceCandidateJSON): Promise<void> {
    const peer = this.#peer;
    if (!peer) return;
    try {
      await peer.addRemoteCandidate(c);
    } catch (err) {
      peer.emit('error', err, 'addIceCandidate');
    }
  }

  /** Polls getStats until a video frame is decoded (or the timeout): the count. */
  async #firstFrames(pc: RTCPeerConnection): Promise<number> {
    if (!pc.getReceivers().some((r) => r.track.kind === 'video')) return 0;
    const deadline = Date.now() + (this.#opts.timeoutMs ?? 20_000);
    for (;;) {
      const frames = await framesDecoded(pc);
      if (frames > 0 || Date.now() > deadline || pc.connectionState === 'closed' || this.#closed) return frames;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

function mLines(sdp: string): string {
  const kinds = sdp.split(/\r?\n/).filter((l) => l.startsWith('m=')).map((l) => l.slice(2).split(' ')[0]);
  return kinds.length ? `m-sections: ${kinds.join(', ')}` : 'no m-sections';
}
