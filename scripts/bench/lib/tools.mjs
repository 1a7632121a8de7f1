/**
 * Paths, prerequisites and the C helpers (timeit, syscalls), built once per run into a temp
 * directory with gcc. Nothing here needs hyperfine.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO = resolve(BENCH_DIR, '..', '..');
export const SHIM = join(REPO, 'bin', 'openclaw-runtime');

export function which(bin) {
  for (const d of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin'])) {
    if (d && existsSync(join(d, bin))) return join(d, bin);
  }
  return undefined;
}

/** Why the harness cannot run at all, or undefined. */
export function missingPrerequisite() {
  if (process.getuid?.() !== 0) return 'the benchmark needs root (runc creates namespaces and cgroups)';
  for (const bin of ['runc', 'gcc', 'busybox']) if (!which(bin)) return `${bin} not found on PATH (scripts/install-system-deps.sh installs it)`;
  if (!existsSync(join(REPO, 'dist', 'main.js'))) return 'dist/ is not built: run npm run build first';
  return undefined;
}

/** A scratch directory for this run, removed by the returned cleanup. */
export function workDir() {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-bench-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Compiles timeit (dynamic) and syscalls (static, for the busybox rootfs). */
export function buildHelpers(dir) {
  const timeit = join(dir, 'timeit');
  const syscalls = join(dir, 'syscalls');
  execFileSync('gcc', ['-O2', '-o', timeit, join(BENCH_DIR, 'timeit.c')]);
  execFileSync('gcc', ['-O2', '-static', '-pthread', '-o', syscalls, join(BENCH_DIR, 'syscalls.c')]);
  return { timeit, syscalls };
}

/**
 * Runs commands in sequence under timeit; returns the total in ms, or throws with the
 * failing command and its stderr.
 */
export function timeSequence(timeit, commands, errFile) {
  const args = commands.flatMap((c, i) => (i === 0 ? c : [';;', ...c]));
  if (errFile) writeFileSync(errFile, '');
  const r = spawnSync(timeit, args, { encoding: 'utf8', env: { ...process.env, ...(errFile ? { TIMEIT_ERR: errFile } : {}) } });
  const lines = (r.stdout ?? '').trim().split('\n').filter(Boolean).map((l) => l.split(' ').map(Number));
  const failed = lines.findIndex(([, status]) => status !== 0);
  if (r.status !== 0 || failed !== -1 || lines.length !== commands.length) {
    const at = failed === -1 ? lines.length : failed;
    const err = errFile && existsSync(errFile) ? readFileSync(errFile, 'utf8').trim().split('\n').slice(-3).join(' | ') : '';
    throw new Error(`${(commands[at] ?? commands[0]).join(' ')} failed (status ${lines[at]?.[1] ?? r.status}) ${err}`);
  }
  return lines.reduce((sum, [ns]) => sum + ns, 0) / 1e6;
}

/**
 * Measures variants alternately (ABBA... so drift hits all alike) after a warm-up; each variant
 * is a function returning one sample (ms) or throwing (counted as a failure).
 */
export function alternate(variants, { warmup, reps, onError }) {
  for (let i = 0; i < warmup; i++) for (const v of variants) tryRun(v, onError);
  const samples = new Map(variants.map((v) => [v.label, { values: [], failures: 0 }]));
  for (let r = 0; r < reps; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const s = samples.get(v.label);
      const value = tryRun(v, onError);
      if (value === undefined) s.failures++;
      else s.values.push(value);
    }
  }
  return samples;
}

function tryRun(v, onError) {
  try {
    v.before?.();
    return v.run();
  } catch (err) {
    onError?.(v.label, err);
    return undefined;
  } finally {
    try {
      v.after?.();
    } catch (err) {
      onError?.(v.label, err);
    }
  }
}

/** The portable sh launcher, measured beside the native one. */
export const SH_SHIM = join(REPO, 'bin', 'openclaw-runtime.sh');
/** The shipped example config (README "configuration"): the field case of issue #12. */
export const EXAMPLE_CONFIG = join(REPO, 'examples', 'openclaw', 'config.toml');

/**
 * The runtime configs every launcher case runs under: none at all (built-in defaults; the
 * machine must have no /etc/openclaw/config.toml) and the shipped example.
 */
export const CONFIGS = [
  { name: 'no config', env: '' },
  { name: 'example config', env: EXAMPLE_CONFIG },
];

export function useConfig(config) {
  if (config.env) process.env.OPENCLAW_CONFIG = config.env;
  else delete process.env.OPENCLAW_CONFIG;
}

/** Starts this checkout's resident service (as its first create would) and waits until it answers. */
export async function warmService() {
  const { startService } = await import(join(REPO, 'dist', 'service', 'client.js'));
  const { serviceDir } = await import(join(REPO, 'dist', 'service', 'paths.js'));
  return startService(serviceDir(process.env), { wait: true });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts `openclaw-runtime agent` on `socket` (its own process, output discarded) and waits until it answers. */
export async function startBenchAgent(socket, denialLog) {
  const { canConnect } = await import(join(REPO, 'dist', 'agent', 'client.js'));
  const agent = spawn(SHIM, ['agent', '--socket', socket, '--denial-log', denialLog], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let i = 0; i < 200 && !(await canConnect(socket)); i++) await sleep(25);
  if (!(await canConnect(socket))) {
    agent.kill('SIGKILL');
    throw new Error('the agent did not start');
  }
  return agent;
}
