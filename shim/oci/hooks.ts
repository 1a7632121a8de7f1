/** config.json hooks: the stages runc runs them in, and the host paths a hook names. */
import type { Spec, SpecHook } from './types.js';

/** The hook stages of the OCI runtime spec, and where runc runs each (for the error text). */
export const HOOK_STAGES = {
  prestart: 'on the host, in the runtime namespace',
  createRuntime: 'on the host, in the runtime namespace',
  createContainer: 'in the container namespace, as host root',
  startContainer: 'in the container',
  poststart: 'on the host, in the runtime namespace',
  poststop: 'on the host, in the runtime namespace',
} as const;
export type HookStage = keyof typeof HOOK_STAGES;

/** Docker's libnetwork-setkey hook names its exec root in this argument. */
export const EXEC_ROOT_PREFIX = '-exec-root=';

/** The executables and directories the hook check needs facts about (host/facts.ts reads them). */
export function hookFactsWanted(spec: Spec): { executables: string[]; dirs: string[] } {
  const executables = new Set<string>();
  const dirs = new Set<string>();
  for (const list of Object.values(spec.hooks ?? {})) {
    if (!Array.isArray(list)) continue;
    for (const h of list as SpecHook[]) {
      if (typeof h?.path !== 'string') continue;
      executables.add(h.path);
      for (const a of h.args ?? []) if (typeof a === 'string' && a.startsWith(EXEC_ROOT_PREFIX)) dirs.add(a.slice(EXEC_ROOT_PREFIX.length));
    }
  }
  return { executables: [...executables], dirs: [...dirs] };
}
