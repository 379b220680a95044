/**
 * The ICE settings of the call page: the ICE servers box (filled by itself with ephemeral TURN
 * credentials from `/api/turn` when this server has TURN), the "Relay only" checkbox (also
 * `?policy=relay`), and the RTCConfiguration they make. Credentials about to expire are fetched
 * again before a call, as long as the box still holds the fetched text.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/RTCPeerConnection/RTCPeerConnection#configuration
 */
import { PlaygroundError } from '../errors/playground-error';
import { relayWithoutTurn } from '../rtc/ice-errors';
import { defaultIceServersText, parseIceServers } from '../rtc/ice-servers';
import { fetchTurnCredentials, policyFromSearch, turnLines } from '../rtc/turn-credentials';
import { setState } from './dom';

/** The elements {@link IceSettings} drives. */
export interface IceSettingsElements {
  iceServers: HTMLTextAreaElement;
  relayOnly: HTMLInputElement;
  /** Says whether TURN credentials came from this server, until when. */
  turnStatus: HTMLElement;
}

/** Refetch credentials that expire within this many ms. */
const REFRESH_MARGIN_MS = 60_000;

/** ICE servers box + relay-only checkbox, with TURN credentials from this server. */
export class IceSettings {
  readonly #el: IceSettingsElements;
  readonly #base: string;
  #fetchedText: string | null = null;
  #expiresAt = 0;
  #pending: Promise<void>;

  /**
   * Reads `?policy=` from `search` and starts fetching TURN credentials.
   * @param onInvalidPolicy called with a refused `?policy=` value, to tell the user.
   */
  constructor(el: IceSettingsElements, search: string, hostname: string, onInvalidPolicy: (value: string) => void) {
    this.#el = el;
    this.#base = defaultIceServersText(hostname);
    el.iceServers.value = this.#base;
    const { policy, invalid } = policyFromSearch(search);
    el.relayOnly.checked = policy === 'relay';
    if (invalid !== null) onInvalidPolicy(invalid);
    this.#pending = this.#fetch();
  }

  /** Whether "Relay only" is on. */
  get relayOnly(): boolean {
    return this.#el.relayOnly.checked;
  }

  /** Resolves once TURN credentials were asked for (and are fresh enough for a call). */
  async ready(): Promise<void> {
    await this.#pending;
    if (this.#fetchedText !== null && this.#el.iceServers.value === this.#fetchedText && this.#expiresAt - Date.now() < REFRESH_MARGIN_MS) {
      this.#pending = this.#fetch();
      await this.#pending;
    }
  }

  /**
   * The RTCConfiguration for the next call.
   * @throws TypeError for a bad ICE servers line; PlaygroundError `RelayWithoutTurn` when relay
   *   only is on and no TURN server is listed.
   */
  configuration(): RTCConfiguration {
    const configuration: RTCConfiguration = {
      iceServers: parseIceServers(this.#el.iceServers.value),
      iceTransportPolicy: this.relayOnly ? 'relay' : 'all',
      // One transport for audio, video and data: ICE gathers and checks candidates for the first
      // m-line only, not for each (12 candidates per side became 4 on this machine's two interfaces).
      // Every browser we support bundles; 'balanced' only helps endpoints that cannot.
      bundlePolicy: 'max-bundle',
    };
    if (relayWithoutTurn(configuration)) {
      throw new PlaygroundError('RelayWithoutTurn', "iceTransportPolicy is 'relay' but iceServers has no turn: URL");
    }
    return configuration;
  }

  async #fetch(): Promise<void> {
    const status = this.#el.turnStatus;
    try {
      const creds = await fetchTurnCredentials();
      if (creds === null) {
        setState(status, 'off', 'This server has no TURN server (start it with "npm start -- --turn" to get one).');
        return;
      }
      const text = [this.#base, turnLines(creds)].filter(Boolean).join('\n');
      // Keep what the user typed; only replace our own earlier text.
      if (this.#fetchedText === null ? this.#el.iceServers.value === this.#base : this.#el.iceServers.value === this.#fetchedText) {
        this.#el.iceServers.value = text;
      }
      this.#fetchedText = text;
      this.#expiresAt = Date.now() + creds.ttl * 1000;
      const until = new Date(this.#expiresAt).toLocaleTimeString();
      setState(status, 'ready', `TURN credentials from this server (/api/turn): ${creds.uris.length} URL(s), valid for ${creds.ttl} s (until ${until}).`);
    } catch (err) {
      setState(status, 'error', `Could not get TURN credentials from this server: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
