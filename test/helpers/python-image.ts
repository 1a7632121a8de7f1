/**
 * The real-workload image: Debian bookworm with python3, numpy, pip and ca-certificates, built
 * by scripts/build-python-image.sh (mmdebstrap, cached by recipe under
 * /var/cache/openclaw-test/images or $OPENCLAW_IMAGE_CACHE), plus a layer with the matrix's
 * jobs (test/e2e/workloads/jobs -> /opt/jobs) and a 256 MiB file (/opt/data/big.bin).
 *
 * prepareWorkloadImage() gives the image as a tar (or why it cannot be had: no mmdebstrap, no
 * apt source, the mirror unreachable); importers put that tar into an engine, skipping an
 * import whose content label already matches:
 *   - Docker: importIntoDocker(dockerd.docker, image)
 *   - Podman: importIntoPodman((args) => cmd('podman', [...globalFlags, ...args]), image)
 *   - containerd: importIntoContainerd(dockerd, containerd, namespace, image) (via docker save)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, truncateSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { cmd, REPO, type CmdResult, type Containerd, type Dockerd } from './daemons.js';

export const PYTHON_IMAGE = 'openclaw-test/python:bookworm';
/** The name containerd gives the image after `docker save` + `ctr images import`. */
export const PYTHON_IMAGE_CONTAINERD = `docker.io/${PYTHON_IMAGE}`;
export const JOBS_DIR = join(REPO, 'test', 'e2e', 'workloads', 'jobs');
export const BIG_FILE = '/opt/data/big.bin';
export const BIG_FILE_BYTES = 256 * 1024 * 1024;
const LABEL = 'org.openclaw.test.hash';

export interface WorkloadImage {
  /** The image as a tar of its root file system (`docker import`/`podman import`). */
  tar: string;
  /** Hash of the base tar's name (its recipe) and the job layer: the engines' label. */
  hash: string;
  /** What the build script said (reused or built, and how long it took). */
  log: string;
}

export type Prepared = { ok: true; image: WorkloadImage } | { ok: false; reason: string };

/**
 * Builds (or reuses) the cached base and writes base + job layer to WORK/python-image.tar.
 * Never throws for an unavailable image: the reason comes back for the caller to print and skip.
 */
export async function prepareWorkloadImage(work: string): Promise<Prepared> {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'building the python image needs root (mmdebstrap --mode=root)' };
  const layer = mkdtempSync(join(work, 'layer-'));
  try {
    mkdirSync(join(layer, 'opt', 'jobs'), { recursive: true });
    mkdirSync(join(layer, 'opt', 'data'), { recursive: true });
    const h = createHash('sha256');
    for (const f of readdirSync(JOBS_DIR).filter((n) => n.endsWith('.py')).sort()) {
      copyFileSync(join(JOBS_DIR, f), join(layer, 'opt', 'jobs', f));
      h.update(f).update(readFileSync(join(JOBS_DIR, f)));
    }
    const big = join(layer, 'opt', 'data', 'big.bin');
    closeSync(openSync(big, 'w'));
    truncateSync(big, BIG_FILE_BYTES);
    h.update(`big.bin:${BIG_FILE_BYTES}`);
    const out = join(work, 'python-image.tar');
    const r = await cmd(join(REPO, 'scripts', 'build-python-image.sh'), ['--layer', layer, '--out', out], { timeout: 900_000 });
    if (r.exitCode !== 0) {
      const tail = `${r.stdout}${r.stderr}`.trim().split('\n').slice(-6).join(' | ');
      return { ok: false, reason: `scripts/build-python-image.sh failed (exit ${r.exitCode}): ${tail}` };
    }
    const base = r.stdout.trim().split('\n')[0] ?? '';
    h.update(base);
    return { ok: true, image: { tar: out, hash: h.digest('hex').slice(0, 16), log: r.stderr.trim() } };
  } finally {
    rmSync(layer, { recursive: true, force: true });
  }
}

function check(what: string, r: CmdResult): void {
  if (r.exitCode !== 0) throw new Error(`${what} failed (${r.exitCode}):\n${r.stdout}${r.stderr}`);
}

type Engine = (args: readonly string[], opts?: { timeout?: number }) => Promise<CmdResult>;

/** `docker import` with the content label (skipped when the daemon has this content already). */
export async function importIntoDocker(docker: Engine, image: WorkloadImage, name = PYTHON_IMAGE): Promise<void> {
  const have = await docker(['image', 'inspect', '-f', `{{ index .Config.Labels "${LABEL}" }}`, name]);
  if (have.exitCode === 0 && have.stdout.trim() === image.hash) return;
  check('docker import', await docker(['import', '--change', `LABEL ${LABEL}=${image.hash}`, '--change', 'CMD ["python3"]', image.tar, name], { timeout: 600_000 }));
}

/** `podman import` likewise (the engines' Podman tests: pass a function that runs podman with their --root/--runroot). */
export async function importIntoPodman(podman: Engine, image: WorkloadImage, name = `localhost/${PYTHON_IMAGE}`): Promise<void> {
  const have = await podman(['image', 'inspect', '--format', `{{ index .Config.Labels "${LABEL}" }}`, name]);
  if (have.exitCode === 0 && have.stdout.trim() === image.hash) return;
  check('podman import', await podman(['import', '--change', `LABEL ${LABEL}=${image.hash}`, '--change', 'CMD ["python3"]', image.tar, name], { timeout: 600_000 }));
}

/** Into a containerd namespace through `docker save` (the image must be in that dockerd first). */
export async function importIntoContainerd(dockerd: Dockerd, containerd: Containerd, namespace: string, image: WorkloadImage, work: string): Promise<void> {
  const listed = await containerd.ctr(namespace, ['images', 'ls', `name==${PYTHON_IMAGE_CONTAINERD}`]);
  if (listed.stdout.includes(`${LABEL}=${image.hash}`)) return;
  await importIntoDocker(dockerd.docker, image);
  const saved = join(work, 'python-image.docker.tar');
  check('docker save', await dockerd.docker(['save', PYTHON_IMAGE, '-o', saved], { timeout: 600_000 }));
  try {
    check('ctr images import', await containerd.ctr(namespace, ['images', 'import', saved], { timeout: 600_000 }));
    check('ctr images label', await containerd.ctr(namespace, ['images', 'label', PYTHON_IMAGE_CONTAINERD, `${LABEL}=${image.hash}`]));
  } finally {
    rmSync(saved, { force: true });
  }
}

/** A CSV the data job reads (and the sum it must report). */
export function writeJobInput(dir: string): { total: number; rows: number } {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'data.csv'), 'name,value\na,1\nb,2\nc,39\n');
  return { total: 42, rows: 3 };
}
