/**
 * Each shipped profile's syscallFilter compiles (with the agent where it needs one) and does
 * what its comments say. The runc evidence behind the whitelists is in the YAML comments; to
 * re-check by hand: compile the profile, put the result into a busybox-static bundle's
 * config.json (`runc spec`), and run `strace -f -o t runc run ID`, then look for -1 EPERM/ENOSYS
 * after the entrypoint's execve.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readProfileFile } from '../../../shim/profile/load.js';
import { compileSyscallFilter, describeAgentNeeds } from '../../../shim/seccomp/compile.js';
import { intersectSeccomp } from '../../../shim/seccomp/combine.js';
import { compiledFilterOf } from '../../../shim/seccomp/oci-codec.js';
import { verdictWithAgent } from '../../../shim/agent/verdict.js';
import { parseJsonLossless } from '../../../shim/util/json.js';
import type { Spec } from '../../../shim/oci/types.js';
import { AGENT, FIELD, X86_64, assertWellFormed, errorOf } from './helpers.js';

const profilePath = (name: string) => new URL(`../../../profiles/${name}.yaml`, import.meta.url).pathname;
const filterOf = (name: string) => readProfileFile(profilePath(name)).profile.spec.isolation.syscallFilter!;
const compileShipped = (name: string, agent = false) =>
  compileSyscallFilter(filterOf(name), { profileFile: profilePath(name), fieldBase: FIELD, nativeArch: X86_64, ...(agent ? { agent: AGENT } : {}) });
const dockerDefault = () => (parseJsonLossless(readFileSync(new URL('../../golden/fixtures/docker-20.10-busybox.config.json', import.meta.url), 'utf8')) as Spec).linux!.seccomp!;

const AT_FDCWD = BigInt.asUintN(64, -100n);

describe('profiles/default.yaml', () => {
  const s = () => compileShipped('default');
  it('compiles without the agent (runc can run it as is)', () => {
    expect(describeAgentNeeds(filterOf('default'), { nativeArch: X86_64 })).toEqual([]);
    expect(assertWellFormed(s())).toEqual([]);
    expect(s().listenerPath).toBeUndefined();
  });
  it.each([
    ['execve', [], 'allow'],
    ['fork', [], 'allow'],
    ['clone', [0x1200011n], 'allow'],
    ['clone', [0x10000000n], 'errno'],
    ['clone3', [], 'errno'],
    ['openat', [AT_FDCWD, 0n, 0x241n], 'allow'],
    ['socket', [10n, 1n, 0n], 'allow'],
    ['socket', [40n, 1n, 0n], 'errno'],
    ['personality', [8n], 'allow'],
    ['personality', [0x0400000n], 'errno'],
    ...['io_uring_setup', 'userfaultfd', 'keyctl', 'add_key', 'bpf', 'perf_event_open', 'ptrace', 'process_vm_readv', 'kcmp', 'pidfd_getfd', 'mount', 'fsopen', 'unshare', 'setns', 'modify_ldt'].map((n) => [n, [], 'errno']),
  ])('%s(%s) -> %s', (name, args, action) => {
    expect(verdictWithAgent(s(), X86_64, name as string, args as bigint[]).action).toBe(action);
  });
  it('i386 and x32 calls are killed', () => {
    expect(verdictWithAgent(s(), 'SCMP_ARCH_X86', 'read', []).action).toBe('kill-thread');
    expect(verdictWithAgent(s(), 'SCMP_ARCH_X32', 'read', []).action).toBe('kill-thread');
  });
  it("intersects with Docker's default profile", () => {
    const r = intersectSeccomp(dockerDefault(), compiledFilterOf(s()));
    expect(assertWellFormed(r)).toEqual([]);
    expect(r.architectures).toEqual([X86_64]);
    expect(verdictWithAgent(r, X86_64, 'read', []).action).toBe('allow');
    expect(verdictWithAgent(r, X86_64, 'socket', [40n]).action).toBe('errno');
  });
});

describe.each(['smythos-alternative', 'model-backend'])('profiles/%s.yaml', (name) => {
  it('needs the agent: refused without it, with reasons', () => {
    const needs = describeAgentNeeds(filterOf(name), { nativeArch: X86_64 }).map((n) => n.syscall);
    expect(needs).toEqual(expect.arrayContaining(['openat', 'execve']));
    const e = errorOf(() => compileShipped(name));
    expect(e.file).toBe(profilePath(name));
    expect(e.message).toMatch(/needs the seccomp agent/);
  });

  it('compiles with the agent: exec and write-opens go to it, threads work, processes do not', () => {
    const s = compileShipped(name, true);
    expect(assertWellFormed(s)).toEqual([]);
    expect(s.listenerPath).toBe(AGENT.listenerPath);
    const ev = (n: string, args: bigint[] = []) => verdictWithAgent(s, X86_64, n, args);
    expect(ev('execve').action).toBe('notify');
    expect(ev('execveat').action).toBe('notify');
    expect(ev('openat', [AT_FDCWD, 0n, 0n]).action).toBe('allow');
    expect(ev('openat', [AT_FDCWD, 0n, 0x80001n]).action).toBe('notify');
    expect(ev('creat').action).toBe('notify');
    expect(ev('openat2')).toEqual({ action: 'errno', errno: 38 });
    expect(ev('clone', [0x3d0f00n]).action).toBe('allow');
    expect(ev('clone', [0x1200011n]).action).toBe('errno');
    expect(ev('clone3')).toEqual({ action: 'errno', errno: 38 });
    expect(ev('fork').action).toBe('errno');
    expect(ev('unshare').action).toBe('errno');
    expect(ev('mount').action).toBe('errno');
    expect(ev('ptrace').action).toBe('errno');
    expect(verdictWithAgent(s, 'SCMP_ARCH_X86', 'read', []).action).toBe('kill-thread');
    expect(intersectSeccomp(dockerDefault(), compiledFilterOf(s)).listenerPath).toBe(AGENT.listenerPath);
  });
});

describe('profile-specific', () => {
  it('smythos-alternative: deny by default, no sockets', () => {
    const s = compileShipped('smythos-alternative', true);
    expect(s.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(verdictWithAgent(s, X86_64, 'socket', [1n]).action).toBe('errno');
  });
  // #10: python3 FILE calls ioctl(FIOCLEX) on the script; the class is "set the fd's own flags,
  // or read terminal state", nothing that writes to a terminal or a device.
  it.each([
    ['TCGETS (isatty)', 0x5401n, 'allow'],
    ['TIOCGWINSZ', 0x5413n, 'allow'],
    ['FIONREAD', 0x541bn, 'allow'],
    ['FIONBIO', 0x5421n, 'allow'],
    ['FIONCLEX', 0x5450n, 'allow'],
    ['FIOCLEX (python3 FILE)', 0x5451n, 'allow'],
    ['FIOCLEX with upper bits set (allow rules compare 64 bits: fail closed)', (1n << 32n) | 0x5451n, 'errno'],
    ['TIOCSTI', 0x5412n, 'errno'],
    ['TIOCLINUX', 0x541cn, 'errno'],
    ['TCSETS', 0x5402n, 'errno'],
    ['TIOCSCTTY', 0x540en, 'errno'],
    ['FIOASYNC', 0x5452n, 'errno'],
  ])('smythos-alternative: ioctl %s -> %s', (_n, request, action) => {
    const s = compileShipped('smythos-alternative', true);
    expect(verdictWithAgent(s, X86_64, 'ioctl', [0n, request as bigint]).action).toBe(action);
  });
  it('model-backend: default allow, AF_UNIX only, io_uring/bpf/keyctl denied', () => {
    const s = compileShipped('model-backend', true);
    expect(s.defaultAction).toBe('SCMP_ACT_ALLOW');
    expect(verdictWithAgent(s, X86_64, 'socket', [1n]).action).toBe('allow');
    expect(verdictWithAgent(s, X86_64, 'socket', [2n])).toEqual({ action: 'errno', errno: 97 });
    for (const n of ['io_uring_setup', 'bpf', 'keyctl', 'kcmp', 'swapon', 'sethostname', 'setns', 'pivot_root']) expect(verdictWithAgent(s, X86_64, n, []).action).toBe('errno');
  });
  it('model-backend: no path-mutating call in the tmpfs a read-only root leaves (EROFS), no set-id chmod', () => {
    const s = compileShipped('model-backend', true);
    for (const n of ['mknod', 'mknodat', 'mkdir', 'link', 'symlinkat', 'rename', 'renameat2', 'unlinkat', 'truncate', 'setxattr', 'fsetxattr']) {
      expect(verdictWithAgent(s, X86_64, n, []), n).toEqual({ action: 'errno', errno: 30 });
    }
    expect(verdictWithAgent(s, X86_64, 'chmod', [0n, 0o4755n]).action).toBe('errno');
    expect(verdictWithAgent(s, X86_64, 'fchmodat', [0n, 0n, 0o2755n]).action).toBe('errno');
    expect(verdictWithAgent(s, X86_64, 'chmod', [0n, 0o644n]).action).toBe('allow');
  });
});
