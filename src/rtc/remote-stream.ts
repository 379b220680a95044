/**
 * The other side's media as one MediaStream for the remote `<video>`, made from the connection's
 * receivers, and when to show it.
 *
 * Showing a stream costs the page's main thread: the `<video>` sets up its player, and for an audio
 * track asks the browser for the audio output device (Chromium waits for that answer on the main
 * thread, 3–16 ms on a busy 2-core machine). Done in the middle of setup, that wait delays the
 * events that come next (`connectionstatechange`, the answer going out). So the stream is shown
 * where nothing of the negotiation waits:
 * - the caller's receivers exist as soon as its tracks are added (`addTrack` makes a transceiver,
 *   whose receiver has a track, muted until media arrives): the caller shows them before its offer;
 * - the callee's receivers come with the offer (`track` events inside `setRemoteDescription`):
 *   it shows them once its answer is out.
 * Later tracks (a renegotiation) join the same stream, shown at once.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCRtpReceiver/track
 * @see https://w3c.github.io/webrtc-pc/#dom-rtcpeerconnection-addtrack
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/track_event
 */

/** Collects the receivers' tracks into one stream and hands it to `show` once it may be shown. */
export class RemoteStream {
  readonly #show: (stream: MediaStream) => void;
  readonly #makeStream: () => MediaStream;
  #stream: MediaStream | null = null;
  #ready = false;

  /**
   * @param show called with {@link RemoteStream.stream} when it is ready and has a track, and again
   *   when a track joins it later (setting `srcObject` to the same stream again is a no-op).
   * @param makeStream makes the stream when the first track comes (tests pass a stand-in);
   *   default a new empty MediaStream.
   */
  constructor(show: (stream: MediaStream) => void, makeStream: () => MediaStream = () => new MediaStream()) {
    this.#show = show;
    this.#makeStream = makeStream;
  }

  /** The stream for the remote `<video>` (the same object for the whole call); null before the first track. */
  get stream(): MediaStream | null {
    return this.#stream;
  }

  /** Adds a track (a `track` event's); shown at once when the stream is ready. */
  add(track: MediaStreamTrack): void {
    const stream = (this.#stream ??= this.#makeStream());
    if (stream.getTrackById(track.id)) return;
    stream.addTrack(track);
    if (this.#ready) this.#show(stream);
  }

  /**
   * This side's offer or answer is out: adds the tracks of `pc`'s receivers (the caller's exist
   * since its `addTrack`), and from now on the stream is shown (at once, if it has a track).
   */
  ready(pc: RTCPeerConnection): void {
    for (const receiver of pc.getReceivers()) this.add(receiver.track);
    if (this.#ready) return;
    this.#ready = true;
    if (this.#stream && this.#stream.getTracks().length > 0) this.#show(this.#stream);
  }
}
