/**
 * A two-peer call in a signaling room: joins the room, starts the call when a second peer is
 * there, routes offers, answers and ICE candidates between the signaling client and the
 * {@link Peer}, and keeps the room and call states. The call page only renders its events.
 *
 * Roles: the peer that joins a room where someone already waits is the caller (it adds its tracks
 * at once, which sends the offer); the one already there answers. Politeness (who yields on glare)
 * is decided by comparing the two server-assigned ids, so "Call again" from both sides at once
 * still ends in one call.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { PlaygroundError } from '../errors/explain';
import type { ErrorContext } from '../errors/explain';
import type { SignalingClient } from '../signaling/client';
import type { ErrorMessage, PeerInfo, ServerMessage } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import { nextCallState, type CallEvent, type CallState } from './call-state';
import { IceCandidateError, iceFailedError } from './ice-errors';
import { Peer, type Signal } from './peer';

/** State of our membership in the signaling room. */
export type RoomState = 'connecting' | 'joined' | 'full' | 'unreachable' | 'disconnected' | 'left';

/** Why a call ended. */
export type EndReason = 'local-hangup' | 'remote-hangup' | 'peer-left' | 'left-room' | 'signaling-closed';

/** Events of a {@link CallSession}. */
export type CallSessionEvents = {
  room: [state: RoomState];
  /** The other peers in the room changed. */
  peers: [peers: PeerInfo[]];
  call: [state: CallState];
  /** A new Peer was created for a call (wire its events for display). */
  peer: [peer: Peer, remote: PeerInfo];
  /** A remote media stream arrived. */
  remotestream: [stream: MediaStream];
  ended: [reason: EndReason];
  /** A data channel of the call opened on our side (created by the caller, received by the callee). */
  datachannel: [channel: RTCDataChannel];
  /** Manual mode only: an offer, answer or ICE candidate from `from`, for the step-by-step negotiator. */
  remotesignal: [signal: Signal, from: PeerInfo];
  /** Something failed: show it. `context` tells {@link explainError} which API it was. */
  problem: [err: unknown, context: ErrorContext];
};

/** Options of a {@link CallSession}. */
export interface CallSessionOptions {
  client: SignalingClient;
  room: string;
  name?: string;
  /** The stream to send (null: receive only). */
  localStream: MediaStream | null;
  /** Read when a call starts, so edits on the page apply to the next call. */
  configuration: () => RTCConfiguration;
  /** Start the call by itself when a second peer is in the room. Default true. */
  autoCall?: boolean;
  /**
   * Manual (step) mode: the session never creates a peer itself; remote offers, answers and
   * candidates come out as `remotesignal` events, and the page's negotiator hands its peer over
   * with {@link CallSession.adopt}. Implies `autoCall: false`. Default false.
   */
  manual?: boolean;
}

/** A room membership plus at most one call in it. */
export class CallSession extends Emitter<CallSessionEvents> {
  #room: RoomState = 'connecting';
  #call: CallState = 'idle';
  #id: string | null = null;
  #peers: PeerInfo[] = [];
  #peer: Peer | null = null;
  #remote: PeerInfo | null = null;
  #role: 'caller' | 'callee' | null = null;
  readonly #opts: CallSessionOptions;

