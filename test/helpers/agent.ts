/** Stops a seccomp agent the shim started for a test, by the pid in its lock file (`<socket>.lock`). */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTemplate, type Bundle } from './bundle.js';
import { runc } from './shim.js';

/** Whether a process with this pid exists (kill 0; a zombie counts). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function stopAgent(socket: string): void {
  const lock = `${socket}.lock`;
  if (!existsSync(lock)) return;
  const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
  if (!(pid > 0)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  // Until it has exited: it writes its last log lines (into the test's directory) on the way out,
  // and a caller that removes that directory next must not race them.
  // A zombie (our own child not yet reaped: this loop blocks the event loop) has exited too.
  const gone = (): boolean => {
    try {
      return / Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\)/, ')'));
    } catch {
      return true;
    }
  };
  const deadline = Date.now() + 10_000;
  while (!gone() && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  if (!gone()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
}

/**
 * A work directory for tests that run containers under profiles with the seccomp agent: 0711
 * (the state dir below it must be reachable by the mapped ids), and an openclaw config of its
 * own whose state and jobs dirs, agent socket and denial log all lie inside it.
 */
export function agentWorkDir(prefix: string): { work: string; socket: string; configToml: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(work, 0o711);
  const socket = join(work, 'agent', 'agent.sock');
  const configToml = join(work, 'config.toml');
  writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${socket}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
  return { work, socket, configToml };
}

/** Undoes a run of such tests: containers left in runc root `root`, the agent (by its pid), bundles, the rootfs template, the dirs. */
export function removeAgentWorkDir(work: string, socket: string, root: string, bundles: readonly Bundle[]): void {
  for (const line of runc(['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root, 'delete', '--force', line]);
  stopAgent(socket);
  for (const b of bundles) b.cleanup();
  removeTemplate();
  rmSync(work, { recursive: true, force: true });
  rmSync(root, { recursive: true, force: true });
}
