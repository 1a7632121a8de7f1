import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intersectSeccomp } from '../../../shim/seccomp/combine.js';
import { compiledFilterOf } from '../../../shim/seccomp/oci-codec.js';
import { evaluate, verdictRank, type Verdict } from '../../../shim/seccomp/evaluate.js';
import { parseJsonLossless } from '../../../shim/util/json.js';
import type { Spec, SpecSeccomp, SpecSyscall } from '../../../shim/oci/types.js';
import { X86_64, assertWellFormed, errorOf, prng } from './helpers.js';

const dockerDefault = (): SpecSeccomp =>
  (parseJsonLossless(readFileSync(new URL('../../golden/fixtures/docker-20.10-busybox.config.json', import.meta.url), 'utf8')) as Spec).linux!.seccomp!;

/** Kill-thread and kill-process both kill the caller; runc's bad-arch action is kill-thread whatever the inputs say. */
const strictness = (v: Verdict) => Math.min(verdictRank(v), 6);

describe('intersectSeccomp: table', () => {
  const allowAll: SpecSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [X86_64, 'SCMP_ARCH_X86'], syscalls: [{ names: ['ptrace'], action: 'SCMP_ACT_ERRNO' }] };

  it('no caller filter: the profile filter, normalised', () => {
    const p: SpecSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: [X86_64], syscalls: [{ names: ['write', 'read'], action: 'SCMP_ACT_ALLOW' }, { names: ['close'], action: 'SCMP_ACT_ERRNO' }] };
    expect(intersectSeccomp(undefined, compiledFilterOf(p))).toEqual({ defaultAction: 'SCMP_ACT_ERRNO', architectures: [X86_64], syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }] });
  });

  it('architectures: the common ones; default: the stricter', () => {
    const p: SpecSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: [X86_64], syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] };
    const r = intersectSeccomp(allowAll, compiledFilterOf(p));
    expect(r.architectures).toEqual([X86_64]);
    expect(r.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(evaluate(r, 'SCMP_ARCH_X86', 'read', []).action).toBe('kill-thread');
  });

  it('no architecture in common is an error, not an empty list (which would mean native)', () => {
    const p: SpecSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', architectures: ['SCMP_ARCH_AARCH64'] };
    expect(errorOf(() => intersectSeccomp(allowAll, compiledFilterOf(p))).message).toMatch(/none in common/);
  });

  it('listener from the profile side', () => {
    const p: SpecSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [X86_64], listenerPath: '/run/a.sock', listenerMetadata: 'm', syscalls: [{ names: ['execve'], action: 'SCMP_ACT_NOTIFY' }] };
    const r = intersectSeccomp({ ...allowAll, listenerPath: '/run/other.sock' }, compiledFilterOf(p));
    expect(r.listenerPath).toBe('/run/a.sock');
    expect(r.listenerMetadata).toBe('m');
    expect(evaluate(r, X86_64, 'execve', []).action).toBe('notify');
  });

  it("Docker's default x threads-only clone: threads yes, processes no, namespaces no", () => {
    const p: SpecSeccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: [X86_64],
      syscalls: [
        { names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x10000, valueTwo: 0 }] },
        { names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x10000000, valueTwo: 0x10000000 }] },
      ],
    };
    const r = intersectSeccomp(dockerDefault(), compiledFilterOf(p));
    expect(assertWellFormed(r)).toEqual([]);
    const ev = (flags: bigint) => evaluate(r, X86_64, 'clone', [flags]).action;
    expect(ev(0x3d0f00n)).toBe('allow');
    expect(ev(0x1200011n)).toBe('errno');
    expect(ev(0x10000000n | 0x10000n)).toBe('errno');
    expect(evaluate(r, X86_64, 'personality', [8n]).action).toBe('allow');
    expect(evaluate(r, X86_64, 'personality', [1n]).action).toBe('errno');
    expect(evaluate(r, X86_64, 'clone3', [])).toEqual({ action: 'errno', errno: 38 });
    expect(evaluate(r, X86_64, 'mount', []).action).toBe('errno');
  });

  it('64-bit values survive the round trip exactly', () => {
    const big = 0xfffffffffffffff0n;
    const p: SpecSeccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: [X86_64], syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 2, op: 'SCMP_CMP_EQ', value: big }] }] };
    const r = intersectSeccomp(undefined, compiledFilterOf(p));
    expect(r.syscalls![0]!.args![0]!.value).toBe(big);
  });
});

