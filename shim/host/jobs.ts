/**
 * Per-container job directories (<jobs.dir>/<container id>, holding a profile's perContainer
 * bind sources) and their retention.
 *
 * Retention rule: a job directory outlives its container, because a platform collects a job's
 * output after the container has exited (and an engine may delete the container right away,
 * as `docker run --rm` does). The shim cannot know when the output has been collected, so it
 * never removes a job directory on its own: `openclaw-runtime jobs prune` does, for jobs whose
 * container is gone (no host record: delete, the poststop hook or the crash sweep undid it)
 * and ended more than `--older-than` (default: config [jobs] retention) ago. The job
 * directory's mtime is when its container ended (the `job` host action's undo stamps it).
 * A platform runs prune after collecting (`--older-than 0 ID`) or on a timer.
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inspectPath } from './safe-path.js';
import { readHostRecord } from './actions.js';
import { OpenclawError } from '../errors.js';
import { validContainerId } from '../oci/container-id.js';

export interface PruneOptions {
  jobsDir: string;
  stateDir: string;
  olderThanMs: number;
  /** Only these ids (all when empty). */
  ids?: readonly string[];
  now?: number;
}

export interface PruneResult {
  removed: string[];
  /** id -> why it was kept. */
  kept: Record<string, string>;
}

export function pruneJobs(opts: PruneOptions): PruneResult {
  const now = opts.now ?? Date.now();
  const dir = inspectPath(opts.jobsDir);
  if (dir.unsafe) {
    throw new OpenclawError('host', `the jobs directory ${opts.jobsDir} is not safe to remove files from as root: ${dir.unsafe}`, {
      field: 'jobs.dir',
      fix: 'set [jobs] dir to a directory whose every parent is owned by root and writable by nobody else',
    });
  }
  const result: PruneResult = { removed: [], kept: {} };
  if (!dir.exists) return result;
  const names = opts.ids && opts.ids.length > 0 ? [...opts.ids] : readdirSync(dir.path);
  for (const id of names) {
    if (!validContainerId(id)) {
      result.kept[id] = 'not a container id';
      continue;
    }
    const path = join(dir.path, id);
    const info = inspectPath(path);
    if (!info.exists || !info.stat?.isDirectory()) {
      result.kept[id] = 'no such job directory';
      continue;
    }
    if (readHostRecord(opts.stateDir, id)) {
      result.kept[id] = 'its container still exists';
      continue;
    }
    const age = now - info.stat.mtimeMs;
    if (age < opts.olderThanMs) {
      result.kept[id] = `ended ${Math.round(age / 1000)}s ago`;
      continue;
    }
    // Renamed first (within the root-only jobs dir), so a new container under the same id
    // never sees a half-removed directory; rmSync removes symlinks inside, never follows them.
    const doomed = join(dir.path, `.prune-${id}-${process.pid}`);
    renameSync(path, doomed);
    rmSync(doomed, { recursive: true, force: true });
    result.removed.push(id);
  }
  return result;
}
