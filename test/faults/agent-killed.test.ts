/**
 * Fault: the seccomp agent is SIGKILLed while a smythos-alternative container runs. The
 * container keeps trying write-opens (outside /output) and finally an exec; with the agent
 * gone the kernel must answer every notified call with an error (the listener is closed), so
 * nothing the agent would deny succeeds, and nothing hangs.
 *
 * The in-container script uses busybox ash builtins only (the profile denies fork and a second
 * exec): `[`, `echo`, `$((...))`, redirections and globs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, removeTemplate } from '../helpers/bundle.js';
import { makeWorld, removeWorld, stopAgent, type World } from '../bad-input/harness.js';
import { alive, faultSkipReason, readPid, sleep, startShim } from './support.js';

const skip = faultSkipReason(true);
if (skip) console.warn(`SKIP faults/agent-killed: ${skip}`);

const ticks = (out: string) => [...out.matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(skip)('seccomp agent killed mid-run', () => {
  let world: World;
  const stopFiles: string[] = [];
  beforeAll(() => {
    world = makeWorld('openclaw-fault-agent-');
  });
  afterAll(() => {
    for (const f of stopFiles) rmSync(f, { force: true });
    stopAgent(world);
    removeWorld(world);
    removeTemplate();
  });

  it('no denied write-open or exec succeeds after the agent dies', async () => {
    const id = `oc-agentkill-${process.pid}`;
    // smythos-alternative binds this container's own input directory (<jobs.dir>/<id>/input,
    // created at create) at /input, read-only: the stop signal.
    const stopFile = join(world.work, 'jobs', id, 'input', `stop-${id}`);
    stopFiles.push(stopFile);
    const script = [
      'i=0',
      'echo started',
      `while [ ! -e /input/stop-${id} ]; do`,
      '  i=$((i+1))',
      // 2>&1, not 2>/dev/null: opening /dev/null for writing goes through the agent too, and a
      // failed redirection would skip the attempt itself.
      '  if { echo x > /dev/shm/f$i; } 2>&1; then echo "WROTE /dev/shm/f$i"; fi',
      '  if { echo x >> /dev/shm/append; } 2>&1; then echo "WROTE /dev/shm/append $i"; fi',
      '  if { echo x > /tmp/f$i; } 2>&1; then echo "WROTE /tmp/f$i"; fi',
      '  if [ $((i % 100)) -eq 0 ]; then echo "tick $i"; fi',
      'done',
      'echo "loop-end $i"',
      'echo "shm:" /dev/shm/*',
      'echo "tmp:" /tmp/*',
      'exec /bin/echo EXEC-RAN',
    ].join('\n');
    const b = makeBundle(['/bin/sh', '-c', script], { parent: world.work });
    const out = join(world.work, 'run.out');
    const err = join(world.work, 'run.err');
    const run = startShim(['--profile', 'smythos-alternative', '--openclaw-config', world.configToml, '--root', world.runcRoot, 'run', '--bundle', b.dir, id], out, err);
    const stdout = () => (existsSync(out) ? readFileSync(out, 'utf8') : '');

    await waitFor('the loop to run with the agent alive', () => ticks(stdout()).length >= 2);
    const agentPid = readPid(`${world.agentSocket}.lock`);
    expect(agentPid, 'no agent pid in the lock file').toBeDefined();
    expect(alive(agentPid!)).toBe(true);
    process.kill(agentPid!, 'SIGKILL');
    await waitFor('the agent to die', () => !alive(agentPid!), 5_000);
    const atKill = Math.max(...ticks(stdout()));

    // The loop must keep going (no call hangs on a dead listener) for a while without the agent.
    await waitFor('the loop to go on after the kill', () => Math.max(...ticks(stdout())) >= atKill + 300);
    writeFileSync(stopFile, '');
    const exit = await Promise.race([run.done, sleep(30_000).then(() => undefined)]);
    expect(exit, 'the container did not finish').toBeDefined();

    const text = stdout();
    if (process.env.FAULT_DEBUG) console.log(text.slice(-1500), ticks(text).length, atKill, readFileSync(err, 'utf8').slice(-1500));
    const stderr = readFileSync(err, 'utf8');
    expect(text).toMatch(/^loop-end \d+$/m);
    // Attempts were made and answered on both sides of the kill: the agent's EPERM before,
    // the kernel's ENOSYS (no listener) after.
    const before = text.slice(0, text.indexOf(`tick ${atKill}\n`));
    const after = text.slice(text.indexOf(`tick ${atKill}\n`));
    expect(before).toMatch(/can't create \/dev\/shm\/f\d+: Operation not permitted/);
    expect(after).toMatch(/can't create \/dev\/shm\/f\d+: Function not implemented/);
    expect(text, 'a write-open outside /output succeeded').not.toMatch(/WROTE/);
    expect(text).toMatch(/^shm: \/dev\/shm\/\*$/m); // the glob matched nothing
    expect(text).toMatch(/^tmp: \/tmp\/\*$/m);
    expect(text, 'a second exec succeeded').not.toMatch(/EXEC-RAN/);
    expect(exit!.code).not.toBe(0);
    expect(stderr).toMatch(/exec: .*\/bin\/echo: (Function not implemented|Operation not permitted)/);
    b.cleanup();
  });
});
