/**
 * The TypeScript side of the service's transport: starting it on demand (as ensureAgent
 * starts the agent) and one request/answer round trip (tests, bench; the native launcher
 * speaks the same protocol in C).
 *
 * Race-free start: starters serialize on service.spawn.lock and look again once they hold it;
 * the service itself holds service.lock for its life, so two can never serve one directory.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { loadNative } from '../agent/native.js';
import { canConnect } from '../agent/client.js';
import { decodeResponse, encodeRequest, MAX_RESPONSE_BYTES, type ServiceRequest, type ServiceResponse } from './protocol.js';
import { serviceSocket } from './paths.js';
import { DEFAULT_PATH } from './resolved.js';
import { RESIDENT_NODE_FLAGS } from '../node-flags.js';
import { SERVICE_ENTRY } from '../package.js';

/** An on-demand service exits after this long without requests (it holds no state of its own). */
export const ON_DEMAND_IDLE_EXIT_S = 600;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a service for `dir` unless one answers. wait=false (the Node fallback path) returns
 * as soon as it is spawned: this call is served by Node anyway, the next one by the service.
 * Returns whether a service answers (wait=true) or was found or spawned (wait=false).
 */
export async function startService(dir: string, opts: { wait?: boolean; timeoutMs?: number; idleExitS?: number } = {}): Promise<boolean> {
  const socket = serviceSocket(dir);
  if (await canConnect(socket, 200)) return true;
  const native = loadNative();
  const { LOCK_EX, LOCK_NB } = native.fileConstants;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const lockFd = openSync(`${dir}/service.spawn.lock`, 'a', 0o600);
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  try {
    if (!native.flock(lockFd, LOCK_EX | LOCK_NB)) {
      if (!opts.wait) return true; // someone else is starting it right now
      while (!native.flock(lockFd, LOCK_EX | LOCK_NB)) {
        if (Date.now() > deadline) return false;
        await sleep(20);
      }
    }
    if (await canConnect(socket, 200)) return true;
    // Its log (JSON lines, rotated by the service); stderr goes there too, for a crash's trace.
    const logFile = `${dir}/service.log`;
    const logFd = openSync(logFile, 'a', 0o600);
    try {
      const child = spawn(process.execPath, [...RESIDENT_NODE_FLAGS, SERVICE_ENTRY, '--dir', dir, '--idle-exit-s', String(opts.idleExitS ?? ON_DEMAND_IDLE_EXIT_S), '--log-file', logFile], {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        // Not the first caller's environment: requests carry theirs (SERVICE_ENV), and the
        // service's own children (mount, the agent) get a plain system PATH.
        env: { PATH: DEFAULT_PATH },
        cwd: '/',
      });
      child.on('error', () => undefined);
      child.unref();
    } finally {
      closeSync(logFd);
    }
    if (!opts.wait) return true;
    while (Date.now() < deadline) {
      if (await canConnect(socket, 250)) return true;
      await sleep(20);
    }
    return false;
  } finally {
    closeSync(lockFd);
  }
}

/** One round trip: the request, a half-close, the whole answer. */
export function callService(dir: string, req: ServiceRequest, timeoutMs = 30_000): Promise<ServiceResponse & { version: number }> {
  return new Promise((resolveCall, reject) => {
    const s = connect(serviceSocket(dir));
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('service did not answer in time'));
    }, timeoutMs);
    s.on('connect', () => s.end(encodeRequest(req)));
    s.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_RESPONSE_BYTES) s.destroy(new Error('answer too large'));
      else chunks.push(b);
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('end', () => {
      clearTimeout(timer);
      try {
        resolveCall(decodeResponse(Buffer.concat(chunks)));
      } catch (e) {
        reject(e);
      }
    });
  });
}
