/**
 * Builds a throwaway OCI bundle for the probe: a busybox-static rootfs (one symlink per applet,
 * which is what `busybox --install -s` makes, written here so the links point at /bin/busybox
 * inside the rootfs rather than at the host's busybox), the static probe at /probe, the files the
 * filesystem probes open, and config.json from `runc spec` made to look like a plain
 * `docker run` container: writable rootfs, no terminal, a writable /output bind mount.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseJsonLossless, stringifyJsonLossless } from '../../shim/util/json.js';
import type { Spec } from '../../shim/oci/types.js';

export interface Bundle {
  dir: string;
  rootfs: string;
  /** Host directory bind-mounted at /output. */
  output: string;
  /** config.json as `runc spec` wrote it, plus our base changes; callers clone before editing. */
  base: Spec;
}

/** NOTE these paths are compiled into probe.c (TARGET_FILE, TRUNC_FILE, PROBE_PATH): change both. */
const ROOTFS_DIRS = ['bin', 'etc', 'tmp', 'mnt', 'proc', 'sys', 'dev', 'output'];
const ROOTFS_FILES: Record<string, string> = {
  'etc/probe-target': 'probe target: read and write-opened, never written\n',
  'etc/probe-trunc': 'probe target: O_TRUNC may empty this one\n',
};

export async function whichBusybox(): Promise<string> {
  const r = await execa('sh', ['-c', 'command -v busybox'], { reject: false });
  if (r.exitCode !== 0 || !r.stdout) throw new Error('busybox not found: install busybox-static');
  return r.stdout.trim();
}

async function buildRootfs(rootfs: string, probeBinary: string): Promise<void> {
  for (const d of ROOTFS_DIRS) await mkdir(join(rootfs, d), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  const busybox = await whichBusybox();
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const applets = (await execa(busybox, ['--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
  await Promise.all(applets.map((a) => symlink('busybox', join(rootfs, 'bin', a))));
  for (const [path, text] of Object.entries(ROOTFS_FILES)) await writeFile(join(rootfs, path), text);
  await copyFile(probeBinary, join(rootfs, 'probe'));
  await chmod(join(rootfs, 'probe'), 0o755);
}

/** Pure: runc's default spec -> our base (what a plain `docker run` would give, minus Docker's own profile). */
export function baseSpec(runcDefault: Spec, output: string): Spec {
  const spec = runcDefault;
  spec.process = { ...spec.process!, terminal: false, args: ['/probe', '--list'] };
  spec.root = { ...spec.root!, readonly: false };
  spec.hostname = 'probe';
  spec.mounts = [...(spec.mounts ?? []), { destination: '/output', type: 'bind', source: output, options: ['rbind', 'rw'] }];
  return spec;
}

export async function createBundle(probeBinary: string): Promise<Bundle> {
  const dir = await mkdtemp(join(tmpdir(), 'openclaw-attacks-'));
  // 0711 on the bundle: a user-namespaced profile maps root away and must still traverse to rootfs.
  await chmod(dir, 0o711);
  const rootfs = join(dir, 'rootfs');
  const output = join(dir, 'output-host');
  await mkdir(output, { recursive: true });
  await chmod(output, 0o777);
  await buildRootfs(rootfs, probeBinary);
  await execa('runc', ['spec', '--bundle', dir]);
  const runcDefault = parseJsonLossless(await readFile(join(dir, 'config.json'), 'utf8')) as Spec;
  return { dir, rootfs, output, base: baseSpec(runcDefault, output) };
}

export async function writeSpec(bundle: Bundle, spec: Spec): Promise<void> {
  await writeFile(join(bundle.dir, 'config.json'), stringifyJsonLossless(spec));
}

export async function removeBundle(bundle: Bundle): Promise<void> {
  await rm(bundle.dir, { recursive: true, force: true });
}
