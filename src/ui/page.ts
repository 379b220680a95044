/**
 * What every page does first: the presenter-mode toggle, the "How it works" panel (its contents
 * load later) and keyboard-reachable scroll boxes.
 */
import { mountHowItWorks } from './how-loader';
import { mountPresenterToggle } from './presenter';
import { keepScrollBoxesReachable } from './scroll-boxes';

/** Sets up the parts shared by every page. Call once, first, from each page's script. */
export function initPage(): void {
  mountPresenterToggle();
  mountHowItWorks();
  keepScrollBoxesReachable();
}

/**
 * Mirrors the chosen mode of a call page onto `main[data-mode]` (`auto` or `step`), which shows or
 * hides the step list (style.css: `.auto-only`, `.step-only`).
 */
export function trackCallMode(main: HTMLElement, step: HTMLInputElement, auto: HTMLInputElement): void {
  const sync = () => {
    main.dataset.mode = step.checked ? 'step' : 'auto';
  };
  step.addEventListener('change', sync);
  auto.addEventListener('change', sync);
  sync();
}
