/** Reading the profile's spec.isolation.namespaces. */

/** Whether a namespace mode asks for a namespace of the container's own (`isolated`); `inherit` or unset keep the caller's. */
export function wantsIsolation(mode: string | undefined): boolean {
  return mode !== undefined && mode !== 'inherit';
}
