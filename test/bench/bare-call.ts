/**
 * `npm run bench`, call setup: the floor of a call through the signaling server. One side of a call
 * in a bare page (no UI, no negotiation framework, no watchdogs), run inside a page that has
 * `installCallProbe`: its own RTCPeerConnection and WebSocket to the same server as the call page,
 * the same messages (`join`, then `offer`/`answer`/`candidate` with `to`). Two such pages in two
 * browser contexts are what any page pays for two renderer processes and a signaling hop, and
 * nothing else: the call page's ratio to this floor is its own overhead.
 *
 * Like the bound (`runBoundCall`), both sides add their tracks before the first offer and candidates
 * go out as soon as they are gathered; the callee never offers, so it needs no glare handling.
 * With `videos`, each page draws the remote video at the call page's size; with `preview` as well,
 * its local preview too, as the call page does: the floor of a page that draws a call's video.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */

/** What {@link runBareSide} needs: the signaling URL (`wss://host/ws`), the room, and the side. */
export interface BareSide {
  url: string;
  room: string;
  /** True: this side calls the peer that is in the room already (the second to join). */
  caller: boolean;
  /**
   * True: the remote video at the call page's size (376 px wide, its size in the benchmark's 800 px
   * viewport); false: 160 px, as the bound.
   */
  videos: boolean;
  /** True: the page also shows its local preview (the self-view), at the same size as its videos. */
  preview: boolean;
}

/**
 * Joins `room` and plays one side of the call; resolves once the server's `welcome` came (the
 * caller's offer goes out right after it; the probe records the rest).
 * @throws Error when the WebSocket fails or the server replies with an `error`.
 */
export async function runBareSide(side: BareSide): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  if (side.caller) pc.createDataChannel('playground');
  // On screen (see VIEWPORT in call-setup.ts), pinned to the top of the page. (The function runs in
  // the page: its constants are its own.) The call page's videos are 376 px wide in that viewport.
  const CALL_PAGE_VIDEO_WIDTH = 376;
  const show = (left: number, source: MediaStream | null): HTMLVideoElement => {
    const video = document.createElement('video');
    video.autoplay = video.muted = video.playsInline = true;
    video.width = side.videos ? CALL_PAGE_VIDEO_WIDTH : 160;
    video.style.cssText = `position: fixed; top: 0; left: ${left}px; z-index: 1000`;
    video.srcObject = source;
    document.body.append(video);
    return video;
  };
  if (side.preview) show(0, stream);
  const video = show(side.preview ? (side.videos ? CALL_PAGE_VIDEO_WIDTH : 160) + 16 : 0, null);
  pc.addEventListener('track', (ev) => {
    if (ev.streams[0] && video.srcObject !== ev.streams[0]) video.srcObject = ev.streams[0];
  });
  const ws = new WebSocket(side.url);
  let to = '';
  const send = (message: Record<string, unknown>): void => ws.send(JSON.stringify({ ...message, to }));
  pc.addEventListener('icecandidate', (ev) => send({ type: 'candidate', candidate: ev.candidate ? ev.candidate.toJSON() : null }));
  const held: (RTCIceCandidateInit | null)[] = [];
  const addHeld = (): void => {
    for (const c of held.splice(0)) void pc.addIceCandidate(c ?? undefined);
  };
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => ws.send(JSON.stringify({ type: 'join', room: side.room }));
    ws.onerror = () => reject(new Error('the bare page\'s WebSocket failed'));
    ws.onmessage = async (ev: MessageEvent<string>) => {
      const m = JSON.parse(ev.data) as { type: string; from?: string; sdp?: string; peers?: { id: string }[]; candidate?: RTCIceCandidateInit | null; message?: string };
      switch (m.type) {
        case 'welcome':
          resolve();
          if (!side.caller) return;
          to = m.peers?.[0]?.id ?? '';
          await pc.setLocalDescription();
          send({ type: 'offer', sdp: pc.localDescription?.sdp });
          return;
        case 'offer':
          to = m.from ?? '';
          await pc.setRemoteDescription({ type: 'offer', sdp: m.sdp });
          addHeld();
          await pc.setLocalDescription();
          send({ type: 'answer', sdp: pc.localDescription?.sdp });
          return;
        case 'answer':
          await pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
          addHeld();
          return;
        case 'candidate':
          if (pc.remoteDescription) void pc.addIceCandidate(m.candidate ?? undefined);
          else held.push(m.candidate ?? null);
          return;
        case 'error':
          reject(new Error(`the server refused a bare page's message: ${m.message ?? ''}`));
          return;
        default:
      }
    };
  });
}
