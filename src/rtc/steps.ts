/**
 * The 23-step walkthrough of a WebRTC call, as data plus a pure "what is next" function. The call
 * page's step mode and the loopback page advance through these one click at a time; the
 * {@link nextStep} function decides which step a side may do next and what it waits for.
 *
 * Both peers first join the same signaling room (the Room card); the steps start when both are
 * there. The peer that joined second is the caller (it makes the offer), the first is the callee.
 * Steps of role `server` are done by the signaling server by itself: a side learns they happened
 * when the relayed message arrives ({@link stepsImpliedBy}).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Connectivity
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebRTC_API/Signaling_and_video_calling
 */

/** Who performs a step. `both` steps are done by each peer on its own side. */
export type StepRole = 'caller' | 'callee' | 'server' | 'both';

/** The role of a peer in a call. */
export type PeerRole = 'caller' | 'callee';

import { STEP_IDS, type StepId } from './step-ids';

export { STEP_IDS, type StepId };

/** One step of the walkthrough. All text is plain (render with `textContent`). */
export interface Step {
  id: StepId;
  /** 1-based position in the walkthrough. */
  n: number;
  role: StepRole;
  /** Short name, e.g. "createOffer". */
  name: string;
  /** One or two sentences: what the step does and why. */
  explanation: string;
  /** What the step waits for before it can run, in words ('' when nothing). */
  waits: string;
  /** Steps of another role that must be done first (steps of the same role run in order anyway). */
  after: readonly StepId[];
}

type StepSpec = Omit<Step, 'id' | 'n'>;

