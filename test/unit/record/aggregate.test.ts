/**
 * record -> profile aggregation (shim/record/aggregate.ts), table-driven: each row is a
 * recording (counted call records, the run's mounts) and what the profile must then say,
 * checked on the emitted YAML as `validate` reads it (schema + compiler), by lint, and by the
 * reference evaluator on concrete calls (what the kernel would answer), not only on its text.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aggregate, type MountFact } from '../../../shim/record/aggregate.js';
import { emitProfile } from '../../../shim/record/emit.js';
import type { CountedRecord } from '../../../shim/record/recorder.js';
import { parseProfileText } from '../../../shim/profile/load.js';
import { compileProfileSeccomp } from '../../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { lintProfile } from '../../../shim/lint/rules.js';
import { evaluate } from '../../../shim/seccomp/evaluate.js';

const ARCH = 'SCMP_ARCH_X86_64';
const config = RuntimeConfigSchema.parse({});
const w = (syscall: string, extra: Partial<CountedRecord> = {}, count = 1): CountedRecord => ({ syscall, phase: 'workload', count, ...extra });
const init = (syscall: string, extra: Partial<CountedRecord> = {}): CountedRecord => ({ syscall, phase: 'init', count: 1, ...extra });
const ENTRY = init('execve', { path: '/usr/bin/python3', entrypoint: true });
const BASE = [ENTRY, w('read', {}, 10), w('exit_group'), w('openat', { path: '/usr/lib/x.py', flags: 0x80000 }, 5)];
const BINDS: MountFact[] = [
  { destination: '/proc', type: 'proc', source: 'proc' },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs' },
  { destination: '/input', type: 'bind', source: '/srv/in', options: ['rbind', 'ro'] },
  { destination: '/output', type: 'bind', source: '/srv/out', options: ['rbind', 'rw'] },
  { destination: '/unused', source: '/srv/unused', options: ['rbind', 'ro'] },
];
const O_WRONLY_CREAT_TRUNC = 0o1101;
const SIGCHLD_FORK = 0x1200011; // CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD (glibc fork)
const THREAD = 0x3d0f00; // glibc pthread_create

function record(records: CountedRecord[], mounts: MountFact[] = BINDS, user?: { uid: number; gid: number }) {
  const out = aggregate({ name: 'rec', records, mounts, command: ['python3', '/job/main.py'], runtime: 'runc', arch: ARCH, ...(user ? { user } : {}) });
  const yaml = emitProfile(out);
  const loaded = parseProfileText(Buffer.from(yaml), '/profiles/rec.yaml');
  const seccomp = compileProfileSeccomp(loaded, compileInputsOf(config))!.spec;
  const lint = lintProfile({ profile: loaded, seccomp });
  const runs = (name: string, args: bigint[] = []) => evaluate(seccomp, ARCH, name, args).action === 'allow';
  const doc = parse(yaml) as any;
  return { out, yaml, doc, filter: doc.spec.isolation.syscallFilter, fs: doc.spec.filesystem, lint, runs, meta: JSON.parse(seccomp.listenerMetadata ?? '{}') };
}

/** The end-of-line comment of a whitelist entry. */
const commentOf = (yaml: string, name: string) => new RegExp(`- ${name} # (.*)`).exec(yaml)?.[1];

