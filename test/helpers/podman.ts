/**
 * A private Podman for the e2e tests: its own --root, --runroot, --tmpdir and containers.conf
 * (CONTAINERS_CONF, so no system file is read or written), `--cgroup-manager cgroupfs`,
 * `--events-backend file`. FIELD-NOTES: every container needs `--ulimit nofile=1024:1024
 * --ulimit nproc=4096:4096` here (no CAP_SYS_RESOURCE for Podman's default raise) and runs with
 * `--network none`. The image is loaded from a docker-archive built without any daemon.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmd, REPO, type CmdResult } from './daemons.js';
import { buildTestRootfs, writeImageArchive } from './image-archive.js';

export const PODMAN_TEST_IMAGE = 'localhost/openclaw-test/busybox:podman';
export const PODMAN_RUN_ARGS = ['--network', 'none', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

export function podmanPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'the Podman e2e tests need root';
  const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const bin of ['podman', 'runc', 'busybox', 'conmon']) {
    if (!path.some((d) => d && existsSync(join(d, bin))) && !existsSync(join('/usr/libexec/podman', bin))) return `the Podman e2e tests need ${bin}`;
  }
  if (!existsSync(join(REPO, 'dist', 'main.js'))) return 'the Podman e2e tests need the shim built (npm run build)';
  return undefined;
}

export interface PrivatePodman {
  dir: string;
  root: string;
  runroot: string;
  containersConf: string;
  podman(args: readonly string[], opts?: { timeout?: number }): Promise<CmdResult>;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<PrivatePodman> {
  const dir = mkdtempSync('/tmp/oc-podman-');
  // Traversable by the ids a user-namespaced container maps to.
  chmodSync(dir, 0o711);
  const root = join(dir, 'root');
  const runroot = join(dir, 'runroot');
  const tmp = join(dir, 'tmp');
  for (const d of [root, runroot, tmp]) mkdirSync(d, { recursive: true, mode: 0o711 });
  const containersConf = join(dir, 'containers.conf');
  // Podman insists that CONTAINERS_CONF exists; `install podman` adds the runtimes to it.
  writeFileSync(containersConf, '');
  const env = { ...process.env, CONTAINERS_CONF: containersConf, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };
  const global = ['--root', root, '--runroot', runroot, '--tmpdir', tmp, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--storage-driver', 'overlay'];
  const podman = (args: readonly string[], o: { timeout?: number } = {}) => cmd('podman', [...global, ...args], { timeout: o.timeout ?? 60_000, env });
  const stop = async () => {
    await podman(['rm', '-a', '-f', '-t', '0'], { timeout: 60_000 });
    await podman(['system', 'reset', '-f'], { timeout: 60_000 }).catch(() => undefined);
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
    for (const m of mounts) await cmd('umount', ['-l', m]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const work = join(dir, 'image');
    mkdirSync(work);
    const archive = await writeImageArchive(work, await buildTestRootfs(work), PODMAN_TEST_IMAGE, { cmd: ['/bin/sh'] });
    const r = await podman(['load', '-i', archive], { timeout: 120_000 });
    if (r.exitCode !== 0) throw new Error(`podman load failed: ${r.stderr}`);
    rmSync(work, { recursive: true, force: true });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { dir, root, runroot, containersConf, podman, stop };
}
