/**
 * The launchers, one table run against both: bin/openclaw-runtime (native, C, with a private
 * resident service) and bin/openclaw-runtime.sh (portable sh). Pass-through commands exec the
 * runtime directly with the shim's flags taken out (exactly what shim/cli/argv.ts would hand
 * runc), shim commands get the Node path's answer (the native launcher gets create/run/
 * features from the service, the same code), and anything unusual goes to Node. Where the two
 * differ it is only in who ran the runtime (exec'd by the launcher or a child of Node).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgv } from '../../../shim/cli/argv.js';
import { SHIM_COMMANDS } from '../../../shim/commands/index.js';
import { SERVICE_COMMANDS } from '../../../shim/service/handle.js';
import { startService } from '../../../shim/service/client.js';
import { resolvedFile } from '../../../shim/service/paths.js';
import { createServer } from 'node:net';
import { encodeResponse, MAX_EXEC_ARGS, MAX_RESPONSE_BYTES, SERVICE_MAGIC, SERVICE_PROTOCOL_VERSION } from '../../../shim/service/protocol.js';
import { LAUNCHER, REPO, SH_LAUNCHER, launcherShimCommands, makeFakes, runLauncher as runAny, runLauncherAsync, type Fakes } from './fakes.js';

const nativeBuilt = existsSync(LAUNCHER) && !readFileSync(LAUNCHER).subarray(0, 2).equals(Buffer.from('#!'));
const asRoot = process.getuid?.() === 0;
if (!nativeBuilt) console.warn('SKIP native launcher: bin/openclaw-runtime is not the compiled launcher (run scripts/build-launcher.sh)');
if (!asRoot) console.warn('SKIP native launcher: its service is root-only (run the tests as root)');

const LAUNCHERS = [
  { kind: 'native' as const, path: LAUNCHER, skip: !nativeBuilt || !asRoot },
  { kind: 'sh' as const, path: SH_LAUNCHER, skip: false },
];

describe.each(LAUNCHERS)('$kind launcher', ({ kind, path: launcherPath, skip }) => {
const native = kind === 'native';
let fakes: Fakes;
let emptyConfig: string;
let env: NodeJS.ProcessEnv;
/** The native launcher's private service directory (OPENCLAW_SERVICE_DIR). */
let serviceDir: string;
const LAUNCHER = launcherPath;
const runLauncher = (argv: readonly string[], e: NodeJS.ProcessEnv, opts: Parameters<typeof runAny>[2] = {}) =>
  runAny(argv, { OPENCLAW_SERVICE_DIR: serviceDir, ...e }, { launcher: launcherPath, ...opts });

