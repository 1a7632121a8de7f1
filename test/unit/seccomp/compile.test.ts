import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { describeAgentNeeds, type AgentFacts } from '../../../shim/seccomp/compile.js';
import { PATH_MUTATING_CALLS } from '../../../shim/seccomp/vocabulary.js';
import { verdictWithAgent } from '../../../shim/agent/verdict.js';
import { AGENT, FIELD, X86_64, assertWellFormed, compile, errorOf } from './helpers.js';

const O_WRONLY = 1n, O_RDWR = 2n, O_CREAT = 0x40n, O_TRUNC = 0x200n, O_DIRECTORY = 0x10000n, O_CLOEXEC = 0x80000n, O_TMPFILE_GLIBC = 0x410000n;
const AT_FDCWD = BigInt.asUintN(64, -100n);
const HI = 1n << 32n;
const ev = (s: ReturnType<typeof compile>, name: string, args: bigint[] = [], arch = X86_64) => verdictWithAgent(s, arch, name, args);

/** Enough for runc's init (see shim/seccomp/runc-init.ts) in a deny-by-default profile. */
const RUNC_INIT_OK = ['read', 'write', 'openat', 'close', 'getpid', 'epoll_ctl', 'epoll_pwait', 'fstatfs', 'getdents64', 'futex', 'nanosleep', 'sched_yield', 'tgkill', 'rt_sigreturn', 'rt_sigprocmask', 'sigaltstack', 'gettid', 'mmap', 'munmap', 'madvise', 'exit', 'execve', 'exit_group', 'clone', 'wait4', 'kill'];

describe('compileSyscallFilter: meanings', () => {
  const allowDefault = compile({ defaultAction: 'allow', blacklist: ['clone', 'kexec_load'], socketFamilies: ['AF_UNIX'] });

  it.each([
    ['thread clone (Go/glibc flags) allowed', 'clone', [0x3d0f00n], 'allow'],
    ['fork-style clone denied', 'clone', [0x1200011n], 'errno'],
    ['clone with CLONE_NEWUSER|CLONE_THREAD denied', 'clone', [0x10000000n | 0x10000n], 'errno'],
    ['fork denied', 'fork', [], 'errno'],
    ['vfork denied', 'vfork', [], 'errno'],
    ['AF_UNIX socket allowed', 'socket', [1n, 1n, 0n], 'allow'],
    ['AF_INET socket denied', 'socket', [2n, 1n, 0n], 'errno'],
    ['AF_UNIX with upper bits set denied (allow compares 64 bits)', 'socket', [1n | HI, 1n, 0n], 'errno'],
    ['socketpair follows socketFamilies', 'socketpair', [10n], 'errno'],
    ['other calls follow the default', 'read', [], 'allow'],
  ])('%s', (_n, name, args, action) => {
    expect(ev(allowDefault, name as string, args as bigint[]).action).toBe(action);
  });

  it('clone3 answers ENOSYS, families EAFNOSUPPORT, blacklist EPERM', () => {
    expect(ev(allowDefault, 'clone3')).toEqual({ action: 'errno', errno: 38 });
    expect(ev(allowDefault, 'socket', [2n])).toEqual({ action: 'errno', errno: 97 });
    expect(ev(allowDefault, 'kexec_load')).toEqual({ action: 'errno', errno: 1 });
  });

  it('a deny-by-default filter that does not name clone3 answers it ENOSYS (glibc falls back)', () => {
    const s = compile({ defaultAction: 'errno', whitelist: RUNC_INIT_OK });
    expect(ev(s, 'clone3')).toEqual({ action: 'errno', errno: 38 });
    expect(ev(s, 'mount')).toEqual({ action: 'errno', errno: 1 });
  });

  it('blacklistAction kill compiles to SCMP_ACT_KILL_PROCESS', () => {
    const s = compile({ defaultAction: 'allow', blacklist: ['ptrace'], blacklistAction: 'kill' });
    expect(s.syscalls).toContainEqual({ names: ['ptrace'], action: 'SCMP_ACT_KILL_PROCESS' });
  });

  it('default architecture is the native one; other ABIs are killed', () => {
    const s = compile({ defaultAction: 'allow', blacklist: ['ptrace'] });
    expect(s.architectures).toEqual([X86_64]);
    expect(ev(s, 'read', [], 'SCMP_ARCH_X86').action).toBe('kill-thread');
    expect(ev(s, 'read', [], 'SCMP_ARCH_X32').action).toBe('kill-thread');
  });

  it('deny rules on int arguments compare the low 32 bits only', () => {
    const s = compile({ defaultAction: 'allow', rules: [{ names: ['ioctl'], action: 'errno', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5412n }] }] });
    expect(ev(s, 'ioctl', [0n, 0x5412n]).action).toBe('errno');
    expect(ev(s, 'ioctl', [0n, 0x5412n | HI]).action).toBe('errno');
    expect(ev(s, 'ioctl', [0n, 0x5401n]).action).toBe('allow');
  });

  it('allow rules keep the full 64-bit compare (fail closed)', () => {
    const s = compile({ defaultAction: 'errno', whitelist: RUNC_INIT_OK, rules: [{ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5401n }] }] });
    expect(ev(s, 'ioctl', [0n, 0x5401n]).action).toBe('allow');
    expect(ev(s, 'ioctl', [0n, 0x5401n | HI]).action).toBe('errno');
  });

  it('two conditions on one index mean AND, and are never emitted in one rule', () => {
    const s = compile({
      defaultAction: 'errno',
      whitelist: RUNC_INIT_OK,
      rules: [{ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_GE', value: 5n }, { index: 1, op: 'SCMP_CMP_LE', value: 10n }] }],
    });
    expect(assertWellFormed(s)).toEqual([]);
    const got = [4n, 5n, 7n, 10n, 11n, 5n | HI].map((v) => ev(s, 'ioctl', [0n, v]).action);
    expect(got).toEqual(['errno', 'allow', 'allow', 'allow', 'errno', 'errno']);
  });

  it('two conditions that merge into one atom become one condition', () => {
    const s = compile({
      defaultAction: 'allow',
      rules: [{ names: ['personality'], action: 'errno', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0xffn, valueTwo: 0x8n }, { index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0xff00n, valueTwo: 0n }] }],
    });
    const rule = s.syscalls!.find((r) => r.names.includes('personality'))!;
    expect(rule.args).toEqual([{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0xffff, valueTwo: 8 }]);
  });
});