const SPECS: Record<StepId, StepSpec> = {
  'caller-get-user-media': {
    role: 'caller', name: 'getUserMedia',
    explanation: 'The caller asks for its camera and microphone. The browser asks the user for permission and returns a MediaStream with one audio and one video track.',
    waits: 'the user allowing camera and microphone', after: [],
  },
  'caller-new-peer-connection': {
    role: 'caller', name: 'new RTCPeerConnection',
    explanation: 'The caller creates its end of the connection. The STUN/TURN servers given here are used later to find public addresses (ICE candidates).',
    waits: '', after: [],
  },
  'caller-add-track': {
    role: 'caller', name: 'addTrack',
    explanation: 'The caller attaches each local track to the connection (and opens a data channel for chat), so the offer will describe audio, video and data.',
    waits: '', after: [],
  },
  'caller-create-offer': {
    role: 'caller', name: 'createOffer',
    explanation: 'The browser writes an SDP offer: the media it wants to send and receive, the codecs it supports, its ICE credentials and DTLS fingerprint.',
    waits: '', after: [],
  },
  'caller-set-local-offer': {
    role: 'caller', name: 'setLocalDescription(offer)',
    explanation: 'The caller adopts its own offer. signalingState becomes "have-local-offer" and ICE gathering starts.',
    waits: '', after: [],
  },
  'caller-ice-gathering': {
    role: 'caller', name: 'ICE candidates start',
    explanation: 'The browser now finds ICE candidates: addresses where the other peer might reach it (host, and srflx via STUN). Each arrives as an icecandidate event.',
    waits: 'the first local ICE candidate', after: [],
  },
  'caller-send-offer': {
    role: 'caller', name: 'emit offer',
    explanation: 'The offer travels to the callee through the signaling server (here a WebSocket). WebRTC does not say how: any channel works.',
    waits: '', after: [],
  },
  'caller-send-candidates': {
    role: 'caller', name: 'emit ICE candidates',
    explanation: 'Each ICE candidate found so far goes to the callee the same way; later ones are sent as they are found ("trickle ICE").',
    waits: '', after: [],
  },
  'server-relay-offer': {
    role: 'server', name: 'server relays the offer',
    explanation: 'The signaling server only forwards messages inside the room: it hands the offer and candidates to the callee. It never sees the media.',
    waits: 'the caller sending its offer', after: ['caller-send-offer'],
  },
  'callee-get-user-media': {
    role: 'callee', name: 'getUserMedia',
    explanation: 'An offer is waiting, so the callee opens its own camera and microphone to answer with media.',
    waits: 'the offer from the caller (relayed by the server)', after: ['server-relay-offer'],
  },
  'callee-new-peer-connection': {
    role: 'callee', name: 'new RTCPeerConnection',
    explanation: 'The callee creates its end of the connection, with the same kind of ICE server list.',
    waits: '', after: [],
  },
  'callee-set-remote-offer': {
    role: 'callee', name: 'setRemoteDescription(offer)',
    explanation: "The callee applies the caller's offer: it now knows what the caller sends and its ICE credentials. signalingState becomes \"have-remote-offer\".",
    waits: '', after: ['server-relay-offer'],
  },
  'callee-add-track': {
    role: 'callee', name: 'addTrack',
    explanation: "The callee attaches its tracks; they reuse the transceivers the offer created, so the answer will send media back.",
    waits: '', after: [],
  },
  'callee-add-candidates': {
    role: 'callee', name: "addIceCandidate (caller's)",
    explanation: "Candidates from the caller that arrived early were kept until the remote description was set; now they are added, and later ones are added as they come.",
    waits: '', after: ['server-relay-offer'],
  },
  'callee-create-answer': {
    role: 'callee', name: 'createAnswer',
    explanation: 'The browser writes the SDP answer: for each m-section of the offer, what the callee accepts (codecs, direction), plus its own ICE credentials and fingerprint.',
    waits: '', after: [],
  },
  'callee-set-local-answer': {
    role: 'callee', name: 'setLocalDescription(answer)',
    explanation: 'The callee adopts its answer: signalingState is back to "stable" on this side, and it starts gathering its own ICE candidates.',
    waits: '', after: [],
  },
  'callee-ice-gathering': {
    role: 'callee', name: 'ICE candidates start',
    explanation: "The callee finds its own ICE candidates. ICE checks with the caller's candidates can already begin.",
    waits: 'the first local ICE candidate', after: [],
  },
  'callee-send-answer': {
    role: 'callee', name: 'emit answer',
    explanation: 'The answer goes back to the caller through the signaling server.',
    waits: '', after: [],
  },
  'callee-send-candidates': {
    role: 'callee', name: 'emit ICE candidates',
    explanation: "The callee's candidates go to the caller too; later ones trickle as they are found. Now the callee waits for ICE and for tracks.",
    waits: '', after: [],
  },
  'server-relay-answer': {
    role: 'server', name: 'server relays the answer',
    explanation: 'The server forwards the answer and the callee\'s candidates to the caller.',
    waits: 'the callee sending its answer', after: ['callee-send-answer'],
  },
  'caller-set-remote-answer': {
    role: 'caller', name: 'setRemoteDescription(answer)',
    explanation: 'The caller applies the answer: both sides now agree on media and codecs, and signalingState is "stable" on both.',
    waits: 'the answer from the callee (relayed by the server)', after: ['server-relay-answer'],
  },
  'caller-add-candidates': {
    role: 'caller', name: "addIceCandidate (callee's)",
    explanation: "The caller adds the callee's candidates; ICE now tests candidate pairs and picks one.",
    waits: '', after: ['server-relay-answer'],
  },
  connected: {
    role: 'both', name: 'ICE exchanged, tracks flow',
    explanation: 'ICE found a working candidate pair, DTLS set up the keys, and connectionState is "connected": the remote tracks play (track event) and frames are decoded.',
    waits: 'connectionState "connected" and the first decoded frame', after: [],
  },
};

/** All 23 steps, in order. */
export const STEPS: readonly Step[] = STEP_IDS.map((id, i) => ({ id, n: i + 1, ...SPECS[id] }));

/**
 * The step with `id`.
 * @throws TypeError for an unknown id.
 */
export function getStep(id: StepId): Step {
  const step = STEPS.find((s) => s.id === id);
  if (!step) throw new TypeError(`unknown step "${String(id)}"`);
  return step;
}

