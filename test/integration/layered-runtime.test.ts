/**
 * Layering: an admin who puts another OCI runtime in `[runtime] candidates` (nvidia-container-
 * runtime, runsc, crun) gets the shim's merge first and that runtime's own work after. The
 * stand-in here is a recording runtime: a script that saves the argv and the config.json it
 * was handed, then execs runc, as nvidia-container-runtime does after its own modifications.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, which, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/layered-runtime: ${skip}`);

describe.skipIf(skip)('a layered low-level runtime after the merge', () => {
  let dir: string;
  let root: string;
  let configToml: string;
  const bundles: Bundle[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-layered-'));
    root = join(dir, 'runc-root');
    const recorder = join(dir, 'recording-runtime');
    // Records what it was given, then hands over like nvidia-container-runtime does.
    writeFileSync(
      recorder,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/argv.$$\nfor a in "$@"; do case $prev in --bundle|-b) cp "$a/config.json" ${dir}/config.$$.json;; esac; prev=$a; done\nexec ${which('runc')} "$@"\n`,
    );
    chmodSync(recorder, 0o755);
    configToml = join(dir, 'config.toml');
    writeFileSync(configToml, `[runtime]\ncandidates = ["${recorder}"]\n[state]\ndir = "${join(dir, 'state')}"\n`);
  });
  afterAll(() => {
    for (const c of runc(['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root, 'delete', '--force', c]);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the layered runtime receives the merged config.json and runc\'s argv without the shim\'s flags', () => {
    const b = makeBundle(['/bin/sh', '-c', 'grep NoNewPrivs /proc/self/status']);
    bundles.push(b);
    const id = `oc-layered-${process.pid}`;
    const r = shim(['--profile', 'default', '--openclaw-config', configToml, '--root', root, 'run', '--bundle', b.dir, id]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
    const files = readdirSync(dir);
    const argvFile = files.find((f) => f.startsWith('argv.'))!;
    const configFile = files.find((f) => f.startsWith('config.'))!;
    expect(readFileSync(join(dir, argvFile), 'utf8').trim().split('\n')).toEqual(['--root', root, 'run', '--bundle', b.dir, id]);
    const seen = JSON.parse(readFileSync(join(dir, configFile), 'utf8'));
    expect(seen.annotations['org.openclaw.profile.applied']).toBe('default');
    expect(seen.process.noNewPrivileges).toBe(true);
    expect(seen.linux.seccomp.defaultAction).toBe('SCMP_ACT_ERRNO');
  });
});