describe('compileSyscallFilter: read-only opens and the agent', () => {
  const withAgent = compile({ defaultAction: 'allow', readOnlyOpens: true, blacklist: ['execve'] }, { agent: AGENT });

  it.each([
    ['O_RDONLY', 'openat', [AT_FDCWD, 0n, 0n], 'allow'],
    ['O_RDONLY|O_DIRECTORY|O_CLOEXEC', 'openat', [AT_FDCWD, 0n, O_DIRECTORY | O_CLOEXEC], 'allow'],
    ['O_WRONLY (runc exec fifo)', 'openat', [AT_FDCWD, 0n, O_WRONLY | O_CLOEXEC], 'notify'],
    ['O_RDWR', 'openat', [AT_FDCWD, 0n, O_RDWR], 'notify'],
    ['O_CREAT alone', 'openat', [AT_FDCWD, 0n, O_CREAT], 'notify'],
    ['O_TRUNC alone', 'openat', [AT_FDCWD, 0n, O_TRUNC], 'notify'],
    ['O_TMPFILE', 'openat', [AT_FDCWD, 0n, O_TMPFILE_GLIBC | O_RDWR], 'notify'],
    ['open: flags at index 1', 'open', [0n, O_WRONLY], 'notify'],
    ['open read-only', 'open', [0n, 0n], 'allow'],
    ['creat', 'creat', [0n, 0o644n], 'notify'],
    ['execve', 'execve', [], 'notify'],
    // The profile allows execveat (default allow): it reaches the agent all the same, which
    // must see every exec that ends runc init's window (the exec-once invariant).
    ['execveat goes to the agent too', 'execveat', [], 'notify'],
  ])('%s -> %s', (_n, name, args, action) => {
    expect(ev(withAgent, name as string, args as bigint[]).action).toBe(action);
  });

  it('openat2 answers ENOSYS; the listener is set; one rule per write bit', () => {
    expect(ev(withAgent, 'openat2')).toEqual({ action: 'errno', errno: 38 });
    expect(withAgent.listenerPath).toBe(AGENT.listenerPath);
    expect(JSON.parse(withAgent.listenerMetadata as string).profile).toBe('test');
    const openatNotify = withAgent.syscalls!.filter((r) => r.names.includes('openat') && r.action === 'SCMP_ACT_NOTIFY');
    expect(openatNotify.map((r) => r.args)).toEqual(
      expect.arrayContaining([0x1, 0x2, 0x40, 0x200, 0x400000].map((b) => [{ index: 2, op: 'SCMP_CMP_MASKED_EQ', value: b, valueTwo: b }])),
    );
    expect(openatNotify).toHaveLength(5);
  });

  it('without the agent: an error that says why and names the fields', () => {
    const e = errorOf(() => compile({ defaultAction: 'allow', readOnlyOpens: true, blacklist: ['execve'] }));
    expect(e.file).toBe('p.yaml');
    expect(e.field).toBe(FIELD);
    expect(e.message).toMatch(/seccomp agent \(issue 3\)/);
    expect(e.message).toMatch(/exec fifo O_WRONLY/);
    expect(e.message).toMatch(/execve \(blacklist\[0\]/);
    expect(e.message).toMatch(/openat \(readOnlyOpens/);
  });

  it('a whitelist without what runc\'s init needs: error without agent, NOTIFY for exactly those with it', () => {
    const filter = { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'futex' && n !== 'tgkill') };
    const needs = describeAgentNeeds(filter as never);
    expect(needs.map((n) => n.syscall).sort()).toEqual(['futex', 'tgkill']);
    expect(needs[0]!.field).toBe(`${FIELD}.defaultAction`);
    expect(errorOf(() => compile(filter)).message).toMatch(/futex .*tgkill|tgkill .*futex/);
    const s = compile(filter, { agent: AGENT });
    expect(ev(s, 'futex').action).toBe('notify');
    expect(ev(s, 'tgkill').action).toBe('notify');
    expect(ev(s, 'read').action).toBe('allow');
    expect(ev(s, 'mount').action).toBe('errno');
  });

  it('write cannot go to the agent: an error even with the agent', () => {
    const e = errorOf(() => compile({ defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'write') }, { agent: AGENT }));
    expect(e.message).toMatch(/refuses SCMP_ACT_NOTIFY for write/);
    expect(e.fix).toMatch(/allow write/);
  });

  it('a filter runc can run needs no agent and gets no listener', () => {
    const s = compile({ defaultAction: 'errno', whitelist: RUNC_INIT_OK }, { agent: AGENT });
    expect(describeAgentNeeds({ defaultAction: 'errno', whitelist: RUNC_INIT_OK } as never)).toEqual([]);
    expect(s.listenerPath).toBeUndefined();
  });
});

