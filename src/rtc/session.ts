/**
 * A membership in a signaling room plus at most one {@link Call} in it. It joins the room (again,
 * with its resume token, after every reconnect of the signaling client), decides each call's role
 * once (whoever starts it is the caller; an offer arriving while idle makes this side the callee),
 * makes the call's negotiator with the injected {@link NegotiatorFactory}, and routes signals
 * between the server and the call. {@link CallSession.close} releases everything it owns.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { PlaygroundError } from '../errors/playground-error';
import { EndedCallIds } from '../signaling/call-id';
import type { ClientMessage, ErrorMessage, PeerInfo, ProgressMessage, ServerMessage } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import { Call, type EndReason } from './call';
import type { CallState } from './call-state';
import type { CallRole } from './negotiator';
import { Peer } from './peer';
import { perfectNegotiation } from './perfect-negotiator';
import type { CallSessionEvents, CallSessionOptions, RoomState } from './session-types';

export type { EndReason } from './call';
export type { CallSessionEvents, CallSessionOptions, RoomState } from './session-types';


/** How long a missing peer is awaited when the server's `welcome` does not say (its default grace), in ms. */
export const DEFAULT_RETURN_MS = 20_000;

/** A room membership plus at most one call in it. */
export class CallSession extends Emitter<CallSessionEvents> {
  #room: RoomState = 'connecting';
  #id: string | null = null;
  #resume: string | null = null;
  #peers: PeerInfo[] = [];
  #call: Call | null = null;
  /** Ids of the calls that ended here: a message naming one is late. */
  readonly #ended = new EndedCallIds();
  #closed = false;
  #awaitTimer: ReturnType<typeof setTimeout> | null = null;
  /** The call's peer did not come back in time but the call was still up: it ends when the call drops. */
  #remoteGone = false;
  readonly #opts: CallSessionOptions;
  readonly #offs: (() => void)[];

