/**
 * Where the resident service lives. One service per installed package (its real path), so
 * two checkouts or versions side by side never answer for each other:
 *   <OPENCLAW_SERVICE_DIR, else /run/openclaw/service/<fnv1a64(package root)>>/
 *     service.sock        the socket (root only: the directory is 0700 root)
 *     service.lock        flock held by the serving process, holds its pid
 *     stats.sock          its counters in the Prometheus text format (stats-socket.ts; `openclaw-runtime stats`)
 *     service.spawn.lock  starters serialize on it
 *     service.log         a started service's log (JSON lines, rotated to service.log.1..3) and stderr
 *     resolved/<fnv1a64(launcher NUL config path)>  the runtime a config resolves to, per launcher (resolved.ts)
 * launcher/openclaw-runtime.c computes the same paths from the constants in launcher/surface.h.
 */
import { join } from 'node:path';
import { packageRootReal } from '../package.js';

export const SERVICE_DIR_ENV = 'OPENCLAW_SERVICE_DIR';
export const SERVICE_BASE_DIR = '/run/openclaw/service';
export const SERVICE_SOCKET_NAME = 'service.sock';
export const RESOLVED_DIR_NAME = 'resolved';
/** Set by the native launcher when it fell back to Node because no service answered: Node starts one. */
export const SERVICE_START_ENV = 'OPENCLAW_SERVICE_START';

/** FNV-1a, 64 bit, lower-case hex (16 digits): a short file name for a long path, same in C. */
export function fnv1a64(text: string | Buffer): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

export function serviceDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[SERVICE_DIR_ENV];
  if (fromEnv && fromEnv.startsWith('/')) return fromEnv;
  return join(SERVICE_BASE_DIR, fnv1a64(packageRootReal()));
}

export function serviceSocket(dir: string): string {
  return join(dir, SERVICE_SOCKET_NAME);
}

/** Per launcher too: the sh and the native launcher skip different files on PATH, so their records differ. */
export function resolvedFile(dir: string, configPath: string, self: string): string {
  return join(dir, RESOLVED_DIR_NAME, fnv1a64(Buffer.concat([Buffer.from(self), Buffer.from([0]), Buffer.from(configPath)])));
}