describe('compileSyscallFilter: the exec-once invariant', () => {
  /** Compiles with the agent, recording the facts the metadata is built from. */
  function withFacts(filter: Parameters<typeof compile>[0]) {
    let facts: AgentFacts | undefined;
    const s = compile(filter, { agent: { listenerPath: AGENT.listenerPath, listenerMetadata: (f) => { facts = f; return AGENT.listenerMetadata(f); } } });
    return { s, facts };
  }
  const noClone = RUNC_INIT_OK.filter((n) => n !== 'clone');
  const execveatOnlyFlags0 = { names: ['execveat'], action: 'allow', args: [{ index: 4, op: 'SCMP_CMP_EQ', value: 0n }] };

  it.each([
    // #9 break 2: the agent never saw the exec, so clone stayed "before the first exec" for good.
    { name: 'allow-list with execve, without clone', filter: { defaultAction: 'errno', whitelist: noClone }, execve: 'notify', execveat: 'errno', execAllowed: ['execve'] },
    { name: 'allow-list with execve and execveat, without clone', filter: { defaultAction: 'errno', whitelist: [...noClone, 'execveat'] }, execve: 'notify', execveat: 'notify', execAllowed: ['execve', 'execveat'] },
    { name: 'execve blacklisted (the shipped profiles)', filter: { defaultAction: 'allow', blacklist: ['clone', 'execve', 'execveat'] }, execve: 'notify', execveat: 'notify', execAllowed: [] },
    { name: 'readOnlyOpens with execve allowed', filter: { defaultAction: 'allow', readOnlyOpens: true }, execve: 'notify', execveat: 'notify', execAllowed: ['execve', 'execveat'] },
    { name: 'execveat allowed only with flags 0: exec-once for it (tighter, never looser)', filter: { defaultAction: 'errno', whitelist: noClone, rules: [execveatOnlyFlags0] }, execve: 'notify', execveat: 'notify', execAllowed: ['execve'] },
  ])('$name: execve $execve, execveat $execveat, allowed after the first exec: $execAllowed', ({ filter, execve, execveat, execAllowed }) => {
    const { s, facts } = withFacts(filter as never);
    expect(ev(s, 'execve').action).toBe(execve);
    expect(ev(s, 'execveat').action).toBe(execveat);
    expect(facts?.execAllowed).toEqual(execAllowed);
    expect(assertWellFormed(s)).toEqual([]);
  });

  it('a conditional execveat allow: the cells the profile denies stay denied', () => {
    const { s } = withFacts({ defaultAction: 'errno', whitelist: noClone, rules: [execveatOnlyFlags0] } as never);
    expect(ev(s, 'execveat', [0n, 0n, 0n, 0n, 0x1000n]).action).toBe('errno');
  });

  it.each([
    { name: 'readOnlyOpens on a default-allow profile', filter: { defaultAction: 'allow', readOnlyOpens: true }, writeGated: ['creat', 'open', 'openat'] },
    { name: 'readOnlyOpens with openat whitelisted only', filter: { defaultAction: 'errno', whitelist: RUNC_INIT_OK, readOnlyOpens: true }, writeGated: ['openat'] },
    { name: 'no readOnlyOpens: the opens notified are runc init\'s', filter: { defaultAction: 'errno', whitelist: ['write', 'execve'] }, writeGated: [] },
  ])('writeGated, $name: $writeGated', ({ filter, writeGated }) => {
    const { facts } = withFacts(filter as never);
    expect([...(facts?.writeGated ?? [])].sort()).toEqual(writeGated);
  });

  it('a filter that needs no agent keeps execve as the profile wrote it', () => {
    const { s, facts } = withFacts({ defaultAction: 'errno', whitelist: RUNC_INIT_OK });
    expect(ev(s, 'execve').action).toBe('allow');
    expect(facts).toBeUndefined();
  });
});