beforeAll(async () => {
  if (skip) return;
  fakes = makeFakes(['runc', 'crun']);
  emptyConfig = join(fakes.dir, 'empty.toml');
  writeFileSync(emptyConfig, '# no runtime section\n[log]\nlevel = "info"\n');
  // An existing config without runtime candidates: the launcher's fast path (independent of
  // whether this machine has /etc/openclaw/config.toml).
  env = { PATH: fakes.path, OPENCLAW_CONFIG: emptyConfig };
  serviceDir = join(mkdtempSync(join(tmpdir(), `openclaw-launcher-svc-${process.pid}-`)), 'service');
  if (native) expect(await startService(serviceDir, { wait: true, idleExitS: 120 })).toBe(true);
});
afterAll(() => {
  if (skip) return;
  fakes.cleanup();
  const lock = join(serviceDir, 'service.lock');
  if (existsSync(lock)) {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
  rmSync(join(serviceDir, '..'), { recursive: true, force: true });
});

describe.skipIf(skip)('the launcher and the registry agree on the shim commands', () => {
  it('SHIM_COMMANDS in the launcher equals the keys of shim/commands/index.ts', () => {
    expect([...launcherShimCommands()].sort()).toEqual(Object.keys(SHIM_COMMANDS).sort());
  });
});

describe.skipIf(skip)('pass-through: runc is exec\'d with the argv minus the shim flags', () => {
  const cases: Array<{ name: string; argv: string[]; runc: string[] }> = [
    { name: 'plain state', argv: ['state', 'id'], runc: ['state', 'id'] },
    { name: 'no arguments at all', argv: [], runc: [] },
    { name: '--version with a command is the command\'s', argv: ['--version', 'state', 'x'], runc: ['--version', 'state', 'x'] },
    { name: '-h with a command is the command\'s', argv: ['-h', 'list'], runc: ['-h', 'list'] },
    { name: 'a --log value "--help" is not a help flag', argv: ['--log', '--help', 'state', 'x'], runc: ['--log', '--help', 'state', 'x'] },
    { name: '--profile V first', argv: ['--profile', 'p', 'state', 'id'], runc: ['state', 'id'] },
    { name: '--profile=V', argv: ['--profile=p', 'list'], runc: ['list'] },
    { name: 'single-dash -profile V', argv: ['-profile', 'p', '-root', '/r', 'list'], runc: ['-root', '/r', 'list'] },
    { name: '-profile=V', argv: ['-profile=p', 'list'], runc: ['list'] },
    { name: 'empty --profile= value', argv: ['--profile=', 'list'], runc: ['list'] },
    {
      name: 'docker order: runtimeArgs, then runc globals',
      argv: ['--profile', 'backend', '--root', '/var/run/docker/runtime-runc/moby', '--log', '/b/log.json', '--log-format', 'json', 'kill', 'abc', 'SIGKILL'],
      runc: ['--root', '/var/run/docker/runtime-runc/moby', '--log', '/b/log.json', '--log-format', 'json', 'kill', 'abc', 'SIGKILL'],
    },
    {
      name: 'shim flags between and after runc globals',
      argv: ['--root', '/r', '--profile', 'p', '--log=/l', '-profile=q', '--systemd-cgroup', 'start', 'id'],
      runc: ['--root', '/r', '--log=/l', '--systemd-cgroup', 'start', 'id'],
    },
    { name: 'a shim flag value that looks like a runc flag', argv: ['--profile', '--root', 'state', 'x'], runc: ['state', 'x'] },
    { name: 'a runc flag value that looks like a shim flag', argv: ['--root', '--profile', 'state', 'x'], runc: ['--root', '--profile', 'state', 'x'] },
    { name: 'a runc flag value that looks like a shim command', argv: ['--log', 'create', 'state', 'x'], runc: ['--log', 'create', 'state', 'x'] },
    { name: 'all value globals, = forms', argv: ['--criu=/c', '--rootless=true', '--root=/r', '--log-format=text', 'ps', 'id'], runc: ['--criu=/c', '--rootless=true', '--root=/r', '--log-format=text', 'ps', 'id'] },
    { name: 'all value globals, separate values', argv: ['-criu', '/c', '-rootless', 'auto', 'ps', 'id'], runc: ['-criu', '/c', '-rootless', 'auto', 'ps', 'id'] },
    { name: 'booleans, also =false', argv: ['--debug', '--debug=false', '--systemd-cgroup', 'events', 'id'], runc: ['--debug', '--debug=false', '--systemd-cgroup', 'events', 'id'] },
    { name: 'shim flags after the command belong to the command', argv: ['ps', '--profile', 'x', 'id'], runc: ['ps', '--profile', 'x', 'id'] },
    { name: 'unknown global flags are kept and scanning goes on', argv: ['--bogus', '--profile', 'p', 'state', 'x'], runc: ['--bogus', 'state', 'x'] },
    { name: 'a lone "-" is kept like a flag', argv: ['-', 'state', 'x'], runc: ['-', 'state', 'x'] },
    { name: '"--" ends the flags; the next word is the command', argv: ['--profile', 'p', '--', 'state', 'id'], runc: ['--', 'state', 'id'] },
    { name: 'a shim flag after "--" is the command', argv: ['--', '--profile', 'x'], runc: ['--', '--profile', 'x'] },
    { name: 'a trailing value flag without value', argv: ['--root'], runc: ['--root'] },
    {
      name: 'spaces, empty strings, newlines, quotes, globs and backslashes survive',
      argv: ['--root', '/a b', 'ps', 'id', 'echo', 'a  b', '', ' ', 'x\ny', '"\'', '*', '?', '[a]', 'C:\\n', '$HOME', '-e'],
      runc: ['--root', '/a b', 'ps', 'id', 'echo', 'a  b', '', ' ', 'x\ny', '"\'', '*', '?', '[a]', 'C:\\n', '$HOME', '-e'],
    },
    { name: 'non-ASCII bytes', argv: ['ps', 'id', 'é', '容器'], runc: ['ps', 'id', 'é', '容器'] },
    { name: 'two shim commands as one word is not a shim command', argv: ['create run'], runc: ['create run'] },
    { name: 'a shim command with a capital is runc\'s', argv: ['Create'], runc: ['Create'] },
    { name: 'an Object.prototype name is runc\'s', argv: ['constructor'], runc: ['constructor'] },
    { name: '--openclaw-config=V (an existing config) is taken out', argv: [`--openclaw-config=${'EMPTY'}`, 'state', 'x'], runc: ['state', 'x'] },
    { name: '--openclaw-config V is taken out', argv: ['--openclaw-config', 'EMPTY', 'state', 'x'], runc: ['state', 'x'] },
  ];
  it.each(cases)('$name', (c) => {
    const argv = c.argv.map((a) => a.replace('EMPTY', emptyConfig));
    const o = runLauncher(argv, env);
    expect(o.stderr).toBe('');
    expect(o.fake).toBe('runc');
    expect(o.execd).toBe(true);
    expect(o.argv).toEqual(c.runc);
    expect(o.status).toBe(0);
    // The same split as the Node shim's parser (the NOTE in both files).
    expect(parseArgv(argv).runcArgv).toEqual(c.runc);
  });
});

describe.skipIf(skip)('exit status, signals and file descriptors are runc\'s own', () => {
  it.each([0, 1, 2, 42, 255])('exit %i', (code) => {
    const o = runLauncher(['--profile', 'p', 'kill', 'id'], { ...env, FAKE_EXIT: String(code) });
    expect(o.execd).toBe(true);
    expect(o.status).toBe(code);
    expect(o.signal).toBe(null);
  });

  it.each(['SIGTERM', 'SIGKILL', 'SIGSEGV', 'SIGINT'] as const)('terminated by %s', (sig) => {
    const o = runLauncher(['state', 'id'], { ...env, FAKE_SIGNAL: sig.slice(3) });
    expect(o.execd).toBe(true);
    expect(o.signal).toBe(sig);
    expect(o.status).toBe(null);
  });

  it('an inherited fd 3 reaches runc (exec\'d, not a child)', () => {
    const file = join(fakes.dir, 'preserved');
    writeFileSync(file, '');
    const fd = openSync(file, 'r');
    try {
      const o = runLauncher(['--profile', 'p', 'ps', 'id'], { ...env, FAKE_FD: '3', FAKE_FD_FILE: file }, { stdio: ['ignore', 'pipe', 'pipe', fd] });
      expect(o.execd).toBe(true);
      expect(o.argv).toEqual(['ps', 'id']);
      expect(o.stderr).toBe('FD 3 open on FAKE_FD_FILE\n');
    } finally {
      closeSync(fd);
    }
  });
});

describe.skipIf(skip)('runtime resolution (as shim/config/runtime-path.ts)', () => {
  it.skipIf(existsSync('/etc/openclaw/config.toml'))('no config anywhere: built-in candidates, runc first', () => {
    const o = runLauncher(['--profile', 'p', 'state', 'x'], { PATH: fakes.path });
    expect([o.fake, o.execd, o.argv]).toEqual(['runc', true, ['state', 'x']]);
  });

  it('crun when there is no runc', () => {
    const only = makeFakes(['crun']);
    try {
      const o = runLauncher(['state', 'x'], { PATH: only.path, OPENCLAW_CONFIG: emptyConfig });
      expect([o.fake, o.execd, o.argv]).toEqual(['crun', true, ['state', 'x']]);
    } finally {
      only.cleanup();
    }
  });

  it('skips itself when installed as "runc" earlier on PATH (via a symlink)', () => {
    const early = makeFakes([]);
    try {
      symlinkSync(LAUNCHER, join(early.dir, 'bin', 'runc'));
      const o = runLauncher(['state', 'x'], { PATH: `${early.dir}/bin:${fakes.path}`, OPENCLAW_CONFIG: emptyConfig }, { launcher: join(early.dir, 'bin', 'runc') });
      expect([o.fake, o.execd, o.argv]).toEqual(['runc', true, ['state', 'x']]);
    } finally {
      early.cleanup();
    }
  });

  it('a config that names runtime candidates is honoured (sh: through Node; native: resolved by the service, exec\'d)', () => {
    const other = fakes.write('other-runtime');
    const cfg = join(fakes.dir, 'candidates.toml');
    writeFileSync(cfg, `[runtime]\ncandidates = ["${other}"]\n`);
    const o = runLauncher(['--openclaw-config', cfg, 'state', 'x'], { PATH: fakes.path });
    expect(o.fake).toBe('other-runtime');
    expect(o.execd).toBe(native); // sh: Node's child; native: exec'd
    // native, again: now from the resolved-runtime record, still exec'd
    if (native) {
      // The record the service wrote is the one the launcher reads (same key in C and TS), and
      // a frozen service is never asked: the answer comes from the record alone.
      expect(existsSync(resolvedFile(serviceDir, cfg, LAUNCHER))).toBe(true);
      const pid = Number.parseInt(readFileSync(join(serviceDir, 'service.lock'), 'utf8'), 10);
      process.kill(pid, 'SIGSTOP');
      try {
        expect(runLauncher(['--openclaw-config', cfg, 'state', 'x'], { PATH: fakes.path })).toMatchObject({ fake: 'other-runtime', execd: true, argv: ['state', 'x'] });
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      // Never stale: an edit of the config to the same size, within the same second, names
      // another runtime, and that one runs.
      const other2 = fakes.write('other-runtim2');
      writeFileSync(cfg, `[runtime]\ncandidates = ["${other2}"]\n`);
      expect(runLauncher(['--openclaw-config', cfg, 'state', 'x'], { PATH: fakes.path })).toMatchObject({ fake: 'other-runtim2', execd: true });
    }
    expect(o.argv).toEqual(['state', 'x']);
  });

  it.each([
    { name: 'a named config that is missing', argv: ['state', 'x'], env: { OPENCLAW_CONFIG: '/nonexistent/openclaw.toml' }, err: /cannot read the runtime config/ },
    { name: '--openclaw-config naming a missing file', argv: ['--openclaw-config=/nonexistent/x.toml', 'state', 'x'], env: {}, err: /cannot read the runtime config/ },
    { name: 'a shim flag without its value', argv: ['--profile'], env: { OPENCLAW_CONFIG: 'EMPTY' }, err: /--profile needs a value/ },
  ])('Node reports the unusual: $name', (c) => {
    const e = Object.fromEntries(Object.entries(c.env).map(([k, v]) => [k, v.replace('EMPTY', emptyConfig)]));
    const o = runLauncher(c.argv, { PATH: fakes.path, ...e });
    expect(o.fake).toBeUndefined();
    expect(o.status).toBe(1);
    expect(o.stderr).toMatch(c.err);
  });

  it('no runtime on PATH: Node names the problem', () => {
    const none = makeFakes([]);
    try {
      const o = runLauncher(['state', 'x'], { PATH: none.path, OPENCLAW_CONFIG: emptyConfig });
      expect(o.fake).toBeUndefined();
      expect(o.status).toBe(1);
      expect(o.stderr).toMatch(/no low-level OCI runtime found/);
    } finally {
      none.cleanup();
    }
  });
});

describe.skipIf(skip)('shim commands: the Node path\'s answer', () => {
  // (delete with an id is covered below: without a host record it passes through)
  const served = (cmd: string) => native && (SERVICE_COMMANDS as readonly string[]).includes(cmd) && cmd !== 'delete';
  it.each(Object.keys(SHIM_COMMANDS))('%s', (cmd) => {
    // A fake node first on PATH records how the launcher called it.
    const withNode = makeFakes(['node', 'runc']);
    try {
      const argv = ['--profile', 'p', '--root', '/r', '--openclaw-config=/c.toml', cmd, '--bundle', '/b', 'a b', ''];
      const o = runLauncher(argv, { PATH: withNode.path });
      if (served(cmd)) {
        // The service ran the Node path's code: the Node path's answer, and no Node start.
        const viaNode = runAny(argv, { PATH: fakes.path }, { launcher: SH_LAUNCHER });
        expect(o.fake).toBeUndefined();
        expect([o.status, o.stdout, o.stderr]).toEqual([viaNode.status, viaNode.stdout, viaNode.stderr]);
        expect(o.status).toBe(1);
        return;
      }
      expect(o.fake).toBe('node');
      expect(o.execd).toBe(true);
      expect(o.argv.slice(0, 1)).toEqual(['-e']);
      expect(o.argv.slice(2)).toEqual(['--', LAUNCHER, ...argv]);
    } finally {
      withNode.cleanup();
    }
  });

  // A wrapped runc command asked for its help: runc's help (sh: through Node; native: the
  // service answers "exec the runtime", except delete, which the launcher sends to Node).
  it.each([['create', '--help'], ['run', '-h'], ['exec', '--help'], ['delete', '--help'], ['create', '--bundle', '/b', '--help', 'id']])('%s %s: runc\'s help', (...argv) => {
    const o = runLauncher(['--profile', 'p', ...argv], env);
    expect([o.fake, o.status]).toEqual(['runc', 0]);
    expect(o.argv).toEqual(argv);
  });

  it('features -help: runc\'s answer untouched (the fake answers any features call with its JSON)', () => {
    const o = runLauncher(['--profile', 'p', 'features', '-help'], env);
    expect([o.status, o.stdout, o.stderr]).toEqual([0, '{"ociVersionMin":"1.0.0"}\n', '']);
  });

  it('a shim command after "--" is a shim command as well', () => {
    const withNode = makeFakes(['node', 'runc']);
    try {
      const o = runLauncher(['--', 'create', 'x'], { PATH: withNode.path, OPENCLAW_CONFIG: '/nonexistent/c.toml' });
      if (native) {
        expect([o.fake, o.status]).toEqual([undefined, 1]);
        expect(o.stderr).toMatch(/cannot read the runtime config/);
        return;
      }
      expect(o.fake).toBe('node');
      expect(o.argv.slice(2)).toEqual(['--', LAUNCHER, '--', 'create', 'x']);
    } finally {
      withNode.cleanup();
    }
  });

  it('features: the real shim runs runc and adds its annotation', () => {
    const o = runLauncher(['--profile', 'p', 'features'], env);
    expect(o.status).toBe(0);
    const out = JSON.parse(o.stdout) as { ociVersionMin: string; annotations: Record<string, string> };
    expect(out.ociVersionMin).toBe('1.0.0');
    expect(out.annotations['org.openclaw.runtime.version']).toMatch(/^\d+\.\d+\.\d+/);
  });

  // validate compiles the profile's seccomp filter: needs the compiler in dist/seccomp/.
  it.skipIf(!existsSync(join(REPO, 'dist', 'seccomp', 'compile.js')))('validate: the real shim loads the shipped default profile', () => {
    const o = runLauncher(['validate', join(REPO, 'profiles', 'default.yaml')], env);
    expect(o.fake).toBeUndefined();
    expect(o.stdout).toMatch(/^(ok|error) /);
    expect(o.stdout).toContain('default');
  });
});

describe.skipIf(skip)('--help and --version with no command: Node answers, ours first, then the runtime\'s', () => {
  it.each([['--version'], ['-v'], ['-version'], ['--help'], ['-h'], ['--help=true'], ['--profile', 'p', '--root', '/r', '--version'], ['--version=false']])('to Node: %j', (...argv) => {
    const withNode = makeFakes(['node', 'runc']);
    try {
      const o = runLauncher(argv, { PATH: withNode.path, OPENCLAW_CONFIG: emptyConfig });
      expect([o.fake, o.execd]).toEqual(['node', true]);
      expect(o.argv.slice(2)).toEqual(['--', LAUNCHER, ...argv]);
    } finally {
      withNode.cleanup();
    }
  });

  const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
  const head = (text: string) => /^openclaw-runtime version (\S+)\ncommit: (\S+)\n\n/.exec(text);

  it.each([['--version'], ['-v'], ['--profile', 'p', '--root', '/r', '--version']])('%j: our version and commit, then the runtime\'s own output for the same argv', (...argv) => {
    const o = runLauncher(argv, env);
    expect(o.status).toBe(0);
    const m = head(o.stdout);
    expect(m?.[1]).toBe(version);
    expect(m?.[2]).toMatch(/^([0-9a-f]{4,}|unknown)$/);
    // The rest is the fake runtime's output: its argv is the argv minus the shim's flags.
    const rest = o.stdout.slice(m![0].length);
    expect(rest).toMatch(/^FAKE runc \d+\n/);
    expect(rest.replace(/^FAKE runc \d+\n/, '').split('\0').slice(0, -1)).toEqual(parseArgv(argv).runcArgv);
  });

  it('--version=false with no command is runc\'s (no lines of ours)', () => {
    const o = runLauncher(['--version=false'], env);
    expect(o.stdout).toMatch(/^FAKE runc \d+\n--version=false\0$/);
  });

  const realRunc = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p));
  if (!realRunc) console.warn('SKIP real runc --version comparison: no runc in /usr/sbin or /usr/bin');
  it.skipIf(!realRunc)('with the real runc: runc\'s lines are byte-identical after ours', () => {
    const path = `${join(fakes.dir, 'nodedir')}:${join(realRunc!, '..')}`;
    const runc = spawnSync(realRunc!, ['--version'], { encoding: 'utf8' });
    const o = runLauncher(['--version'], { PATH: path, OPENCLAW_CONFIG: emptyConfig });
    expect(o.status).toBe(0);
    const m = head(o.stdout);
    expect(m).not.toBeNull();
    expect(o.stdout.slice(m![0].length)).toBe(runc.stdout);
  });

  it('--help: the shim\'s commands and flags, then the runtime\'s help', () => {
    const o = runLauncher(['--help'], env);
    expect(o.status).toBe(0);
    for (const cmd of Object.keys(SHIM_COMMANDS)) expect(o.stdout, cmd).toMatch(new RegExp(`^   ${cmd}\\b|[ ,]${cmd}[ ,]`, 'm'));
    expect(o.stdout).toContain('--profile PROFILE');
    expect(o.stdout).toContain('--openclaw-config FILE');
    const at = o.stdout.indexOf('FAKE runc ');
    expect(at).toBeGreaterThan(0);
    expect(o.stdout.slice(at).replace(/^FAKE runc \d+\n/, '')).toBe('--help\0');
  });
});