/** Whether a peer with `role` performs `step` (its own steps and the `both` steps). */
export function isOwnStep(step: Step, role: PeerRole): boolean {
  return step.role === role || step.role === 'both';
}

/** What a side may do next. */
export interface NextStep {
  /** The next own step not yet done, or null when this side has done all its steps. */
  step: Step | null;
  /** A step of another role that must happen first (the side waits for it), or null: ready. */
  waitingFor: Step | null;
}

/**
 * Which step `role` does next given the steps known to be done, and what it waits for.
 * Pure: `done` is not changed.
 * @throws TypeError when `role` is not `caller` or `callee`.
 */
export function nextStep(role: PeerRole, done: ReadonlySet<StepId>): NextStep {
  if (role !== 'caller' && role !== 'callee') throw new TypeError(`role must be "caller" or "callee", got ${String(role)}`);
  const step = STEPS.find((s) => isOwnStep(s, role) && !done.has(s.id)) ?? null;
  if (!step) return { step: null, waitingFor: null };
  const missing = step.after.find((id) => !done.has(id));
  return { step, waitingFor: missing ? getStep(missing) : null };
}

/**
 * The steps a side can mark done when a signaling message of `type` arrives from the other peer:
 * the sender's steps up to sending it, and the server's relay.
 */
export function stepsImpliedBy(type: 'offer' | 'answer'): StepId[] {
  const last: StepId = type === 'offer' ? 'server-relay-offer' : 'server-relay-answer';
  const sender: StepRole = type === 'offer' ? 'caller' : 'callee';
  const end = STEP_IDS.indexOf(last);
  return STEPS.filter((s, i) => i <= end && (s.role === sender || s.id === last || (type === 'answer' && s.role === 'server'))).map((s) => s.id);
}

/**
 * The ICE restart of a connected step-mode call, as steps the learner clicks on the side that
 * restarts (it makes the new offer, whatever its role in the walkthrough). The other side answers
 * by itself with the walkthrough's own functions (setRemoteDescription, createAnswer,
 * setLocalDescription, send), and new candidates trickle both ways as before.
 */
export const RESTART_STEP_IDS = ['restart-create-offer', 'restart-set-local-offer', 'restart-send-offer', 'restart-set-remote-answer'] as const;

/** One ICE-restart step id. */
export type RestartStepId = (typeof RESTART_STEP_IDS)[number];

/** One step of the ICE restart (plain text; render with `textContent`). */
export interface RestartStep {
  id: RestartStepId;
  /** 1-based position in the restart. */
  n: number;
  name: string;
  explanation: string;
  /** What the step waits for before it can run ('' when nothing). */
  waits: string;
}

const RESTART_SPECS: Record<RestartStepId, Omit<RestartStep, 'id' | 'n'>> = {
  'restart-create-offer': {
    name: 'createOffer({ iceRestart: true })',
    explanation: 'A new offer with new ICE credentials (a=ice-ufrag, a=ice-pwd): both sides will gather candidates again and ICE checks start over, while media keeps flowing on the old pair until a new one works. The ICE watchdog asks for this when a call sits in "connecting".',
    waits: '',
  },
  'restart-set-local-offer': {
    name: 'setLocalDescription(offer)',
    explanation: 'This side adopts the restart offer: signalingState becomes "have-local-offer" and gathering starts again with the new credentials.',
    waits: '',
  },
  'restart-send-offer': {
    name: 'emit offer',
    explanation: 'The restart offer goes to the other side (through the signaling server, or over the call\'s data channel when the server is down). The other side answers it by itself.',
    waits: '',
  },
  'restart-set-remote-answer': {
    name: 'setRemoteDescription(answer)',
    explanation: 'The answer carries the other side\'s new credentials: both sides are "stable" again and ICE checks the new candidate pairs.',
    waits: 'the answer to the restart offer',
  },
};

/** The 4 ICE-restart steps, in order. */
export const RESTART_STEPS: readonly RestartStep[] = RESTART_STEP_IDS.map((id, i) => ({ id, n: i + 1, ...RESTART_SPECS[id] }));
