/**
 * A spare RTCPeerConnection, made while a side waits for a call (the loopback page's callee, the
 * call page from Join on), so
 * the connection an incoming offer needs is there already: a connection made when the offer
 * arrives sets itself up (transports, certificate) while the answer waits. Without ICE servers (a LAN, the loopback page) the spare also gathers its
 * host candidates ahead (`iceCandidatePoolSize`): they are signalled as soon as the answer is set.
 * With STUN/TURN servers it does not pre-gather: a server's `icecandidateerror` would fire before
 * the call listens, and a TURN allocation would be held for a call that may never come.
 *
 * Glare-safe by construction: the spare has no track, transceiver or data channel, so it never
 * fires `negotiationneeded` and makes no offer of its own; once taken it is exactly a new
 * connection to the negotiator (perfect negotiation or step mode), just made earlier.
 * The one exception is asked for by name: a side that only ever answers (the loopback page's
 * callee) may have its tracks added ahead ({@link SpareConnection.prepare}'s `answerWith`).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcconfiguration-icecandidatepoolsize
 */
import { createPeerConnection, type PeerConnectionFactory } from './peer';
import type { CallSession } from './session';

/** Candidates a spare pre-gathers (`iceCandidatePoolSize`): one per component, as bundle and rtcp-mux leave one. */
export const SPARE_POOL_SIZE = 1;

/**
 * Holds at most one spare connection, made by {@link SpareConnection.prepare}, and hands it out
 * through {@link SpareConnection.factory} to the next call made with the same configuration.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection
 */
export class SpareConnection {
  readonly #base: PeerConnectionFactory;
  #spare: { key: string; pc: RTCPeerConnection } | null = null;

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
   * configuration.
   * A configuration the constructor refuses makes no spare (the call reports it when it starts).
   * @param answerWith only for a side that never makes the first offer: its stream, whose tracks
   *   are added to the spare now (`addTrack`), so the offer finds their transceivers made, as in
   *   the in-page bound (the loopback page: the callee's `setRemoteDescription` then takes
   *   ~15 ms less). Such a spare fires `negotiationneeded` now, while nobody listens, and no more
   *   once taken until its first answer is set: a caller given it would never offer.
   * @see https://w3c.github.io/webrtc-pc/#dom-rtcpeerconnection-addtrack
   */
  prepare(configuration: RTCConfiguration, answerWith?: MediaStream | null): void {
    const key = keyOf(configuration);
    if (this.#spare?.key === key && this.#spare.pc.signalingState !== 'closed') return;
    this.dispose();
    try {
      const pool = (configuration.iceServers ?? []).length === 0 ? { iceCandidatePoolSize: SPARE_POOL_SIZE } : {};
      const pc = this.#base({ ...pool, ...configuration });
      for (const track of answerWith?.getTracks() ?? []) pc.addTrack(track, answerWith as MediaStream);
      this.#spare = { key, pc };
    } catch (err) {
      // Not lost: the same constructor runs again when a call starts and shows the error there.
      console.debug('no spare RTCPeerConnection for this configuration:', err);
      this.#spare = null;
    }
  }

  /**
   * The {@link PeerConnectionFactory} to give a session: the spare when it was made for an equal
   * configuration (taken: the next call gets a new one), else a new connection.
   * @throws what the RTCPeerConnection constructor throws (bad ICE server URL).
   */
  readonly factory: PeerConnectionFactory = (configuration) => {
    const spare = this.#spare;
    this.#spare = null;
    if (spare && spare.key === keyOf(configuration) && spare.pc.signalingState === 'stable' && spare.pc.connectionState === 'new') return spare.pc;
    spare?.pc.close();
    return this.#base(configuration);
  };

  /** Closes the spare, if any (leaving the room, closing the page's session). */
  dispose(): void {
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
 * room is full) the spare is closed. The first spare is the page's to make, as early as it can
 * (the call page: when Join is pressed, before the camera opens and the signaler answers).
 * @param configuration read each time a spare is made (the page's current ICE settings).
 * @returns a function that stops keeping it (and closes the spare).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection
 */
export function keepSpare(session: CallSession, spare: SpareConnection, configuration: () => RTCConfiguration): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const offs = [
    session.on('ended', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (session.roomState === 'joined' && session.callState === 'idle') spare.prepare(configuration());
      }, 0);
    }),
    session.on('room', (state) => {
      if (state === 'left' || state === 'full') stop();
    }),
  ];
  const stop = () => {
    clearTimeout(timer);
    offs.forEach((off) => off());
    spare.dispose();
  };
  return stop;
}