  constructor(options: CallSessionOptions) {
    super();
    this.#opts = options;
    const { client } = options;
    client.on('open', () => {
      client.send(options.name ? { type: 'join', room: options.room, name: options.name } : { type: 'join', room: options.room });
    });
    client.on('message', (m) => this.#onMessage(m));
    client.on('close', (info) => {
      const wasJoined = this.#room === 'joined';
      if (this.#room === 'left' || this.#room === 'full') return;
      this.#setRoom(info.wasOpen ? 'disconnected' : 'unreachable');
      this.emit('problem', new PlaygroundError(info.wasOpen ? 'SignalingClosed' : 'SignalingUnreachable', `WebSocket closed (${info.code})`), 'signaling');
      // A connected call keeps running peer-to-peer; one still negotiating cannot finish.
      if (wasJoined && this.#call !== 'connected') this.#end('signaling-closed');
    });
  }

  /** Our server-assigned id (null before `welcome`). */
  get id(): string | null { return this.#id; }
  get roomState(): RoomState { return this.#room; }
  get callState(): CallState { return this.#call; }
  /** The other peers in the room. */
  get peers(): readonly PeerInfo[] { return this.#peers; }
  /** The current call's peer connection wrapper, if a call exists. */
  get peer(): Peer | null { return this.#peer; }
  /** Our role in the current call: `caller` (we sent the first offer), `callee`, or null when idle. */
  get role(): 'caller' | 'callee' | null { return this.#role; }
  /** The peer we are in a call with. */
  get remote(): PeerInfo | null { return this.#remote; }

  /**
   * Calls `peerId` (default: the first other peer in the room).
   * @throws DOMException `InvalidStateError` when not in a room, nobody else is there, or a call is
   *   already up.
   */
  call(peerId: string | undefined = this.#peers[0]?.id): void {
    if (this.#room !== 'joined') throw new DOMException('join a room first', 'InvalidStateError');
    const remote = this.#peers.find((p) => p.id === peerId);
    if (!remote) throw new DOMException('nobody else is in the room', 'InvalidStateError');
    if (this.#peer) throw new DOMException('a call is already in progress', 'InvalidStateError');
    const peer = this.#createPeer(remote, 'caller');
    if (!peer) return;
    peer.createDataChannel('playground');
    peer.setLocalStream(this.#opts.localStream, true);
  }

  /**
   * Manual mode: takes over `peer` (made and driven by a step-by-step negotiator) as the current
   * call with `remote`: its signals go to `remote`, its states drive the call state.
   * @throws DOMException `InvalidStateError` when a call is already in progress.
   */
  adopt(peer: Peer, remote: PeerInfo, role: 'caller' | 'callee'): void {
    if (this.#peer) throw new DOMException('a call is already in progress', 'InvalidStateError');
    this.#attach(peer, remote, role);
  }

  /** Hangs up: tells the other side (`bye`) and goes back to idle, still in the room. */
  hangUp(): void {
    if (!this.#peer || !this.#remote) return;
    this.#trySend({ type: 'bye', to: this.#remote.id });
    this.#end('local-hangup');
  }

  /** Asks for an ICE restart on the current call (a new offer follows). */
  restartIce(): void {
    this.#peer?.restartIce();
  }

  /**
   * Leaves the room (`leave`; the others get `peer-left`, which also ends their call with us),
   * then closes the signaling connection.
   */
  leave(): void {
    if (this.#peer) this.#end('left-room');
    if (this.#room === 'joined') this.#trySend({ type: 'leave' });
    this.#setRoom('left');
    this.#peers = [];
    this.emit('peers', []);
    this.#opts.client.close();
  }

  #setRoom(state: RoomState): void {
    if (this.#room === state) return;
    this.#room = state;
    this.emit('room', state);
  }

  #dispatch(event: CallEvent): void {
    const next = nextCallState(this.#call, event);
    if (next === this.#call) return;
    this.#call = next;
    this.emit('call', next);
  }

  #trySend(message: Parameters<SignalingClient['send']>[0]): void {
    if (this.#opts.client.state === 'open') this.#opts.client.send(message);
  }

  #onMessage(m: ServerMessage): void {
    switch (m.type) {
      case 'welcome':
        this.#id = m.id;
        this.#peers = m.peers;
        this.#setRoom('joined');
        this.emit('peers', this.#peers);
        if ((this.#opts.autoCall ?? true) && !this.#opts.manual && m.peers.length > 0) this.call(m.peers[0]!.id);
        return;
      case 'peer-joined':
        this.#peers = [...this.#peers.filter((p) => p.id !== m.peer.id), m.peer];
        this.emit('peers', this.#peers);
        return;
      case 'peer-left':
        this.#peers = this.#peers.filter((p) => p.id !== m.id);
        this.emit('peers', this.#peers);
        if (this.#remote?.id === m.id) this.#end('peer-left');
        return;
      case 'offer':
      case 'answer':
      case 'candidate':
        if (this.#opts.manual) {
          if (this.#remote && this.#remote.id !== m.from) return; // busy with someone else
          const from = this.#peers.find((p) => p.id === m.from) ?? { id: m.from };
          this.emit('remotesignal', m.type === 'candidate' ? { type: 'candidate', candidate: m.candidate } : { type: m.type, sdp: m.sdp }, from);
          return;
        }
        this.#onSignal(m);
        return;
      case 'bye':
        if (this.#remote?.id === m.from) this.#end('remote-hangup');
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

  #onSignal(m: Extract<ServerMessage, { type: 'offer' | 'answer' | 'candidate' }>): void {
    switch (m.type) {
      case 'offer': {
        let peer = this.#peer;
        if (!peer || this.#remote?.id !== m.from) {
          if (peer) return; // busy with someone else: ignore
          const remote = this.#peers.find((p) => p.id === m.from) ?? { id: m.from };
          peer = this.#createPeer(remote, 'callee');
          if (!peer) return;
          peer.setLocalStream(this.#opts.localStream, false);
        }
        void peer.signal({ type: 'offer', sdp: m.sdp });
        return;
      }
      case 'answer':
        if (this.#peer && this.#remote?.id === m.from) void this.#peer.signal({ type: 'answer', sdp: m.sdp });
        return;
      case 'candidate':
        if (this.#peer && this.#remote?.id === m.from) void this.#peer.signal({ type: 'candidate', candidate: m.candidate });
        return;
    }
  }

  #onError(m: ErrorMessage): void {
    if (m.code === 'room-full') {
      this.#setRoom('full');
      this.#opts.client.close();
    }
    this.emit('problem', m, 'signaling');
  }

  #createPeer(remote: PeerInfo, role: 'caller' | 'callee'): Peer | null {
    let peer: Peer;
    try {
      peer = new Peer({ polite: (this.#id ?? '') < remote.id, configuration: this.#opts.configuration() });
    } catch (err) {
      this.emit('problem', err, 'RTCPeerConnection');
      return null;
    }
    this.#attach(peer, remote, role);
    return peer;
  }

  #attach(peer: Peer, remote: PeerInfo, role: 'caller' | 'callee'): void {
    this.#peer = peer;
    this.#remote = remote;
    this.#role = role;
    peer.on('signal', (s) => this.#trySend({ ...s, to: remote.id }));
    peer.on('track', (ev) => {
      const stream = ev.streams[0] ?? new MediaStream([ev.track]);
      this.emit('remotestream', stream);
    });
    peer.on('statechange', (which, states) => {
      if (which !== 'connectionState') return;
      this.#dispatch({ type: 'connection', state: states.connectionState });
      if (states.connectionState === 'failed') this.emit('problem', iceFailedError(peer.pc), 'RTCPeerConnection');
    });
    peer.on('datachannel', (channel) => this.emit('datachannel', channel));
    peer.on('error', (err) => this.emit('problem', err, 'RTCPeerConnection'));
    peer.on('icecandidateerror', (e) => this.emit('problem', new IceCandidateError(e), 'RTCPeerConnection'));
    this.emit('peer', peer, remote);
    this.#dispatch({ type: 'start' });
  }

  #end(reason: EndReason): void {
    const peer = this.#peer;
    this.#peer = null;
    this.#remote = null;
    this.#role = null;
    peer?.close();
    this.#dispatch({ type: 'end' });
    if (peer) this.emit('ended', reason);
  }
}
