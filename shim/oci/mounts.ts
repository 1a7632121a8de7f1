/** Reading config.json mounts. */
import type { SpecMount } from './types.js';

/** A bind mount in runc's terms: type bind, or a bind/rbind option (Docker writes type bind, containerd options). */
export function isBindMount(m: SpecMount): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}
