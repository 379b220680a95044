/**
 * One call with one remote peer: its negotiator (and so its RTCPeerConnection), its role, its
 * data channels (the chat channel and the call-control channel), its state, and its ICE watchdog.
 * A {@link CallSession} owns at most one Call at a time and closes it when the call ends.
 *
 * Signals leave through {@link Call} `send` routing: through the signaling server while it is up,
 * over the call-control data channel when it is not (once connected), else they wait.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import { PlaygroundError } from '../errors/playground-error';
import { createCallId, matchCall } from '../signaling/call-id';
import type { PeerInfo } from '../signaling/protocol';
import { Emitter } from '../util/emitter';
import { CONTROL_CHANNEL_LABEL, encodeControl, openControlChannel, parseControl, type ControlMessage, type SignalPath } from './call-control';
import { nextCallState, type CallEvent, type CallState } from './call-state';
import { diagnosisError, IceCandidateError, iceErrorsOf } from './ice-errors';
import { IceWatchdog, type IceDiagnosis } from './ice-watchdog';
import { inboundPackets, MediaWatchdog } from './media-watchdog';
import { withoutCandidates } from './call-params';
import type { CallRole, Negotiator } from './negotiator';
import type { Peer, Signal } from './peer';
import { RemoteStream } from './remote-stream';

/**
 * A signal from the other side as the call receives it: with the sender's call id on offers and answers.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
export type IncomingSignal = Exclude<ControlMessage, { type: 'bye' }>;

/** Why a call ended. */
export type EndReason = 'local-hangup' | 'remote-hangup' | 'new-call' | 'no-connection' | 'peer-left' | 'left-room' | 'signaling-closed' | 'signaling-lost';

/** Events of a {@link Call}. */
export type CallEvents = {
  /** The call state changed. */
  state: [state: CallState];
  /** The connection exists (wire its events for display). */
  peer: [peer: Peer];
  /** A remote media stream arrived. */
  remotestream: [stream: MediaStream];
  /** A chat data channel of the call (opened by us or by the other side). */
  datachannel: [channel: RTCDataChannel];
  /** A control message went out (`path`: which way) or came in over the data channel. */
  control: [direction: 'sent' | 'received', message: ControlMessage, path: SignalPath];
  /** The other side hung up this call (a `bye` naming it, by either path). */
  bye: [];
  /**
   * A message of the call's peer named an earlier call (`callId`: a call that ended here, or for an
   * answer or `bye` an id this call is not known by): late, ignored. An offer of an ended call is
   * answered with a `bye` for it (its sender still runs that call).
   */
  stale: [type: 'offer' | 'answer' | 'bye', callId: string, path: SignalPath];
  /** An offer over the data channel started a new call (see `matchCall`): the session handles it. */
  newcall: [offer: Extract<IncomingSignal, { type: 'offer' }>];
  /** The watchdog restarted ICE. */
  icerestart: [];
  /**
   * This side's ICE restart did not help either and a new connection may (see `CallOptions.redial`):
   * the session should end this call and start it again. Emitted instead of the `problem`.
   */
  redial: [diagnosis: IceDiagnosis];
  /**
   * After an ICE restart no media arrived for `afterMs` although connected (see MediaWatchdog):
   * `restarted` true when this side restarted ICE again to recover, false when that was tried already.
   */
  mediastall: [afterMs: number, restarted: boolean];
  /** Something failed (the call may go on). */
  problem: [err: unknown];
};

/** How a Call reaches the other peer through the signaling server. */
export interface CallSignaler {
  /** Sends `message` to the remote peer through the server; false when the server is not reachable now. */
  send(message: ControlMessage): boolean;
}