// ---------------------------------------------------------------------------------------------
// Randomized: for sampled calls, intersect(A, B) is at least as strict as A and as B.

const NAMES = ['read', 'ioctl', 'clone', 'socket', 'openat'] as const;
const ACTIONS: Array<[string, number?]> = [['SCMP_ACT_ALLOW'], ['SCMP_ACT_LOG'], ['SCMP_ACT_ERRNO', 1], ['SCMP_ACT_ERRNO', 38], ['SCMP_ACT_NOTIFY'], ['SCMP_ACT_TRAP'], ['SCMP_ACT_KILL_PROCESS']];
const VALUES = [0n, 1n, 2n, 3n, 8n, 0x10n, 0x10000n, 0x7e030000n, 0xffffffffn, 1n << 32n, 0xffffffffffffffffn];
const OPS = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'];
const ARCH_SETS = [[X86_64], [X86_64, 'SCMP_ARCH_X86'], [X86_64, 'SCMP_ARCH_X32', 'SCMP_ARCH_X86']];

function randomFilter(r: ReturnType<typeof prng>): SpecSeccomp {
  const [defaultAction, defaultErrnoRet] = r.pick(ACTIONS.filter(([a]) => a !== 'SCMP_ACT_NOTIFY'));
  const syscalls: SpecSyscall[] = [];
  for (let i = r.int(6); i > 0; i--) {
    const [action, errnoRet] = r.pick(ACTIONS);
    const args = [];
    for (let j = r.int(3); j > 0; j--) {
      const op = r.pick(OPS);
      const value = op === 'SCMP_CMP_MASKED_EQ' ? r.pick(VALUES.filter((v) => v !== 0n)) : r.pick(VALUES);
      const valueTwo = op === 'SCMP_CMP_MASKED_EQ' ? value & r.pick(VALUES) : undefined;
      args.push({ index: r.int(3), op, value, ...(valueTwo === undefined ? {} : { valueTwo }) });
    }
    syscalls.push({ names: [r.pick(NAMES)], action, ...(errnoRet ? { errnoRet } : {}), ...(args.length ? { args } : {}) });
  }
  return { defaultAction, ...(defaultErrnoRet ? { defaultErrnoRet } : {}), architectures: r.pick(ARCH_SETS), syscalls };
}

function randomArgs(r: ReturnType<typeof prng>): bigint[] {
  return [0, 1, 2].map(() => (r.next() < 0.7 ? r.pick(VALUES) : r.pick(VALUES) ^ (1n << BigInt(r.int(64)))));
}

describe('intersectSeccomp: never looser than either input (randomized, seeded)', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('seed %i: 60 filter pairs x 40 calls', (seed) => {
    const r = prng(seed);
    for (let pair = 0; pair < 60; pair++) {
      const a = randomFilter(r);
      const b = randomFilter(r);
      const both = intersectSeccomp(a, compiledFilterOf(b));
      expect(assertWellFormed(both)).toEqual([]);
      for (let k = 0; k < 40; k++) {
        const arch = r.pick(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
        const name = r.pick(NAMES);
        const args = randomArgs(r);
        const got = strictness(evaluate(both, arch, name, args));
        const va = strictness(evaluate(a, arch, name, args));
        const vb = strictness(evaluate(b, arch, name, args));
        if (got < va || got < vb) {
          throw new Error(`looser result for ${arch} ${name}(${args.join(', ')}):\nA=${JSON.stringify(a, big)}\nB=${JSON.stringify(b, big)}\nA∩B=${JSON.stringify(both, big)}`);
        }
      }
    }
  });

  it('and, when both inputs agree exactly, no stricter than them either (exactness on same-arch filters)', () => {
    const r = prng(99);
    for (let pair = 0; pair < 80; pair++) {
      const a = { ...randomFilter(r), architectures: [X86_64] };
      const both = intersectSeccomp(a, compiledFilterOf(a));
      for (let k = 0; k < 40; k++) {
        const name = r.pick(NAMES);
        const args = randomArgs(r);
        expect(verdictRank(evaluate(both, X86_64, name, args))).toBe(verdictRank(evaluate(a, X86_64, name, args)));
      }
    }
  });
});

