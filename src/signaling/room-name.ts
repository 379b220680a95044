/**
 * Room names from the page URL (`?room=`), which is untrusted input: validated against the
 * protocol's {@link ROOM_PATTERN}, or replaced by a fresh random name.
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/URLSearchParams
 */
import { ROOM_PATTERN } from './room-pattern';

const WORDS = ['amber', 'brisk', 'cedar', 'delta', 'ember', 'fjord', 'glade', 'harbor', 'iris', 'juniper', 'kite', 'lumen', 'maple', 'nova', 'orbit', 'pebble', 'quartz', 'river', 'sierra', 'tundra'] as const;

/** A readable random room name like `cedar-orbit-4821`. */
export function randomRoomName(random: () => number = Math.random): string {
  // `?? WORDS[0]` covers a random() that returns 1 (out of its documented [0, 1) range).
  const pick = () => WORDS[Math.floor(random() * WORDS.length)] ?? WORDS[0];
  return `${pick()}-${pick()}-${String(Math.floor(random() * 10000)).padStart(4, '0')}`;
}

/** Result of reading the room from a URL. */
export interface RoomFromUrl {
  room: string;
  /** `given` (valid `?room=`), `generated` (none given) or `invalid` (given but refused, replaced). */
  source: 'given' | 'generated' | 'invalid';
}

/** Reads and validates `?room=` of `search` (e.g. `location.search`). */
export function roomFromSearch(search: string, random?: () => number): RoomFromUrl {
  const given = new URLSearchParams(search).get('room');
  if (given === null || given === '') return { room: randomRoomName(random), source: 'generated' };
  if (ROOM_PATTERN.test(given)) return { room: given, source: 'given' };
  return { room: randomRoomName(random), source: 'invalid' };
}

/** The shareable link of `room` for a page at `href`. */
export function roomLink(href: string, room: string): string {
  const url = new URL(href);
  url.search = '';
  url.hash = '';
  url.searchParams.set('room', room);
  return url.toString();
}