/** Options of a {@link Call}. */
export interface CallOptions {
  remote: PeerInfo;
  /**
   * The call's id: the one on the offer that started it (this side is the callee), else none and a
   * fresh one is made (see `../signaling/call-id`).
   */
  callId?: string;
  role: CallRole;
  polite: boolean;
  negotiator: Negotiator;
  signaler: CallSignaler;
  /** Whether `callId` named a call that ended on this side (its messages are late). Default: none did. */
  ended?: (callId: string) => boolean;
  /** ICE watchdog timeout in ms (see {@link IceWatchdog}). Default 5000. */
  iceTimeoutMs?: number;
  /**
   * True: when this (impolite) side's ICE restart did not help either and nothing explains it but a
   * stalled gathering (no candidate of ours, or none of the other side's; no STUN/TURN error),
   * emit `redial` instead of the problem: a new RTCPeerConnection on both sides recovers what an
   * ICE restart cannot (Chromium's gathering can stay stuck after a glare's rollback, even through
   * an ICE restart asked by Firefox). Default false.
   */
  redial?: boolean;
  /** How long no media may arrive after an ICE restart before it counts as stalled, in ms (see MediaWatchdog). Default 2000. */
  mediaStallMs?: number;
  /**
   * False: no ICE candidate leaves this side (dropped, and `a=candidate` lines removed from the SDP
   * sent): the `candidates=none` demo of a call that cannot connect. Default true.
   */
  sendCandidates?: boolean;
}

/** One call; see the module comment. */
export class Call extends Emitter<CallEvents> {
  readonly remote: PeerInfo;
  readonly role: CallRole;
  readonly polite: boolean;
  readonly negotiator: Negotiator;
  /** The chat data channels (usually one; two after a glare, when both sides opened one). */
  readonly channels: RTCDataChannel[] = [];
  #state: CallState = 'idle';
  #id: string;
  /** This side sent an offer of this call (its id went out). */
  #offered = false;
  /** Every id that names this call: its own, and the other side's (a glare: both sides started it). */
  readonly #ids = new Set<string>();
  /** An offer or answer of the peer for this call came (before that, a caller's call is open to a glare). */
  #heard = false;
  /** ICE username fragments of ignored (late) descriptions: their candidates are dropped too. */
  readonly #staleUfrags = new Set<string>();
  #control: RTCDataChannel | null = null;
  #waiting: ControlMessage[] = [];
  #remoteCandidates = 0;
  /** The other side's ICE username fragment, and whether a later offer changed it (it restarted ICE). */
  #remoteUfrag: string | null = null;
  #remoteRestarted = false;
  #watchdog: IceWatchdog | null = null;
  #media: MediaWatchdog | null = null;
  /** The remote media for the page's `<video>` (see {@link RemoteStream}: when it is shown). */
  #remoteStream: RemoteStream | null = null;
  #closed = false;
  readonly #opts: CallOptions;

