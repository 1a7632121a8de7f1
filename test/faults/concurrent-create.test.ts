/**
 * Fault: 50 creates at once (default profile, distinct ids and bundles, one private runc
 * root, one shared rootfs). All must succeed, each bundle must hold exactly the merged file,
 * runc must list all 50; then every one is deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemplate } from '../helpers/bundle.js';
import { shim } from '../helpers/shim.js';
import { makeWorld, removeWorld, runcContainers, type World } from '../bad-input/harness.js';
import { bundleOn, faultSkipReason, rootfsBundle, startShim } from './support.js';

const skip = faultSkipReason();
if (skip) console.warn(`SKIP faults/concurrent-create: ${skip}`);

const N = 50;

describe.skipIf(skip)(`${N} concurrent creates`, () => {
  let world: World;
  beforeAll(() => {
    world = makeWorld('openclaw-fault-conc-');
  });
  afterAll(() => {
    removeWorld(world);
    removeTemplate();
  });

  it('all succeed with the merged config, and all delete', async () => {
    const rootfs = rootfsBundle(world.work).rootfs;
    const dirs = Array.from({ length: N }, (_, i) => join(world.work, `b${i}`));
    dirs.forEach((d) => bundleOn(rootfs, d, ['/bin/sh', '-c', 'exit 0']));
    const m = shim(['--profile', 'default', '--openclaw-config', world.configToml, 'merge', '--bundle', dirs[0]!, 'x']);
    expect(m.status, m.stderr).toBe(0);
    const ids = dirs.map((_, i) => `oc-conc-${process.pid}-${i}`);

    const t0 = Date.now();
    const runs = dirs.map((d, i) =>
      startShim(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', d, ids[i]!], join(d, 'out'), join(d, 'err')),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    console.log(`${N} concurrent creates took ${Date.now() - t0} ms`);
    const failed = results.map((r, i) => ({ ...r, i, err: readFileSync(join(dirs[i]!, 'err'), 'utf8') })).filter((r) => r.code !== 0);
    expect(failed, failed.map((f) => `#${f.i}: ${f.code ?? f.signal} ${f.err}`).join('\n')).toEqual([]);
    for (const d of dirs) expect(readFileSync(join(d, 'config.json'), 'utf8')).toBe(m.stdout);
    expect(runcContainers(world.runcRoot).sort()).toEqual([...ids].sort());
    // Deleted through the shim too, ten at a time.
    for (let i = 0; i < N; i += 10) {
      const batch = ids.slice(i, i + 10).map((id) => startShim(['--openclaw-config', world.configToml, '--root', world.runcRoot, 'delete', '--force', id], join(world.work, `del-${id}.out`), join(world.work, `del-${id}.err`)));
      const done = await Promise.all(batch.map((b) => b.done));
      done.forEach((d, k) => expect(d.code, readFileSync(join(world.work, `del-${ids[i + k]}.err`), 'utf8')).toBe(0));
    }
    expect(runcContainers(world.runcRoot)).toEqual([]);
  });
});
