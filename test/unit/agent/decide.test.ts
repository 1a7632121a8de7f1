import { describe, expect, it } from 'vitest';
import { decide, INITIAL_LISTENER_STATE, type AgentPolicy, type CallData, type Decision, type ListenerState, type PathInput } from '../../../shim/agent/decide.js';
import { AUDIT_ARCH } from '../../../shim/agent/syscalls.js';

const X86 = AUDIT_ARCH.x86_64;
const ARM = AUDIT_ARCH.aarch64;
const AT_FDCWD = BigInt.asUintN(64, -100n);
const policy: AgentPolicy = { errno: 1, writable: ['/output', '/dev/null'] };
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
  want: Partial<Decision> & { kind: Decision['kind'] };
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
  { name: 'no writable paths: denied without reading memory', state: after, call: openat(1), pol: { errno: 1, writable: [] }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'write-open of /etc/passwd is denied', state: after, call: openat(1), path: { ok: true, path: '/etc/passwd' }, want: { kind: 'deny', reason: 'write-open outside writable paths' }, execveSeen: true },
  { name: 'write-open under /output is injected, never continued', state: after, call: openat(0o2001101, 0o600), path: { ok: true, path: '/output/r.json' }, want: { kind: 'inject', path: '/output/r.json', flags: 0o1101, mode: 0o600, cloexec: true }, execveSeen: true },
  { name: '/output itself (O_TMPFILE) is writable', state: after, call: openat(0o20200002), path: { ok: true, path: '/output' }, want: { kind: 'inject', path: '/output' }, execveSeen: true },
  { name: '/dev/null for writing is injected', state: after, call: openat(1), path: { ok: true, path: '/dev/null' }, want: { kind: 'inject', path: '/dev/null', cloexec: false }, execveSeen: true },
  { name: '/outputx is not under /output', state: after, call: openat(1), path: { ok: true, path: '/outputx/a' }, want: { kind: 'deny' }, execveSeen: true },
  { name: '.. escaping /output is denied', state: after, call: openat(1), path: { ok: true, path: '/output/../etc/shadow' }, want: { kind: 'deny' }, execveSeen: true },
  { name: 'relative path resolves against the base', state: after, call: openat(0o101), path: { ok: true, path: 'x/../y.txt', base: '/output' }, want: { kind: 'inject', path: '/output/y.txt' }, execveSeen: true },
  { name: 'relative path without a base is denied', state: after, call: openat(1), path: { ok: true, path: 'y.txt' }, want: { kind: 'deny', reason: 'write-open: relative path with unknown base' }, execveSeen: true },
  { name: 'unreadable path is denied', state: after, call: openat(1), path: { ok: false, reason: 'EFAULT' }, want: { kind: 'deny', reason: 'write-open: EFAULT' }, execveSeen: true },
  { name: 'creat uses fixed write flags and mode at index 1', state: after, call: call(X86, 85, 0x1000n, 0o640n), path: { ok: true, path: '/output/c' }, want: { kind: 'inject', flags: 0o1101, mode: 0o640 }, execveSeen: true },
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

describe('decide: a restarted first execve', () => {
  const RUNC_INIT = '/memfd:runc_cloned:/proc/self/exe (deleted)';
  const X86_64 = 0xc000003e;
  const execve = { nr: 59, arch: X86_64, args: [0x1000n, 0n, 0n, 0n, 0n, 0n] };
  const policy = { errno: 1, writable: [] };
  it('learns runc init\'s exe before the first execve', () => {
    const r = decide({ execveSeen: false }, { nr: 105, arch: X86_64, args: [0n] }, policy, undefined, RUNC_INIT);
    expect(r.state).toEqual({ execveSeen: false, initExe: RUNC_INIT });
    expect(decide(r.state, execve, policy, undefined, RUNC_INIT).state).toEqual({ execveSeen: true, initExe: RUNC_INIT });
  });
  it.each([
    { exe: RUNC_INIT, want: 'continue' },
    { exe: '/bin/sh', want: 'deny' },
    { exe: undefined, want: 'deny' },
  ])('after the first execve, an execve from a task whose exe is $exe: $want', ({ exe, want }) => {
    expect(decide({ execveSeen: true, initExe: RUNC_INIT }, execve, policy, undefined, exe).decision.kind).toBe(want);
  });
  it('without a recorded init exe every later execve is denied', () => {
    expect(decide({ execveSeen: true }, execve, policy, undefined, RUNC_INIT).decision.kind).toBe('deny');
  });
});
