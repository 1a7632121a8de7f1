import { describe, expect, it } from 'vitest';
import { cloneFlagsText, decodeArgs, ioctlRequestName, openFlagsText, socketFamilyName, widenHint, type HintInput } from '../../../shim/agent/explain.js';
import { formatEntry, formatSummary, summarize, type ReportContext } from '../../../shim/agent/denial-report.js';
import type { DenialEntry } from '../../../shim/agent/denial-log.js';

describe('argument decoders', () => {
  it.each([
    ['ioctl', [1n, 0x5412n], 'fd=1 request=TIOCSTI'],
    ['ioctl', [0n, 0x5451n], 'fd=0 request=FIOCLEX'],
    // the kernel reads the request's low 32 bits
    ['ioctl', [3n, (1n << 32n) | 0x5413n], 'fd=3 request=TIOCGWINSZ'],
    ['ioctl', [3n, 0xdeadn], 'fd=3 request=0xdead'],
    ['socket', [2n, 1n | 0o2000000n], 'family=AF_INET type=SOCK_STREAM|SOCK_CLOEXEC'],
    ['socket', [1n, 2n], 'family=AF_UNIX type=SOCK_DGRAM'],
    ['socketpair', [99n, 5n | 0o4000n], 'family=99 type=SOCK_SEQPACKET|SOCK_NONBLOCK'],
    // glibc's fork
    ['clone', [0x1200011n], 'flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD'],
    ['unshare', [0x10000000n | 0x20000n], 'flags=CLONE_NEWNS|CLONE_NEWUSER'],
    ['openat', [0n, 0n, 0o2101n], 'flags=O_WRONLY|O_CREAT|O_APPEND'],
    ['open', [0n, 0o2000002n], 'flags=O_RDWR|O_CLOEXEC'],
    ['mount', [0x10n, 0x20n, 0x30n, 0x40n], '0x10 0x20 0x30'],
  ] as Array<[string, bigint[], string]>)('%s #%# -> %s', (name, args, want) => {
    expect(decodeArgs(name, args)).toBe(want);
  });
  it('names table values and prints the rest in hex', () => {
    expect(ioctlRequestName(0x5401)).toBe('TCGETS');
    expect(socketFamilyName(1)).toBe('AF_UNIX');
    expect(socketFamilyName(10)).toBe('AF_INET6');
    expect(openFlagsText(0)).toBe('O_RDONLY');
    expect(openFlagsText(0o20200000 | 2)).toBe('O_RDWR|O_DIRECTORY|__O_TMPFILE');
    expect(cloneFlagsText(0x50f00)).toBe('CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM');
    expect(cloneFlagsText(0x11 | 0x100000000)).toBe('SIGCHLD');
    expect(cloneFlagsText(0)).toBe('0');
  });
});

