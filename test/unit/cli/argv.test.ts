import { describe, expect, it } from 'vitest';
import { asksRuntimeHelp, parseArgv, parseCreateArgs, parseDeleteArgs, parseExecArgs } from '../../../shim/cli/argv.js';

describe('parseArgv', () => {
  const cases: Array<{ name: string; argv: string[]; command?: string; runc: string[]; profile?: string; config?: string; log?: string; root?: string }> = [
    {
      name: 'docker: runtimeArgs first, then runc globals, then create',
      argv: ['--profile', 'backend', '--root', '/var/run/docker/runtime-runc/moby', '--log', '/b/log.json', '--log-format', 'json', 'create', '--bundle', '/b', '--pid-file', '/b/init.pid', 'abc'],
      command: 'create',
      runc: ['--root', '/var/run/docker/runtime-runc/moby', '--log', '/b/log.json', '--log-format', 'json', 'create', '--bundle', '/b', '--pid-file', '/b/init.pid', 'abc'],
      profile: 'backend',
      log: '/b/log.json',
      root: '/var/run/docker/runtime-runc/moby',
    },
    { name: 'inline = forms', argv: ['--profile=x', '--openclaw-config=/c.toml', '--log=/l', 'state', 'id'], command: 'state', runc: ['--log=/l', 'state', 'id'], profile: 'x', config: '/c.toml', log: '/l' },
    { name: 'single dash go-style flags', argv: ['-root', '/r', '-profile', 'p', 'list'], command: 'list', runc: ['-root', '/r', 'list'], profile: 'p', root: '/r' },
    { name: '--version passes untouched', argv: ['--version'], command: undefined, runc: ['--version'] },
    { name: 'boolean globals take no value', argv: ['--debug', '--systemd-cgroup', 'kill', 'id', 'KILL'], command: 'kill', runc: ['--debug', '--systemd-cgroup', 'kill', 'id', 'KILL'] },
    { name: 'shim flags after the command belong to the command', argv: ['exec', '--profile', 'x', 'id'], command: 'exec', runc: ['exec', '--profile', 'x', 'id'] },
    { name: 'unknown global flag kept for runc to report', argv: ['--bogus', 'state', 'x'], command: 'state', runc: ['--bogus', 'state', 'x'] },
  ];
  it.each(cases)('$name', (c) => {
    const p = parseArgv(c.argv);
    expect(p.command).toBe(c.command);
    expect(p.runcArgv).toEqual(c.runc);
    expect(p.shim.profile).toBe(c.profile);
    expect(p.shim.openclawConfig).toBe(c.config);
    expect(p.globals.log).toBe(c.log);
    expect(p.globals.root).toBe(c.root);
  });

  it.each([
    { argv: ['run', '--preserve-fds=3', '-d', 'id'], fds: 3 },
    { argv: ['create', '--help', '--preserve-fds', '2'], fds: 2 },
    // after the container id it is the workload's argument, not runc's flag
    { argv: ['exec', 'id', 'prog', '--preserve-fds', '2'], fds: 0 },
    { argv: ['create', '--preserve-fds', '-1', 'id'], fds: 0 },
    // no other runc (or crun) command takes it
    { argv: ['restore', '--preserve-fds', '2', 'id'], fds: 0 },
  ])('--preserve-fds of $argv is $fds', ({ argv, fds }) => {
    expect(parseArgv(argv).preserveFds).toBe(fds);
  });

  it('a shim flag without a value is an error', () => {
    expect(() => parseArgv(['--profile'])).toThrow(/--profile needs a value/);
  });
});

describe('parseCreateArgs', () => {
  const cases = [
    { argv: ['--bundle', '/b', 'id'], bundle: '/b', id: 'id' },
    { argv: ['-b', 'rel', 'id'], bundle: '/cwd/rel', id: 'id' },
    { argv: ['--bundle=/x', '--pid-file=/p', '--preserve-fds', '2', 'id'], bundle: '/x', id: 'id', pid: '/p', fds: 2 },
    { argv: ['id'], bundle: '/cwd', id: 'id' },
    { argv: ['--no-pivot', '--console-socket', '/s.sock', 'id'], bundle: '/cwd', id: 'id', console: '/s.sock' },
  ];
  it.each(cases)('$argv', (c) => {
    const a = parseCreateArgs('create', c.argv, '/cwd');
    expect(a.bundle).toBe(c.bundle);
    expect(a.containerId).toBe(c.id);
    expect(a.pidFile).toBe(c.pid);
    expect(parseArgv(['create', ...c.argv]).preserveFds).toBe(c.fds ?? 0);
    expect(a.consoleSocket).toBe(c.console);
  });

  it('run knows --detach', () => {
    expect(parseCreateArgs('run', ['-d', '--bundle', '/b', 'id'], '/').detach).toBe(true);
    expect(parseCreateArgs('run', ['--bundle', '/b', 'id'], '/').detach).toBe(false);
  });

  it('delete knows --force', () => {
    expect(parseDeleteArgs(['--force', 'id'])).toEqual({ containerId: 'id', force: true });
    expect(parseDeleteArgs(['id'])).toEqual({ containerId: 'id', force: false });
  });
});

