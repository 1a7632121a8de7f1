/**
 * Builds a `docker save`-format image archive from a root filesystem directory without any
 * daemon or registry: one layer (tar of the directory), an image config, and manifest.json
 * with the image's name. `ctr images import` and `podman load` both read this format, so the
 * CRI and Podman suites get their images without a dockerd.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmd } from './daemons.js';

export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Writes `<work>/<name>.tar` (docker-archive) for `rootfs`, tagged `tag`; returns its path. */
export async function writeImageArchive(work: string, rootfs: string, tag: string, config: ImageConfig): Promise<string> {
  const dir = join(work, `archive-${sha256(tag).slice(0, 12)}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'layer'), { recursive: true });
  const layer = join(dir, 'layer', 'layer.tar');
  const t = await cmd('tar', ['--numeric-owner', '-C', rootfs, '-cf', layer, '.'], { timeout: 60_000 });
  if (t.exitCode !== 0) throw new Error(`tar of ${rootfs} failed: ${t.stderr}`);
  const diffId = `sha256:${sha256(readFileSync(layer))}`;
  const imageConfig = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: config.entrypoint ?? null, Cmd: config.cmd ?? null, Labels: config.labels ?? {}, Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  });
  const configName = `${sha256(imageConfig)}.json`;
  writeFileSync(join(dir, configName), imageConfig);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: ['layer/layer.tar'] }]));
  const out = join(work, `${sha256(tag).slice(0, 12)}.tar`);
  const a = await cmd('tar', ['-C', dir, '-cf', out, 'manifest.json', configName, 'layer/layer.tar'], { timeout: 60_000 });
  if (a.exitCode !== 0) throw new Error(`tar of the image archive failed: ${a.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  return out;
}

/** The e2e busybox rootfs (scripts/build-test-image.sh without a daemon): `<work>/rootfs`. */
export async function buildTestRootfs(work: string): Promise<string> {
  const { REPO } = await import('./daemons.js');
  const r = await cmd(join(REPO, 'scripts', 'build-test-image.sh'), ['--work', work], { timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`build-test-image.sh failed (${r.exitCode}):\n${r.stdout}${r.stderr}`);
  return join(work, 'rootfs');
}

/** A rootfs holding only the static pause binary built from test/e2e/cri/pause.c. */
export async function buildPauseRootfs(work: string): Promise<string> {
  const { REPO } = await import('./daemons.js');
  const rootfs = join(work, 'pause-rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  const r = await cmd('gcc', ['-static', '-O2', '-o', join(rootfs, 'pause'), join(REPO, 'test', 'e2e', 'cri', 'pause.c')], { timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`building the pause binary failed: ${r.stderr}`);
  for (const d of ['proc', 'sys', 'dev', 'etc']) mkdirSync(join(rootfs, d));
  return rootfs;
}