describe('compileSyscallFilter: readOnlyOpens covers every path-mutating call', () => {
  const allowAll = compile({ defaultAction: 'allow', readOnlyOpens: true, blacklist: ['execve'] }, { agent: AGENT });
  const S_ISUID = 0o4000n, S_ISGID = 0o2000n;

  it.each(PATH_MUTATING_CALLS.map((n) => [n]))('%s -> EROFS', (name) => {
    expect(ev(allowAll, name)).toEqual({ action: 'errno', errno: 30 });
  });

  it.each([
    ['chmod 0755', 'chmod', [0n, 0o755n], 'allow'],
    ['chmod u+s', 'chmod', [0n, 0o755n | S_ISUID], 'errno'],
    ['chmod g+s', 'chmod', [0n, 0o755n | S_ISGID], 'errno'],
    ['fchmod u+s', 'fchmod', [3n, S_ISUID | 0o700n], 'errno'],
    ['fchmodat mode at index 2', 'fchmodat', [AT_FDCWD, 0n, S_ISUID], 'errno'],
    ['fchmodat 0644', 'fchmodat', [AT_FDCWD, 0n, 0o644n], 'allow'],
    ['fchmodat2 g+s', 'fchmodat2', [AT_FDCWD, 0n, S_ISGID, 0n], 'errno'],
    // umode_t: the kernel keeps the low 16 bits, which hold the set-id bits the mask tests
    ['chmod u+s with upper bits set', 'chmod', [0n, HI | S_ISUID], 'errno'],
    ['open_by_handle_at write-class', 'open_by_handle_at', [3n, 0n, O_WRONLY], 'errno'],
    ['open_by_handle_at read-only', 'open_by_handle_at', [3n, 0n, 0n], 'allow'],
    ['io_uring_setup (opens and writes seccomp never sees)', 'io_uring_setup', [], 'errno'],
    ['io_uring_enter', 'io_uring_enter', [], 'errno'],
    // left alone on purpose (vocabulary.ts PATH_MUTATING_CALLS says why)
    ['ftruncate (needs a writable fd)', 'ftruncate', [3n, 0n], 'allow'],
    ['utimensat (timestamps)', 'utimensat', [], 'allow'],
    ['fchown (no CAP_CHOWN)', 'fchown', [], 'allow'],
  ])('%s -> %s', (_n, name, args, action) => {
    expect(ev(allowAll, name as string, args as bigint[]).action).toBe(action);
  });

  it('io_uring answers ENOSYS, so libraries fall back to calls the filter sees', () => {
    expect(ev(allowAll, 'io_uring_setup')).toEqual({ action: 'errno', errno: 38 });
  });

  it('set-id chmod answers EPERM, as the kernel would to an unprivileged caller', () => {
    expect(ev(allowAll, 'chmod', [0n, S_ISUID])).toEqual({ action: 'errno', errno: 1 });
  });

  it("the profile's own denials keep their action (a deny-by-default profile's EPERM stays EPERM)", () => {
    const s = compile({ defaultAction: 'errno', whitelist: [...RUNC_INIT_OK, 'chmod'], readOnlyOpens: true }, { agent: AGENT });
    expect(ev(s, 'mkdir')).toEqual({ action: 'errno', errno: 1 });
    expect(ev(s, 'chmod', [0n, 0o644n]).action).toBe('allow');
    expect(ev(s, 'chmod', [0n, S_ISUID]).action).toBe('errno');
  });

  it('without readOnlyOpens nothing changes', () => {
    const s = compile({ defaultAction: 'allow', blacklist: ['kexec_load'] });
    expect(ev(s, 'mkdir').action).toBe('allow');
    expect(ev(s, 'chmod', [0n, S_ISUID]).action).toBe('allow');
  });
});