describe('parseExecArgs (runc 1.1.5 exec.go: flags up to the container id, then the command)', () => {
  const noProcess = { env: [], additionalGids: [], caps: [] };
  const cases: Array<{ name: string; argv: string[]; process?: Record<string, unknown>; runner?: string[]; id?: string; command?: string[]; fds?: number }> = [
    {
      name: 'containerd runc v2 shim',
      argv: ['--process', '/tmp/runc-process1', '--detach', '--pid-file', '/b/e1.pid', 'ctr1'],
      process: { processFile: '/tmp/runc-process1' },
      runner: ['--detach', '--pid-file', '/b/e1.pid'],
      id: 'ctr1',
    },
    {
      name: 'docker with a terminal',
      argv: ['--process', '/p.json', '--console-socket', '/s.sock', '--detach', '--pid-file', '/e.pid', 'abc'],
      process: { processFile: '/p.json' },
      runner: ['--console-socket', '/s.sock', '--detach', '--pid-file', '/e.pid'],
      id: 'abc',
    },
    {
      name: 'flag form, repeatable flags keep every value, short aliases',
      argv: ['-e', 'A=1', '--env=B=2', '-c', 'CAP_KILL', '--cap', 'CAP_CHOWN', '-u', '1000:100', '-g', '5', '-g', '6', '-t', '--cwd', '/w', 'id', 'sh', '-c', 'echo'],
      process: { env: ['A=1', 'B=2'], caps: ['CAP_KILL', 'CAP_CHOWN'], user: '1000:100', additionalGids: ['5', '6'], tty: true, cwd: '/w' },
      id: 'id',
      command: ['sh', '-c', 'echo'],
    },
    {
      name: 'booleans with =false, labels',
      argv: ['--no-new-privs=false', '--tty=0', '--apparmor', 'unconfined', '--process-label=l', 'id', 'true'],
      process: { noNewPrivs: false, tty: false, apparmor: 'unconfined', processLabel: 'l' },
      id: 'id',
      command: ['true'],
    },
    {
      name: 'flags after the id belong to the command',
      argv: ['id', '--cap', 'CAP_SYS_ADMIN', '-u', '0'],
      id: 'id',
      command: ['--cap', 'CAP_SYS_ADMIN', '-u', '0'],
    },
    {
      name: '"--" ends the flags; runner flags repeat; preserve-fds is read',
      argv: ['--cgroup', 'a', '--cgroup=b', '--preserve-fds', '2', '--ignore-paused', '--', '-id', 'x'],
      runner: ['--cgroup', 'a', '--cgroup=b', '--preserve-fds', '2', '--ignore-paused'],
      id: '-id',
      command: ['x'],
      fds: 2,
    },
  ];
  it.each(cases)('$name', (c) => {
    const a = parseExecArgs(c.argv);
    expect(a.process).toEqual({ ...noProcess, ...c.process });
    expect(a.runnerArgv).toEqual(c.runner ?? []);
    expect(a.containerId).toBe(c.id);
    expect(a.command).toEqual(c.command ?? []);
    expect(parseArgv(['exec', ...c.argv]).preserveFds).toBe(c.fds ?? 0);
    expect(a.help).toBe(false);
  });

  it.each([
    { argv: ['--bogus', 'id', 'true'], err: /--bogus is not one openclaw-runtime knows/ },
    { argv: ['--user'], err: /--user needs a value/ },
    { argv: ['--tty=maybe', 'id'], err: /not a boolean/ },
  ])('refuses $argv', ({ argv, err }) => {
    expect(() => parseExecArgs(argv)).toThrow(err);
  });

  it('--help is noted (the command hands it to runc)', () => {
    expect(parseExecArgs(['--help']).help).toBe(true);
  });
});

describe('asksRuntimeHelp: a wrapped runc command asked for its help (runc answers)', () => {
  it.each([
    { command: 'create', args: ['--help'], help: true },
    { command: 'create', args: ['-h'], help: true },
    { command: 'create', args: ['--bundle', '/b', '-help', 'id'], help: true },
    { command: 'run', args: ['-d', '--h'], help: true },
    { command: 'exec', args: ['-t', '--help', 'id'], help: true },
    { command: 'delete', args: ['-f', '--help'], help: true },
    { command: 'features', args: ['--help'], help: true },
    { command: 'create', args: ['--help=false', 'id'], help: false },
    { command: 'create', args: ['--bundle', '--help', 'id'], help: false }, // the bundle is named "--help"
    { command: 'create', args: ['id', '--help'], help: false }, // after the id: not a flag (Go)
    { command: 'exec', args: ['id', 'sh', '--help'], help: false }, // the exec'd command's own flag
    { command: 'create', args: ['--', '--help'], help: false },
    { command: 'merge', args: ['--help'], help: false }, // the shim's own: its own help
    { command: 'state', args: ['--help'], help: false }, // not wrapped: passes through anyway
    { command: undefined, args: ['--help'], help: false },
  ])('$command $args', ({ command, args, help }) => {
    expect(asksRuntimeHelp(command, args)).toBe(help);
  });
});