  constructor(options: CallOptions) {
    super();
    this.#opts = options;
    this.#id = options.callId ?? createCallId();
    this.#ids.add(this.#id);
    this.remote = options.remote;
    this.role = options.role;
    this.polite = options.polite;
    this.negotiator = options.negotiator;
    const n = options.negotiator;
    n.on('signal', (s) => this.#signal(s));
    n.on('error', (err) => this.emit('problem', err));
    n.on('peer', (peer) => this.#attach(peer));
    if (n.peer) queueMicrotask(() => n.peer && this.#attach(n.peer));
    this.#dispatch({ type: 'start' });
  }

  /**
   * This call's id: on every offer, answer and `bye` it sends. The caller's fresh one, or the
   * offer's that started the call; a caller that answers a glare offer before it sent an offer of
   * its own takes that offer's id (its own never went out, so the other side would not know it).
   */
  get id(): string { return this.#id; }
  /** idle (ended), connecting, connected, reconnecting or failed. */
  get state(): CallState { return this.#state; }
  /** The connection (null until the negotiator made it). */
  get peer(): Peer | null { return this.negotiator.peer; }
  /** True once the call-control data channel is open (hang-up and renegotiation work without the server). */
  get controlOpen(): boolean { return this.#control?.readyState === 'open'; }
  /**
   * True while the other side demonstrably still runs this call: the connection is "connected" and
   * the call-control channel is open (a closed tab closes it).
   */
  get alive(): boolean { return this.controlOpen && this.negotiator.peer?.pc.connectionState === 'connected'; }
  /** Control messages waiting for a way out (neither the server nor the data channel was up). */
  get waiting(): readonly ControlMessage[] { return this.#waiting; }

  /**
   * Whether `callId` names this call: its own id, or one the other side put on an offer or answer
   * of it (in a glare both sides started the call, each with its own id). A `bye` that names
   * another call is late, for an earlier call with the same peer: it must not end this one.
   */
  isCall(callId: string): boolean {
    return this.#ids.has(callId);
  }

  /** Every id this call is known by (its own, and in a glare the other side's). */
  get ids(): readonly string[] { return [...this.#ids]; }

  /**
   * Feeds a signal from the other side (`path`: which way it came). Offers and answers are
   * matched to this call by their call id first (see `matchCall`): one of an earlier call is
   * ignored (`stale` event), and so are the ICE candidates of its credentials.
   * @returns the negotiator's result, or `new-call` for an offer that starts a new call (the
   *   caller ends this call and answers the offer with a new one).
   */
  receive(signal: IncomingSignal, path: SignalPath = 'server'): ReturnType<Negotiator['receive']> | 'new-call' {
    if (this.#closed) return 'handled';
    if (signal.type === 'candidate') {
      const ufrag = signal.candidate?.usernameFragment;
      if (ufrag && this.#staleUfrags.has(ufrag)) return 'handled';
      if (signal.candidate) this.#remoteCandidates++;
    }
    if (signal.type === 'offer' || signal.type === 'answer') {
      const ufrag = /a=ice-ufrag:(\S+)/.exec(signal.sdp)?.[1] ?? null;
      const match = matchCall(signal.type, signal.callId, {
        known: (id) => this.#ids.has(id),
        ended: (id) => this.#opts.ended?.(id) ?? false,
        awaitingPeer: this.role === 'caller' && !this.#heard,
      });
      if (match === 'new-call') return 'new-call';
      if (match === 'earlier-call' && signal.callId !== undefined) {
        if (ufrag && ufrag !== this.#remoteUfrag) this.#staleUfrags.add(ufrag);
        this.emit('stale', signal.type, signal.callId, path);
        // Its sender still runs that call: tell it that it ended here.
        if (signal.type === 'offer') this.#send({ type: 'bye', callId: signal.callId });
        return 'handled';
      }
      if (signal.callId !== undefined) {
        this.#ids.add(signal.callId);
        if (match === 'glare' && !this.#offered) this.#id = signal.callId;
      }
      this.#heard = true;
      if (signal.type === 'offer' && ufrag && this.#remoteUfrag && ufrag !== this.#remoteUfrag) {
        this.#remoteRestarted = true;
        this.#media?.watch();
      }
      if (ufrag) this.#remoteUfrag = ufrag;
    }
    return this.negotiator.receive(signal);
  }

  /** A `bye` from the other side (`path`: which way it came): ends this call only if it names it. */
  receiveBye(callId: string, path: SignalPath): void {
    if (this.#closed) return;
    if (this.isCall(callId)) this.emit('bye');
    else this.emit('stale', 'bye', callId, path);
  }

  /** Sends what waited for a way out (the session calls it when the server is back). */
  flush(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const m of waiting) this.#send(m);
  }

  /** Restarts ICE by hand (a new offer follows). */
  restartIce(): void {
    this.negotiator.restartIce();
    this.#media?.watch();
  }

  /**
   * Hangs up: tells the other side `bye` through the server and over the data channel (whichever
   * works), then closes.
   */
  hangUp(): void {
    if (this.#closed) return;
    const bye: ControlMessage = { type: 'bye', callId: this.id };
    if (this.#opts.signaler.send(bye)) this.emit('control', 'sent', bye, 'server');
    if (this.controlOpen) this.#sendOnChannel(bye);
    this.close();
  }

  /** Closes the connection and the watchdog; the state becomes `idle`. No events after this. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchdog?.stop();
    this.#media?.stop();
    this.negotiator.close();
    this.#dispatch({ type: 'end' });
    this.removeAllListeners();
  }

  /** A signal of the negotiator goes out: descriptions carry this call's id. */
  #signal(signal: Signal): void {
    if (signal.type === 'candidate') {
      if (this.#opts.sendCandidates !== false) this.#send(signal);
      return;
    }
    const sdp = this.#opts.sendCandidates === false ? withoutCandidates(signal.sdp) : signal.sdp;
    if (signal.type === 'offer') this.#offered = true;
    this.#send({ type: signal.type, sdp, callId: this.id });
    // Our offer or answer is out: the remote media may be shown now (see RemoteStream).
    if (this.negotiator.peer) this.#remoteStream?.ready(this.negotiator.peer.pc);
  }

  #send(message: ControlMessage): void {
    if (this.#closed) return;
    if (this.#opts.signaler.send(message)) {
      this.emit('control', 'sent', message, 'server');
      return;
    }
    if (this.controlOpen) {
      this.#sendOnChannel(message);
      return;
    }
    // Late candidates of a call that is already up are not worth keeping; anything else waits.
    if (message.type === 'candidate' && this.#state === 'connected') return;
    this.#waiting.push(message);
  }

  #sendOnChannel(message: ControlMessage): void {
    try {
      this.#control?.send(encodeControl(message));
      this.emit('control', 'sent', message, 'data-channel');
    } catch (err) {
      this.emit('problem', err);
    }
  }

  #attach(peer: Peer): void {
    if (this.#closed || this.#watchdog) return;
    this.emit('peer', peer);
    const remote = new RemoteStream((stream) => this.emit('remotestream', stream));
    this.#remoteStream = remote;
    peer.on('track', (ev) => remote.add(ev.track));
    peer.on('datachannel', (channel) => {
      if (channel.label === CONTROL_CHANNEL_LABEL) return;
      this.channels.push(channel);
      this.emit('datachannel', channel);
    });
    peer.on('statechange', (which, states) => {
      if (which === 'connectionState') this.#dispatch({ type: 'connection', state: states.connectionState });
      // The callee opens its end of the negotiated control channel once the offer (which has the
      // data m-section) is applied, so opening it does not ask for an offer of its own.
      if (which === 'signalingState' && states.signalingState === 'have-remote-offer') this.#openControl(peer);
    });
    peer.on('icecandidateerror', (e) => this.emit('problem', new IceCandidateError(e)));
    if (this.role === 'caller') this.#openControl(peer);
    const watchdog = new IceWatchdog(peer, {
      impolite: !this.polite,
      timeoutMs: this.#opts.iceTimeoutMs,
      restart: () => this.restartIce(),
      remoteCandidates: () => this.#remoteCandidates,
      serverErrors: () => [...iceErrorsOf(peer.pc)],
      candidatesWithheld: this.#opts.sendCandidates === false,
    });
    watchdog.on('restart', () => this.emit('icerestart'));
    watchdog.on('stuck', (d: IceDiagnosis) => {
      // Say what recovery was tried: our own watchdog's restart, or the other side's (a new offer).
      const tried = watchdog.restarted
        ? ' This side restarted ICE once (the watchdog), which did not help.'
        : this.#remoteRestarted ? ' The other side restarted ICE (an offer with new ICE credentials came), which did not help.' : '';
      const stalled = (d.cause === 'no-local-candidates' || d.cause === 'no-remote-candidates') && watchdog.facts().serverErrors.length === 0;
      if (this.#opts.redial === true && watchdog.restarted && stalled) this.emit('redial', d);
      else this.emit('problem', diagnosisError({ ...d, message: d.message + tried }, peer.pc));
    });
    this.#watchdog = watchdog;
    const media = new MediaWatchdog({
      packetsReceived: () => inboundPackets(peer.pc),
      connected: () => peer.pc.connectionState === 'connected',
      stallMs: this.#opts.mediaStallMs,
    });
    media.on('stall', (afterMs, again) => {
      this.emit('mediastall', afterMs, !again);
      if (again) {
        this.emit('problem', new PlaygroundError('MediaStalled', `No audio or video has arrived here for ${(afterMs / 1000).toFixed(1)} s since the ICE restart, although the connection says "connected", and restarting ICE from this side did not bring it back. Hang up and call again.`));
        return;
      }
      this.negotiator.restartIce();
      media.watch(true);
    });
    this.#media = media;
  }

  #openControl(peer: Peer): void {
    if (this.#control || peer.closed) return;
    let channel: RTCDataChannel;
    try {
      channel = openControlChannel(peer.pc);
    } catch (err) {
      this.emit('problem', err);
      return;
    }
    this.#control = channel;
    channel.addEventListener('open', () => {
      if (this.#waiting.length > 0) this.flush();
    });
    channel.addEventListener('message', (ev: MessageEvent) => {
      const m = parseControl(ev.data);
      if (!m || this.#closed) return;
      this.emit('control', 'received', m, 'data-channel');
      if (m.type === 'bye') this.receiveBye(m.callId, 'data-channel');
      else if (this.receive(m, 'data-channel') === 'new-call' && m.type === 'offer') this.emit('newcall', m);
    });
  }

  #dispatch(event: CallEvent): void {
    const next = nextCallState(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    this.emit('state', next);
  }
}
