/**
 * The `npm run dev` client, loaded by every page in development builds only (the page layout adds it):
 * listens to the server's rebuild events, reloads the page when a rebuild succeeded, and shows the
 * build errors over the page when it failed (until the next good build).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/EventSource
 */

/** The payload of a `build` event: the rebuild's time in ms and its errors (`file:line:column: text`). */
export interface BuildEvent {
  ms: number;
  errors: string[];
}

const OVERLAY_ID = 'dev-build-errors';

/** Shows `errors` in an overlay over the page (text only), or removes it when there are none. */
export function showBuildErrors(errors: readonly string[]): void {
  document.getElementById(OVERLAY_ID)?.remove();
  if (errors.length === 0) return;
  const box = document.createElement('div');
  box.id = OVERLAY_ID;
  box.setAttribute('role', 'alert');
  box.style.cssText =
    'position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;background:rgba(20,20,24,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;white-space:pre-wrap';
  const title = document.createElement('h2');
  title.textContent = `Build failed (${errors.length} error${errors.length === 1 ? '' : 's'}): fix the file and save, the page reloads by itself.`;
  title.style.cssText = 'margin:0 0 1rem;color:#ff8a80;font-size:18px';
  const list = document.createElement('pre');
  list.textContent = errors.join('\n\n');
  box.append(title, list);
  document.body.append(box);
}

function parseBuildEvent(data: string): BuildEvent | null {
  try {
    const v: unknown = JSON.parse(data);
    if (typeof v !== 'object' || v === null) return null;
    const { ms, errors } = v as Record<string, unknown>;
    if (typeof ms !== 'number' || !Array.isArray(errors) || !errors.every((e) => typeof e === 'string')) return null;
    return { ms, errors: errors as string[] };
  } catch (err) {
    if (err instanceof SyntaxError) return null;
    throw err;
  }
}

const events = new EventSource('/__dev/events');
// `state` arrives once on connect (the last build); `build` after every rebuild.
events.addEventListener('state', (ev) => {
  showBuildErrors(parseBuildEvent((ev as MessageEvent<string>).data)?.errors ?? []);
  // Connected: from now on this page hears every rebuild (tests wait for this).
  document.documentElement.dataset.devReload = 'connected';
});
events.addEventListener('build', (ev) => {
  const build = parseBuildEvent((ev as MessageEvent<string>).data);
  if (!build) return;
  if (build.errors.length > 0) showBuildErrors(build.errors);
  else location.reload();
});