  constructor(options: CallSessionOptions) {
    super();
    this.#opts = options;
    const { client } = options;
    this.#offs = [
      client.on('open', () => this.#join()),
      client.on('message', (m) => this.#onMessage(m)),
      client.on('close', (info) => {
        if (this.#closed || this.#room === 'left' || this.#room === 'full') return;
        if (client.state === 'closed') {
          // The page closed it (leave), or it cannot reconnect.
          this.#setRoom('left');
          return;
        }
        if (this.#room === 'reconnecting') return; // another failed attempt: already said
        this.#setRoom('reconnecting');
        this.emit('problem', new PlaygroundError(info.wasOpen ? 'SignalingClosed' : 'SignalingUnreachable', `WebSocket closed (${info.code})`), 'signaling');
      }),
      client.on('reconnecting', (info) => this.emit('reconnecting', info)),
    ];
    if (client.state === 'open') queueMicrotask(() => this.#join());
  }

  /** Our server-assigned id (null before `welcome`). */
  get id(): string | null { return this.#id; }
  get roomState(): RoomState { return this.#room; }
  /** The state of the current call (`idle` when there is none). */
  get callState(): CallState { return this.#call?.state ?? 'idle'; }
  /** The other peers in the room. */
  get peers(): readonly PeerInfo[] { return this.#peers; }
  /** The current call, if any. */
  get activeCall(): Call | null { return this.#call; }
  /** The current call's connection wrapper, if a call has one. */
  get peer(): Peer | null { return this.#call?.peer ?? null; }
  /** Our role in the current call, or null when idle. */
  get role(): CallRole | null { return this.#call?.role ?? null; }
  /** The peer we are in a call with. */
  get remote(): PeerInfo | null { return this.#call?.remote ?? null; }

  /**
   * Calls `peerId` (default: the first other peer in the room): this side is the caller.
   * @throws DOMException `InvalidStateError` when not in a room, nobody else is there, or a call is
   *   already up.
   */
  call(peerId: string | undefined = this.#peers[0]?.id): void {
    if (this.#room !== 'joined') throw new DOMException('join a room first', 'InvalidStateError');
    const remote = this.#peers.find((p) => p.id === peerId);
    if (!remote) throw new DOMException('nobody else is in the room', 'InvalidStateError');
    if (this.#call) throw new DOMException('a call is already in progress', 'InvalidStateError');
    this.#start(remote, 'caller');
  }

  /**
   * Step mode: tells the call's other side (or, before a call, every other peer of the room) where
   * this side is in the walkthrough. Dropped while not joined (the next change sends it again).
   * @returns whether it was sent.
   */
  sendProgress(progress: Omit<ProgressMessage, 'type' | 'to'>): boolean {
    const to = this.#call?.remote.id;
    const message: ProgressMessage = { type: 'progress', role: progress.role, done: progress.done };
    if (progress.running !== undefined) message.running = progress.running;
    return this.#send(to === undefined ? message : { ...message, to });
  }

  /** Hangs up: tells the other side (`bye`, through the server and the data channel) and goes back to idle. */
  hangUp(): void {
    const call = this.#call;
    if (!call) return;
    call.hangUp();
    this.#end('local-hangup');
  }

  /** Asks for an ICE restart on the current call (a new offer follows). */
  restartIce(): void {
    this.#call?.restartIce();
  }

  /**
   * Leaves the room (`leave`; the others get `peer-left`, which also ends their call with us),
   * ends the call and closes the signaling connection (no reconnect).
   */
  leave(): void {
    if (this.#room === 'left') return;
    this.#stopAwaiting();
    if (this.#call) this.#end('left-room');
    if (this.#room === 'joined') this.#send({ type: 'leave' });
    this.#setRoom('left');
    this.#peers = [];
    this.emit('peers', []);
    this.#opts.client.close();
  }

  /** {@link CallSession.leave}, then forgets every listener: nothing of this session is left running. */
  close(): void {
    if (this.#closed) return;
    this.leave();
    this.#closed = true;
    this.#offs.forEach((off) => off());
    this.removeAllListeners();
  }

  #setRoom(state: RoomState): void {
    if (this.#room === state) return;
    this.#room = state;
    this.emit('room', state);
  }

  #send(message: ClientMessage): boolean {
    if (this.#opts.client.state !== 'open' || this.#room !== 'joined') return false;
    this.#opts.client.send(message);
    return true;
  }

  #join(): void {
    if (this.#closed || this.#room === 'left') return;
    const { room, name } = this.#opts;
    const msg: ClientMessage = { type: 'join', room };
    if (name) msg.name = name;
    if (this.#resume) msg.resume = this.#resume;
    this.#opts.client.send(msg);
  }

  #onMessage(m: ServerMessage): void {
    if (this.#closed) return;
    switch (m.type) {
      case 'welcome':
        this.#onWelcome(m);
        return;
      case 'peer-joined':
        this.#peers = [...this.#peers.filter((p) => p.id !== m.peer.id), m.peer];
        if (this.#call?.remote.id === m.peer.id && this.#stopAwaiting()) this.emit('returned', m.peer);
        this.emit('peers', this.#peers);
        return;
      case 'peer-left':
        this.#peers = this.#peers.filter((p) => p.id !== m.id);
        this.emit('peers', this.#peers);
        if (this.#call?.remote.id === m.id) this.#end('peer-left');
        return;
      case 'offer':
        this.#onOffer(m.from, m.sdp, m.callId);
        return;
      case 'answer':
        if (this.#call?.remote.id === m.from) this.#call.receive({ type: 'answer', sdp: m.sdp, callId: m.callId });
        return;
      case 'candidate':
        if (this.#call?.remote.id === m.from) this.#call.receive({ type: 'candidate', candidate: m.candidate });
        return;
      case 'bye':
        // Only a bye for this call ends it: one for an earlier call with the same peer can come late.
        if (this.#call?.remote.id === m.from) this.#call.receiveBye(m.callId, 'server');
        return;
      case 'progress':
        // Step mode: the call's other side (or, before a call, a peer of the room) reports its steps.
        if (this.#call ? this.#call.remote.id === m.from : this.#peers.some((p) => p.id === m.from)) this.emit('progress', m);
        return;
      case 'error':
        this.#onError(m);
        return;
      default: {
        const never: never = m;
        throw new TypeError(`unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  #onWelcome(m: Extract<ServerMessage, { type: 'welcome' }>): void {
    const previous = this.#id;
    const resumed = previous !== null && m.id === previous;
    this.#id = m.id;
    this.#resume = m.resume ?? null;
    this.#opts.client.resetBackoff();
    // A new id means the room was told we left: the other side has ended our call.
    if (previous !== null && !resumed && this.#call) this.#end('signaling-lost');
    const remote = this.#call?.remote;
    // After a server restart the other side may not be back yet: keep the peer of a running call,
    // for as long as the server would have held its place (then it has left).
    const missing = remote !== undefined && !m.peers.some((p) => p.id === remote.id);
    this.#peers = missing ? [...m.peers, remote] : m.peers;
    this.#stopAwaiting();
    this.#setRoom('joined');
    this.emit('peers', this.#peers);
    if (missing) this.#await(remote, m.resumeGraceMs ?? DEFAULT_RETURN_MS);
    if (resumed) {
      this.#call?.flush();
      return;
    }
    const first = m.peers[0];
    if (first && !this.#call) this.#start(first, 'caller');
  }

  /**
   * Gives the missing peer of the running call `ms` (the server's grace period, plus a second for
   * its reconnect attempt to land) to come back; then it has left: it leaves the peer list, and the
   * call ends now if its connection is down, or as soon as it goes down.
   */
  #await(remote: PeerInfo, ms: number): void {
    const wait = ms + 1000;
    this.emit('awaiting', remote, Date.now() + wait);
    this.#awaitTimer = setTimeout(() => {
      this.#awaitTimer = null;
      if (this.#closed || this.#call?.remote.id !== remote.id || this.#room !== 'joined') return;
      this.#peers = this.#peers.filter((p) => p.id !== remote.id);
      this.emit('peers', this.#peers);
      if (this.#call.alive) this.#remoteGone = true;
      else this.#end('peer-left');
    }, wait);
  }

  /** Stops waiting for a missing peer; true when it was waiting. */
  #stopAwaiting(): boolean {
    const waiting = this.#awaitTimer !== null;
    if (this.#awaitTimer !== null) clearTimeout(this.#awaitTimer);
    this.#awaitTimer = null;
    return waiting;
  }

  #onOffer(from: string, sdp: string, callId: string | undefined): void {
    const current = this.#call;
    if (current && current.remote.id !== from) return; // busy with someone else
    const offer = { type: 'offer', sdp, callId } as const;
    let result: ReturnType<Call['receive']> = 'handled';
    let call: Call;
    if (current) {
      call = current;
      result = call.receive(offer);
    } else {
      // A late offer of a call that ended here starts nothing; its sender is told that call ended.
      if (callId !== undefined && this.#ended.has(callId)) {
        this.emit('stale', 'offer', callId, 'server');
        this.#send({ type: 'bye', callId, to: from });
        return;
      }
      // The callee's call takes its id from the offer that starts it. The offer is applied before
      // the page hears of the new call: setRemoteDescription starts before the page's display work.
      const started = this.#start(this.#peers.find((p) => p.id === from) ?? { id: from }, 'callee', callId, false, (c) => (result = c.receive(offer)));
      if (!started) return;
      call = started;
    }
    if (result === 'handled') return;
    // `new-call`: the peer ended this call (its bye never came) and started another: end this one
    // and answer that. `needs-callee`: a step-mode caller without its connection yet answers instead.
    const remote = call.remote;
    this.#end(result === 'new-call' ? 'new-call' : null);
    this.#start(remote, 'callee', callId, false, (c) => c.receive(offer));
  }

  #onError(m: ErrorMessage): void {
    if (m.code === 'room-full') {
      this.#setRoom('full');
      this.#opts.client.close();
    }
    this.emit('problem', m, 'signaling');
  }

  /**
   * The one place a call starts: the role is decided here and nowhere else. `first` runs on the
   * new call before the page is told of it (a callee applies the offer that started it).
   */
  #start(remote: PeerInfo, role: CallRole, callId?: string, redialed = false, first?: (call: Call) => void): Call | null {
    const polite = (this.#id ?? '') < remote.id;
    const factory = this.#opts.negotiator ?? perfectNegotiation;
    let call: Call;
    try {
      const negotiator = factory({
        role,
        polite,
        localStream: this.#opts.localStream,
        createPeer: () => new Peer({ configuration: this.#opts.configuration(), factory: this.#opts.peerConnectionFactory }),
      });
      call = new Call({
        remote, role, polite, negotiator, callId,
        ended: (id) => this.#ended.has(id),
        redial: this.#opts.redial === true && this.#opts.sendCandidates !== false && !redialed,
        iceTimeoutMs: this.#opts.iceTimeoutMs,
        mediaStallMs: this.#opts.mediaStallMs,
        sendCandidates: this.#opts.sendCandidates,
        signaler: { send: (msg) => this.#send({ ...msg, to: remote.id }) },
      });
    } catch (err) {
      this.emit('problem', err, 'RTCPeerConnection');
      return null;
    }
    this.#call = call;
    this.#remoteGone = false;
    call.on('state', (state) => {
      this.emit('call', state);
      if (this.#remoteGone && this.#call === call && state !== 'connected') this.#end('peer-left');
    });
    call.on('icerestart', () => this.emit('icerestart', this.#opts.iceTimeoutMs ?? 5000));
    call.on('redial', () => {
      if (this.#call !== call) return;
      this.#end('no-connection');
      this.#start(remote, 'caller', undefined, true);
    });
    call.on('mediastall', (afterMs, restarted) => this.emit('mediastall', afterMs, restarted));
    call.on('peer', (peer) => this.emit('peer', peer, remote));
    call.on('remotestream', (stream) => this.emit('remotestream', stream));
    call.on('datachannel', (channel) => this.emit('datachannel', channel));
    call.on('control', (direction, message, path) => this.emit('control', direction, message, path));
    call.on('bye', () => {
      if (this.#call === call) this.#end('remote-hangup');
    });
    call.on('stale', (type, callId, path) => this.emit('stale', type, callId, path));
    call.on('newcall', (offer) => this.#call === call && this.#onOffer(remote.id, offer.sdp, offer.callId));
    call.on('problem', (err) => this.emit('problem', err, 'RTCPeerConnection'));
    first?.(call);
    this.emit('callstart', call);
    this.emit('call', call.state);
    return call;
  }

  /** Ends the current call (`reason` null: silently, to replace it). */
  #end(reason: EndReason | null): void {
    const call = this.#call;
    if (!call) return;
    this.#call = null;
    this.#remoteGone = false;
    this.#stopAwaiting();
    if (reason) this.#ended.add(call.ids);
    call.close(); // emits the call state `idle`
    if (reason) this.emit('ended', reason);
  }
}
