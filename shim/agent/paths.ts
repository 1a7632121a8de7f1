/**
 * Pure path logic for write-open decisions: lexical normalization of a container path and
 * the writable-list match. Lexical is exact here because the agent opens the normalized path
 * itself with RESOLVE_NO_SYMLINKS (a symlink anywhere fails the open), so `..` cannot mean
 * anything but its lexical parent.
 */

/** Joins base (absolute) and path, resolves `.`/`..` lexically (clamped at `/`). */
export function normalizeContainerPath(path: string, base = '/'): string | undefined {
  if (path.includes('\0')) return undefined;
  const full = path.startsWith('/') ? path : `${base}/${path}`;
  if (!full.startsWith('/')) return undefined;
  const out: string[] = [];
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** Whether path is one of the writable entries or below one of them. */
export function isWritablePath(path: string, writable: readonly string[]): boolean {
  return writable.some((w) => w === '/' || path === w || path.startsWith(`${w}/`));
}