describe('compileSyscallFilter: refusals name the file, the field and the fix', () => {
  const cases: Array<{ name: string; filter: Record<string, unknown>; field: string; msg: RegExp }> = [
    { name: 'unknown syscall', filter: { defaultAction: 'allow', blacklist: ['ptrace', 'no_such_call'] }, field: `${FIELD}.blacklist[1]`, msg: /unknown system call "no_such_call"/ },
    { name: 'name not on a listed arch', filter: { defaultAction: 'allow', architectures: ['SCMP_ARCH_AARCH64'], blacklist: ['open'] }, field: `${FIELD}.blacklist[0]`, msg: /does not exist on SCMP_ARCH_AARCH64/ },
    { name: 'whitelist and blacklist', filter: { defaultAction: 'errno', whitelist: ['read', 'ptrace'], blacklist: ['ptrace'] }, field: `${FIELD}.blacklist[0]`, msg: /both the whitelist \(whitelist\[1\]\)/ },
    {
      name: 'unconditional and conditional with different actions',
      filter: { defaultAction: 'allow', blacklist: ['ioctl'], rules: [{ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 1n }] }] },
      field: `${FIELD}.rules[0].names[0]`,
      msg: /unconditionally at spec\.isolation\.syscallFilter\.blacklist\[0\]/,
    },
    { name: 'mask 0', filter: { defaultAction: 'allow', rules: [{ names: ['ioctl'], action: 'errno', args: [{ index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 0n, valueTwo: 0n }] }] }, field: `${FIELD}.rules[0].args[0].value`, msg: /mask 0 matches every call/ },
    { name: 'datum outside the mask', filter: { defaultAction: 'allow', rules: [{ names: ['ioctl'], action: 'errno', args: [{ index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 1n, valueTwo: 2n }] }] }, field: `${FIELD}.rules[0].args[0].valueTwo`, msg: /never matches/ },
    { name: 'openat index 1 is the path', filter: { defaultAction: 'allow', rules: [{ names: ['openat'], action: 'errno', args: [{ index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 3n, valueTwo: 1n }] }] }, field: `${FIELD}.rules[0].args[0].index`, msg: /pointer/ },
    { name: 'notify default', filter: { defaultAction: 'notify' }, field: `${FIELD}.defaultAction`, msg: /refuses SCMP_ACT_NOTIFY as the default/ },
    { name: 'socketFamilies with i386', filter: { defaultAction: 'allow', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], socketFamilies: ['AF_UNIX'] }, field: `${FIELD}.architectures[1]`, msg: /socketcall/ },
    { name: 'deny with LT on an int argument', filter: { defaultAction: 'allow', rules: [{ names: ['socket'], action: 'errno', args: [{ index: 0, op: 'SCMP_CMP_LT', value: 3n }] }] }, field: `${FIELD}.rules[0].args[0].op`, msg: /upper 32 bits/ },
    { name: 'contradictory conditions', filter: { defaultAction: 'allow', rules: [{ names: ['ioctl'], action: 'errno', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: 1n }, { index: 1, op: 'SCMP_CMP_EQ', value: 2n }] }] }, field: `${FIELD}.rules[0].args`, msg: /contradict/ },
    { name: 'unknown errno', filter: { defaultAction: 'errno', defaultErrno: 'EWHAT' }, field: `${FIELD}.defaultErrno`, msg: /unknown errno/ },
  ];
  it.each(cases)('$name', ({ filter, field, msg }) => {
    const e = errorOf(() => compile(filter as never, { agent: AGENT }));
    expect(e.file).toBe('p.yaml');
    expect(e.field).toBe(field);
    expect(e.message).toMatch(msg);
    expect(e.fix).toBeTruthy();
  });
});

describe('compileSyscallFilter: output', () => {
  const filter = { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'clone').reverse(), blacklist: ['clone'], socketFamilies: ['AF_INET', 'AF_UNIX'], rules: [{ names: ['personality'], action: 'allow', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0n }] }] };

  it('is deterministic, sorted, without default-action rules, repeated indexes or flags', () => {
    const a = compile(filter);
    const b = compile(filter);
    expect(a).toEqual(b);
    expect(assertWellFormed(a)).toEqual([]);
    const keys = a.syscalls!.map((r) => r.names[0]!);
    expect(keys).toEqual([...keys].sort());
  });

  it('starts from an imported filter and replaces it syscall by syscall', () => {
    const imported = { defaultAction: 'SCMP_ACT_ERRNO', architectures: [X86_64], syscalls: [{ names: ['read', 'write', 'ptrace'], action: 'SCMP_ACT_ALLOW' }] };
    const s = compile({ defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'read' && n !== 'write'), blacklist: ['ptrace'] }, { imported });
    expect(ev(s, 'read').action).toBe('allow');
    expect(ev(s, 'ptrace')).toEqual({ action: 'errno', errno: 1 });
  });
});

