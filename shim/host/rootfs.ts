/**
 * Where a container's rootfs really is. Under a user namespace the shim bind-mounts a rootfs
 * the mapped root cannot reach to <state.dir>/rootfs/<id> (a host action, merge/userns.ts) and
 * records the original in an annotation; host/facts.ts, pipeline.ts and the modifiers read
 * the rootfs back through originalRootfs. Pure: paths only, no I/O.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { Spec } from '../oci/types.js';

/** Where the shim binds a rootfs the mapped root cannot reach. */
export function rootfsBindTarget(stateDir: string, containerId: string): string {
  return join(stateDir, 'rootfs', containerId);
}

/** Where a re-bound rootfs came from, so a bundle created once can be created again. */
export const ROOTFS_SOURCE_ANNOTATION = 'org.openclaw.rootfs.source';

/**
 * The rootfs the container really uses. A bundle that went through create before points
 * root.path at our bind under <state.dir>/rootfs/ (gone after delete); its original is in the
 * annotation. Used by host/facts.ts, pipeline.ts, merge/userns.ts and merge/cdi.ts alike.
 */
export function originalRootfs(spec: Spec, bundle: string, stateDir: string): string | undefined {
  const rootPath = spec.root?.path;
  if (rootPath === undefined) return undefined;
  const abs = isAbsolute(rootPath) ? rootPath : resolve(bundle, rootPath);
  const recorded = spec.annotations?.[ROOTFS_SOURCE_ANNOTATION];
  return recorded && abs.startsWith(join(stateDir, 'rootfs') + '/') ? recorded : abs;
}
