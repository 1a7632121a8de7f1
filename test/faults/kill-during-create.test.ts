/**
 * Fault: the shim is SIGKILLed at a random moment of `create` (the Node path, whose own process
 * merges: NODE_PATH_SHIM; the resident service killed mid-merge is test/faults/service.test.ts). config.json must then be either
 * byte-identical to the original or byte-identical to the fully merged file (`merge` prints
 * exactly what create writes), never a mix, and no temporary file may stay in the bundle.
 * Delays are 0..300 ms; every other iteration aims at the window where the write happens,
 * measured first with one create that is not killed (here: written ~130 ms after spawn,
 * exit ~170 ms; slower machines get a later window, so both outcomes are still reached).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTemplate, which } from '../helpers/bundle.js';
import { shim } from '../helpers/shim.js';
import { makeWorld, removeWorld, runcContainers, type World } from '../bad-input/harness.js';
import { spawnSync } from 'node:child_process';
import { bundleOn, faultSkipReason, NODE_PATH_SHIM, rootfsBundle, startShim, sleep, waitGroupGone } from './support.js';

const skip = faultSkipReason();
if (skip) console.warn(`SKIP faults/kill-during-create: ${skip}`);

const ITERATIONS = Number(process.env.FAULT_KILL_ITERATIONS ?? 40);

describe.skipIf(skip)('shim SIGKILLed during create', () => {
  let world: World;
  beforeAll(() => {
    world = makeWorld('openclaw-fault-kill-');
  });
  afterAll(() => {
    removeWorld(world);
    removeTemplate();
  });

  it(`config.json is the original or the merged file, never partial (${ITERATIONS} kills)`, async () => {
    const rootfs = rootfsBundle(world.work).rootfs;
    const dir = join(world.work, 'bundle');
    const configPath = bundleOn(rootfs, dir, ['/bin/sh', '-c', 'exit 0']);
    const original = readFileSync(configPath);
    const m = shim(['--profile', 'default', '--openclaw-config', world.configToml, 'merge', '--bundle', dir, 'probe']);
    expect(m.status, m.stderr).toBe(0);
    const merged = Buffer.from(m.stdout);
    expect(merged.equals(original)).toBe(false);

    // Where the write happens on this machine: one create, config.json polled every 2 ms.
    const probe = startShim(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, `oc-kill-probe-${process.pid}`], join(world.work, 'out'), join(world.work, 'err'), [], NODE_PATH_SHIM);
    const t0 = Date.now();
    let writtenAt: number | undefined;
    let exitedAt: number | undefined;
    void probe.done.then(() => (exitedAt = Date.now() - t0));
    while (exitedAt === undefined) {
      if (writtenAt === undefined && !readFileSync(configPath).equals(original)) writtenAt = Date.now() - t0;
      await sleep(2);
    }
    expect(await waitGroupGone(probe.child.pid!)).toBe(true);
    spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', `oc-kill-probe-${process.pid}`]);
    expect(writtenAt, readFileSync(join(world.work, 'err'), 'utf8')).toBeDefined();
    const lo = Math.floor(writtenAt! * 0.7);
    const hi = Math.max(exitedAt, writtenAt! + 20);
    const span = Math.max(300, hi);
    console.log(`kill-during-create: written at ${writtenAt} ms, exit at ${exitedAt} ms; aiming at ${lo}..${hi} ms`);

    const outcomes = { original: 0, merged: 0 };
    // A temp file is left only by a writer SIGKILLed between creating it and the rename (there is
    // no cleanup after SIGKILL); the next create that writes removes it (writeFileAtomic). So a
    // leftover between iterations must be a killed shim's own, and after one create that runs to
    // the end none may remain.
    const killedPids = new Set<number>();
    const leftovers: string[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
      writeFileSync(configPath, original);
      const id = `oc-kill-${process.pid}-${i}`;
      const delay = i % 2 === 0 ? Math.floor(Math.random() * (span + 1)) : lo + Math.floor(Math.random() * (hi - lo + 1));
      const run = startShim(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, id], join(world.work, 'out'), join(world.work, 'err'), [], NODE_PATH_SHIM);
      await sleep(delay);
      try {
        process.kill(run.child.pid!, 'SIGKILL');
        killedPids.add(run.child.pid!);
      } catch {
        /* already exited */
      }
      await run.done;
      // runc, if the shim had started it, finishes on its own: wait for it, then clean up.
      expect(await waitGroupGone(run.child.pid!)).toBe(true);
      spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', id]);

      const now = readFileSync(configPath);
      const state = now.equals(original) ? 'original' : now.equals(merged) ? 'merged' : 'partial';
      expect(state, `iteration ${i}, killed after ${delay} ms: config.json is neither the original nor the merged file (${now.length} bytes)`).not.toBe('partial');
      outcomes[state as 'original' | 'merged']++;
      for (const name of readdirSync(dir)) {
        if (name === 'config.json') continue;
        const writer = Number(/^\.config\.json\.openclaw-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
        if (!killedPids.has(writer)) leftovers.push(`${name} (iteration ${i}, ${delay} ms)`);
      }
    }
    // One create to the end on the same bundle: whatever a killed writer left is gone after it.
    writeFileSync(configPath, original);
    const last = startShim(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, `oc-kill-last-${process.pid}`], join(world.work, 'out'), join(world.work, 'err'), [], NODE_PATH_SHIM);
    await last.done;
    expect(await waitGroupGone(last.child.pid!)).toBe(true);
    spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', `oc-kill-last-${process.pid}`]);
    expect(readFileSync(configPath).equals(merged)).toBe(true);
    expect(readdirSync(dir).filter((n) => n !== 'config.json')).toEqual([]);
    console.log(`kill-during-create: ${outcomes.original} original, ${outcomes.merged} merged, leftovers: ${leftovers.length ? leftovers.join(', ') : 'none'}`);
    // Both outcomes were reached, so the kills did land on both sides of the write.
    expect(outcomes.original).toBeGreaterThan(0);
    expect(outcomes.merged).toBeGreaterThan(0);
    expect(leftovers).toEqual([]);
    expect(runcContainers(world.runcRoot)).toEqual([]);
  });

  // Deterministic version of the narrow window: strace delays the shim's rename of the temporary
  // file over config.json by 3 s, the shim is killed inside it (the written temp file exists). config.json must be the original; the temporary
  // file the dead shim left must be gone once the next create on that bundle has run.
  // Product bug (see the report): util/atomic-file.ts writeFileAtomic names its temp file
  // .config.json.openclaw-<pid>-<hex> and nothing ever removes one whose writer died.
  (which("strace") ? it : it.skip)('a temp file left by a create killed while writing is gone after the next create', async () => {
    const rootfs = rootfsBundle(world.work).rootfs;
    const dir = join(world.work, 'bundle-strace');
    const configPath = bundleOn(rootfs, dir, ['/bin/sh', '-c', 'exit 0']);
    const original = readFileSync(configPath);
    const id = `oc-kill-strace-${process.pid}`;
    const run = startShim(
      ['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, id],
      join(world.work, 'out'),
      join(world.work, 'err'),
      ['strace', '-f', '-o', '/dev/null', '-e', 'trace=rename,renameat,renameat2', '-e', 'inject=rename,renameat,renameat2:delay_enter=3000000'],
      NODE_PATH_SHIM,
    );
    const temp = () => readdirSync(dir).filter((n) => n !== 'config.json');
    const deadline = Date.now() + 20_000;
    while (temp().length === 0 && Date.now() < deadline) await sleep(10);
    expect(temp(), 'the shim never created its temporary file').not.toEqual([]);
    process.kill(-run.child.pid!, 'SIGKILL'); // strace and the shim it runs
    await run.done;
    expect(await waitGroupGone(run.child.pid!)).toBe(true);
    expect(readFileSync(configPath).equals(original)).toBe(true);

    const next = shim(['--profile', 'default', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'create', '--bundle', dir, `${id}-2`], { detached: true });
    expect(next.status, next.stderr).toBe(0);
    spawnSync('runc', ['--root', world.runcRoot, 'delete', '--force', `${id}-2`]);
    expect(temp()).toEqual([]);
  });
});
