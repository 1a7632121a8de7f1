import { describe, expect, it } from 'vitest';
import { comparisonHolds, decide, filterDenial, INITIAL_LISTENER_STATE, needsTaskImage, type AgentPolicy, type CallData, type Decision, type ListenerState, type NeedPath, type PathInput, type TaskImage } from '../../../shim/agent/decide.js';
import { AUDIT_ARCH } from '../../../shim/agent/syscalls.js';

const X86 = AUDIT_ARCH.x86_64;
const ARM = AUDIT_ARCH.aarch64;
const AT_FDCWD = BigInt.asUintN(64, -100n);
const policy: AgentPolicy = { errno: 1, writable: ['/output', '/dev/null'], writeGated: ['open', 'openat', 'creat'] };
const before: ListenerState = INITIAL_LISTENER_STATE;
const after: ListenerState = { execveSeen: true };

function call(arch: number, nr: number, ...args: bigint[]): CallData {
  return { arch, nr, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) };
}
const openat = (flags: number, mode = 0o644, arch = X86) => call(arch, arch === X86 ? 257 : 56, AT_FDCWD, 0x1000n, BigInt(flags), BigInt(mode));

interface Row {
  name: string;
  state: ListenerState;
  call: CallData;
  pol?: AgentPolicy;
  path?: PathInput;
  want: Partial<Decision | NeedPath> & { kind: (Decision | NeedPath)['kind'] };
  execveSeen: boolean;
}

