/**
 * Permissions: the camera and microphone permission state from the Permissions API
 * (`granted`, `denied`, `prompt`), and its `change` events, where the browser supports querying
 * them (Chrome and Edge do; Firefox and Safari may reject the names).
 *
 * @see https://developer.mozilla.org/en-US/docs/Web/API/Permissions/query
 * @see https://w3c.github.io/permissions/
 */

/** The permissions this module queries. */
export type MediaPermissionName = 'camera' | 'microphone';

/** A permission's state, or `unsupported` when the browser cannot tell. */
export type MediaPermissionState = PermissionState | 'unsupported';

/**
 * Watches one permission: calls `onChange` once with the current state, then on every change.
 * Resolves to a function that stops watching. Never rejects: when the Permissions API or the
 * name is not supported, `onChange('unsupported')` is called once (the browser's TypeError is
 * logged as a warning, since not knowing the state is not a failure for the learner).
 * @see https://developer.mozilla.org/en-US/docs/Web/API/PermissionStatus/change_event
 */
export async function watchPermission(
  name: MediaPermissionName,
  onChange: (state: MediaPermissionState) => void,
): Promise<() => void> {
  const permissions = (navigator as Partial<Navigator>).permissions;
  if (!permissions || typeof permissions.query !== 'function') {
    onChange('unsupported');
    return () => undefined;
  }
  let status: PermissionStatus;
  try {
    status = await permissions.query({ name: name as PermissionName });
  } catch (err) {
    console.warn(`Permissions API cannot query "${name}":`, err);
    onChange('unsupported');
    return () => undefined;
  }
  const handler = () => onChange(status.state);
  status.addEventListener('change', handler);
  handler();
  return () => status.removeEventListener('change', handler);
}
