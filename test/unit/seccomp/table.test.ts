import { describe, expect, it } from 'vitest';
import { SYSCALLS, TABLE_ARCHES, archesOf, syscallExists, syscallNumber } from '../../../shim/seccomp/syscall-table.js';
import { ARCHES, CLONE_THREADS_ONLY, WRITE_OPEN_MASK, nativeScmpArch, ACTION_WORDS, ACTION_RANK } from '../../../shim/seccomp/vocabulary.js';

describe('generated syscall table', () => {
  it.each([
    ['read', 'x86_64', 0],
    ['openat', 'x86_64', 257],
    ['openat', 'aarch64', 56],
    ['clone3', 'x86', 435],
    ['read', 'x32', 0x40000000],
    ['socketcall', 'x86', 102],
  ])('%s on %s is %d', (name, arch, n) => {
    expect(syscallNumber(name, arch)).toBe(n);
  });

  it.each([
    ['open', 'aarch64'],
    ['umount', 'x86_64'],
    ['socketcall', 'x86_64'],
  ])('%s does not exist on %s', (name, arch) => {
    expect(syscallExists(name, arch)).toBe(false);
  });

  it('archesOf lists exactly the architectures that have the call', () => {
    expect(archesOf('open')).not.toContain('aarch64');
    expect(archesOf('open')).toContain('x86_64');
    expect(archesOf('openat')).toEqual([...TABLE_ARCHES]);
    expect(archesOf('no_such_call')).toEqual([]);
  });

  it('is large (every name libseccomp knows) and rows have one column per arch', () => {
    expect(Object.keys(SYSCALLS).length).toBeGreaterThan(400);
    for (const row of Object.values(SYSCALLS)) expect(row).toHaveLength(TABLE_ARCHES.length);
  });
});

describe('vocabulary', () => {
  it('every SCMP arch maps to a table column', () => {
    for (const a of ARCHES) expect(TABLE_ARCHES).toContain(a.resolver);
  });
  it('the table\'s columns are the vocabulary\'s resolver names, in order (the generator reads them from vocabulary.ts)', () => {
    expect([...TABLE_ARCHES]).toEqual(ARCHES.map((a) => a.resolver));
  });
  it('native arch comes from process.arch', () => {
    expect(nativeScmpArch('x64')).toBe('SCMP_ARCH_X86_64');
    expect(nativeScmpArch('arm64')).toBe('SCMP_ARCH_AARCH64');
  });
  it('profile `kill` is kill-process, SCMP_ACT_KILL is kill-thread', () => {
    expect(ACTION_WORDS.kill).toBe('kill-process');
    expect(ACTION_WORDS.SCMP_ACT_KILL).toBe('kill-thread');
  });
  it('strictness follows the kernel precedence', () => {
    const order = ['allow', 'log', 'trace', 'notify', 'errno', 'trap', 'kill-thread', 'kill-process'] as const;
    order.forEach((k, i) => expect(ACTION_RANK[k]).toBe(i));
  });
  it('read-only open mask is 0x400243 (not glibc O_TMPFILE 0x410000)', () => {
    expect(WRITE_OPEN_MASK).toBe(0x400243n);
    expect(WRITE_OPEN_MASK & 0x10000n).toBe(0n);
  });
  it('threads-only clone check', () => {
    expect(CLONE_THREADS_ONLY).toEqual({ mask: 0x7e030000n, value: 0x10000n });
  });
});