const rows: Row[] = [
  { name: 'exec fifo write-open before the first execve continues', state: before, call: openat(0o2000001), want: { kind: 'continue' }, execveSeen: false },
  { name: 'setuid before the first execve continues', state: before, call: call(X86, 105, 0n), want: { kind: 'continue' }, execveSeen: false },
  { name: 'first execve continues and flips the state', state: before, call: call(X86, 59, 0x1000n), want: { kind: 'continue', reason: 'first execve' }, execveSeen: true },
  { name: 'first execveat also counts as the first exec', state: before, call: call(X86, 322, AT_FDCWD, 0x1000n), want: { kind: 'continue' }, execveSeen: true },
  { name: 'aarch64 execve is the first exec', state: before, call: call(ARM, 221, 0x1000n), want: { kind: 'continue' }, execveSeen: true },
  { name: 'second execve is denied with the profile errno', state: after, call: call(X86, 59, 0x1000n), pol: { errno: 13, writable: [] }, want: { kind: 'deny', errno: 13 }, execveSeen: true },
  { name: 'execveat after the first exec is denied', state: after, call: call(X86, 322, AT_FDCWD, 0x1000n), want: { kind: 'deny', errno: 1 }, execveSeen: true },
  { name: 'setuid after the first exec is denied', state: after, call: call(X86, 105, 0n), want: { kind: 'deny', reason: 'only allowed before the first execve' }, execveSeen: true },
  { name: 'unknown arch after the first exec is denied', state: after, call: call(0x40000003, 5, 0n), want: { kind: 'deny' }, execveSeen: true },
  { name: 'read-only openat continues on registers alone', state: after, call: openat(0), want: { kind: 'continue', reason: 'read-only open' }, execveSeen: true },
  { name: 'O_DIRECTORY|O_RDONLY (glibc opendir) is read-only', state: after, call: openat(0o200000 | 0o4000), want: { kind: 'continue' }, execveSeen: true },
  { name: 'O_WRONLY open needs the path first', state: after, call: openat(1), want: { kind: 'need-path', pathArg: 1, dirfdArg: 0 }, execveSeen: true },
  { name: 'open(2) has its path at index 0', state: after, call: call(X86, 2, 0x1000n, 0o1101n), want: { kind: 'need-path', pathArg: 0 }, execveSeen: true },
  { name: 'O_RDONLY|O_CREAT is write-class', state: after, call: openat(0o100), want: { kind: 'need-path' }, execveSeen: true },
  { name: 'O_RDONLY|O_TRUNC is write-class', state: after, call: openat(0o1000), want: { kind: 'need-path' }, execveSeen: true },
  { name: 'O_TMPFILE is write-class', state: after, call: openat(0o20200000 | 2), want: { kind: 'need-path' }, execveSeen: true },
  { name: 'no writable paths: denied without reading memory', state: after, call: openat(1), pol: { errno: 1, writable: [], writeGated: ['openat'] }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'write-open of /etc/passwd is denied', state: after, call: openat(1), path: { ok: true, path: '/etc/passwd' }, want: { kind: 'deny', reason: 'write-open outside writable paths' }, execveSeen: true },
  { name: 'write-open under /output is injected, never continued', state: after, call: openat(0o2001101, 0o600), path: { ok: true, path: '/output/r.json' }, want: { kind: 'inject', path: '/output/r.json', flags: 0o1101, mode: 0o600, cloexec: true }, execveSeen: true },
  { name: '/output itself (O_TMPFILE) is writable', state: after, call: openat(0o20200002), path: { ok: true, path: '/output' }, want: { kind: 'inject', path: '/output' }, execveSeen: true },
  { name: '/dev/null for writing is injected', state: after, call: openat(1), path: { ok: true, path: '/dev/null' }, want: { kind: 'inject', path: '/dev/null', cloexec: false }, execveSeen: true },
  { name: '/outputx is not under /output', state: after, call: openat(1), path: { ok: true, path: '/outputx/a' }, want: { kind: 'deny' }, execveSeen: true },
  { name: '.. escaping /output is denied', state: after, call: openat(1), path: { ok: true, path: '/output/../etc/shadow' }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'relative path resolves against the base', state: after, call: openat(0o101), path: { ok: true, path: 'x/../y.txt', base: '/output' }, want: { kind: 'inject', path: '/output/y.txt' }, execveSeen: true },
  { name: 'relative path without a base is denied', state: after, call: openat(1), path: { ok: true, path: 'y.txt' }, want: { kind: 'deny', reason: 'write-open: relative path with unknown base' }, execveSeen: true },
  { name: 'unreadable path is denied', state: after, call: openat(1), path: { ok: false, reason: 'EFAULT' }, want: { kind: 'deny', reason: 'write-open: EFAULT' }, execveSeen: true },
  { name: 'a created file never gets set-id bits (the agent creates it with CAP_FSETID)', state: after, call: openat(0o101, 0o6755), path: { ok: true, path: '/output/s' }, want: { kind: 'inject', mode: 0o755 }, execveSeen: true },
  { name: 'creat uses fixed write flags and mode at index 1', state: after, call: call(X86, 85, 0x1000n, 0o640n), path: { ok: true, path: '/output/c' }, want: { kind: 'inject', flags: 0o1101, mode: 0o640 }, execveSeen: true },
  // The filter notifies opens the profile denies for runc's init alone: after the exec, denied whatever the flags or path.
  { name: 'openat not gated by readOnlyOpens: a read-only open is denied', state: after, call: openat(0), pol: { ...policy, writeGated: ['open', 'creat'] }, want: { kind: 'deny', reason: 'only allowed before the first execve' }, execveSeen: true },
  { name: 'openat not gated: a write-open under /output is denied, not injected', state: after, call: openat(1), pol: { ...policy, writeGated: [] }, path: { ok: true, path: '/output/x' }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'creat not gated while openat is', state: after, call: call(X86, 85, 0x1000n, 0o640n), pol: { ...policy, writeGated: ['openat'] }, path: { ok: true, path: '/output/c' }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'high bits above 32 in flags are ignored (int argument)', state: after, call: openat(0), want: { kind: 'continue' }, execveSeen: true },
];
// A flags register with garbage above bit 31 must be read as the int the kernel sees.
rows[rows.length - 1]!.call = call(X86, 257, AT_FDCWD, 0x1000n, 1n << 40n);

describe('decide', () => {
  it.each(rows)('$name', ({ state, call: c, pol, path, want, execveSeen }) => {
    const r = decide(state, c, pol ?? policy, path);
    expect(r.decision).toMatchObject(want);
    expect(r.state.execveSeen).toBe(execveSeen);
  });

  it('does not mutate the state it is given', () => {
    const s = { execveSeen: false };
    decide(s, call(X86, 59, 0n), policy);
    expect(s.execveSeen).toBe(false);
  });

  it('walks a container life: init calls, one exec, then denials', () => {
    const seq = [openat(0o2000001), call(X86, 105, 0n), call(X86, 59, 1n), call(X86, 59, 1n), call(X86, 105, 0n)];
    let s: ListenerState = INITIAL_LISTENER_STATE;
    const kinds = seq.map((c) => {
      const r = decide(s, c, policy);
      s = r.state;
      return r.decision.kind;
    });
    expect(kinds).toEqual(['continue', 'continue', 'continue', 'deny', 'deny']);
  });
});

