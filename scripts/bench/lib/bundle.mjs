/**
 * runc bundles for the benchmark: one busybox-static rootfs (`busybox --install -s`) with the
 * syscall benchmark in it, and bundles whose config.json comes from `runc spec`, pointing at
 * that rootfs by absolute path (so many bundles share it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SHIM, which } from './tools.mjs';

export function makeRootfs(dir, syscallsBinary) {
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(which('busybox'), join(rootfs, 'bin', 'busybox'));
  chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
  // From inside (chroot), so the applet links point at /bin/busybox, not at a host path.
  execFileSync('chroot', [rootfs, '/bin/busybox', '--install', '-s', '/bin']);
  copyFileSync(syscallsBinary, join(rootfs, 'syscalls'));
  chmodSync(join(rootfs, 'syscalls'), 0o755);
  writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  return rootfs;
}

/** A bundle running `args` on the shared rootfs; `edit` may change the config further. */
export function makeBundle(dir, rootfs, args, edit = (c) => c) {
  mkdirSync(dir, { recursive: true });
  execFileSync('runc', ['spec', '--bundle', dir]);
  const path = join(dir, 'config.json');
  const cfg = JSON.parse(readFileSync(path, 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = args;
  cfg.root = { path: rootfs, readonly: false };
  writeConfig(dir, edit(cfg));
  return dir;
}

export function writeConfig(bundle, cfg) {
  writeFileSync(join(bundle, 'config.json'), typeof cfg === 'string' ? cfg : `${JSON.stringify(cfg, null, 2)}\n`);
}

export function readConfigText(bundle) {
  return readFileSync(join(bundle, 'config.json'), 'utf8');
}

/** What `create` would write: `openclaw-runtime --profile P merge --bundle B` (stdout). */
export function mergedConfig(bundle, profile) {
  const r = spawnSync(SHIM, ['--profile', profile, 'merge', '--bundle', bundle], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`merge --profile ${profile} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`);
  return r.stdout;
}

/** Best-effort removal of a container by id (runc directly: nothing of the shim's to undo). */
export function forceDelete(id, via = 'runc') {
  spawnSync(via, ['delete', '--force', id], { stdio: 'ignore' });
}

/**
 * The runc baseline runs the config.json `merge` printed, whose job binds name a `dry-run`
 * job directory that only a real create makes (a host action). Makes the missing bind sources
 * (directories) so runc can run that config; the returned function removes what it made.
 */
export function makeBindSources(configText) {
  const made = [];
  for (const m of JSON.parse(configText).mounts ?? []) {
    const bind = m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
    if (!bind || typeof m.source !== 'string' || !m.source.startsWith('/') || existsSync(m.source)) continue;
    let top = m.source;
    while (!existsSync(dirname(top))) top = dirname(top);
    mkdirSync(m.source, { recursive: true });
    made.push(top);
  }
  return () => {
    for (const p of made.reverse()) rmSync(p, { recursive: true, force: true });
  };
}

/** The per-container job directories the shim's creates made (kept 24 h by default): the bench's own go. */
export function removeJobDirs(prefix, jobsDir = '/var/lib/openclaw/jobs') {
  let names = [];
  try {
    names = readdirSync(jobsDir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) rmSync(join(jobsDir, n), { recursive: true, force: true });
}