describe('compileSyscallFilter: the filter\'s own denials go to the agent to be logged (issue 10)', () => {
  function withFacts(filter: Parameters<typeof compile>[0]) {
    let facts: AgentFacts | undefined;
    const s = compile(filter, { agent: { listenerPath: AGENT.listenerPath, listenerMetadata: (f) => ((facts = f), AGENT.listenerMetadata(f)) } });
    return { s, facts: facts as AgentFacts };
  }
  const kernel = (s: ReturnType<typeof compile>, name: string, args: bigint[] = []) => verdictWithAgent({ ...s, listenerMetadata: '' }, X86_64, name, args);

  it.each([
    // [what, filter, call, args, the field logged (undefined: stays in the kernel), the answer]
    ['a blacklisted call', { defaultAction: 'allow', blacklist: ['ptrace', 'execve'] }, 'ptrace', [], 'blacklist[0]', { action: 'errno', errno: 1 }],
    ['fork under a clone blacklist', { defaultAction: 'allow', blacklist: ['clone', 'execve'] }, 'fork', [], 'blacklist[0]', { action: 'errno', errno: 1 }],
    ['a process clone (threads stay allowed in the filter)', { defaultAction: 'allow', blacklist: ['clone', 'execve'] }, 'clone', [0x1200011n], 'blacklist[0]', { action: 'errno', errno: 1 }],
    ['a socket family', { defaultAction: 'allow', blacklist: ['execve'], socketFamilies: ['AF_UNIX'] }, 'socket', [2n], 'socketFamilies', { action: 'errno', errno: 97 }],
    ['an errno rule with its own errno', { defaultAction: 'allow', blacklist: ['execve'], rules: [{ names: ['personality'], action: 'errno', errno: 'EACCES' }] }, 'personality', [], 'rules[0].names[0]', { action: 'errno', errno: 13 }],
    ['a readOnlyOpens path call (EROFS)', { defaultAction: 'allow', readOnlyOpens: true }, 'mkdir', [], 'readOnlyOpens', { action: 'errno', errno: 30 }],
    ['a call no rule names (the errno default)', { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'execve'), blacklist: ['execve'] }, 'socket', [2n], 'defaultAction', { action: 'errno', errno: 1 }],
  ] as const)('%s: NOTIFY in the filter, the same errno through the agent, logged as %s', (_w, filter, name, args, field, answer) => {
    const { s, facts } = withFacts(filter as never);
    expect(kernel(s, name, [...args]).action).toBe('notify');
    expect(ev(s, name, [...args])).toEqual(answer);
    const listed = facts.filterDenials?.names[name];
    expect(listed ? listed[1] : facts.filterDenials?.default?.[1]).toBe(field);
    expect(facts.filterDenials?.agentCalls).not.toContain(name);
    expect(assertWellFormed(s)).toEqual([]);
  });

  it.each([
    ['clone3 (ENOSYS: glibc tries it on every thread)', { defaultAction: 'allow', blacklist: ['clone', 'execve'] }, 'clone3', [], { action: 'errno', errno: 38 }],
    ['openat2 under readOnlyOpens (ENOSYS fallback)', { defaultAction: 'allow', readOnlyOpens: true }, 'openat2', [], { action: 'errno', errno: 38 }],
    // the complement of six allowed requests takes 17 masked rules: too costly to combine
    ['ioctl outside a six-request allow-list', { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'execve'), blacklist: ['execve'], rules: [0x5401n, 0x5413n, 0x541bn, 0x5421n, 0x5450n, 0x5451n].map((v) => ({ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: v }] })) }, 'ioctl', [1n, 0x5412n], { action: 'errno', errno: 1 }],
    // notifying "every persona but five" under an errno default is a complement the encoder drops (the default answers): not claimed as logged
    ['personality outside five allowed values', { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'execve'), blacklist: ['execve'], rules: [0n, 8n, 0x20000n, 0x20008n, 0xffffffffn].map((v) => ({ names: ['personality'], action: 'allow', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: v }] })) }, 'personality', [0x400008n], { action: 'errno', errno: 1 }],
  ] as const)('stays in the kernel: %s', (_w, filter, name, args, answer) => {
    const { s, facts } = withFacts(filter as never);
    expect(kernel(s, name, [...args])).toEqual(answer);
    expect(facts.filterDenials?.names[name]).toBeUndefined();
  });

  it("names only calls at or below the filter's highest (runc answers ENOSYS above it)", () => {
    const { s } = withFacts({ defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'execve'), blacklist: ['execve'] } as never);
    const named = new Set((s.syscalls ?? []).flatMap((r) => r.names));
    // execveat (322) is named (exec-once); the filter names nothing above it but what runc's init needs
    expect(named.has('mknod')).toBe(true);
    expect(named.has('fchmodat2')).toBe(false);
    expect(named.has('memfd_secret')).toBe(false);
  });

  it("runc init's calls are agentCalls (continue before the exec), not filter denials", () => {
    const { facts } = withFacts({ defaultAction: 'errno', whitelist: ['read', 'write', 'exit_group'], blacklist: ['execve'] } as never);
    expect(facts.filterDenials?.agentCalls).toEqual(expect.arrayContaining(['execve', 'execveat', 'openat', 'epoll_ctl', 'futex']));
    for (const n of facts.filterDenials?.agentCalls ?? []) expect(facts.filterDenials?.names[n]).toBeUndefined();
  });

  it('without the agent nothing changes: the filter answers', () => {
    const s = compile({ defaultAction: 'allow', blacklist: ['ptrace'] });
    expect(s.listenerPath).toBeUndefined();
    expect(ev(s, 'ptrace')).toEqual({ action: 'errno', errno: 1 });
    expect((s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY')).toBe(false);
  });
});