describe('decide: when the first exec has completed (program images, not exe names)', () => {
  const X86_64 = 0xc000003e;
  const execve = { nr: 59, arch: X86_64, args: [0x1000n, 0n, 0n, 0n, 0n, 0n] };
  const clone = { nr: 56, arch: X86_64, args: [0n, 0n, 0n, 0n, 0n, 0n] };
  const futex = { nr: 202, arch: X86_64, args: [0n, 0n, 0n, 0n, 0n, 0n] };
  const policy = { errno: 1, writable: [] };
  const INIT: TaskImage = { dev: 65024n, ino: 15884289n, layout: '4214784 8407281 140727717916784 12766600 12948064 521678848 140727717920444 140727717920464 140727717920464 140727717920750' };
  const WORKLOAD: TaskImage = { dev: 65024n, ino: 2180484n, layout: '4198400 5785993 140721659063872 6141704 6178576 809021440 140721659072370 140721659072412 140721659072412 140721659072496' };
  /** The entrypoint is runc's own binary (/proc/self/exe): same file, but a new mm. */
  const RUNC_AGAIN: TaskImage = { ...INIT, layout: '4214784 8407281 140733000000000 12766600 12948064 600000000 140733000003660 140733000003680 140733000003680 140733000003966' };
  const pending: ListenerState = { execveSeen: true, initImage: INIT };

  it("learns runc init's image from the first notification, and keeps it", () => {
    const r = decide(INITIAL_LISTENER_STATE, { nr: 105, arch: X86_64, args: [0n] }, policy, undefined, INIT);
    expect(r.state).toEqual({ execveSeen: false, initImage: INIT });
    expect(decide(r.state, execve, policy, undefined, WORKLOAD).state).toEqual({ execveSeen: true, initImage: INIT });
  });
  it.each([
    { what: 'execve from runc init (restarted first execve)', call: execve, image: INIT, want: 'continue', completed: undefined },
    { what: "futex from another runc init thread", call: futex, image: INIT, want: 'continue', completed: undefined },
    { what: 'execve from the workload', call: execve, image: WORKLOAD, want: 'deny', completed: true },
    { what: 'clone from the workload', call: clone, image: WORKLOAD, want: 'deny', completed: true },
    // the old check compared exe strings: an entrypoint that re-runs runc's own file matched it
    { what: "execve from an entrypoint that is runc's own file (same inode, new mm)", call: execve, image: RUNC_AGAIN, want: 'deny', completed: true },
    { what: 'execve from a task whose image could not be read', call: execve, image: undefined, want: 'deny', completed: undefined },
  ])('first exec let through, not known complete: $what -> $want', ({ call: c, image, want, completed }) => {
    const r = decide(pending, c, policy, undefined, image);
    expect(r.decision.kind).toBe(want);
    expect(r.state.execCompleted).toBe(completed);
  });
  it("once a workload image was seen, runc init's image earns nothing (the exec completed)", () => {
    const done = decide(pending, clone, policy, undefined, WORKLOAD).state;
    expect(needsTaskImage(done)).toBe(false);
    expect(decide(done, execve, policy, undefined, INIT).decision.kind).toBe('deny');
  });
  it('without a recorded init image every later call is decided as after the exec', () => {
    expect(decide({ execveSeen: true }, execve, policy, undefined, INIT).decision.kind).toBe('deny');
  });
  it.each([
    { state: INITIAL_LISTENER_STATE, want: true },
    { state: { execveSeen: false, initImage: INIT }, want: false },
    { state: pending, want: true },
    { state: { ...pending, execCompleted: true }, want: false },
    { state: { execveSeen: true }, want: false },
  ])('needsTaskImage($state) = $want', ({ state, want }) => {
    expect(needsTaskImage(state)).toBe(want);
  });
});

