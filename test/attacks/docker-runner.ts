/**
 * Runs the probe through a real dockerd: the image is the battery's own rootfs (bundle.ts builds
 * it, so the layout the probes depend on is the same as under runc), imported with `docker import`;
 * each probe is one `docker run --rm --network none --runtime=R IMAGE /probe --one NAME`, a few
 * at a time (the machine may have only 2 cores; each run starts the shim several times).
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { createBundle, removeBundle } from './bundle.js';
import { parseProbeOutput, synthesize, type ProbeResult } from './probe-output.js';

export interface DockerTarget {
  /** `unix:///path/docker.sock` of the private dockerd. */
  host: string;
}

/** `tar -C rootfs -c . | docker import - TAG`, from the same rootfs the runc battery uses. */
export async function importProbeImage(target: DockerTarget, probeBinary: string, tag: string): Promise<void> {
  const bundle = await createBundle(probeBinary);
  try {
    const tar = execa('tar', ['--numeric-owner', '-C', bundle.rootfs, '-c', '.'], { buffer: false, encoding: 'buffer' });
    const imp = execa('docker', ['-H', target.host, 'import', '--change', 'CMD ["/probe", "--list"]', '-', tag], { reject: false });
    tar.stdout!.pipe(imp.stdin!);
    const [, r] = await Promise.all([tar, imp]);
    if (r.exitCode !== 0) throw new Error(`docker import ${tag} failed (${r.exitCode}): ${r.stderr}`);
  } finally {
    await removeBundle(bundle);
  }
}

export interface DockerProbeOptions {
  runtime: string;
  image: string;
  /** Per container; a timed-out container is killed by its name. */
  timeoutMs?: number;
}

/** One probe in its own container; a container that printed nothing is read from docker run's exit status. */
export async function runProbeInDocker(target: DockerTarget, opts: DockerProbeOptions, name: string): Promise<ProbeResult> {
  const cname = `oc-attack-${name.replace(/_/g, '-')}-${randomBytes(3).toString('hex')}`;
  const child = execa(
    'docker',
    ['-H', target.host, 'run', '--rm', '--name', cname, '--network', 'none', `--runtime=${opts.runtime}`, opts.image, '/probe', '--one', name],
    { reject: false, stdin: 'ignore' },
  );
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void execa('docker', ['-H', target.host, 'kill', cname], { reject: false });
  }, opts.timeoutMs ?? 60_000);
  const r = await child;
  clearTimeout(timer);
  const stdout = String(r.stdout ?? '');
  const parsed = parseProbeOutput(stdout);
  // docker run, like runc run, exits 128+N when the container's process died from signal N.
  const result = parsed.results.get(name) ?? synthesize(name, { code: r.exitCode ?? null, timedOut }, parsed.progress.get(name));
  const stderr = String(r.stderr ?? '').trim();
  if (result.kind === 'missing' && stderr) result.detail.stderr = stderr.split('\n').pop()!;
  return result;
}

/** Every probe, `concurrency` containers at a time; results in the order of `names`. */
export async function runProbesInDocker(target: DockerTarget, opts: DockerProbeOptions, names: readonly string[], concurrency = 4): Promise<Map<string, ProbeResult>> {
  const out: ProbeResult[] = new Array(names.length);
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      out[i] = await runProbeInDocker(target, opts, names[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
  return new Map(names.map((n, i) => [n, out[i]!]));
}
