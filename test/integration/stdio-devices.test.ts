/**
 * A container with a user namespace whose stdin is the host's /dev/null (what dockerd and
 * containerd give a container without -i) must not change the host's /dev/null. crun 1.8.1
 * fchowns the container's stdio to the container's root before entering the user namespace,
 * /dev/null included: the host's /dev/null became owned by uid 100000 (seen here, crun issue
 * 1845). The shim hands the runtime a private alias of the node instead (host/stdio-alias.ts).
 * Run on crun (the runtime that shows the break) and runc.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, SHIM, which, type Bundle } from '../helpers/bundle.js';
import { runc } from '../helpers/shim.js';
import { stopAgent } from '../helpers/agent.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/stdio-devices: ${skip}`);
const crun = which('crun');
if (!crun) console.warn('SKIP integration/stdio-devices under crun: crun is not installed (scripts/install-system-deps.sh installs it)');

describe.skipIf(skip)('stdio device nodes under a user namespace', () => {
  let work: string;
  const bundles: Bundle[] = [];
  let n = 0;
  const before = statSync('/dev/null');

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-stdio-'));
    chmodSync(work, 0o711);
  });
  // Whatever a case did, the next one (and the host) gets /dev/null back as it was.
  afterEach(() => chownSync('/dev/null', before.uid, before.gid));
  afterAll(() => {
    stopAgent(join(work, 'agent', 'agent.sock'));
    for (const root of ['runc', 'crun']) {
      for (const c of runc(['--root', join(work, root), 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', join(work, root), 'delete', '--force', c]);
    }
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
  });

  function runWithDevNullStdin(runtime: string) {
    const toml = join(work, `${runtime}.toml`);
    writeFileSync(toml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${join(work, 'agent', 'agent.sock')}"\ndenial_log = "${join(work, 'denials.log')}"\n[runtime]\ncandidates = ["${which(runtime)}"]\n`);
    const b = makeBundle(['/bin/sh', '-c', 'read line; echo "stdin_eof=$?"; [ -e /proc/self/fd/0 ] && echo stdin_open=yes']);
    bundles.push(b);
    // crun 1.8.1 refuses the hybrid cgroup layout unless the v2 mount is hidden (FIELD-NOTES).
    const hide = runtime === 'crun' && existsSync('/sys/fs/cgroup/unified') ? 'mount -t tmpfs tmpfs /sys/fs/cgroup/unified && ' : '';
    const devNull = openSync('/dev/null', 'r');
    try {
      const args = ['--profile', 'model-backend', '--openclaw-config', toml, '--root', join(work, runtime), 'run', '--bundle', b.dir, `oc-stdio-${process.pid}-${++n}`];
      return spawnSync('unshare', ['-m', 'sh', '-c', `${hide}exec "$0" "$@"`, SHIM, ...args], { encoding: 'utf8', stdio: [devNull, 'pipe', 'pipe'], env: { ...process.env, OPENCLAW_CONFIG: '' }, timeout: 60_000 });
    } finally {
      closeSync(devNull);
    }
  }

  for (const runtime of ['crun', 'runc']) {
    it.skipIf(runtime === 'crun' && !crun)(`${runtime}: the container reads EOF from stdin and the host's /dev/null keeps its owner and mode`, () => {
      const r = runWithDevNullStdin(runtime);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('stdin_eof=1');
      expect(r.stdout).toContain('stdin_open=yes');
      const after = statSync('/dev/null');
      expect({ uid: after.uid, gid: after.gid, mode: after.mode }).toEqual({ uid: before.uid, gid: before.gid, mode: before.mode });
    });
  }
});

/**
 * The same rule through both launchers, seen by the runtime itself: a recording runtime (in
 * `[runtime] candidates`, as an admin would layer one) notes what its fd 0 is, then execs
 * runc. With a user namespace, fd 0 must be a device with /dev/null's numbers but not the
 * host's /dev/null inode. The native launcher gets the alias directory from the resident
 * service and makes the alias itself; the sh launcher goes through Node.
 */
describe.skipIf(skip)('stdio device aliases reach the runtime through both launchers', () => {
  let work: string;
  let recorder: string;
  const bundles: Bundle[] = [];
  let n = 0;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-stdio-launchers-'));
    chmodSync(work, 0o711);
    recorder = join(work, 'recording-runtime');
    writeFileSync(recorder, `#!/bin/sh\ncase " $* " in *" run "*) stat -L -c '%d:%i:%t:%T' /proc/self/fd/0 > ${work}/fd0.$$ ;; esac\nexec ${which('runc')} "$@"\n`, { mode: 0o755 });
  });
  afterAll(() => {
    stopAgent(join(work, 'agent', 'agent.sock'));
    for (const c of runc(['--root', join(work, 'root'), 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', join(work, 'root'), 'delete', '--force', c]);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
  });

  for (const launcher of ['openclaw-runtime', 'openclaw-runtime.sh']) {
    it(`${launcher}: the runtime's stdin is a private alias of /dev/null, not the host's node`, () => {
      const toml = join(work, 'config.toml');
      writeFileSync(toml, `[state]\ndir = "${join(work, 'state')}"\n[jobs]\ndir = "${join(work, 'jobs')}"\n[agent]\nsocket = "${join(work, 'agent', 'agent.sock')}"\ndenial_log = "${join(work, 'denials.log')}"\n[runtime]\ncandidates = ["${recorder}"]\n`);
      const b = makeBundle(['/bin/sh', '-c', 'read line; echo "stdin_eof=$?"']);
      bundles.push(b);
      const devNull = openSync('/dev/null', 'r');
      let r;
      try {
        r = spawnSync(join(SHIM, '..', launcher), ['--profile', 'model-backend', '--openclaw-config', toml, '--root', join(work, 'root'), 'run', '--bundle', b.dir, `oc-alias-${process.pid}-${++n}`], { encoding: 'utf8', stdio: [devNull, 'pipe', 'pipe'], env: { ...process.env, OPENCLAW_CONFIG: '' }, timeout: 60_000 });
      } finally {
        closeSync(devNull);
      }
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('stdin_eof=1\n');
      const recorded = readdirSync(work).filter((f) => f.startsWith('fd0.')).map((f) => readFileSync(join(work, f), 'utf8').trim());
      expect(recorded).toHaveLength(n);
      const [dev, ino, major, minor] = recorded[n - 1]!.split(':');
      const host = statSync('/dev/null');
      expect(`${major}:${minor}`).toBe('1:3');
      expect(`${dev}:${ino}`).not.toBe(`${host.dev}:${host.ino}`);
    });
  }
});