describe('decide: exec calls the profile allows (policy.execAllowed)', () => {
  const X86_64 = 0xc000003e;
  const execve = { nr: 59, arch: X86_64, args: [0x1000n, 0n, 0n, 0n, 0n, 0n] };
  const execveat = { nr: 322, arch: X86_64, args: [AT_FDCWD, 0x1000n, 0n, 0n, 0n, 0n] };
  const clone = { nr: 56, arch: X86_64, args: [0n, 0n, 0n, 0n, 0n, 0n] };
  const running: ListenerState = { execveSeen: true, execCompleted: true };
  it.each([
    { what: 'execve allowed', call: execve, execAllowed: ['execve'], want: 'continue' },
    { what: 'execveat not in the list', call: execveat, execAllowed: ['execve'], want: 'deny' },
    { what: 'execve with no list (exec-once)', call: execve, execAllowed: undefined, want: 'deny' },
    { what: 'clone is still denied after any number of allowed execs', call: clone, execAllowed: ['execve', 'execveat'], want: 'deny' },
  ])('$what -> $want', ({ call: c, execAllowed, want }) => {
    expect(decide(running, c, { errno: 1, writable: [], execAllowed }, undefined).decision.kind).toBe(want);
  });
  it('a profile that allows execve: the first exec still closes runc init\'s window', () => {
    let s: ListenerState = INITIAL_LISTENER_STATE;
    const kinds = [clone, execve, execve, clone].map((c) => {
      const r = decide(s, c, { errno: 1, writable: [], execAllowed: ['execve'] });
      s = r.state;
      return r.decision.kind;
    });
    expect(kinds).toEqual(['continue', 'continue', 'continue', 'deny']);
  });
});

describe('decide: the filter\'s own denials (issue 10, metadata filterDenials)', () => {
  const X86_64 = AUDIT_ARCH.x86_64;
  const INIT: TaskImage = { dev: 1n, ino: 2n, layout: 'init' };
  const WORKLOAD: TaskImage = { dev: 1n, ino: 3n, layout: 'workload' };
  const fd: AgentPolicy = {
    errno: 1,
    writable: [],
    writeGated: ['openat'],
    filterDenials: { names: { ptrace: [1, 'blacklist[5]'], socket: [97, 'socketFamilies'], clone3: [38, 'blacklist[0]'] }, default: [1, 'defaultAction'], agentCalls: ['openat', 'execve', 'execveat', 'epoll_ctl'] },
  };
  const c = (nr: number, ...args: bigint[]) => ({ nr, arch: X86_64, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) });
  const ptrace = c(101);
  const socket = c(41, 2n);
  const clone3 = c(435);
  const mknod = c(133); // not listed, not an agent call: the default
  const epollCtl = c(233); // runc init's: continue before the exec, deny after
  const pending: ListenerState = { execveSeen: true, initImage: INIT };
  it.each([
    { what: 'a listed call before the first exec (runc init) is denied, not continued', state: INITIAL_LISTENER_STATE, call: ptrace, image: INIT, want: { kind: 'deny', errno: 1, rule: 'blacklist[5]' } },
    { what: 'a listed call after the exec keeps its own errno (EAFNOSUPPORT)', state: { execveSeen: true }, call: socket, image: undefined, want: { kind: 'deny', errno: 97, rule: 'socketFamilies' } },
    { what: 'clone3 keeps ENOSYS (glibc falls back to clone on it)', state: { execveSeen: true }, call: clone3, image: undefined, want: { kind: 'deny', errno: 38, rule: 'blacklist[0]' } },
    { what: 'an unlisted call is the errno default, before the exec too', state: INITIAL_LISTENER_STATE, call: mknod, image: INIT, want: { kind: 'deny', errno: 1, rule: 'defaultAction' } },
    { what: "a filter denial from a task still running runc init's image is denied", state: pending, call: mknod, image: INIT, want: { kind: 'deny', errno: 1, rule: 'defaultAction' } },
    { what: "runc init's own call continues before the exec", state: INITIAL_LISTENER_STATE, call: epollCtl, image: INIT, want: { kind: 'continue' } },
    { what: "runc init's own call is denied after the exec, with no filter rule", state: { execveSeen: true }, call: epollCtl, image: undefined, want: { kind: 'deny', errno: 1, reason: 'only allowed before the first execve' } },
    { what: 'the first execve still continues', state: INITIAL_LISTENER_STATE, call: c(59), image: INIT, want: { kind: 'continue', reason: 'first execve' } },
  ])('$what', ({ state, call: k, image, want }) => {
    const r = decide(state, k, fd, undefined, image);
    expect(r.decision).toMatchObject(want);
    if (want.kind === 'deny' && !('rule' in want)) expect(r.decision).not.toHaveProperty('rule');
  });
  it('a filter denial never flips the exec state, and still learns runc init\'s image', () => {
    const r = decide(INITIAL_LISTENER_STATE, ptrace, fd, undefined, INIT);
    expect(r.state).toEqual({ execveSeen: false, initImage: INIT });
    const after = decide(pending, ptrace, fd, undefined, WORKLOAD);
    expect(after.state.execCompleted).toBe(true);
  });
  it('without filterDenials (an older compiler) nothing changes: notified calls continue before the exec', () => {
    const { filterDenials: _f, ...old } = fd;
    expect(decide(INITIAL_LISTENER_STATE, ptrace, old, undefined, INIT).decision.kind).toBe('continue');
    expect(decide({ execveSeen: true }, ptrace, old).decision).toMatchObject({ kind: 'deny', reason: 'only allowed before the first execve' });
  });
  it('without an errno default an unlisted call follows the agent\'s rules', () => {
    const noDefault: AgentPolicy = { ...fd, filterDenials: { names: {}, agentCalls: [] } };
    expect(decide(INITIAL_LISTENER_STATE, mknod, noDefault, undefined, INIT).decision.kind).toBe('continue');
  });
  it('an unknown call number is never a filter denial', () => {
    expect(filterDenial(undefined, fd)).toBeUndefined();
    expect(filterDenial('__proto__', fd)).toEqual({ errno: 1, rule: 'defaultAction' });
  });
});

