/**
 * One plain sentence that says where the user is on the call page: in a room or not, in a call or
 * not, what just ended it and what to press next. Shown under the call badges (`#call-summary`),
 * because "idle" on a badge after Hang up does not tell a learner that they are still in the room
 * with the camera on.
 */
import type { CallState } from '../rtc/call-state';
import type { EndReason } from '../rtc/call';
import type { RoomState } from '../rtc/session';
import type { ReconnectInfo } from '../signaling/client';

/** What the sentence is made from. */
export interface CallSituation {
  /** The room's state, or null before the first Join. */
  room: RoomState | null;
  /** The room's name. */
  roomName: string;
  call: CallState;
  /** Other peers in the room. */
  peers: number;
  /** Why the last call ended, if one did (and no new one started since). */
  lastEnd: EndReason | null;
  /** Whether this page's camera/microphone is open. */
  camera: boolean;
}

/** The sentence for `s` (pure; unit-tested). */
export function describeCallSituation(s: CallSituation): string {
  const where = `room "${s.roomName}"`;
  const cam = s.camera ? 'your camera and microphone stay on' : 'you have no camera or microphone open';
  switch (s.room) {
    case null:
      return 'Not in a room yet. Choose a room and press Join.';
    case 'connecting':
      return `Joining ${where}…`;
    case 'left':
      return `You left ${where}; your camera is off. Press Join to come back.`;
    case 'full':
      return `Not in a room: ${where} is full. Choose another room and press Join.`;
    case 'reconnecting':
      return s.call === 'connected'
        ? `Reconnecting to the signaling server; the call itself goes on (media is peer-to-peer).`
        : `Reconnecting to the signaling server to get back into ${where}…`;
    case 'joined':
      break;
  }
  switch (s.call) {
    case 'connected':
      return `In a call in ${where}. Hang up ends the call but keeps you in the room; Leave also leaves the room.`;
    case 'connecting':
      return `In ${where}: setting up the call…`;
    case 'reconnecting':
      return `In ${where}: the call lost its network path and is trying to get it back…`;
    case 'failed':
      return `In ${where}, but the call failed (see the problem box). Press Call again to retry, or Leave.`;
    case 'idle':
      break;
  }
  const next = s.peers > 0 ? 'Press Call again to call the other side, or Leave to leave the room.' : 'The call starts when someone joins (share the room link), or press Leave.';
  switch (s.lastEnd) {
    case 'local-hangup':
      return `You hung up. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'remote-hangup':
      return `The other side hung up. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'new-call':
      return `The other side started a new call in place of the last one, and it could not start here. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'no-connection':
      return `The last call could not connect, even after an ICE restart, and starting it again did not work. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'peer-left':
      return `The other side left the room. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'left-room':
    case 'signaling-closed':
    case 'signaling-lost':
    case null:
      return s.peers > 0 ? `In ${where}, not in a call. ${next}` : `In ${where}, waiting for someone to join: share the room link.`;
  }
}

/** The room badge's text for each room state. */
export const ROOM_TEXT: Record<RoomState, string> = {
  connecting: 'connecting…',
  joined: 'joined',
  reconnecting: 'reconnecting…',
  full: 'room full',
  left: 'left',
};
/** Why a call ended, in plain words (remote caption, call state tooltip, room hint). */
export const END_TEXT: Record<EndReason, string> = {
  'local-hangup': 'You hung up.',
  'remote-hangup': 'The other side hung up.',
  'new-call': 'The other side started a new call, which replaces this one: on its side this call had ended (its hang-up did not reach this page, or its connection could not connect).',
  'no-connection': 'The call could not connect, even after an ICE restart: this side started it again with new connections.',
  'peer-left': 'The other side left the room.',
  'left-room': 'You left the room.',
  'signaling-closed': 'The signaling connection closed before the call was set up.',
  'signaling-lost': 'The signaling server was away too long and forgot this page: the call was ended. Call again.',
};

/** What ignoring a late message of an earlier call (see `matchCall`) means, for the sequence diagram's note. */
export const STALE_TEXT: Record<'offer' | 'answer' | 'bye', string> = {
  bye: 'it does not end this call',
  answer: 'it is not applied to this call',
  offer: 'it starts no call, and the other side is told (bye) that this call ended here',
};

/**
 * "Reconnecting to the signaling server (attempt 3, next in 2.7 s)…", counting down to `info.at`
 * (epoch ms). `everJoined` false: the server has not been reached yet.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/close_event
 */
export function reconnectText(info: ReconnectInfo, everJoined: boolean): string {
  const left = Math.max(0, info.at - Date.now()) / 1000;
  const what = everJoined ? 'Reconnecting to the signaling server' : 'Cannot reach the signaling server; trying again';
  return left > 0.05 ? `${what} (attempt ${info.attempt}, next in ${left.toFixed(1)} s)…` : `${what} (attempt ${info.attempt}, now)…`;
}
