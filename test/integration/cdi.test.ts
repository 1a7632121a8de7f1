/**
 * CDI injection through the real binary and real runc, with fake device nodes: spec files in
 * a root-only directory, a node made with mknod (a major no driver claims, so nothing can use
 * it, but its type and numbers are visible), a "driver library" bind-mounted read-only, an
 * env edit and a prestart hook. Checked from inside the container (stat, the device cgroup's
 * allow list, the mounted file) and on the host (the hook ran).
 * The hostile local user's side: a spec directory anyone can write to, and a spec file that
 * is a symlink, are refused with the file named, and config.json stays byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/cdi: ${skip}`);

// Major 240 is reserved for local/experimental use: no driver here claims it.
const FAKE_MAJOR = 240;

describe.skipIf(skip)('CDI devices under real runc', () => {
  let dir: string; // root-only: /run is root's, 0755
  let specDir: string;
  let configToml: string;
  let root: string;
  const bundles: Bundle[] = [];
  let n = 0;
  const id = () => `oc-cdi-${process.pid}-${++n}`;

  function writeSpec(name: string, devicesCdi: string[], specDirs: string[]): string {
    const profile = join(dir, `${name}.yaml`);
    const base = readFileSync(join(__dirname, '..', '..', 'profiles', 'default.yaml'), 'utf8');
    writeFileSync(profile, base.replace(/^  name: default$/m, `  name: ${name}`).replace(/^  devices:[\s\S]*?(?=^\S|^  \S)/m, '') + `  devices:\n    cdi: [${devicesCdi.map((d) => JSON.stringify(d)).join(', ')}]\n`);
    writeFileSync(configToml, `[state]\ndir = "${join(dir, 'state')}"\n[cdi]\nspec_dirs = [${specDirs.map((d) => JSON.stringify(d)).join(', ')}]\n`);
    return profile;
  }

  beforeAll(() => {
    dir = mkdtempSync('/run/openclaw-cdi-test-');
    chmodSync(dir, 0o755);
    specDir = join(dir, 'cdi');
    mkdirSync(specDir, { mode: 0o755 });
    execFileSync('mknod', ['-m', '0666', join(dir, 'fakegpu0'), 'c', String(FAKE_MAJOR), '7']);
    writeFileSync(join(dir, 'libfakecuda.so'), 'fake driver library\n', { mode: 0o644 });
    writeFileSync(join(dir, 'hook.sh'), `#!/bin/sh\necho ran > ${join(dir, 'hook-ran')}\n`, { mode: 0o755 });
    writeFileSync(
      join(specDir, 'fake.yaml'),
      [
        'cdiVersion: 0.6.0',
        'kind: example.com/gpu',
        'devices:',
        '  - name: "0"',
        '    containerEdits:',
        '      deviceNodes:',
        `        - { path: /dev/nvidia0, hostPath: ${join(dir, 'fakegpu0')}, permissions: rw }`,
        'containerEdits:',
        '  env: [FAKE_CUDA=1]',
        `  mounts: [{ hostPath: ${join(dir, 'libfakecuda.so')}, containerPath: /usr/lib/libcuda.so.1, options: [ro, nosuid, nodev, bind] }]`,
        `  hooks: [{ hookName: prestart, path: ${join(dir, 'hook.sh')} }]`,
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    configToml = join(dir, 'config.toml');
    root = mkdtempSync(join(tmpdir(), 'openclaw-cdi-root-'));
  });

  afterAll(() => {
    for (const c of runc(['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root, 'delete', '--force', c]);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(dir, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('injects the node, the library, the env and the hook; the kernel agrees from inside', () => {
    const profile = writeSpec('cdi-ok', ['example.com/gpu=0'], [specDir]);
    const b = makeBundle(['/bin/sh', '-c', 'stat -c "node=%F %t:%T" /dev/nvidia0; echo "lib=$(cat /usr/lib/libcuda.so.1)"; echo "env=$FAKE_CUDA"; grep -c "^c f0:7 rw$\\|^c 240:7 rw$" /sys/fs/cgroup/devices/devices.list | sed "s/^/rule=/"; { echo x > /usr/lib/libcuda.so.1; } 2>/dev/null && echo lib_writable=yes || echo lib_writable=no']);
    bundles.push(b);
    const r = shim(['--profile', profile, '--openclaw-config', configToml, '--root', root, 'run', '--bundle', b.dir, id()]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`node=character special file f0:7`);
    expect(r.stdout).toContain('lib=fake driver library');
    expect(r.stdout).toContain('env=1');
    expect(r.stdout).toContain('rule=1');
    expect(r.stdout).toContain('lib_writable=no');
    expect(readFileSync(join(dir, 'hook-ran'), 'utf8')).toBe('ran\n');
  });

  it('an unknown device is refused naming the profile field; config.json untouched', () => {
    const profile = writeSpec('cdi-unknown', ['example.com/gpu=9'], [specDir]);
    const b = makeBundle(['/bin/true']);
    bundles.push(b);
    const before = readFileSync(b.configPath);
    const r = shim(['--profile', profile, '--openclaw-config', configToml, '--root', root, 'create', '--bundle', b.dir, id()], { detached: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.devices\.cdi\[0\].*example\.com\/gpu=9 is not defined.*use one of example\.com\/gpu=0/s);
    expect(readFileSync(b.configPath)).toEqual(before);
  });

  it('a local user who can write the spec directory cannot plant devices: the directory is refused', () => {
    const open = mkdtempSync(join(tmpdir(), 'openclaw-cdi-open-'));
    chmodSync(open, 0o777);
    writeFileSync(join(open, 'evil.yaml'), readFileSync(join(specDir, 'fake.yaml')));
    chownSync(join(open, 'evil.yaml'), 1000, 1000);
    const profile = writeSpec('cdi-open', ['example.com/gpu=0'], [open]);
    const b = makeBundle(['/bin/true']);
    bundles.push(b);
    const before = readFileSync(b.configPath);
    const r = shim(['--profile', profile, '--openclaw-config', configToml, '--root', root, 'create', '--bundle', b.dir, id()], { detached: true });
    rmSync(open, { recursive: true, force: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/cdi\.spec_dirs.*not root-only.*writable by everyone/s);
    expect(readFileSync(b.configPath)).toEqual(before);
  });

  it('a spec file that is a symlink is not followed', () => {
    const linked = join(dir, 'linked');
    mkdirSync(linked, { mode: 0o755 });
    symlinkSync(join(specDir, 'fake.yaml'), join(linked, 'fake.yaml'));
    const profile = writeSpec('cdi-link', ['example.com/gpu=0'], [linked]);
    const b = makeBundle(['/bin/true']);
    bundles.push(b);
    const r = shim(['--profile', profile, '--openclaw-config', configToml, '--root', root, 'create', '--bundle', b.dir, id()], { detached: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${join(linked, 'fake.yaml')}: a CDI spec must be a regular file`);
    expect(existsSync(join(b.rootfs, 'dev', 'nvidia0'))).toBe(false);
  });
});