describe('decide: audit mode (policy.audit, the profile\'s syscallFilter.audit)', () => {
  const X86_64 = AUDIT_ARCH.x86_64;
  const c = (nr: number, ...args: bigint[]) => ({ nr, arch: X86_64, args: [...args, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 6) });
  const fd: AgentPolicy['filterDenials'] = {
    names: { ptrace: [1, 'blacklist[5]'], socket: [97, 'socketFamilies'], kexec_load: [1, 'rules[2].names[0]', 'kill-process'], mount: [1, 'rules[3].names[0]', 'trap'] },
    default: [1, 'defaultAction'],
    agentCalls: ['openat', 'creat', 'execve', 'execveat', 'epoll_ctl'],
  };
  // Every case of the enforcing table above, and the filter's own denials, decided again in audit mode.
  const enforcing: Array<{ name: string; state: ListenerState; call: CallData; pol: AgentPolicy; path?: PathInput }> = [
    ...rows.map((r) => ({ name: r.name, state: r.state, call: r.call, pol: r.pol ?? policy, ...(r.path ? { path: r.path } : {}) })),
    { name: 'ptrace (blacklist) after the exec', state: after, call: c(101), pol: { ...policy, filterDenials: fd } },
    { name: 'ptrace (blacklist) before the exec: runc init', state: before, call: c(101), pol: { ...policy, filterDenials: fd } },
    { name: 'socket(AF_INET) outside socketFamilies', state: after, call: c(41, 2n), pol: { ...policy, filterDenials: fd } },
    { name: 'an unnamed call: the errno default', state: after, call: c(133), pol: { ...policy, filterDenials: fd } },
    { name: 'a second execve (exec-once)', state: after, call: c(59, 0x1000n), pol: { ...policy, filterDenials: fd } },
    { name: "runc init's own call after the exec", state: after, call: c(233), pol: { ...policy, filterDenials: fd } },
  ];
  it.each(enforcing)('$name: a denial becomes CONTINUE carrying it, an injected open becomes CONTINUE, the rest and the state are unchanged', ({ state, call: k, pol, path }) => {
    const enforced = decide(state, k, pol, path);
    const audited = decide(state, k, { ...pol, audit: { enforced: [] } }, path);
    expect(audited.state).toEqual(enforced.state);
    const d = enforced.decision;
    if (d.kind === 'deny') {
      const { kind: _k, ...wouldDeny } = d;
      expect(audited.decision).toEqual({ kind: 'continue', reason: `audit: would deny (${d.reason})`, wouldDeny });
    } else if (d.kind === 'inject') {
      expect(audited.decision).toEqual({ kind: 'continue', reason: 'write-open in writable path (audit: the task opens it itself)' });
    } else {
      expect(audited.decision).toEqual(d);
    }
  });
  it('the table above holds denials of every kind (so it cannot pass on continues alone)', () => {
    const kinds = enforcing.map(({ state, call: k, pol, path }) => decide(state, k, pol, path).decision.kind);
    expect(kinds.filter((k) => k === 'deny').length).toBeGreaterThan(15);
    expect(kinds).toContain('inject');
    expect(kinds).toContain('need-path');
  });
  it.each([
    { what: 'a kill rule: logged as the filter killing it, then allowed', call: c(246), want: { errno: 1, rule: 'rules[2].names[0]', action: 'kill-process', reason: 'the filter kills it (kill-process)' } },
    { what: 'a trap rule', call: c(165), want: { errno: 1, rule: 'rules[3].names[0]', action: 'trap', reason: 'the filter traps it (trap)' } },
    { what: 'socketFamilies keeps its errno in the record', call: c(41, 2n), want: { errno: 97, rule: 'socketFamilies', reason: 'denied by the filter' } },
  ])('$what', ({ call: k, want }) => {
    const r = decide(after, k, { ...policy, filterDenials: fd, audit: { enforced: [] } });
    expect(r.decision).toEqual({ kind: 'continue', reason: `audit: would deny (${want.reason})`, wouldDeny: want });
  });
  it('a write-open outside the writable paths still asks for the path (for the log line), then continues with it', () => {
    const pol: AgentPolicy = { ...policy, audit: { enforced: [] } };
    expect(decide(after, openat(1), pol).decision).toEqual({ kind: 'need-path', pathArg: 1, dirfdArg: 0 });
    expect(decide(after, openat(1), pol, { ok: true, path: '/etc/passwd' }).decision).toMatchObject({ kind: 'continue', wouldDeny: { errno: 1, reason: 'write-open outside writable paths' } });
  });
  it('walks a container life: the first exec still closes runc init\'s window, what follows is logged, never denied', () => {
    const seq = [openat(0o2000001), call(X86, 105, 0n), call(X86, 59, 1n), call(X86, 59, 1n), call(X86, 105, 0n)];
    let s: ListenerState = INITIAL_LISTENER_STATE;
    const out = seq.map((k) => {
      const r = decide(s, k, { ...policy, audit: { enforced: [] } });
      s = r.state;
      return [r.decision.kind, r.decision.kind === 'continue' && r.decision.wouldDeny !== undefined];
    });
    expect(out).toEqual([['continue', false], ['continue', false], ['continue', false], ['continue', true], ['continue', true]]);
  });
});

