/**
 * Shared set-up for the fault tests: why a suite skips, a shared busybox rootfs with bundles
 * that point at it (cheap: 50 containers need no 50 copies), async shim runs, and waiting for
 * a killed shim's process group (the shim and the runc it started) to be gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, REPO, SHIM, type Bundle } from '../helpers/bundle.js';

export const ADDON = join(REPO, 'addon', 'build', 'Release', 'openclaw_agent.node');

export function faultSkipReason(needsAgent = false): string | undefined {
  return integrationSkipReason() ?? (needsAgent && !existsSync(ADDON) ? 'the seccomp agent addon is not built (scripts/build-addon.sh)' : undefined);
}

/** A bundle directory whose config.json uses `rootfs` (an absolute path) as its root. */
export function bundleOn(rootfs: string, dir: string, args: string[]): string {
  mkdirSync(dir, { recursive: true });
  const template = makeBundle(args);
  const cfg = template.readConfig();
  template.cleanup();
  cfg.root.path = rootfs;
  writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
  return join(dir, 'config.json');
}

/** One real busybox bundle, kept for its rootfs. */
export function rootfsBundle(parent: string): Bundle {
  return makeBundle(['/bin/true'], { parent });
}

export interface Started {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The launcher whose own process does the whole create (Node): for faults aimed at the process
 * that merges. With the native launcher that process is the resident service instead
 * (test/faults/service.test.ts kills it there).
 */
export const NODE_PATH_SHIM = join(REPO, 'bin', 'openclaw-runtime.sh');

/** Starts the shim in its own process group (so the group can be waited for), stdio to files. */
export function startShim(args: string[], outFile: string, errFile: string, wrapper: string[] = [], launcher = SHIM): Started {
  // $0 is the stdout file, $1 the stderr file, the rest the command.
  const child = spawn('sh', ['-c', 'err="$1"; shift; exec "$@" >"$0" 2>"$err" </dev/null', outFile, errFile, ...wrapper, launcher, ...args], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, OPENCLAW_CONFIG: '' },
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, done };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until no process is left in process group `pgid` (the container's init has its own session). */
export async function waitGroupGone(pgid: number, timeoutMs = 15_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await sleep(20);
  }
  return false;
}

export function readPid(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
  return pid > 0 ? pid : undefined;
}

export { alive } from '../helpers/agent.js';
