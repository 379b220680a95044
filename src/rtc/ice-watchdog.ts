/**
 * The ICE watchdog of a call: when the call sits in "new"/"connecting" past a timeout after both
 * descriptions are set (or ICE fails), the impolite side restarts ICE once by itself; if that does
 * not help either, it tells why in plain words ({@link diagnoseIce}), saying "no network path"
 * only when that is what happened.
 *
 * Why: after a glare, Chromium's implicit rollback mid-gathering can leave ICE gathering stuck
 * ("gathering", no candidate) about 1 time in 40; nothing recovers it but an ICE restart.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/restartIce
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */
import { Emitter } from '../util/emitter';
import type { Peer } from './peer';

/** Why ICE did not connect, as far as this side can tell. */
export type IceCause =
  /** This page was told not to send its candidates (`candidates=none`) and none came from the other side. */
  | 'candidates-withheld'

  /** `iceTransportPolicy: 'relay'` but no TURN server is configured: nothing can be gathered. */
  | 'relay-without-turn'
  /** This side gathered no candidate at all (gathering stalled, or every server failed). */
  | 'no-local-candidates'
  /** The other side's candidates never arrived (signaling lost, or the other side gathered none). */
  | 'no-remote-candidates'
  /** A STUN/TURN server reported an error (`icecandidateerror`), e.g. TURN credentials refused. */
  | 'ice-server-error'
  /** Both sides had candidates and every pair failed its checks: truly no network path. */
  | 'no-network-path';

/** What {@link diagnoseIce} looks at. */
export interface IceFacts {
  /** `iceTransportPolicy` of the connection (`all` by default). */
  policy: RTCIceTransportPolicy;
  /** How many TURN URLs the configuration has. */
  turnServers: number;
  /** Local candidates gathered so far (any type). */
  localCandidates: number;
  /** Remote candidates received so far (end-of-candidates markers not counted). */
  remoteCandidates: number;
  /** Errors reported by STUN/TURN servers (`icecandidateerror`): code and text. */
  serverErrors: { errorCode: number; errorText: string; url: string }[];
  /** This side sends no candidates on purpose (`candidates=none`). Default false. */
  candidatesWithheld?: boolean;
}

/** The result of {@link diagnoseIce}: a cause and a plain-words sentence for the page. */
export interface IceDiagnosis {
  cause: IceCause;
  message: string;
}

/**
 * Tells in plain words why ICE did not connect. Pure; the order matters: a known cause wins over
 * "no network path", which is only said when both sides had candidates and none worked.
 */
export function diagnoseIce(f: IceFacts): IceDiagnosis {
  if (f.policy === 'relay' && f.turnServers === 0) {
    return { cause: 'relay-without-turn', message: 'The connection is set to relay only (iceTransportPolicy "relay") but no TURN server is configured, so this browser has no candidate to offer. Add a TURN server or allow all candidates.' };
  }
  const first = f.serverErrors[0];
  if (first && f.localCandidates === 0) {
    return { cause: 'ice-server-error', message: `The ICE server ${first.url} answered error ${first.errorCode} (${first.errorText}), and no other candidate was found.` };
  }
  if (f.candidatesWithheld && f.remoteCandidates === 0) {
    return { cause: 'candidates-withheld', message: 'This page sends no ICE candidates (candidates=none is in its address) and none came from the other side, so ICE had no candidate pair to check: the call cannot connect. Remove candidates=none from the address and call again.' };
  }
  if (f.localCandidates === 0) {
    return { cause: 'no-local-candidates', message: 'This browser found no ICE candidate of its own (gathering stalled even after an ICE restart). Check that a network interface is up, then call again.' };
  }
  if (f.remoteCandidates === 0) {
    return { cause: 'no-remote-candidates', message: "The other side's ICE candidates never arrived: its gathering stalled or the signaling path lost them. Call again." };
  }
  return { cause: 'no-network-path', message: 'Both sides exchanged ICE candidates and every candidate pair failed: there is no network path between them. Across networks you need STUN, and behind strict NATs a TURN server.' };
}

