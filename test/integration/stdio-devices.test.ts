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
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, SHIM, which, type Bundle } from '../helpers/bundle.js';
import { runc } from '../helpers/shim.js';

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
