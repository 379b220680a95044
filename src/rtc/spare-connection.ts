/**
 * A spare RTCPeerConnection, made while a side waits for a call (the loopback page's callee, the
 * call page from Join on), so the connection an incoming offer needs is there already: a connection
 * made when the offer arrives sets itself up (transports, certificate) while the answer waits.
 * Without ICE servers (a LAN, the loopback page) the spare also gathers its host candidates ahead
 * (`iceCandidatePoolSize`): they are signalled as soon as the answer is set. With STUN/TURN servers
 * it does not pre-gather: a server's `icecandidateerror` would fire before the call listens, and a
 * TURN allocation would be held for a call that may never come.
 *
 * A side that will answer the next call (the loopback page's callee; on the call page a side alone
 * in its room: whoever joins next calls it) has its tracks added to the spare ahead
 * ({@link SpareConnection.prepare}'s `answerWith`), so the offer finds their transceivers made, as
 * in the in-page bound. Such a spare fires `negotiationneeded` while nobody listens and makes no
 * offer of its own (no glare); if it is taken to make a call after all, {@link negotiationMissed}
 * tells the caller's negotiator to offer without waiting for the event, which does not come again.
 * Otherwise the spare has no track, transceiver or data channel: once taken it is exactly a new
 * connection to the negotiator, just made earlier. Step mode makes no spare.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcconfiguration-icecandidatepoolsize
 * @see https://w3c.github.io/webrtc-pc/#updating-the-negotiation-needed-flag
 */
import { addTracksNotSent, createPeerConnection, type PeerConnectionFactory } from './peer';
import type { CallSession } from './session';

/** Candidates a spare pre-gathers (`iceCandidatePoolSize`): one per component, as bundle and rtcp-mux leave one. */
export const SPARE_POOL_SIZE = 1;

/** Spares whose `negotiationneeded` fired while they waited (see {@link negotiationMissed}). */
const missed = new WeakSet<RTCPeerConnection>();

/**
 * True when `pc` was a spare whose `negotiationneeded` fired before it was taken, while nobody
 * listened (it had tracks ahead): the browser fires none again until a negotiation ends, so a
 * caller given it makes its first offer without waiting for the event.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/negotiationneeded_event
 */
export function negotiationMissed(pc: RTCPeerConnection): boolean {
  return missed.has(pc);
}

/**
 * Holds at most one spare connection, made by {@link SpareConnection.prepare}, and hands it out
 * through {@link SpareConnection.factory} to the next call made with the same configuration.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
export class SpareConnection {
  readonly #base: PeerConnectionFactory;
  #spare: { key: string; pc: RTCPeerConnection; stopWatching: () => void } | null = null;

  /** @param base makes the connections (tests inject a fake); default `new RTCPeerConnection`. */
  constructor(base: PeerConnectionFactory = createPeerConnection) {
    this.#base = base;
  }

  /** True while a spare waits to be taken. */
  get ready(): boolean {
    return this.#spare !== null;
  }

  /**
   * Makes a spare for `configuration` now (with `iceCandidatePoolSize` {@link SPARE_POOL_SIZE}
   * when it has no ICE servers and sets no pool of its own), replacing one made for another
   * configuration; one made for an equal configuration is kept.
   * A configuration the constructor refuses makes no spare (the call reports it when it starts).
   * @param answerWith for a side that will answer the next call: its stream, whose tracks the spare
   *   does not send yet are added now (`addTrack`), so the offer finds their transceivers made, as
   *   in the in-page bound (the callee's `setRemoteDescription` and answer are ~5 ms sooner on the
   *   call page, ~15 ms on the loopback page).
   * @see https://w3c.github.io/webrtc-pc/#dom-rtcpeerconnection-addtrack
   */
  prepare(configuration: RTCConfiguration, answerWith?: MediaStream | null): void {
    const key = keyOf(configuration);
    if (this.#spare?.key !== key || this.#spare.pc.signalingState === 'closed') {
      this.dispose();
      try {
        const pool = (configuration.iceServers ?? []).length === 0 ? { iceCandidatePoolSize: SPARE_POOL_SIZE } : {};
        const pc = this.#base({ ...pool, ...configuration });
        const onNeeded = () => missed.add(pc);
        pc.addEventListener('negotiationneeded', onNeeded);
        this.#spare = { key, pc, stopWatching: () => pc.removeEventListener('negotiationneeded', onNeeded) };
      } catch (err) {
        // Not lost: the same constructor runs again when a call starts and shows the error there.
        console.debug('no spare RTCPeerConnection for this configuration:', err);
        this.#spare = null;
        return;
      }
    }
    if (answerWith) addTracksNotSent(this.#spare.pc, answerWith);
  }

  /**
   * The {@link PeerConnectionFactory} to give a session: the spare when it was made for an equal
   * configuration and none of its tracks has ended (taken: the next call gets a new one), else a
   * new connection.
   * @throws what the RTCPeerConnection constructor throws (bad ICE server URL).
   */
  readonly factory: PeerConnectionFactory = (configuration) => {
    const spare = this.#spare;
    this.#spare = null;
    spare?.stopWatching();
    if (spare && spare.key === keyOf(configuration) && spare.pc.signalingState === 'stable' && spare.pc.connectionState === 'new'
      && spare.pc.getSenders().every((sender) => sender.track?.readyState !== 'ended')) return spare.pc;
    spare?.pc.close();
    return this.#base(configuration);
  };

  /** Closes the spare, if any (leaving the room, closing the page's session). */
  dispose(): void {
    this.#spare?.stopWatching();
    this.#spare?.pc.close();
    this.#spare = null;
  }
}

/** Equal configurations give equal keys (ICE servers, policy, bundle, certificates left out). */
function keyOf(c: RTCConfiguration): string {
  return JSON.stringify([c.iceServers ?? [], c.iceTransportPolicy ?? 'all', c.bundlePolicy ?? 'balanced', c.rtcpMuxPolicy ?? 'require']);
}

/**
 * Keeps `spare` ready for the next call of `session` (made with `spare.factory` as its
 * `peerConnectionFactory`): after a call ends while the session is still in the room, a new spare
 * is made in a task of its own (not inside the hang-up); when the session leaves the room (or the
 * room is full) the spare is closed. While the session is alone in its room and not in a call, the
 * spare has the tracks of `localStream()` (see {@link SpareConnection.prepare}): whoever joins
 * next calls this side. The first spare is the page's to make, as early as it can (the call page:
 * when Join is pressed, before the camera opens and the signaler answers).
 * @param configuration read each time a spare is made (the page's current ICE settings).
 * @param localStream this side's camera and microphone (null: none).
 * @returns a function that stops keeping it (and closes the spare).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection
 */
export function keepSpare(session: CallSession, spare: SpareConnection, configuration: () => RTCConfiguration, localStream: () => MediaStream | null = () => null): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting = () => session.roomState === 'joined' && session.callState === 'idle';
  const prepare = () => spare.prepare(configuration(), session.peers.length === 0 ? localStream() : null);
  const offs = [
    session.on('ended', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (waiting()) prepare();
      }, 0);
    }),
    session.on('room', (state) => {
      if (state === 'left' || state === 'full') stop();
      else if (state === 'joined' && waiting()) prepare();
    }),
    session.on('peers', () => {
      if (waiting() && spare.ready) prepare();
    }),
  ];
  const stop = () => {
    clearTimeout(timer);
    offs.forEach((off) => off());
    spare.dispose();
  };
  return stop;
}