describe('decide: audit mode, a call sent whole (policy.audit.conditional)', () => {
  const X86_64 = AUDIT_ARCH.x86_64;
  const ioctl = (req: bigint) => ({ nr: 16, arch: X86_64, args: [1n, req, 0n, 0n, 0n, 0n] });
  const allowed = [0x5401n, 0x5413n, 0x541bn];
  const pol: AgentPolicy = {
    ...policy,
    filterDenials: { names: {}, default: [1, 'defaultAction'], agentCalls: ['execve', 'ioctl'] },
    audit: { enforced: [], conditional: { ioctl: { denied: [allowed.map((v) => [1, 'NE', `0x${v.toString(16)}`, '0x0'] as const)], rule: [1, 'defaultAction'] } } },
  };
  it.each([
    ...allowed.map((v) => ({ req: v, logged: false })),
    { req: 0x5412n, logged: true },
    { req: (1n << 32n) | 0x5401n, logged: true },
  ])('ioctl($req): continue, logged as would-deny: $logged', ({ req, logged }) => {
    for (const state of [before, after]) {
      const r = decide(state, ioctl(req), pol);
      expect(r.decision.kind).toBe('continue');
      expect(r.decision.kind === 'continue' && r.decision.wouldDeny).toEqual(logged ? { errno: 1, reason: 'denied by the filter', rule: 'defaultAction' } : undefined);
    }
  });
  it.each([
    { op: 'EQ', x: 5n, v: '0x5', w: '0x0', want: true },
    { op: 'NE', x: 5n, v: '0x5', w: '0x0', want: false },
    { op: 'LT', x: 4n, v: '0x5', w: '0x0', want: true },
    { op: 'LE', x: 5n, v: '0x5', w: '0x0', want: true },
    { op: 'GT', x: 5n, v: '0x5', w: '0x0', want: false },
    { op: 'GE', x: 5n, v: '0x5', w: '0x0', want: true },
    { op: 'MASKED_EQ', x: 0x1_0000_5412n, v: '0xffffffff', w: '0x5412', want: true },
    { op: 'EQ', x: -1n, v: '0xffffffffffffffff', w: '0x0', want: true },
  ])('comparisonHolds $op($x, $v, $w) = $want (as libseccomp: unsigned 64-bit)', ({ op, x, v, w, want }) => {
    expect(comparisonHolds([0, op, v, w], [x])).toBe(want);
  });
});