describe('compileSyscallFilter: audit mode (syscallFilter.audit)', () => {
  function withFacts(filter: Parameters<typeof compile>[0]) {
    let facts: AgentFacts | undefined;
    const meta = (f: AgentFacts) => JSON.stringify({ profile: 'test', filterDenials: f.filterDenials, ...(f.audit ? { audit: f.audit } : {}) });
    const s = compile(filter, { agent: { listenerPath: AGENT.listenerPath, listenerMetadata: (f) => ((facts = f), meta(f)) } });
    return { s, facts: facts as AgentFacts };
  }
  const kernel = (s: ReturnType<typeof compile>, name: string, args: bigint[] = []) => verdictWithAgent({ ...s, listenerMetadata: '' }, X86_64, name, args);
  const DENY_DEFAULT = { defaultAction: 'errno', whitelist: RUNC_INIT_OK.filter((n) => n !== 'execve'), blacklist: ['execve'] };

  it.each([
    // [what, filter, call, args, the rule the agent logs, what enforcement answers]
    ['a blacklisted call (errno)', { defaultAction: 'allow', blacklist: ['ptrace'] }, 'ptrace', [], [1, 'blacklist[0]'], { action: 'errno', errno: 1 }],
    ['a blacklist under blacklistAction kill', { defaultAction: 'allow', blacklist: ['ptrace'], blacklistAction: 'kill' }, 'ptrace', [], [1, 'blacklist[0]', 'kill-process'], { action: 'kill-process' }],
    ['a trap rule', { defaultAction: 'allow', rules: [{ names: ['mount'], action: 'trap' }] }, 'mount', [], [1, 'rules[0].names[0]', 'trap'], { action: 'trap' }],
    ['a socket family', { defaultAction: 'allow', socketFamilies: ['AF_UNIX'] }, 'socket', [2n], [97, 'socketFamilies'], { action: 'errno', errno: 97 }],
    ['a readOnlyOpens path call (EROFS)', { defaultAction: 'allow', readOnlyOpens: true }, 'mkdir', [], [30, 'readOnlyOpens'], { action: 'errno', errno: 30 }],
    ['a call no rule names (the errno default)', DENY_DEFAULT, 'socket', [2n], [1, 'defaultAction'], { action: 'errno', errno: 1 }],
    ['a call no rule names (a kill default)', { ...DENY_DEFAULT, defaultAction: 'kill-process' }, 'socket', [2n], [1, 'defaultAction', 'kill-process'], { action: 'kill-process' }],
    ['a process clone, threads allowed', { defaultAction: 'allow', blacklist: ['clone', 'execve'] }, 'clone', [0x1200011n], [1, 'blacklist[0]'], { action: 'errno', errno: 1 }],
  ] as const)('%s: NOTIFY, logged with its rule and allowed (enforcing, the same filter answers as before)', (_w, filter, name, args, rule, enforced) => {
    const { s, facts } = withFacts({ ...filter, audit: true } as never);
    expect(kernel(s, name, [...args]).action).toBe('notify');
    const listed = facts.filterDenials?.names[name] ?? facts.filterDenials?.default;
    expect(listed).toEqual(rule);
    expect(ev(s, name, [...args])).toEqual({ action: 'log' });
    expect(facts.audit).toEqual({ enforced: [] });
    expect(assertWellFormed(s)).toEqual([]);
    // the profile without audit: the kernel or the agent denies as it always did
    expect(ev(withFacts(filter as never).s, name, [...args])).toEqual(enforced);
  });

  it('allowed calls stay allowed in the kernel, without a round trip', () => {
    const { s } = withFacts({ defaultAction: 'allow', blacklist: ['ptrace'], audit: true } as never);
    expect(kernel(s, 'getpid')).toEqual({ action: 'allow' });
    const d = withFacts({ ...DENY_DEFAULT, audit: true } as never).s;
    expect(kernel(d, 'read')).toEqual({ action: 'allow' });
  });

  it.each([
    ['deny by default, exec-once, write gating', { ...DENY_DEFAULT, readOnlyOpens: true, socketFamilies: ['AF_UNIX'] }],
    ['deny by default without openat (runc\'s init needs it: the agent\'s call, its other cells denied)', { ...DENY_DEFAULT, whitelist: DENY_DEFAULT.whitelist.filter((n) => n !== 'openat') }],
    ['allow by default, kill and trap rules', { defaultAction: 'allow', blacklist: ['ptrace', 'execve'], blacklistAction: 'kill-process', rules: [{ names: ['mount'], action: 'trap' }, { names: ['personality'], action: 'errno', errno: 'EACCES', args: [{ index: 0, op: 'SCMP_CMP_NE', value: 0 }] }] }],
    ['a kill default', { ...DENY_DEFAULT, defaultAction: 'kill-process' }],
  ] as const)('nothing is denied silently: every rule left in the kernel is an allow, NOTIFY or an ENOSYS fallback (%s)', (_w, filter) => {
    const { s, facts } = withFacts({ ...filter, audit: true } as never);
    const denying = (s.syscalls ?? []).filter((r) => !['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'].includes(r.action) && !(r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 38));
    expect(denying.map((r) => r.names.join())).toEqual([]);
    expect(facts.audit).toEqual({ enforced: [] });
    // and the same filter enforcing has such rules, or denies by default (the test can fail)
    const enforcing = withFacts(filter as never).s;
    const denies = (enforcing.syscalls ?? []).some((r) => !['SCMP_ACT_ALLOW', 'SCMP_ACT_NOTIFY'].includes(r.action) && r.errnoRet !== 38) || enforcing.defaultAction !== 'SCMP_ACT_ALLOW';
    expect(denies).toBe(true);
  });

  it.each([
    ['clone3 (ENOSYS: glibc falls back to clone)', { defaultAction: 'allow', blacklist: ['clone', 'execve'] }, 'clone3', [], { action: 'errno', errno: 38 }],
    ['openat2 under readOnlyOpens (ENOSYS fallback)', { defaultAction: 'allow', readOnlyOpens: true }, 'openat2', [], { action: 'errno', errno: 38 }],
  ] as const)('fallbacks stay in the kernel, as under enforcement: %s', (_w, filter, name, args, answer) => {
    const { s, facts } = withFacts({ ...filter, audit: true } as never);
    expect(kernel(s, name, [...args])).toEqual(answer);
    expect(facts.audit?.enforced).not.toContain(name);
  });

  it('a conditional denial too costly to encode as NOTIFY rules: the call goes to the agent whole, with the ranges the filter denies', () => {
    const allowed = [0x5401n, 0x5413n, 0x541bn, 0x5421n, 0x5450n, 0x5451n];
    const rules = allowed.map((v) => ({ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: v }] }));
    // enforcing, this stays in the kernel, unlogged (the table above)
    expect(kernel(withFacts({ ...DENY_DEFAULT, rules } as never).s, 'ioctl', [1n, 0x5412n])).toEqual({ action: 'errno', errno: 1 });
    const { s, facts } = withFacts({ ...DENY_DEFAULT, rules, audit: true } as never);
    expect(kernel(s, 'ioctl', [1n, 0x5401n]).action).toBe('notify');
    expect(kernel(s, 'ioctl', [1n, 0x5412n]).action).toBe('notify');
    expect(facts.audit?.enforced).toEqual([]);
    // named only by allow rules: the default denies the rest
    expect(facts.audit?.conditional?.ioctl?.rule).toEqual([1, 'defaultAction']);
    expect(facts.filterDenials?.agentCalls).toContain('ioctl');
    expect(ev(s, 'ioctl', [1n, 0x5412n])).toEqual({ action: 'log' });
    for (const v of allowed) expect(ev(s, 'ioctl', [1n, v])).toEqual({ action: 'allow' });
    // the kernel truncates the request to 32 bits only where the filter says so: high bits make it a denied request
    expect(ev(s, 'ioctl', [1n, (1n << 32n) | 0x5401n])).toEqual({ action: 'log' });
    expect(assertWellFormed(s)).toEqual([]);
  });

  it.each(['default', 'smythos-alternative', 'model-backend'])('shipped %s in audit mode: nothing stays enforced', async (name) => {
    const { readProfileFile } = await import('../../../shim/profile/load.js');
    const p = readProfileFile(join(__dirname, '..', '..', '..', 'profiles', `${name}.yaml`));
    const filter = { ...p.profile.spec.isolation.syscallFilter!, audit: true };
    const { s, facts } = withFacts(filter as never);
    expect(facts.audit?.enforced).toEqual([]);
    const denying = (s.syscalls ?? []).filter((r) => !['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY'].includes(r.action) && !(r.action === 'SCMP_ACT_ERRNO' && r.errnoRet === 38));
    expect(denying.map((r) => r.names.join())).toEqual([]);
  });

  it('needs the agent even where the filter alone would run under plain runc: without one, an error naming audit', () => {
    const plain = compile({ defaultAction: 'allow', blacklist: ['ptrace'] });
    expect(plain.listenerPath).toBeUndefined();
    expect(withFacts({ defaultAction: 'allow', blacklist: ['ptrace'], audit: true } as never).s.listenerPath).toBe(AGENT.listenerPath);
    const e = errorOf(() => compile({ defaultAction: 'allow', blacklist: ['ptrace'], audit: true } as never));
    expect(e.field).toBe(`${FIELD}.audit`);
    expect(e.fix).toMatch(/configure the seccomp agent|remove audit/);
  });

  it('ignoreAudit (lint) compiles the filter the profile enforces, byte for byte', () => {
    const filter = { ...DENY_DEFAULT, socketFamilies: ['AF_UNIX'], readOnlyOpens: true, rules: [{ names: ['mount'], action: 'kill-process' }] };
    const meta = { agent: { listenerPath: AGENT.listenerPath, listenerMetadata: AGENT.listenerMetadata } };
    expect(compile({ ...filter, audit: true } as never, { ...meta, ignoreAudit: true })).toEqual(compile(filter as never, meta));
    expect(compile({ ...filter, audit: false } as never, meta)).toEqual(compile(filter as never, meta));
    expect(compile({ ...filter, audit: true } as never, meta)).not.toEqual(compile(filter as never, meta));
  });
});
