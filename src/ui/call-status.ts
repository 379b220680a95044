/**
 * One plain sentence that says where the user is on the call page: in a room or not, in a call or
 * not, what just ended it and what to press next. Shown under the call badges (`#call-summary`),
 * because "idle" on a badge after Hang up does not tell a learner that they are still in the room
 * with the camera on.
 */
import type { CallState } from '../rtc/call-state';
import type { EndReason } from '../rtc/call';
import type { RoomState } from '../rtc/session';

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
    case 'peer-left':
      return `The other side left the room. No call now; you are still in ${where} and ${cam}. ${next}`;
    case 'left-room':
    case 'signaling-closed':
    case 'signaling-lost':
    case null:
      return s.peers > 0 ? `In ${where}, not in a call. ${next}` : `In ${where}, waiting for someone to join: share the room link.`;
  }
}
