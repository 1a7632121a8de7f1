/**
 * Host facts the engine-aware modifiers need (merge/engine-files.ts, merge/namespaces.ts): the
 * real paths of the configured engine roots and what each namespace joined by path is.
 */
import { realpathSync } from 'node:fs';
import type { RuntimeConfig } from '../config/schema.js';
import type { Spec } from '../oci/types.js';
import { resolveNamespaceFacts } from './namespace-facts.js';
import type { JoinedNamespaceFacts } from './types.js';

export interface EngineFacts {
  /** Configured root -> its real path (roots that do not exist are left out). */
  engineRoots: Record<string, string>;
  namespaces: Record<string, JoinedNamespaceFacts>;
}


export function resolveEngineFacts(spec: Spec, config: RuntimeConfig, bundle: string, runcRoot: string): EngineFacts {
  const engineRoots: Record<string, string> = {};
  const e = config.engines;
  for (const root of [...e.netns_dirs, ...e.containerd_roots, ...e.kubelet_roots, ...e.podman_roots, ...e.docker_roots]) {
    try {
      engineRoots[root] = realpathSync(root);
    } catch {
      /* not on this host */
    }
  }
  return { engineRoots, namespaces: resolveNamespaceFacts(spec, { runcRoot, bundle, netnsDirs: e.netns_dirs }) };
}
