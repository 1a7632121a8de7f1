/**
 * The host's seal key (merge/seal.ts): 32 random bytes in <state.dir>/seal.key, mode 0600,
 * created once (O_EXCL, so concurrent creates agree on one key). Without it (not root, a
 * read-only state dir) merges simply never skip: correct, only less tidy.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, inspectPath } from './safe-path.js';

const KEY_BYTES = 32;

export function readOrCreateSealKey(stateDir: string): Buffer | undefined {
  const path = join(stateDir, 'seal.key');
  // A state dir reached through a symlink or a directory another user may write is not trusted.
  const dir = inspectPath(stateDir);
  if (dir.unsafe) return undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      let key: Buffer;
      try {
        const st = fstatSync(fd);
        if (!st.isFile() || st.uid !== 0 || (st.mode & 0o077) !== 0) return undefined; // not root's own: do not trust it
        key = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
      if (key.length === KEY_BYTES) return key;
      if (attempt < 2) {
        // Another create is still writing it.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        continue;
      }
      return undefined;
    } catch {
      /* missing: create it below */
    }
    try {
      ensureDir(stateDir, { mode: 0o711, parentMode: 0o711 });
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        const key = randomBytes(KEY_BYTES);
        writeSync(fd, key);
        fsyncSync(fd);
        return key;
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
    }
  }
  return undefined;
}
