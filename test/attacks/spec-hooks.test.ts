/**
 * A hostile config.json's hooks under real runc. runc runs prestart hooks on the host as root
 * during create: the control shows plain runc running one that writes a marker file on the
 * host. Through the shim the same config.json is refused (create and run), the marker never
 * appears, config.json is byte-identical and no container exists. A hook the admin config
 * allows (a root-only script) still runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { integrationSkipReason, makeBundle, removeTemplate, type Bundle } from '../helpers/bundle.js';
import { runc, shim } from '../helpers/shim.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP integration/spec-hooks: ${skip}`);

let work: string;
let root: string;
let configToml: string;
const bundles: Bundle[] = [];
let n = 0;
const id = () => `oc-hooks-${process.pid}-${++n}`;

/** A bundle whose config.json carries `hooks`; each marker path is fresh. */
function hostile(stage: string, marker: string): Bundle {
  const b = makeBundle(['/bin/true'], { parent: work });
  bundles.push(b);
  const cfg = b.readConfig();
  cfg.hooks = { [stage]: [{ path: '/bin/sh', args: ['sh', '-c', `echo ran-on-the-host > ${marker}`] }] };
  b.writeConfig(cfg);
  return b;
}

function lastLogError(logFile: string): string | undefined {
  if (!existsSync(logFile)) return undefined;
  const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  return lines.filter((l) => l.level === 'error').pop()?.msg;
}

describe.skipIf(skip)("a config.json's own hooks under real runc", () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `openclaw-hooks-${process.pid}-`));
    chmodSync(work, 0o711);
    root = join(work, 'runc-root');
    configToml = join(work, 'config.toml');
    writeFileSync(configToml, `[state]\ndir = "${join(work, 'state')}"\n[agent]\nsocket = "${join(work, 'agent', 'agent.sock')}"\ndenial_log = "${join(work, 'denials.log')}"\n`);
  });
  afterAll(() => {
    for (const line of runc(['--root', root, 'list', '-q']).stdout.split('\n').filter(Boolean)) runc(['--root', root, 'delete', '--force', line]);
    for (const b of bundles) b.cleanup();
    removeTemplate();
    rmSync(work, { recursive: true, force: true });
  });

  it('control: plain runc runs a prestart hook on the host at create', () => {
    const marker = join(work, 'marker-control');
    const b = hostile('prestart', marker);
    const c = id();
    // stdio to /dev/null: the created container keeps what it inherits (a pipe would stay open).
    const logFile = join(work, 'log-control.json');
    const r = spawnSync('runc', ['--root', root, '--log', logFile, '--log-format', 'json', 'create', '--bundle', b.dir, c], { stdio: 'ignore', timeout: 60_000 });
    expect(r.status, lastLogError(logFile)).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran-on-the-host\n');
    runc(['--root', root, 'delete', '--force', c]);
  });

  it.each([
    { stage: 'prestart', command: 'create' },
    { stage: 'prestart', command: 'run' },
    { stage: 'createRuntime', command: 'create' },
    { stage: 'createContainer', command: 'create' },
    { stage: 'poststart', command: 'run' },
    { stage: 'poststop', command: 'run' },
  ])('through the shim: a $stage hook is refused at $command, and never runs', ({ stage, command }) => {
    const marker = join(work, `marker-${stage}-${command}`);
    const b = hostile(stage, marker);
    const before = readFileSync(b.configPath);
    const logFile = join(work, `log-${stage}-${command}.json`);
    const c = id();
    const r = shim(['--profile', 'default', '--openclaw-config', configToml, '--root', root, '--log', logFile, '--log-format', 'json', command, '--bundle', b.dir, c], { detached: true });
    expect(r.status).not.toBe(0);
    for (const text of [r.stderr, lastLogError(logFile) ?? '']) {
      expect(text).toContain(b.configPath);
      expect(text).toContain(`hooks.${stage}[0]`);
      expect(text).toContain('fix:');
    }
    expect(existsSync(marker)).toBe(false);
    expect(readFileSync(b.configPath).equals(before)).toBe(true);
    expect(runc(['--root', root, 'list', '-q']).stdout.split('\n')).not.toContain(c);
  });

  it('a hook the admin config allows (a root-only script) runs', () => {
    const hookDir = mkdtempSync(join(tmpdir(), `openclaw-hookbin-${process.pid}-`));
    try {
      chmodSync(hookDir, 0o755);
      const marker = join(work, 'marker-allowed');
      const script = join(hookDir, 'audit-hook');
      writeFileSync(script, `#!/bin/sh\necho allowed > ${marker}\n`);
      chmodSync(script, 0o755);
      const allowedToml = join(work, 'allowed.toml');
      writeFileSync(allowedToml, `${readFileSync(configToml, 'utf8')}[hooks]\nallowed = ["${script}"]\n`);
      const b = makeBundle(['/bin/true'], { parent: work });
      bundles.push(b);
      const cfg = b.readConfig();
      cfg.hooks = { prestart: [{ path: script, args: ['audit-hook'] }] };
      b.writeConfig(cfg);
      const c = id();
      const r = shim(['--profile', 'default', '--openclaw-config', allowedToml, '--root', root, 'create', '--bundle', b.dir, c], { detached: true });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe('allowed\n');
      runc(['--root', root, 'delete', '--force', c]);
    } finally {
      rmSync(hookDir, { recursive: true, force: true });
    }
  });
});
