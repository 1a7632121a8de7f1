/** The installers' file I/O against a temp directory: backup, idempotency, invalid input untouched. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installDocker, uninstallDocker } from '../../../shim/install/docker.js';
import { installContainerd, uninstallContainerd } from '../../../shim/install/containerd.js';
import type { InstallFlags } from '../../../shim/install/flags.js';
import type { InstallOutput } from '../../../shim/install/output.js';
import { OpenclawError } from '../../../shim/errors.js';
import TOML from '@iarna/toml';

const BIN = '/opt/openclaw/bin/openclaw-runtime';
let dir: string;
let said: string[];
let printed: string[];
const out: InstallOutput = { say: (l) => said.push(l), print: (t) => printed.push(t) };
const flags = (f: Partial<InstallFlags>): InstallFlags => ({ name: 'openclaw', setDefault: false, dryRun: false, binary: BIN, pidfile: join(dir, 'none.pid'), ...f });
const backups = () => readdirSync(dir).filter((f) => f.includes('.openclaw-backup-'));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openclaw-install-'));
  said = [];
  printed = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('install docker (files)', () => {
  it('writes, backs up once, is idempotent, keeps the mode, and uninstalls', () => {
    const file = join(dir, 'daemon.json');
    writeFileSync(file, '{"log-level": "warn"}\n');
    chmodSync(file, 0o600);
    installDocker(flags({ config: file, profile: 'default' }), out);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'log-level': 'warn', runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] } } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(backups()).toHaveLength(1);
    installDocker(flags({ config: file, profile: 'default' }), out);
    expect(backups()).toHaveLength(1); // nothing written the second time
    uninstallDocker(flags({ config: file }), out);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'log-level': 'warn' });
  });
  it('dry run prints the new file and writes nothing', () => {
    const file = join(dir, 'daemon.json');
    installDocker(flags({ config: file, dryRun: true }), out);
    expect(readdirSync(dir)).toEqual([]);
    expect(JSON.parse(printed.join(''))).toEqual({ runtimes: { openclaw: { path: BIN } } });
  });
  it('invalid JSON is an error naming the file, and the file is left as it was', () => {
    const file = join(dir, 'daemon.json');
    writeFileSync(file, '{"a": 1,,}');
    let err: unknown;
    try {
      installDocker(flags({ config: file }), out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpenclawError);
    expect((err as OpenclawError).file).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('{"a": 1,,}');
    expect(backups()).toEqual([]);
  });
});

describe('install containerd (files)', () => {
  it('with a glob import and no CRI table elsewhere: a drop-in, main file untouched; uninstall removes it', () => {
    const main = join(dir, 'config.toml');
    const text = '# operator comment\nversion = 2\nimports = ["conf.d/*.toml"]\n';
    writeFileSync(main, text);
    installContainerd(flags({ config: main }), out);
    expect(readFileSync(main, 'utf8')).toBe(text);
    const dropIn = join(dir, 'conf.d', 'openclaw.toml');
    const parsed = TOML.parse(readFileSync(dropIn, 'utf8')) as any;
    expect(parsed.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.openclaw.options.BinaryName).toBe(BIN);
    uninstallContainerd(flags({ config: main }), out);
    expect(readdirSync(join(dir, 'conf.d'))).toEqual([]);
  });
  it('an imported file that owns the CRI table gets the runtime (containerd < 2.0 would drop a separate drop-in)', () => {
    const main = join(dir, 'config.toml');
    writeFileSync(main, 'version = 2\nimports = ["conf.d/*.toml"]\n');
    mkdirSync(join(dir, 'conf.d'));
    const cri = join(dir, 'conf.d', '10-cri.toml');
    writeFileSync(cri, 'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\nsandbox_image = "p:1"\n');
    installContainerd(flags({ config: main }), out);
    expect(readdirSync(join(dir, 'conf.d')).filter((f) => !f.includes('backup'))).toEqual(['10-cri.toml']);
    const parsed = TOML.parse(readFileSync(cri, 'utf8')) as any;
    expect(parsed.plugins['io.containerd.grpc.v1.cri'].sandbox_image).toBe('p:1');
    expect(parsed.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes.openclaw.runtime_type).toBe('io.containerd.runc.v2');
  });
  it('invalid TOML is an error naming the file, left unchanged', () => {
    const main = join(dir, 'config.toml');
    writeFileSync(main, 'version = = 2\n');
    expect(() => installContainerd(flags({ config: main }), out)).toThrow(/config\.toml: not valid TOML at line 1/);
    expect(readFileSync(main, 'utf8')).toBe('version = = 2\n');
  });
});
