/**
 * Fault: the disk that holds the bundle is full when the merged config.json is written. The
 * bundle sits on a small tmpfs we mount (and unmount), filled until the merged file (several
 * times larger than runc's spec: the default profile's seccomp filter) cannot fit. create must
 * fail with a clear error (ENOSPC, naming config.json and the fix) in stderr and in the --log
 * file, leave the original config.json byte for byte, leave no temp file, and start nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readdirSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemplate } from '../helpers/bundle.js';
import { lastErrorMsg, makeWorld, removeWorld, runCreate, runcContainers, type World } from '../bad-input/harness.js';
import { bundleOn, faultSkipReason, rootfsBundle } from './support.js';

const skip = faultSkipReason();
if (skip) console.warn(`SKIP faults/full-disk: ${skip}`);

/** Writes zeros to `file` until the filesystem has at most `leave` bytes free. */
function fillUntil(dir: string, file: string, leave: number): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) {
      const s = statfsSync(dir);
      if (s.bavail * s.bsize <= leave) break;
      try {
        writeSync(fd, chunk);
      } catch {
        break; // ENOSPC: full already
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(skip)('disk full while writing config.json', () => {
  let world: World;
  let mnt: string | undefined;
  beforeAll(() => {
    world = makeWorld('openclaw-fault-disk-');
  });
  afterAll(() => {
    if (mnt) spawnSync('umount', [mnt]);
    removeWorld(world);
    removeTemplate();
  });

  it('create fails with ENOSPC naming config.json; the original is intact', () => {
    const rootfs = rootfsBundle(world.work).rootfs;
    mnt = join(world.work, 'small');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'openclaw-test-full', mnt]);
    const dir = join(mnt, 'bundle');
    const configPath = bundleOn(rootfs, dir, ['/bin/sh', '-c', 'exit 0']);
    const original = readFileSync(configPath);
    // The merged file is ~18 KiB; leave room for a little but not for it.
    fillUntil(mnt, join(mnt, 'filler'), 8192);
    const entries = readdirSync(dir).sort();

    const r = runCreate(world, ['--profile', 'default', '--openclaw-config', world.configToml], dir, `oc-full-${process.pid}`, join(world.work, 'log.json'));
    expect(r.status).not.toBe(0);
    const msg = lastErrorMsg(r.log);
    for (const text of [r.stderr, msg ?? '']) {
      expect(text).toContain(configPath);
      expect(text).toContain('ENOSPC');
      expect(text).toMatch(/fix: free space/);
      expect(text).toMatch(/original is unchanged/);
    }
    expect(readFileSync(configPath).equals(original)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(entries);
    expect(runcContainers(world.runcRoot)).toEqual([]);

    execFileSync('umount', [mnt]);
    mnt = undefined;
  });
});
