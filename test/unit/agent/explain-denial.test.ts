/**
 * `openclaw-runtime explain ID`: each logged denial mapped to the profile rule that denied it
 * and the minimal change that would allow it; through the launcher, with the profile's file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainDenial, pathOfArgs } from '../../../shim/agent/explain-denial.js';
import type { DenialEntry } from '../../../shim/agent/denial-log.js';
import { REPO, SH_LAUNCHER } from '../launcher/fakes.js';

const entry = (over: Partial<DenialEntry> & Record<string, unknown>): DenialEntry =>
  ({ time: '2026-01-01T00:00:00.000Z', container: 'c1', pid: 7, profile: 'strict-agent', syscall: 'execve', decision: 'deny', errno: 1, reason: '', args: '', ...over }) as DenialEntry;

describe('explainDenial', () => {
  it.each([
    {
      name: 'exec after the entrypoint',
      e: entry({ reason: 'execve after the first execve', args: 'path="/bin/sh"' }),
      rule: /^spec\.isolation\.syscallFilter\.blacklist /,
      hint: /make \/bin\/sh the entrypoint, or remove execve from spec\.isolation\.syscallFilter\.blacklist/,
    },
    {
      name: 'execveat after the entrypoint',
      e: entry({ syscall: 'execveat', reason: 'execve after the first execve', args: 'path=<NULL path>' }),
      rule: /blacklist/,
      hint: /make that program the entrypoint, or remove execveat /,
    },
    {
      name: 'a filter denial logged with its field (no hint): the field, and the hint denials gives',
      e: entry({ syscall: 'clone', reason: 'denied by the filter', rule: 'blacklist[0]', args: 'flags=CLONE_CHILD_SETTID|SIGCHLD' }),
      rule: /^spec\.isolation\.syscallFilter\.blacklist\[0\]$/,
      hint: /^spec\.isolation\.syscallFilter\.blacklist\[0\] \(clone\) denies new processes but keeps threads; remove clone from the blacklist of strict-agent to allow clone$/,
    },
    {
      name: 'a filter denial by the default',
      e: entry({ syscall: 'socket', reason: 'denied by the filter', rule: 'defaultAction', args: 'family=AF_INET type=SOCK_STREAM' }),
      rule: /^spec\.isolation\.syscallFilter\.defaultAction$/,
      hint: /^add socket to spec\.isolation\.syscallFilter\.whitelist in strict-agent and limit it with socketFamilies: \[AF_INET\]$/,
    },
    {
      name: 'write-open outside the writable paths',
      e: entry({ syscall: 'openat', reason: 'write-open outside writable paths', args: 'path="/etc/passwd" flags=0x241' }),
      rule: /^spec\.filesystem\.writablePaths$/,
      hint: /^add \/etc to spec\.filesystem\.writablePaths \(or open \/etc\/passwd read-only\)$/,
    },
    {
      name: 'write-open with no writable paths',
      e: entry({ syscall: 'open', reason: 'write-open (no writable paths)', args: 'path="/data/out.txt" flags=0x41' }),
      rule: /^spec\.filesystem\.writablePaths$/,
      hint: /^add \/data to /,
    },
    {
      name: 'write-open whose path could not be read',
      e: entry({ syscall: 'openat', reason: 'write-open: read memory: short read', args: 'path=<read memory: short read>' }),
      rule: /writablePaths/,
      hint: /could not check the path \(read memory: short read\)/,
    },
    {
      name: 'an init-only call',
      e: entry({ syscall: 'getdents64', reason: 'only allowed before the first execve' }),
      rule: /init only/,
      hint: /^add getdents64 to spec\.isolation\.syscallFilter\.whitelist/,
    },
    {
      name: 'a line that carries its own rule and hint',
      e: entry({ reason: 'anything', rule: 'spec.x.y', hint: 'do z' }),
      rule: /^spec\.x\.y$/,
      hint: /^do z$/,
    },
  ])('$name', ({ e, rule, hint }) => {
    const x = explainDenial(e);
    expect(x?.rule).toMatch(rule);
    expect(x?.hint).toMatch(hint);
  });

  it('summary lines explain nothing', () => {
    expect(explainDenial(entry({ reason: 'rate limit: 5 further denials not logged', suppressed: 5 }))).toBeUndefined();
  });

  it.each([
    ['path="/a b"', '/a b'],
    ['path="/x\\"y" flags=0x1', '/x"y'],
    ['path=<NULL path>', undefined],
    ['', undefined],
  ])('pathOfArgs(%j)', (args, path) => expect(pathOfArgs(args)).toBe(path));
});

describe('explain ID through the launcher', () => {
  const dir = mkdtempSync(join(tmpdir(), `openclaw-explain-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'denials.log');
  const cfg = join(dir, 'config.toml');
  writeFileSync(cfg, `[agent]\nsocket = "${join(dir, 'agent.sock')}"\ndenial_log = "${log}"\n[state]\ndir = "${join(dir, 'state')}"\n`);
  const line = (o: Partial<DenialEntry>) => `${JSON.stringify(entry(o))}\n`;
  writeFileSync(
    log,
    line({ container: 'abc123', profile: 'default', reason: 'execve after the first execve', args: 'path="/bin/sh"' }) +
      line({ container: 'other', profile: 'default', syscall: 'openat', reason: 'write-open outside writable paths', args: 'path="/etc/x"' }) +
      line({ container: 'abc123', profile: 'gone-profile', syscall: 'openat', reason: 'write-open outside writable paths', args: 'path="/var/lib/app/db"' }),
  );
  const run = (argv: string[]) => spawnSync(SH_LAUNCHER, ['--openclaw-config', cfg, ...argv], { encoding: 'utf8', timeout: 60_000 });

  it('each denial of that container: the file, the rule, the change', () => {
    const o = run(['explain', 'abc']);
    expect([o.status, o.stderr]).toEqual([0, '']);
    const lines = o.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/abc123 {2}pid 7 {2}execve path="\/bin\/sh" {2}EPERM: execve after the first execve$/);
    // default.yaml has no blacklist: the line is that of the syscallFilter key that would hold it.
    const defaultYaml = join(REPO, 'profiles', 'default.yaml');
    const filterLine = readFileSync(defaultYaml, 'utf8').split('\n').findIndex((l) => /^\s+syscallFilter:/.test(l)) + 1;
    expect(filterLine).toBeGreaterThan(0);
    expect(lines[1]).toBe(`  denied by: ${defaultYaml}:${filterLine}: spec.isolation.syscallFilter.blacklist (execve/execveat: exactly one exec, the entrypoint's)`);
    expect(lines[2]).toMatch(/^ {2}to allow: {2}make \/bin\/sh the entrypoint/);
    expect(lines[4]).toBe('  denied by: profile "gone-profile" (no longer in the profile directories): spec.filesystem.writablePaths');
    expect(lines[5]).toBe('  to allow:  add /var/lib/app to spec.filesystem.writablePaths (or open /var/lib/app/db read-only)');
    expect(o.stdout).not.toContain('/etc/x');
  });

  it('no denials for an id: said on stderr, exit 0', () => {
    const o = run(['explain', 'zzz']);
    expect([o.status, o.stdout]).toEqual([0, '']);
    expect(o.stderr).toBe(`no denials for zzz in ${log}\n`);
  });

  it('without an id: refused with the usage', () => {
    const o = run(['explain']);
    expect(o.status).toBe(1);
    expect(o.stderr).toContain('explain: missing ID');
    expect(o.stderr).toContain('usage: openclaw-runtime explain [--log PATH] ID');
  });
});