describe('record -> profile', () => {
  it.each([
    {
      what: 'plain calls: whitelisted with their count; write (never recorded) with why; runc init calls left out',
      records: [...BASE, init('getdents64', {}), w('newfstatat', { path: '/etc/passwd' }, 3)],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.whitelist).toEqual(expect.arrayContaining(['read', 'exit_group', 'openat', 'newfstatat', 'write']));
        expect(r.filter.whitelist).not.toContain('getdents64');
        expect(commentOf(r.yaml, 'read')).toBe('10 calls');
        expect(commentOf(r.yaml, 'newfstatat')).toBe('3 calls: /etc/passwd (3)');
        expect(commentOf(r.yaml, 'write')).toMatch(/^not recorded: runc refuses SCMP_ACT_NOTIFY for write/);
        expect(r.runs('getdents64')).toBe(false);
        expect(r.filter.defaultAction).toBe('errno');
      },
    },
    {
      what: 'read-only opens only: readOnlyOpens, nothing writable, read-only root; a write-open is then denied',
      records: BASE,
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.readOnlyOpens).toBe(true);
        expect(r.fs.readonlyRootfs).toBe(true);
        expect(r.fs.writablePaths).toBeUndefined();
        expect(commentOf(r.yaml, 'openat')).toMatch(/^5 calls; all read-only/);
        expect(r.runs('openat', [0n, 0n, 0n])).toBe(true);
        expect(r.runs('openat', [0n, 0n, 1n])).toBe(false);
        expect(r.meta.writable).toEqual([]);
      },
    },
    {
      what: 'a write under a writable bind: that bind becomes each container\'s own, writable; a read bind stays read-only; an unused bind is left out',
      records: [...BASE, w('openat', { path: '/output/result.json', flags: O_WRONLY_CREAT_TRUNC | 0x80000 }, 2), w('openat', { path: '/input/data.csv', flags: 0 })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.fs.allowedBindMounts).toEqual([
          { source: '/srv/in', destination: '/input', readonly: true },
          { perContainer: 'output', destination: '/output', readonly: false },
        ]);
        expect(r.yaml).toMatch(/# recorded: bind \/srv\/out -> \/output, written \(\/output\/result\.json\)/);
        expect(r.out.notes.join('\n')).toMatch(/\/srv\/unused -> \/unused was not used/);
        expect(r.yaml).toMatch(/openat O_WRONLY\|O_CREAT\|O_TRUNC\|O_CLOEXEC \/output\/result\.json, 2 calls/);
        expect(r.fs.writablePaths).toBeUndefined();
        expect(r.meta.writable).toEqual(['/output']);
        expect(r.doc.spec.isolation.namespaces.mount).toBe('isolated-with-bind');
      },
    },
    {
      what: 'writes outside any bind: listed exactly in writablePaths; one into the image itself turns readonlyRootfs off',
      records: [...BASE, w('openat', { path: '/dev/null', flags: 0o2 }), w('openat', { path: '/var/log/app.log', flags: 0o2101 })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.fs.writablePaths).toEqual(['/dev/null', '/var/log/app.log']);
        expect(r.fs.readonlyRootfs).toBe(false);
        expect(r.yaml).toMatch(/- \/dev\/null # recorded: openat O_RDWR \/dev\/null, 1 call/);
        expect(r.yaml).toMatch(/readonlyRootfs: false # recorded: the job wrote into the image \(\/var\/log\/app\.log\)/);
        expect(r.lint.warnings).toEqual([]);
      },
    },
    {
      what: 'threads only: clone blacklisted (processes denied, threads kept)',
      records: [...BASE, w('clone3', { cloneFlags: THREAD }, 4)],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.blacklist).toEqual(['clone']);
        expect(r.filter.whitelist).not.toContain('clone3');
        expect(r.yaml).toMatch(/- clone # threads only: 4 threads started \(clone3 with CLONE_THREAD\)/);
        expect(r.runs('clone', [BigInt(THREAD)])).toBe(true);
        expect(r.runs('clone', [BigInt(SIGCHLD_FORK)])).toBe(false);
        expect(r.runs('fork')).toBe(false);
      },
    },
    {
      what: 'a process started: the clone call seen is allowed, with its flags in the comment',
      records: [...BASE, w('clone', { cloneFlags: SIGCHLD_FORK }), w('wait4')],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.blacklist).toBeUndefined();
        expect(commentOf(r.yaml, 'clone')).toBe('1 call: CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD (1)');
        expect(r.runs('clone', [BigInt(SIGCHLD_FORK)])).toBe(true);
        expect(r.runs('fork')).toBe(false);
      },
    },
    {
      what: 'AF_UNIX sockets: socketFamilies [AF_UNIX], no network; AF_INET stays denied',
      records: [...BASE, w('socket', { family: 1, sockType: 1 }, 2), w('connect')],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.socketFamilies).toEqual(['AF_UNIX']);
        expect(r.yaml).toMatch(/- AF_UNIX # recorded: socket \(2\)/);
        expect(r.doc.spec.isolation.namespaces.network).toBe('isolated');
        expect(r.runs('socket', [1n, 1n])).toBe(true);
        expect(r.runs('socket', [2n, 1n])).toBe(false);
      },
    },
    {
      what: 'AF_INET sockets: allowed, and the network namespace is left to the caller',
      records: [...BASE, w('socket', { family: 2, sockType: 2 })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.socketFamilies).toEqual(['AF_INET']);
        expect(r.doc.spec.isolation.namespaces.network).toBeUndefined();
        expect(r.runs('socket', [2n, 2n])).toBe(true);
        expect(r.runs('socket', [16n, 3n])).toBe(false);
      },
    },
    {
      what: 'ioctl: one allow rule per request seen, named in its comment; other requests denied',
      records: [...BASE, w('ioctl', { request: 0x5401 }, 3), w('ioctl', { request: 0x5421 })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.rules.map((x: any) => x.args[0].value)).toEqual(['0x5401', '0x5421']);
        expect(r.yaml).toMatch(/# recorded: ioctl TCGETS, 3 calls/);
        expect(r.yaml).toMatch(/# recorded: ioctl FIONBIO, 1 call/);
        expect(r.runs('ioctl', [1n, 0x5401n])).toBe(true);
        expect(r.runs('ioctl', [1n, 0x5412n])).toBe(false); // TIOCSTI
      },
    },
    {
      what: 'personality: only the persona seen',
      records: [...BASE, w('personality', { persona: 0xffffffff })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.runs('personality', [0xffffffffn])).toBe(true);
        expect(r.runs('personality', [0x0400000n])).toBe(false);
        expect(r.lint.warnings).toEqual([]);
      },
    },
    {
      what: 'execs after the entrypoint: execve allowed with count and paths, and the lint warnings that then hold are accepted with the recorded reason',
      records: [...BASE, w('clone', { cloneFlags: SIGCHLD_FORK }, 2), w('execve', { path: '/bin/true' }, 2), w('wait4', {}, 2)],
      check: (r: ReturnType<typeof record>) => {
        expect(commentOf(r.yaml, 'execve')).toBe('2 calls after the entrypoint: /bin/true (2)');
        expect(r.meta.execAllowed).toEqual(['execve']);
        expect(r.doc.metadata.acceptedWarnings.map((a: any) => a.id)).toEqual(['OC102', 'OC101']);
        expect(r.lint.warnings).toEqual([]);
        expect(r.lint.accepted.map((a) => a.id).sort()).toEqual(['OC101', 'OC102']);
      },
    },
    {
      what: 'no exec after the entrypoint: execve stays out (the agent lets runc exec the entrypoint once)',
      records: BASE,
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.whitelist).not.toContain('execve');
        expect(r.meta.execAllowed ?? []).toEqual([]);
        expect(r.doc.metadata.acceptedWarnings).toBeUndefined();
      },
    },
    {
      what: 'a name-changing call (mkdir): readOnlyOpens off, saying why',
      records: [...BASE, w('mkdirat', { path: '/output/sub' }), w('openat', { path: '/output/sub/x', flags: O_WRONLY_CREAT_TRUNC })],
      check: (r: ReturnType<typeof record>) => {
        expect(r.filter.readOnlyOpens).toBe(false);
        expect(r.yaml).toMatch(/# off: the job called mkdirat, which readOnlyOpens answers EROFS/);
        expect(r.runs('mkdirat')).toBe(true);
      },
    },
  ])('$what', ({ records, check }) => {
    const r = record(records);
    expect(r.lint.warnings.map((x) => x.id)).toEqual([]);
    check(r);
  });

  it('a job that runs as another user than root keeps its written bind\'s host source (a per-container directory belongs to the container\'s root), OC106 accepted with why', () => {
    const r = record([...BASE, w('openat', { path: '/output/result.json', flags: O_WRONLY_CREAT_TRUNC })], BINDS, { uid: 1000, gid: 1000 });
    expect(r.fs.allowedBindMounts).toContainEqual({ source: '/srv/out', destination: '/output', readonly: false });
    expect(r.yaml).toMatch(/the same host directory for every container \(the job runs as uid 1000/);
    expect(r.doc.metadata.acceptedWarnings).toEqual([{ id: 'OC106', reason: expect.stringMatching(/^recorded: the job runs as uid 1000 and writes \/output/) }]);
    expect(r.lint.warnings).toEqual([]);
    expect(r.lint.accepted.map((a) => a.id)).toEqual(['OC106']);
  });

  it('every whitelist entry and every rule carries a comment', () => {
    const r = record([...BASE, w('ioctl', { request: 0x5401 }), w('clone3', { cloneFlags: THREAD }), w('socket', { family: 1, sockType: 1 })]);
    const lines = r.yaml.split('\n');
    const start = lines.findIndex((l) => l.trim() === 'whitelist:');
    const items = lines.slice(start + 1).filter((l, i, a) => /^ {8}- /.test(l) && a.slice(0, i).every((x) => /^ {8}- /.test(x)));
    expect(items.length).toBe(r.filter.whitelist.length);
    for (const l of items) expect(l).toMatch(/ # \S/);
    expect(r.yaml.match(/# recorded: ioctl/g)?.length).toBe(r.filter.rules.length);
  });
});