function big(_k: string, v: unknown) {
  return typeof v === 'bigint' ? `0x${v.toString(16)}` : v;
}

describe('intersectSeccomp: the profile\'s NOTIFY that stands for its own errno denial (listener filterDenials)', () => {
  const meta = (fd: unknown) => JSON.stringify({ v: 1, profile: 'p', sha256: 'f'.repeat(64), errno: 1, writable: [], filterDenials: fd });
  const profile = (fd: unknown): SpecSeccomp => ({
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: [X86_64],
    listenerPath: '/run/agent.sock',
    listenerMetadata: meta(fd),
    syscalls: [
      { names: ['read', 'write', 'execve'], action: 'SCMP_ACT_ALLOW' },
      { names: ['unshare', 'ptrace', 'mount'], action: 'SCMP_ACT_NOTIFY' },
      { names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }] },
      { names: ['socket'], action: 'SCMP_ACT_NOTIFY', args: [{ index: 0, value: 2, op: 'SCMP_CMP_GE' }] },
    ],
  });
  const caller: SpecSeccomp = {
    defaultAction: 'SCMP_ACT_ERRNO',
    architectures: [X86_64],
    syscalls: [
      { names: ['read', 'write', 'execve', 'socket', 'ptrace'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mount'], action: 'SCMP_ACT_KILL_PROCESS' },
    ],
  };
  const FD = { names: { socket: [97, 'socketFamilies'] }, default: [1, 'defaultAction'], agentCalls: ['execve'] };

  it('against the caller\'s errno it stays NOTIFY (the agent answers the profile\'s errno and logs it); allow stays NOTIFY; kill still wins', () => {
    const m = intersectSeccomp(caller, compiledFilterOf(profile(FD)));
    expect(evaluate(m, X86_64, 'unshare', [0x40000000n])).toEqual({ action: 'notify' }); // caller: errno default
    expect(evaluate(m, X86_64, 'ptrace', [])).toEqual({ action: 'notify' }); // caller: allow
    expect(evaluate(m, X86_64, 'mount', [])).toEqual({ action: 'kill-process' });
    expect(evaluate(m, X86_64, 'socket', [17n])).toEqual({ action: 'notify' });
    expect(evaluate(m, X86_64, 'socket', [1n])).toEqual({ action: 'allow' });
    expect(evaluate(m, X86_64, 'read', [])).toEqual({ action: 'allow' });
    expect(assertWellFormed(m)).toEqual([]);
  });

  it('a NOTIFY for the agent\'s own rules (agentCalls), or without filterDenials, still yields to the caller\'s errno', () => {
    const own = intersectSeccomp(caller, compiledFilterOf(profile({ ...FD, agentCalls: ['execve', 'unshare'] })));
    expect(evaluate(own, X86_64, 'unshare', [])).toEqual({ action: 'errno', errno: 1 });
    const none = intersectSeccomp(caller, compiledFilterOf({ ...profile(FD), listenerMetadata: JSON.stringify({ v: 1, profile: 'p', sha256: 'f'.repeat(64) }) }));
    expect(evaluate(none, X86_64, 'unshare', [])).toEqual({ action: 'errno', errno: 1 });
    const garbled = intersectSeccomp(caller, compiledFilterOf({ ...profile(FD), listenerMetadata: '{not json' }));
    expect(evaluate(garbled, X86_64, 'unshare', [])).toEqual({ action: 'errno', errno: 1 });
  });

  it('in audit mode (metadata audit) the caller\'s errno wins: the agent would log and allow, so the caller\'s denial stays in the kernel', () => {
    const audited = profile(FD);
    audited.listenerMetadata = JSON.stringify({ ...JSON.parse(audited.listenerMetadata as string), audit: { enforced: [] } });
    const m = intersectSeccomp(caller, compiledFilterOf(audited));
    expect(evaluate(m, X86_64, 'unshare', [])).toEqual({ action: 'errno', errno: 1 }); // caller: errno default
    expect(evaluate(m, X86_64, 'ptrace', [])).toEqual({ action: 'notify' }); // caller: allow; the profile's (audited) denial
  });
});
