/**
 * Presenter mode: large type and a full-width layout for a projector at the back of a room
 * (body ≥ 20 px, code and badges ≥ 18 px, diagram labels ≥ 16 px, graphs ≥ 160 px tall; see
 * `html.present` in style.css). A toggle button in the site header switches it; the choice is
 * remembered in `localStorage` and `?present` (or `?present=1`) in the URL turns it on
 * (`?present=0` off).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Window/localStorage
 */

/** `localStorage` key of the remembered choice (`'1'` on, `'0'` off). */
export const PRESENTER_STORAGE_KEY = 'webrtc-playground:present';

/**
 * Whether presenter mode starts on: the URL parameter wins, then the remembered choice.
 * @param search `location.search`, e.g. `?present` or `?room=a&present=0`.
 * @param remembered the stored value (`'1'`, `'0'` or null).
 */
export function presenterFromSearch(search: string, remembered: string | null): boolean {
  const value = new URLSearchParams(search).get('present');
  if (value !== null) return value !== '0' && value !== 'false' && value !== 'off';
  return remembered === '1';
}

function readStored(): string | null {
  try {
    return localStorage.getItem(PRESENTER_STORAGE_KEY);
  } catch (err) {
    console.warn('localStorage is not available (presenter mode is not remembered):', err);
    return null;
  }
}

function store(on: boolean): void {
  try {
    localStorage.setItem(PRESENTER_STORAGE_KEY, on ? '1' : '0');
  } catch (err) {
    console.warn('localStorage is not available (presenter mode is not remembered):', err);
  }
}

/** Turns presenter mode on or off for this page (`html.present`, `aria-pressed` of the toggle). */
export function setPresenterMode(on: boolean, toggle?: HTMLButtonElement | null): void {
  document.documentElement.classList.toggle('present', on);
  if (toggle) toggle.setAttribute('aria-pressed', String(on));
  dispatchEvent(new Event('resize')); // graphs, scroll boxes and layouts measure again
}

/**
 * Adds the "Presenter mode" toggle to the site header (or wires `#present-toggle` when the page
 * already has one) and applies the starting mode.
 * @returns the toggle button.
 */
export function mountPresenterToggle(): HTMLButtonElement {
  let toggle = document.querySelector<HTMLButtonElement>('#present-toggle');
  if (!toggle) {
    toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.id = 'present-toggle';
    toggle.className = 'secondary present-toggle';
    toggle.textContent = 'Presenter mode';
    toggle.title = 'Large type and a wide layout for a projector (remembered; ?present in the URL)';
    (document.querySelector('header.site') ?? document.body).append(toggle);
  }
  const on = presenterFromSearch(location.search, readStored());
  if (new URLSearchParams(location.search).has('present')) store(on);
  setPresenterMode(on, toggle);
  const button = toggle;
  button.addEventListener('click', () => {
    const next = !document.documentElement.classList.contains('present');
    store(next);
    setPresenterMode(next, button);
  });
  return button;
}

/**
 * In presenter mode, scrolls `stage` (the videos of a call) to the top of the viewport, so the
 * videos, the current step and the sequence diagram are on screen together. Focus is not moved.
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Element/scrollIntoView
 */
export function bringStageIntoView(stage: HTMLElement): void {
  if (!document.documentElement.classList.contains('present')) return;
  stage.scrollIntoView({ block: 'start', behavior: 'instant' });
}