describe('widenHint: one line per kind of rule', () => {
  const base = { reason: 'denied by the filter', profile: '/etc/openclaw/profiles/p.yaml' };
  const rows: Array<[string, HintInput, RegExp]> = [
    ['ioctl outside the allow rules', { ...base, syscall: 'ioctl', rule: 'rules[0].names[0]', args: 'fd=1 request=TIOCSTI' }, /add \{ names: \[ioctl\], action: allow, args: \[\{ index: 1, op: SCMP_CMP_EQ, value: 0x5412 \}\] \} to spec\.isolation\.syscallFilter\.rules in \/etc\/openclaw\/profiles\/p\.yaml \(and check spec\.isolation\.syscallFilter\.rules\[0\] does not deny it\)$/],
    ['ioctl by the default', { ...base, syscall: 'ioctl', rule: 'defaultAction', args: 'fd=1 request=0xdead' }, /value: 0xdead/],
    ['socket family', { ...base, syscall: 'socket', rule: 'socketFamilies', args: 'family=AF_INET type=SOCK_STREAM' }, /^add AF_INET to spec\.isolation\.syscallFilter\.socketFamilies in /],
    ['socket by the default', { ...base, syscall: 'socket', rule: 'defaultAction', args: 'family=AF_INET6 type=SOCK_DGRAM' }, /^add socket to spec\.isolation\.syscallFilter\.whitelist in .* socketFamilies: \[AF_INET6\]$/],
    ['readOnlyOpens', { ...base, syscall: 'mkdir', rule: 'readOnlyOpens', args: '' }, /readOnlyOpens denies mkdir .*writablePaths/],
    ['fork under a clone blacklist', { ...base, syscall: 'fork', rule: 'blacklist[0]', args: '' }, /blacklist\[0\] \(clone\) denies new processes but keeps threads/],
    ['blacklist', { ...base, syscall: 'ptrace', rule: 'blacklist[5]', args: '' }, /^remove ptrace from spec\.isolation\.syscallFilter\.blacklist \(blacklist\[5\]\) in /],
    ['an errno rule', { ...base, syscall: 'personality', rule: 'rules[2].names[1]', args: '0x8 0x0 0x0' }, /^spec\.isolation\.syscallFilter\.rules\[2\] denies personality with these arguments/],
    ['the default', { ...base, syscall: 'mknod', rule: 'defaultAction', args: '' }, /^mknod is in no list \(spec\.isolation\.syscallFilter\.defaultAction\): add it to spec\.isolation\.syscallFilter\.whitelist/],
    ['exec after the first one (the agent)', { ...base, reason: 'execve after the first execve', syscall: 'execve', args: 'path="/bin/sh"' }, /remove execve from spec\.isolation\.syscallFilter\.blacklist .*exec-once is then off/],
    ['a write-open (the agent)', { ...base, reason: 'write-open outside writable paths', syscall: 'openat', args: 'path="/etc/x" flags=O_WRONLY' }, /spec\.filesystem\.writablePaths/],
    ["runc init's call after the exec (the agent)", { ...base, reason: 'only allowed before the first execve', syscall: 'epoll_ctl', args: '' }, /only for runc's init; add it to spec\.isolation\.syscallFilter\.whitelist/],
  ];
  it.each(rows)('%s', (_n, input, want) => {
    expect(widenHint(input)).toMatch(want);
  });
  it('says nothing for a denial it cannot widen', () => {
    expect(widenHint({ ...base, syscall: 'openat', reason: 'write-open: EFAULT', args: '' })).toMatch(/writablePaths/);
    expect(widenHint({ ...base, syscall: 'read', reason: 'something else', args: '' })).toBeUndefined();
  });
});

describe('denials output', () => {
  const ctx: ReportContext = { errnoName: (n) => ({ 1: 'EPERM', 97: 'EAFNOSUPPORT' })[n] ?? `errno ${n}`, profileFile: (p) => `/profiles/${p}.yaml` };
  const e = (syscall: string, errno: number, rule: string | undefined, args: string, time = 't1'): DenialEntry => ({
    time,
    container: 'job1',
    pid: 7,
    profile: 'smythos-alternative',
    syscall,
    decision: 'deny',
    errno,
    reason: rule ? 'denied by the filter' : 'execve after the first execve',
    args,
    ...(rule ? { rule } : {}),
  });
  it('an entry names the profile, the field and a hint', () => {
    expect(formatEntry(e('socket', 1, 'defaultAction', 'family=AF_INET type=SOCK_STREAM'), ctx)).toBe(
      't1  job1  pid 7  profile smythos-alternative  socket  EPERM  denied by the filter (spec.isolation.syscallFilter.defaultAction)  family=AF_INET type=SOCK_STREAM\n' +
        '    hint: add socket to spec.isolation.syscallFilter.whitelist in /profiles/smythos-alternative.yaml and limit it with socketFamilies: [AF_INET]',
    );
  });
  it('audit mode: the line says the call would be denied and was allowed, with its rule and the hint', () => {
    const a: DenialEntry = { ...e('socket', 1, 'defaultAction', 'family=AF_INET type=SOCK_STREAM'), decision: 'audit' };
    expect(formatEntry(a, ctx)).toBe(
      't1  job1  pid 7  profile smythos-alternative  socket  EPERM  audit: would deny (denied by the filter, spec.isolation.syscallFilter.defaultAction); allowed  family=AF_INET type=SOCK_STREAM\n' +
        '    hint: add socket to spec.isolation.syscallFilter.whitelist in /profiles/smythos-alternative.yaml and limit it with socketFamilies: [AF_INET]',
    );
    const kill: DenialEntry = { ...e('ptrace', 1, 'blacklist[0]', ''), decision: 'audit', action: 'kill-process', reason: 'the filter kills it (kill-process)' };
    expect(formatEntry(kill, ctx).split('\n')[0]).toBe('t1  job1  pid 7  profile smythos-alternative  ptrace  SCMP_ACT_KILL_PROCESS  audit: would deny (the filter kills it (kill-process), spec.isolation.syscallFilter.blacklist[0]); allowed');
  });
  it('audit mode: --summary counts would-deny lines apart from denials', () => {
    const entries = [e('socket', 1, 'defaultAction', 'family=AF_INET', 't1'), { ...e('socket', 1, 'defaultAction', 'family=AF_INET', 't2'), decision: 'audit' as const }];
    const lines = formatSummary('job1', entries, ctx).split('\n');
    expect(lines[0]).toBe('job1: 2 denials logged (1 audit: would deny, allowed), 2 kinds, profile smythos-alternative');
    expect(lines.filter((l) => /^\s+1 {2}socket/.test(l))).toEqual([
      '     1  socket  EPERM  denied by the filter (spec.isolation.syscallFilter.defaultAction)',
      '     1  socket  EPERM  audit: would deny (denied by the filter, spec.isolation.syscallFilter.defaultAction); allowed',
    ]);
  });
  it('a rate-limit line stays one line', () => {
    const s: DenialEntry = { ...e('*', 0, undefined, ''), reason: 'rate limit: 5 further denials not logged (a .. b)', suppressed: 5 };
    expect(formatEntry(s, ctx)).toBe('t1  job1  rate limit: 5 further denials not logged (a .. b)');
  });
  it('--summary groups by call, most frequent first, with examples, rule and hint', () => {
    const entries = [
      e('ptrace', 1, 'blacklist[5]', '0x10 0x1 0x0', 't1'),
      e('socket', 1, 'defaultAction', 'family=AF_INET type=SOCK_STREAM', 't2'),
      e('socket', 1, 'defaultAction', 'family=AF_INET6 type=SOCK_STREAM', 't3'),
      e('socket', 1, 'defaultAction', 'family=AF_INET type=SOCK_STREAM', 't4'),
      { ...e('*', 0, undefined, ''), reason: 'rate limit', suppressed: 40 },
    ];
    const { rows, suppressed } = summarize(entries, ctx);
    expect(suppressed).toBe(40);
    expect(rows.map((r) => [r.syscall, r.count, r.first, r.last])).toEqual([
      ['socket', 3, 't2', 't4'],
      ['ptrace', 1, 't1', 't1'],
    ]);
    expect(formatSummary('job1', entries, ctx)).toBe(
      [
        'job1: 4 denials logged (+40 not logged one by one: rate limit), 2 kinds, profile smythos-alternative',
        '     3  socket  EPERM  denied by the filter (spec.isolation.syscallFilter.defaultAction)',
        '        e.g. family=AF_INET type=SOCK_STREAM',
        '        e.g. family=AF_INET6 type=SOCK_STREAM',
        '        hint: add socket to spec.isolation.syscallFilter.whitelist in /profiles/smythos-alternative.yaml and limit it with socketFamilies: [AF_INET]',
        '     1  ptrace  EPERM  denied by the filter (spec.isolation.syscallFilter.blacklist[5])',
        '        e.g. 0x10 0x1 0x0',
        '        hint: remove ptrace from spec.isolation.syscallFilter.blacklist (blacklist[5]) in /profiles/smythos-alternative.yaml',
      ].join('\n'),
    );
  });
});
