/**
 * Runs the probe inside real containers: one bundle per battery, config.json = runc's default
 * spec + our base changes + the caller's transform (a baseline profile, or the shim's merge).
 *
 *   mode 'one'     one `runc run` per probe (`/probe --one NAME`): works when fork is denied,
 *                  and a probe that kills its process ends only its own container. The default.
 *   mode 'battery' one `runc run` of `/probe NAME...` (each probe forked inside): faster, and
 *                  `ptrace_attach_pid1` then has a real pid 1 to attack; needs fork.
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { deepClone } from '../../shim/util/json.js';
import type { Spec } from '../../shim/oci/types.js';
import { createBundle, removeBundle, writeSpec, type Bundle } from './bundle.js';
import { parseProbeOutput, synthesize, type ProbeResult } from './probe-output.js';

export type SpecTransform = (spec: Spec, bundle: Bundle) => Spec | Promise<Spec>;

export interface BatteryOptions {
  /** Absolute path of the built probe (scripts/build-probe.sh prints it). */
  probeBinary: string;
  /** Applied once to a clone of the base spec; process.args is set per probe afterwards. */
  transform?: SpecTransform;
  /** Probe names; default: all that `probe --list` names. */
  probes?: string[];
  mode?: 'one' | 'battery';
  /** The runtime binary and its leading flags: runc, or the shim in front of runc. */
  runtime?: string;
  runtimeArgs?: string[];
  /** Per container. The memory bomb is the slowest probe (about 1 s unconfined). */
  timeoutMs?: number;
}

export interface ProbeInfo {
  name: string;
  group: string;
}

/** `probe --list` only prints: safe to run on the host. */
export async function listProbes(probeBinary: string): Promise<ProbeInfo[]> {
  const { stdout } = await execa(probeBinary, ['--list']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [name, group] = l.split(' ');
      return { name: name!, group: group! };
    });
}

interface RunOutcome {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

/** `runc run` in the foreground; on timeout the container is killed by its id (pid 1 ignores SIGTERM). */
async function runContainer(opts: BatteryOptions, bundle: Bundle, id: string): Promise<RunOutcome> {
  const runtime = opts.runtime ?? 'runc';
  const pre = opts.runtimeArgs ?? [];
  const child = execa(runtime, [...pre, 'run', '--bundle', bundle.dir, id], { reject: false, stdin: 'ignore' });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void execa(runtime, [...pre, 'kill', id, 'KILL'], { reject: false });
  }, opts.timeoutMs ?? 30_000);
  const r = await child;
  clearTimeout(timer);
  // runc run deletes the container when it exits; a leftover (killed runc) is removed by its id.
  await execa(runtime, [...pre, 'delete', '--force', id], { reject: false });
  return { stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), code: r.exitCode ?? null, timedOut };
}

function withArgs(spec: Spec, args: string[]): Spec {
  return { ...spec, process: { ...spec.process!, args } };
}

export async function runBattery(opts: BatteryOptions): Promise<Map<string, ProbeResult>> {
  const names = opts.probes ?? (await listProbes(opts.probeBinary)).map((p) => p.name);
  const bundle = await createBundle(opts.probeBinary);
  const prefix = `openclaw-attack-${randomBytes(3).toString('hex')}`;
  try {
    const spec = opts.transform ? await opts.transform(deepClone(bundle.base), bundle) : deepClone(bundle.base);
    const results = new Map<string, ProbeResult>();
    if ((opts.mode ?? 'one') === 'battery') {
      await writeSpec(bundle, withArgs(spec, ['/probe', ...names]));
      const out = await runContainer(opts, bundle, `${prefix}-all`);
      const parsed = parseProbeOutput(out.stdout);
      if (parsed.forkDenied) {
        throw new Error(`probe battery: fork is denied in this container (${parsed.forkDenied}); use mode 'one'`);
      }
      for (const name of names) {
        results.set(name, parsed.results.get(name) ?? synthesize(name, out, parsed.progress.get(name)));
      }
      return results;
    }
    let n = 0;
    for (const name of names) {
      await writeSpec(bundle, withArgs(spec, ['/probe', '--one', name]));
      const out = await runContainer(opts, bundle, `${prefix}-${n++}`);
      const parsed = parseProbeOutput(out.stdout);
      const result = parsed.results.get(name) ?? synthesize(name, out, parsed.progress.get(name));
      if (result.kind === 'missing' && out.stderr) result.detail.stderr = out.stderr.trim().split('\n').pop()!;
      results.set(name, result);
    }
    return results;
  } finally {
    await removeBundle(bundle);
  }
}