describe.skipIf(skip)('delete: straight to runc unless the shim has host set-up to undo', () => {
  let withNode: Fakes;
  beforeAll(() => {
    withNode = makeFakes(['node', 'runc']);
  });
  afterAll(() => withNode.cleanup());
  const route = (argv: string[], extra: NodeJS.ProcessEnv = {}) => {
    const o = runLauncher(argv, { PATH: withNode.path, OPENCLAW_CONFIG: emptyConfig, ...extra });
    return { to: o.fake, execd: o.execd, argv: o.fake === 'node' ? o.argv.slice(4) : o.argv };
  };
  const id = `launcher-test-${process.pid}`;

  it.each([
    { argv: ['delete', id] },
    { argv: ['--profile', 'p', '--root', '/r', 'delete', '--force', id] },
    { argv: ['delete', '-f', id] },
    { argv: ['delete', id, '--force'] },
    { argv: ['delete', '--force=false', '--', id] },
    { argv: ['--', 'delete', id] },
  ])('runc: $argv', ({ argv }) => {
    const r = route(argv);
    expect(r).toEqual({ to: 'runc', execd: true, argv: parseArgv(argv).runcArgv });
  });

  it.each([
    { name: 'no id', argv: ['delete'] },
    { name: 'an unknown flag', argv: ['delete', '--bogus', id] },
    { name: 'two ids', argv: ['delete', id, 'other'] },
    { name: 'an empty id', argv: ['delete', ''] },
    { name: 'an id with a slash', argv: ['delete', 'a/b'] },
    { name: 'the id ".."', argv: ['delete', '..'] },
    { name: '--help', argv: ['delete', '--help'] },
  ])('Node: $name', ({ argv }) => {
    expect(route(argv)).toEqual({ to: 'node', execd: true, argv });
  });

  it('a config that moves the state dir: sh asks Node; native looks in that state dir', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), `openclaw-launcher-state-${process.pid}-`));
    try {
      const cfg = join(fakes.dir, 'state.toml');
      writeFileSync(cfg, `[state]\ndir = "${elsewhere}"\n`);
      expect(route(['delete', id], { OPENCLAW_CONFIG: cfg }).to).toBe(native ? 'runc' : 'node');
      // A record there: sh asks Node; native asks the service, which undoes what runc no longer
      // knows and leaves the rest to the poststop hook runc's delete runs, then runc.
      mkdirSync(join(elsewhere, 'containers'));
      writeFileSync(join(elsewhere, 'containers', `${id}.json`), JSON.stringify({ id, runcRoot: '/r', createdAt: new Date().toISOString(), actions: [] }));
      expect(route(['delete', id], { OPENCLAW_CONFIG: cfg }).to).toBe(native ? 'runc' : 'node');
      if (native) expect(existsSync(join(elsewhere, 'containers', `${id}.json`)), 'the service undid the host set-up of a container runc does not know').toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  // The real state dir (shim/config/schema.ts default): one uniquely named record, removed after.
  it.skipIf(process.getuid?.() !== 0 || native)('Node when a host record exists for the id (sh launcher)', () => {
    const records = '/run/openclaw/containers';
    if (!existsSync('/run/openclaw')) {
      mkdirSync('/run/openclaw');
      chmodSync('/run/openclaw', 0o711);
    }
    if (!existsSync(records)) mkdirSync(records, { mode: 0o700 });
    const record = join(records, `${id}.json`);
    writeFileSync(record, '{}');
    try {
      expect(route(['--root', '/r', 'delete', '--force', id])).toEqual({ to: 'node', execd: true, argv: ['--root', '/r', 'delete', '--force', id] });
      expect(route(['delete', `${id}-other`]).to).toBe('runc');
    } finally {
      rmSync(record);
    }
  });
});

