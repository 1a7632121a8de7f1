/** Runs the shim (bin/openclaw-runtime) and plain runc as child processes for tests. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SHIM } from './bundle.js';

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function done(r: SpawnSyncReturns<string>): Ran {
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * `detached`: for `create`, whose container keeps the stdio it inherited: stdout goes to
 * /dev/null (spawnSync would otherwise wait for the container to close the pipe).
 * `launcher`: another launcher than bin/openclaw-runtime (the sh launcher: always the Node path).
 * `pid`: the launcher's pid (the runtime's too, when the launcher exec'd it).
 */
export function shim(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeout?: number; detached?: boolean; launcher?: string } = {}): Ran & { pid?: number } {
  const launcher = opts.launcher ?? SHIM;
  if (opts.detached) {
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-shim-'));
    const errPath = join(dir, 'stderr');
    const err = openSync(errPath, 'w');
    try {
      const r = spawnSync(launcher, args, { env: { ...process.env, OPENCLAW_CONFIG: '', ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'ignore', err], timeout: opts.timeout ?? 60_000 });
      return { status: r.status, signal: r.signal, stdout: '', stderr: readFileSync(errPath, 'utf8'), pid: r.pid };
    } finally {
      closeSync(err);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const r = spawnSync(launcher, args, {
    encoding: 'utf8',
    env: { ...process.env, OPENCLAW_CONFIG: '', ...opts.env },
    cwd: opts.cwd,
    input: opts.input,
    timeout: opts.timeout ?? 60_000,
  });
  return { ...done(r), pid: r.pid };
}

export function runc(args: string[], opts: { cwd?: string; timeout?: number } = {}): Ran {
  return done(spawnSync('runc', args, { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeout ?? 60_000 }));
}
