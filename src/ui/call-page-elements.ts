/**
 * The call page's elements (src/pages/call.html), found once by id: the join form, room and call
 * badges, the videos, the in-call controls, the codec/bandwidth card, the inspector's root and the
 * four RTCPeerConnection state badges.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Document/querySelector
 */
import type { PeerStates } from '../rtc/peer';
import { $ } from './dom';

/**
 * Finds every element the call page wires.
 * @throws Error (from {@link $}) when the page's HTML lacks one of them.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Document/querySelector
 */
export function callPageElements() {
  return {
    problem: $('#problem'),
    form: $('#join-form', HTMLFormElement),
    room: $('#room', HTMLInputElement),
    name: $('#name', HTMLInputElement),
    join: $('#join', HTMLButtonElement),
    leave: $('#leave', HTMLButtonElement),
    roomState: $('#room-state'),
    roomHint: $('#room-hint'),
    roomLink: $('#room-link'),
    copyLink: $('#copy-link', HTMLButtonElement),
    peers: $('#peers', HTMLUListElement),
    localVideo: $('#local-video', HTMLVideoElement),
    remoteVideo: $('#remote-video', HTMLVideoElement),
    remoteCaption: $('#remote-caption'),
    callState: $('#call-state'),
    callSummary: $('#call-summary'),
    roomQr: $('#room-qr', HTMLCanvasElement),
    roomQrNote: $('#room-qr-note'),
    call: $('#call', HTMLButtonElement),
    hangup: $('#hangup', HTMLButtonElement),
    ice: {
      iceServers: $('#ice-servers', HTMLTextAreaElement),
      relayOnly: $('#relay-only', HTMLInputElement),
      turnStatus: $('#turn-status'),
    },
    modeStep: $('#mode-step', HTMLInputElement),
    modeAuto: $('#mode-auto', HTMLInputElement),
    steps: $('#steps'),
    nextStep: $('#next-step', HTMLButtonElement),
    restartIce: $('#restart-ice', HTMLButtonElement),
    controls: {
      muteAudio: $('#mute-audio', HTMLButtonElement),
      muteVideo: $('#mute-video', HTMLButtonElement),
      camera: $('#camera-select', HTMLSelectElement),
      microphone: $('#mic-select', HTMLSelectElement),
      shareScreen: $('#share-screen', HTMLButtonElement),
      remoteMedia: $('#remote-media'),
      chatLog: $('#chat-log', HTMLUListElement),
      chatForm: $('#chat-form', HTMLFormElement),
      chatInput: $('#chat-input', HTMLInputElement),
      chatSend: $('#chat-send', HTMLButtonElement),
      localVideo: $('#local-video', HTMLVideoElement),
    },
    tuning: {
      codec: $('#codec-select', HTMLSelectElement),
      codecNote: $('#codec-note'),
      mLine: $('#m-line'),
      maxBitrate: $('#max-bitrate', HTMLSelectElement),
      scale: $('#scale-down', HTMLSelectElement),
      maxFramerate: $('#max-framerate', HTMLSelectElement),
      limitsState: $('#limits-state'),
      sending: $('#sending'),
    },
    inspector: $('#inspector'),
    states: {
      signalingState: $('#signaling-state'),
      iceGatheringState: $('#ice-gathering-state'),
      iceConnectionState: $('#ice-connection-state'),
      connectionState: $('#connection-state'),
    } satisfies Record<keyof PeerStates, HTMLElement>,
  };
}

/**
 * The elements {@link callPageElements} returns.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Document/querySelector
 */
export type CallPageElements = ReturnType<typeof callPageElements>;
