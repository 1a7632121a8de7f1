/**
 * The profile's bind mounts with their host sources decided: a fixed `source`, or a
 * perContainer one under the container's job directory <jobs.dir>/<container id>/<name>.
 */
import { join } from 'node:path';
import type { ProfileBindMount } from './schema.js';

/** A profile bind with its host source decided (perContainer ones under the job's directory). */
export type ConcreteBind = ProfileBindMount & { source: string };

export function jobDirOf(jobsDir: string, containerId: string): string {
  return join(jobsDir, containerId);
}

/**
 * The profile's binds with their host sources. Shared by host/facts.ts (what to inspect) and
 * merge/filesystem.ts (what to mount), so both look at the same paths.
 */
export function concreteBinds(binds: readonly ProfileBindMount[], jobsDir: string, containerId: string): ConcreteBind[] {
  return binds.map((b) => ({ ...b, source: b.perContainer !== undefined ? join(jobDirOf(jobsDir, containerId), b.perContainer) : b.source! }));
}
