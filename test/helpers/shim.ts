/** Runs the shim (bin/openclaw-runtime) and plain runc as child processes for tests. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
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

export function shim(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string; timeout?: number } = {}): Ran {
  return done(
    spawnSync(SHIM, args, {
      encoding: 'utf8',
      env: { ...process.env, OPENCLAW_CONFIG: '', ...opts.env },
      cwd: opts.cwd,
      input: opts.input,
      timeout: opts.timeout ?? 60_000,
    }),
  );
}

export function runc(args: string[], opts: { cwd?: string; timeout?: number } = {}): Ran {
  return done(spawnSync('runc', args, { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeout ?? 60_000 }));
}
