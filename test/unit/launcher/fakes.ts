/**
 * Fake programs for the launcher tests, written into a temp directory put first on PATH:
 * a runtime (runc/crun) and a `node` that report who they are, their pid (equal to the
 * launcher's pid exactly when the launcher exec'd them) and their argv NUL-separated, then
 * exit with $FAKE_EXIT or kill themselves with $FAKE_SIGNAL. Builtins only: PATH holds just the fakes.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const LAUNCHER = join(REPO, 'bin', 'openclaw-runtime');
/** The portable sh launcher (the fallback when the native one cannot be built). */
export const SH_LAUNCHER = join(REPO, 'bin', 'openclaw-runtime.sh');

/**
 * `features` gets a JSON answer (the shim's features command parses it, also in the resident
 * service, whose environment is its own); the rest report argv.
 */
const FAKE = (name: string) => `#!/bin/sh
if [ "$1" = features ]; then printf '{"ociVersionMin":"1.0.0"}\\n'; exit 0; fi
if [ -n "$OPENCLAW_SERVICE_START" ]; then echo "SERVICE_START=$OPENCLAW_SERVICE_START" >&2; fi
printf 'FAKE ${name} %s\\n' "$$"
if [ $# -gt 0 ]; then printf '%s\\0' "$@"; fi
if [ -n "$FAKE_FD" ]; then [ "/proc/$$/fd/$FAKE_FD" -ef "$FAKE_FD_FILE" ] && echo "FD $FAKE_FD open on FAKE_FD_FILE" >&2; fi
if [ -n "$FAKE_SIGNAL" ]; then kill -s "$FAKE_SIGNAL" $$; fi
exit "\${FAKE_EXIT:-0}"
`;

export interface Fakes {
  dir: string;
  /** PATH with the fakes first, then the directory of the real node. */
  path: string;
  write(name: string): string;
  cleanup(): void;
}

export function makeFakes(names: readonly string[] = ['runc']): Fakes {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-launcher-'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const write = (name: string): string => {
    const p = join(bin, name);
    writeFileSync(p, FAKE(name));
    chmodSync(p, 0o755);
    return p;
  };
  for (const n of names) write(n);
  // The real node, reachable without /usr/bin (where a real runc lives).
  symlinkSync(process.execPath, join(dir, 'node'));
  const nodeDir = join(dir, 'nodedir');
  mkdirSync(nodeDir);
  symlinkSync(process.execPath, join(nodeDir, 'node'));
  return { dir, path: `${bin}:${nodeDir}`, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Outcome {
  /** Which fake ran ("runc", "crun", "node"), or undefined when none printed. */
  fake?: string;
  /** Whether the fake had the launcher's pid: the launcher exec'd it directly. */
  execd: boolean;
  argv: string[];
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runLauncher(argv: readonly string[], env: NodeJS.ProcessEnv, opts: { launcher?: string; stdio?: Array<'pipe' | 'ignore' | number> } = {}): Outcome {
  const r: SpawnSyncReturns<Buffer> = spawnSync(opts.launcher ?? LAUNCHER, [...argv], {
    env,
    stdio: (opts.stdio ?? ['ignore', 'pipe', 'pipe']) as never,
    timeout: 60_000,
  });
  return outcome(r.pid, r.status, r.signal, r.stdout, r.stderr);
}

function outcome(pid: number, status: number | null, signal: NodeJS.Signals | null, out: Buffer | null, err: Buffer | null): Outcome {
  const stdout = out?.toString('utf8') ?? '';
  const m = /^FAKE (\S+) (\d+)\n/.exec(stdout);
  const rest = m ? stdout.slice(m[0].length) : '';
  return {
    fake: m?.[1],
    execd: m !== null && Number(m[2]) === pid,
    argv: rest === '' ? [] : rest.split('\0').slice(0, -1),
    status,
    signal,
    stdout,
    stderr: err?.toString('utf8') ?? '',
  };
}

/** runLauncher without blocking the event loop (a fake service in this process must answer). */
export function runLauncherAsync(argv: readonly string[], env: NodeJS.ProcessEnv, launcher = LAUNCHER): Promise<Outcome> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(launcher, [...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (status, signal) => resolveRun(outcome(child.pid ?? -1, status, signal, Buffer.concat(out), Buffer.concat(err))));
  });
}

/** The launcher's list of shim commands, read from its one definition line. */
export function launcherShimCommands(): string[] {
  const m = /^SHIM_COMMANDS='([^']*)'$/m.exec(readFileSync(SH_LAUNCHER, 'utf8'));
  if (!m) throw new Error(`no SHIM_COMMANDS='...' line in ${SH_LAUNCHER}`);
  return m[1]!.split(' ').filter(Boolean);
}
