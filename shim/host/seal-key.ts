/**
 * The host's seal key (merge/seal.ts): 32 random bytes in <state.dir>/seal.key, mode 0600,
 * created once (O_EXCL, so concurrent creates agree on one key). Without it (not root, a
 * read-only state dir) merges simply never skip: correct, only less tidy.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync, fsyncSync, statSync } from 'node:fs';
import { join } from 'node:path';

const KEY_BYTES = 32;

export function readOrCreateSealKey(stateDir: string): Buffer | undefined {
  const path = join(stateDir, 'seal.key');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const st = statSync(path);
      if (st.uid !== 0 || (st.mode & 0o077) !== 0) return undefined; // not root's own: do not trust it
      const key = readFileSync(path);
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
      mkdirSync(stateDir, { recursive: true, mode: 0o711 });
      const fd = openSync(path, 'wx', 0o600);
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