describe.skipIf(skip || !native)('native: no service to ask', () => {
  it('create goes to Node with the original argv, and Node is asked to start the service', () => {
    const withNode = makeFakes(['node', 'runc']);
    const none = mkdtempSync(join(tmpdir(), `openclaw-launcher-nosvc-${process.pid}-`));
    try {
      const argv = ['--profile', 'p', 'create', '--bundle', '/b', 'id'];
      const o = runLauncher(argv, { PATH: withNode.path, OPENCLAW_SERVICE_DIR: none });
      expect([o.fake, o.execd]).toEqual(['node', true]);
      expect(o.argv.slice(2)).toEqual(['--', LAUNCHER, ...argv]);
      expect(o.stderr).toBe('SERVICE_START=1\n');
    } finally {
      withNode.cleanup();
      rmSync(none, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skip || !native)('native: each form of the service\'s answer (a fake service), and what the launcher does with it', () => {
  let dir: string;
  let withNode: Fakes;
  let answer = Buffer.alloc(0);
  let server: ReturnType<typeof createServer>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `openclaw-launcher-fake-svc-${process.pid}-`));
    withNode = makeFakes(['node', 'runc']);
    server = createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', () => undefined);
      s.on('end', () => s.end(answer));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(join(dir, 'service.sock'), () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    withNode.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const EMPTY = Buffer.alloc(0);
  const runtime = () => join(withNode.dir, 'bin', 'runc');
  /** NUL-terminated fields, then raw bytes: for answers encodeResponse would not write. */
  const raw = (fields: string[], tail = '') => Buffer.from(`${fields.map((f) => `${f}\0`).join('')}${tail}`);
  const ask = (a: Buffer) => {
    answer = a;
    return runLauncherAsync(['--profile', 'p', '--root', '/r', 'exec', '--process', 'p.json', 'id'], { PATH: withNode.path, OPENCLAW_CONFIG: emptyConfig, OPENCLAW_SERVICE_DIR: dir });
  };
  const V = String(SERVICE_PROTOCOL_VERSION);
  const odd = ['--root', '/a b', 'exec', '--process', '/s/exec/1-abcdef012345.json', 'id', '', ' ', 'x\ny', '"\'', '*', '$HOME', 'é', '容器', '-e'];

  it.each([
    { name: 'execv: exactly the argv sent (any byte but NUL), not the caller\'s', answer: () => encodeResponse({ status: 'execv', exit: 0, runtime: runtime(), argv: odd, stdout: EMPTY, stderr: EMPTY }), argv: odd },
    { name: `execv: ${MAX_EXEC_ARGS} entries (the limit)`, answer: () => encodeResponse({ status: 'execv', exit: 0, runtime: runtime(), argv: Array.from({ length: MAX_EXEC_ARGS }, (_, i) => String(i)), stdout: EMPTY, stderr: EMPTY }), argv: Array.from({ length: MAX_EXEC_ARGS }, (_, i) => String(i)) },
    { name: 'exec: the caller\'s argv minus the shim\'s flags', answer: () => encodeResponse({ status: 'exec', exit: 0, runtime: runtime(), stdout: EMPTY, stderr: EMPTY }), argv: ['--root', '/r', 'exec', '--process', 'p.json', 'id'] },
  ])('runtime exec\'d: $name', async (c) => {
    const o = await ask(c.answer());
    expect([o.fake, o.execd, o.stderr]).toEqual(['runc', true, '']);
    expect(o.argv).toEqual(c.argv);
  });

  it.each([
    { name: 'execv with more than MAX_EXEC_ARGS entries', answer: () => raw([SERVICE_MAGIC, V, 'execv', '0', runtime(), '', String(MAX_EXEC_ARGS + 1), ...Array.from({ length: MAX_EXEC_ARGS + 1 }, () => 'x'), '0', '0']) },
    { name: 'execv whose argc is larger than the entries sent', answer: () => raw([SERVICE_MAGIC, V, 'execv', '0', runtime(), '', '3', 'exec', 'id']) },
    { name: 'execv whose argc is not a number', answer: () => raw([SERVICE_MAGIC, V, 'execv', '0', runtime(), '', 'two', 'exec', 'id', '0', '0']) },
    { name: 'execv whose argc is empty', answer: () => raw([SERVICE_MAGIC, V, 'execv', '0', runtime(), '', '', '0', '0']) },
    { name: 'execv with an entry longer than an answer may be', answer: () => encodeResponse({ status: 'execv', exit: 0, runtime: runtime(), argv: ['exec', 'x'.repeat(MAX_RESPONSE_BYTES + 8192)], stdout: EMPTY, stderr: EMPTY }) },
    { name: 'execv with a relative runtime', answer: () => encodeResponse({ status: 'execv', exit: 0, runtime: 'runc', argv: ['exec', 'id'], stdout: EMPTY, stderr: EMPTY }) },
    { name: 'exec with argv entries (only execv has them)', answer: () => raw([SERVICE_MAGIC, V, 'exec', '0', runtime(), '', '1', 'x', '0', '0']) },
    { name: 'execv with bytes after stderr', answer: () => Buffer.concat([encodeResponse({ status: 'execv', exit: 0, runtime: runtime(), argv: ['exec', 'id'], stdout: EMPTY, stderr: EMPTY }), Buffer.from('x')]) },
    // A service of protocol 3 (before exec was served) in its own format: never trusted.
    { name: 'a protocol 3 answer (no argc field)', answer: () => raw([SERVICE_MAGIC, '3', 'exec', '0', runtime(), '', '0', '0']) },
    { name: 'a protocol 3 version with the current format', answer: () => raw([SERVICE_MAGIC, '3', 'execv', '0', runtime(), '', '2', 'exec', 'id', '0', '0']) },
  ])('Node path, with the original argv: $name', async (c) => {
    const o = await ask(c.answer());
    expect([o.fake, o.execd]).toEqual(['node', true]);
    expect(o.argv.slice(2)).toEqual(['--', LAUNCHER, '--profile', 'p', '--root', '/r', 'exec', '--process', 'p.json', 'id']);
  });
});
});
