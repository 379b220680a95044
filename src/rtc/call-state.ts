/**
 * The call's explicit state machine, as a pure transition function (tested on its own).
 *
 * ```
 * idle ──start──▶ connecting ──connected──▶ connected ──disconnected──▶ reconnecting
 *   ▲                 │                        │  ▲                          │
 *   │                 └──────failed──────▶ failed ◀──────failed──────────────┘
 *   └──────────────── end (hang up, bye, peer left) from any state ─────────────
 * ```
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/connectionState
 */

/** Where the call is: no call, setting up, media flowing, temporarily lost, or given up. */
export type CallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** What can happen to a call. */
export type CallEvent =
  /** We call, or an offer arrives while idle (or after a failure). */
  | { type: 'start' }
  /** The RTCPeerConnection's `connectionState` changed. */
  | { type: 'connection'; state: RTCPeerConnectionState }
  /** Hang up (either side), or the remote peer left the room. */
  | { type: 'end' };

/**
 * Returns the state after `event`. Events that do not apply in `state` leave it unchanged
 * (for example a late `connectionState` change after hang-up).
 */
export function nextCallState(state: CallState, event: CallEvent): CallState {
  switch (event.type) {
    case 'start':
      return state === 'idle' || state === 'failed' ? 'connecting' : state;
    case 'end':
      return 'idle';
    case 'connection':
      if (state === 'idle') return state;
      switch (event.state) {
        case 'connected':
          return 'connected';
        case 'disconnected':
          return state === 'connected' ? 'reconnecting' : state;
        case 'failed':
          return 'failed';
        case 'new':
        case 'connecting':
        case 'closed':
          return state;
        default: {
          const never: never = event.state;
          return never;
        }
      }
    default: {
      const never: never = event;
      return never;
    }
  }
}
