/**
 * Every shim-only command answers --help through the real launcher: exit 0, the help text of
 * its table on stdout, and nothing read (no runtime config, no bundle, no profile), so
 * `merge --help` works in a directory without config.json. Bad flags are refused with the
 * command's usage, before anything is read.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helpText, usageLine } from '../../../shim/cli/command-args.js';
import { SHIM_ONLY_SPECS } from '../../../shim/commands/specs.js';
import { SH_LAUNCHER } from '../launcher/fakes.js';

const empty = mkdtempSync(join(tmpdir(), `openclaw-cli-help-${process.pid}-`));
afterAll(() => rmSync(empty, { recursive: true, force: true }));
// A config that does not exist: a command that tried to read it would fail.
const env = { PATH: process.env.PATH, OPENCLAW_CONFIG: join(empty, 'missing.toml'), OPENCLAW_SERVICE_DIR: join(empty, 'no-service') };
const run = (argv: string[]) => spawnSync(SH_LAUNCHER, argv, { cwd: empty, env, encoding: 'utf8', timeout: 60_000 });

describe('CMD --help: the table\'s help, exit 0, nothing read', () => {
  it.each(SHIM_ONLY_SPECS.flatMap((s) => [[s.name, '--help'], [s.name, '-h']]))('%s %s', (name, flag) => {
    const o = run([name, flag]);
    expect(o.stderr).toBe('');
    expect(o.status).toBe(0);
    expect(o.stdout).toBe(helpText(SHIM_ONLY_SPECS.find((s) => s.name === name)!));
  });

  it('merge --help in a directory without config.json, with flags before it', () => {
    const o = run(['--profile', 'nonexistent', 'merge', '--diff', '--bundle', join(empty, 'nope'), '--help']);
    expect([o.status, o.stderr]).toEqual([0, '']);
    expect(o.stdout).toMatch(/^usage: openclaw-runtime merge /);
  });

  it('install ENGINE --help: that engine\'s flags only', () => {
    const o = run(['install', 'podman', '--help']);
    expect([o.status, o.stderr]).toEqual([0, '']);
    expect(o.stdout).toMatch(/^usage: openclaw-runtime install podman \[--config FILE\]/);
    expect(o.stdout).not.toContain('--set-default');
  });
});

describe('bad flags of shim commands: refused with the usage, exit 1, nothing read', () => {
  it.each([
    { argv: ['merge', '--bogus'], problem: 'merge: unknown flag --bogus' },
    { argv: ['merge', '--bundle'], problem: 'merge: --bundle needs a value' },
    { argv: ['merge', 'a', 'b'], problem: 'merge: too many arguments ("b")' },
    { argv: ['lint', '--json=1'], problem: 'lint: --json takes no value' },
    { argv: ['validate', '--strict'], problem: 'validate: unknown flag --strict' },
    { argv: ['denials', '--log'], problem: 'denials: --log needs a value' },
    { argv: ['denials', 'a', 'b'], problem: 'denials: too many arguments ("b")' },
    { argv: ['agent', '--socket', 'relative.sock'], problem: 'agent: --socket needs an absolute path', notParser: true },
    { argv: ['agent', 'extra'], problem: 'agent: takes no arguments, got "extra"' },
    { argv: ['jobs'], problem: 'jobs: missing prune [ID...]' },
    { argv: ['jobs', 'list'], problem: 'jobs: unknown subcommand "list"', notParser: true },
    { argv: ['jobs', 'prune', '--older'], problem: 'jobs: unknown flag --older' },
    { argv: ['hook', 'poststop', '--state-dir'], problem: 'hook: --state-dir needs a value' },
    { argv: ['install', 'docker', '--launcher-dir', '/x'], problem: 'install docker: unknown flag --launcher-dir' },
    { argv: ['uninstall', 'docker', '--set-default'], problem: 'uninstall docker: unknown flag --set-default' },
  ] as Array<{ argv: string[]; problem: string; notParser?: boolean }>)('$argv', ({ argv, problem, notParser }) => {
    const o = run(argv);
    expect(o.status).toBe(1);
    expect(o.stdout).toBe('');
    expect(o.stderr).toContain(problem);
    // The parser's refusals carry the usage of the command (install: of the engine named).
    const name = argv[0]!.endsWith('install') ? `${argv[0]} ${argv[1]}` : argv[0]!;
    if (!notParser) expect(o.stderr).toContain(`usage: openclaw-runtime ${name} `);
    if (!notParser && !name.includes(' ')) expect(o.stderr).toContain(usageLine(SHIM_ONLY_SPECS.find((s) => s.name === name)!));
    expect(o.stderr).not.toMatch(/cannot read the runtime config/);
  });
});