/** Options of an {@link IceWatchdog}. */
export interface IceWatchdogOptions {
  /** Only the impolite side restarts ICE (so the two sides never both restart). */
  impolite: boolean;
  /** How long "new"/"connecting" may last after both descriptions are set, in ms. Default 5000. */
  timeoutMs?: number;
  /** Restarts ICE (the negotiator's `restartIce`). */
  restart: () => void;
  /** Remote candidates received so far (the session counts them). */
  remoteCandidates: () => number;
  /** STUN/TURN server errors seen so far (optional: `icecandidateerror` listeners add them). */
  serverErrors?: () => IceFacts['serverErrors'];
  /** This side sends no candidates on purpose (`candidates=none`). */
  candidatesWithheld?: boolean;
}

/** Events of an {@link IceWatchdog}. */
export type IceWatchdogEvents = {
  /** The watchdog restarted ICE (impolite side, once per stall). */
  restart: [];
  /** ICE did not recover: why, in plain words. */
  stuck: [diagnosis: IceDiagnosis];
};

/** Watches one {@link Peer}; see the module comment. */
export class IceWatchdog extends Emitter<IceWatchdogEvents> {
  readonly #peer: Peer;
  readonly #opts: IceWatchdogOptions;
  readonly #timeoutMs: number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #restarted = false;
  #stuck = false;
  #local = 0;
  #off: () => void;

  constructor(peer: Peer, options: IceWatchdogOptions) {
    super();
    this.#peer = peer;
    this.#opts = options;
    this.#timeoutMs = options.timeoutMs ?? 5000;
    const offs = [
      peer.on('statechange', () => this.#check()),
      peer.on('localcandidate', () => {
        this.#local++;
      }),
    ];
    this.#off = () => offs.forEach((off) => off());
    this.#check();
  }

  /** True once the watchdog has restarted ICE in the current stall. */
  get restarted(): boolean {
    return this.#restarted;
  }

  /** What is known now, as {@link IceFacts}. */
  facts(): IceFacts {
    const config = this.#peer.configuration;
    const urls = (config.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
    return {
      policy: config.iceTransportPolicy ?? 'all',
      turnServers: urls.filter((u) => /^turns?:/i.test(u)).length,
      localCandidates: this.#local,
      remoteCandidates: this.#opts.remoteCandidates(),
      serverErrors: this.#opts.serverErrors?.() ?? [],
      candidatesWithheld: this.#opts.candidatesWithheld ?? false,
    };
  }

  /** Stops watching. */
  stop(): void {
    this.#clear();
    this.#off();
    this.removeAllListeners();
  }

  #clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #check(): void {
    const pc = this.#peer.pc;
    const state = pc.connectionState;
    if (state === 'connected' || state === 'closed') {
      this.#clear();
      if (state === 'connected') {
        this.#restarted = false;
        this.#stuck = false;
      }
      return;
    }
    if (state === 'failed') {
      // Right after this side's restart the old attempt's "failed" still shows: the restart's timer decides.
      if (this.#restarted && this.#timer !== null) return;
      this.#clear();
      this.#fire();
      return;
    }
    const armed = pc.localDescription !== null && pc.remoteDescription !== null && pc.signalingState === 'stable';
    if (!armed) return;
    // Polite side: give the impolite side time to restart first, then explain.
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#fire();
    }, this.#opts.impolite ? this.#timeoutMs : this.#timeoutMs * 3);
  }

  #fire(): void {
    if (this.#opts.impolite && !this.#restarted) {
      this.#restarted = true;
      this.emit('restart');
      this.#opts.restart();
      // The restart's offer/answer re-arms the timer on the next state change; arm it now too,
      // in case no state changes at all.
      this.#timer ??= setTimeout(() => {
        this.#timer = null;
        this.#fire();
      }, this.#timeoutMs);
      return;
    }
    if (this.#stuck) return;
    this.#stuck = true;
    this.emit('stuck', diagnoseIce(this.facts()));
  }
}
