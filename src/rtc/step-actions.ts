/**
 * The code that runs for each step of the step-by-step call, one function per step. The call
 * page shows each function's own source text (extracted at build time from this file by the
 * `// @show <step ids>` markers, see `src/build/source-text.mjs`), so the code on screen is the
 * code that ran. Keep these functions short and written as a learner would write them; the
 * {@link Stepper} does the bookkeeping (results, waiting, errors) around them.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */
import type { IceCandidateJSON } from '../signaling/protocol';

/** What a step sends to the other peer (the Stepper validates it into a {@link Signal}). */
export type StepSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit };

/** What a step's code can use: the names the shown code refers to. */
export interface StepScope {
  /** Opens camera and microphone (the page's `navigator.mediaDevices`, which also shows the preview). */
  media: { getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> };
  /** Makes the RTCPeerConnection (`new RTCPeerConnection(configuration)`; injectable in tests). */
  createPeerConnection: (configuration: RTCConfiguration) => RTCPeerConnection;
  /** The ICE servers etc. from the page. */
  configuration: RTCConfiguration;
  /** The connection (from the "new RTCPeerConnection" step on). */
  pc: RTCPeerConnection;
  /** The local stream (null when getUserMedia failed: receive only). */
  stream: MediaStream | null;
  /** Sends a signal to the other peer (through the signaling server). */
  signaling: { send(signal: StepSignal): void };
  /** Local ICE candidates found and not sent yet. */
  pending: RTCIceCandidate[];
  /** Remote ICE candidates received and not added yet. */
  received: IceCandidateJSON[];
  /** The description this side made (createOffer/createAnswer). */
  description: RTCSessionDescriptionInit | null;
  /** The other side's offer or answer, as it arrived. */
  remote: { type: 'offer' | 'answer'; sdp: string } | null;
}

// @show caller-get-user-media callee-get-user-media
export async function getUserMedia({ media }: StepScope): Promise<MediaStream> {
  const stream = await media.getUserMedia({ audio: true, video: true });
  return stream;
}

// @show caller-new-peer-connection callee-new-peer-connection
export function newPeerConnection({ createPeerConnection, configuration }: StepScope): RTCPeerConnection {
  const pc = createPeerConnection(configuration); // new RTCPeerConnection(configuration)
  return pc;
}

// @show caller-add-track
export function callerAddTrack({ pc, stream }: StepScope): RTCDataChannel {
  if (stream) stream.getTracks().forEach((track) => pc.addTrack(track, stream));
  else ['audio', 'video'].forEach((kind) => pc.addTransceiver(kind, { direction: 'recvonly' }));
  const channel = pc.createDataChannel('playground');
  return channel;
}

// @show callee-add-track
export function calleeAddTrack({ pc, stream }: StepScope): void {
  if (stream) stream.getTracks().forEach((track) => pc.addTrack(track, stream));
}

// @show caller-create-offer
export async function createOffer({ pc }: StepScope): Promise<RTCSessionDescriptionInit> {
  const offer = await pc.createOffer();
  return offer;
}

// @show callee-create-answer
export async function createAnswer({ pc }: StepScope): Promise<RTCSessionDescriptionInit> {
  const answer = await pc.createAnswer();
  return answer;
}

// @show restart-create-offer
export async function createRestartOffer({ pc }: StepScope): Promise<RTCSessionDescriptionInit> {
  const offer = await pc.createOffer({ iceRestart: true });
  return offer;
}

// @show caller-set-local-offer callee-set-local-answer restart-set-local-offer
export async function setLocalDescription({ pc, description }: StepScope): Promise<void> {
  if (!description) throw new DOMException('create the description first', 'InvalidStateError');
  await pc.setLocalDescription(description);
}

// @show caller-ice-gathering callee-ice-gathering
export async function iceGathering({ pc, pending }: StepScope): Promise<void> {
  if (pending.length > 0 || pc.iceGatheringState === 'complete') return;
  await new Promise((resolve) => pc.addEventListener('icecandidate', resolve, { once: true }));
}

// @show caller-send-offer callee-send-answer restart-send-offer
export function sendDescription({ pc, signaling }: StepScope): void {
  const description = pc.localDescription;
  if (!description) throw new DOMException('no local description', 'InvalidStateError');
  const { type, sdp } = description;
  signaling.send(type === 'offer' ? { type: 'offer', sdp } : { type: 'answer', sdp });
}

// @show caller-send-candidates callee-send-candidates
export function sendCandidates({ pending, signaling }: StepScope): number {
  const list = pending.splice(0);
  for (const c of list) signaling.send({ type: 'candidate', candidate: c.toJSON() });
  return list.length;
}

// @show callee-set-remote-offer caller-set-remote-answer restart-set-remote-answer
export async function setRemoteDescription({ pc, remote }: StepScope): Promise<void> {
  if (!remote) throw new DOMException('the remote description has not arrived', 'InvalidStateError');
  await pc.setRemoteDescription({ type: remote.type, sdp: remote.sdp });
}

// @show callee-add-candidates caller-add-candidates
export async function addCandidates({ pc, received }: StepScope): Promise<number> {
  const list = received.splice(0);
  for (const c of list) await pc.addIceCandidate(c);
  return list.length;
}

// @show connected
export async function connected({ pc }: StepScope): Promise<void> {
  if (pc.connectionState === 'connected') return;
  await new Promise((resolve) => pc.addEventListener('connectionstatechange', () => pc.connectionState === 'connected' && resolve(pc)));
}
