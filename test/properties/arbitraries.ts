/**
 * fast-check generators for the merge properties: caller specs (runc- and Docker-shaped, with
 * limits, capabilities, rlimits, binds, seccomp filters and fields the shim does not own),
 * profiles (every section optional), host facts to match, and sampled system calls.
 * Pure: nothing here touches the host.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../helpers/bundle.js';
import { ProfileSchema } from '../../shim/profile/schema.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import { compileSyscallFilter } from '../../shim/seccomp/compile.js';
import { compiledFilterOf, type CompiledFilter } from '../../shim/seccomp/oci-codec.js';
import { mergeSpec } from '../../shim/merge/index.js';
import { OpenclawError } from '../../shim/errors.js';
import type { MergeInputs, MergeState } from '../../shim/merge/types.js';
import type { LoadedProfile } from '../../shim/profile/load.js';
import type { Spec, SpecSeccomp } from '../../shim/oci/types.js';
import type { HostFacts, PathFacts } from '../../shim/host/types.js';

export const U64_MAX = 2n ** 64n - 1n;
const DOCKER_FIXTURE = JSON.parse(readFileSync(join(REPO, 'test/golden/fixtures/docker-20.10-busybox.config.json'), 'utf8'));
export const DOCKER_SECCOMP: SpecSeccomp = DOCKER_FIXTURE.linux.seccomp;

// ---------------------------------------------------------------------------------------------
// Vocabulary pools (small on purpose: collisions between caller and profile are the point)

export const SYSCALLS = [
  'read', 'write', 'openat', 'open', 'close', 'getpid', 'clone', 'clone3', 'fork', 'vfork', 'execve', 'execveat',
  'socket', 'socketpair', 'personality', 'ptrace', 'kill', 'ioctl', 'mount', 'unshare', 'setns', 'bpf', 'keyctl',
  'mmap', 'mprotect', 'prctl', 'chmod', 'uname', 'creat', 'openat2', 'io_uring_setup', 'memfd_create',
] as const;
export const ARCHES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] as const;
const CAPS = ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_SYS_ADMIN', 'CAP_KILL', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_PTRACE'];
const RLIMIT_TYPES = ['RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_CORE', 'RLIMIT_STACK'];
export const NS_TYPES = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'user'] as const;
/** Host directories that exist in the facts we hand the merge. */
export const HOST_DIRS = ['/srv/openclaw-a', '/srv/openclaw-b', '/var/lib/openclaw/out'];
const SPECIAL_VALUES = [0n, 1n, 2n, 8n, 9n, 10n, 16n, 0x5401n, 0x10000n, 0x20000n, 0x7e020000n, 0x400243n, 0x80000n, (1n << 32n) | 0x5401n, 1n << 32n, 0xffffffffn, U64_MAX - 1n, U64_MAX];

const u64 = fc.oneof(fc.constantFrom(...SPECIAL_VALUES), fc.bigInt({ min: 0n, max: U64_MAX }));
/** A JSON number for small values, a bigint beyond 2^53 (as parseJsonLossless gives them). */
const toU64 = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

// ---------------------------------------------------------------------------------------------
// Caller seccomp

const OCI_ACTIONS = ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_LOG', 'SCMP_ACT_TRAP'];
const OPS = ['SCMP_CMP_EQ', 'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_GT', 'SCMP_CMP_GE', 'SCMP_CMP_MASKED_EQ'];

const specArg = fc.record({ index: fc.integer({ min: 0, max: 2 }), op: fc.constantFrom(...OPS), value: u64, valueTwo: u64 }).map((a) => {
  const out: Record<string, unknown> = { index: a.index, value: toU64(a.value), op: a.op };
  if (a.op === 'SCMP_CMP_MASKED_EQ') out.valueTwo = toU64(a.valueTwo & a.value);
  return out;
});

const specRule = fc.record({
  names: fc.uniqueArray(fc.constantFrom(...SYSCALLS, 'no_such_syscall'), { minLength: 1, maxLength: 3 }),
  action: fc.constantFrom(...OCI_ACTIONS),
  errnoRet: fc.option(fc.constantFrom(1, 13, 38), { nil: undefined }),
  // runc ORs conditions that repeat an index: generated on purpose.
  args: fc.option(fc.array(specArg, { minLength: 1, maxLength: 2 }), { nil: undefined }),
});

export const callerSeccomp: fc.Arbitrary<SpecSeccomp | undefined> = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constant(DOCKER_SECCOMP) },
  {
    weight: 5,
    arbitrary: fc
      .record({
        defaultAction: fc.constantFrom('SCMP_ACT_ALLOW', 'SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_LOG'),
        architectures: fc.oneof(fc.constant(['SCMP_ARCH_X86_64']), fc.constant([...ARCHES]), fc.constant(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'])),
        syscalls: fc.array(specRule, { maxLength: 6 }),
      })
      .map((s) => JSON.parse(JSON.stringify(s, (_k, v) => (typeof v === 'bigint' ? `__big${v}` : v)), (_k, v) => (typeof v === 'string' && v.startsWith('__big') ? BigInt(v.slice(5)) : v)) as SpecSeccomp),
  },
);

// ---------------------------------------------------------------------------------------------
// Fields the shim does not own

const extraKey = fc.constantFrom('x-vendor', 'io.example/extra', 'zzUnknown', 'com.acme.note');
const extraValue = fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== undefined);
export const extras = fc.dictionary(extraKey, extraValue, { maxKeys: 2 });

// ---------------------------------------------------------------------------------------------
// Caller spec

const mount = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ destination: '/proc', type: 'proc', source: 'proc' }) },
  { weight: 4, arbitrary: fc.constant({ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] }) },
  {
    weight: 2,
    arbitrary: fc.record({ source: fc.constantFrom(...HOST_DIRS), destination: fc.constantFrom('/a', '/b', '/out'), ro: fc.boolean() }).map((b) => ({
      destination: b.destination,
      type: 'bind',
      source: b.source,
      options: ['rbind', b.ro ? 'ro' : 'rw'],
    })),
  },
);

const capSet = fc.option(fc.subarray(CAPS), { nil: undefined });
const rlimit = fc.record({ type: fc.constantFrom(...RLIMIT_TYPES), hard: u64, soft: u64 }).map((r) => ({
  type: r.type,
  hard: toU64(r.hard),
  soft: toU64(r.soft <= r.hard ? r.soft : r.hard),
}));

export interface CallerSpecParts {
  spec: Spec;
  /** The unknown keys put in, by where they went. */
  extras: { top: Record<string, unknown>; process: Record<string, unknown>; linux: Record<string, unknown>; mount: Record<string, unknown>; annotations: Record<string, string> };
}

export const callerSpec: fc.Arbitrary<CallerSpecParts> = fc
  .record({
    // Mostly the engine's five; sometimes one dropped (a host namespace), sometimes cgroup/user added.
    namespaces: fc.oneof(
      { weight: 6, arbitrary: fc.constant(['pid', 'network', 'ipc', 'uts', 'mount']) },
      { weight: 2, arbitrary: fc.subarray([...NS_TYPES], { minLength: 3 }) },
    ),
    memory: fc.option(fc.record({ limit: fc.oneof(fc.constantFrom(-1, 0), fc.integer({ min: 1 << 20, max: 2 ** 31 })), swapExtra: fc.option(fc.integer({ min: 0, max: 1 << 30 }), { nil: undefined }) }), { nil: undefined }),
    pids: fc.option(fc.oneof(fc.constantFrom(-1, 0), fc.integer({ min: 1, max: 4096 })), { nil: undefined }),
    cpu: fc.option(fc.record({ quota: fc.integer({ min: 1000, max: 400000 }), period: fc.constantFrom(50000, 100000) }), { nil: undefined }),
    caps: fc.record({ bounding: capSet, effective: capSet, permitted: capSet, inheritable: capSet, ambient: capSet }),
    noNewPrivileges: fc.option(fc.boolean(), { nil: undefined }),
    rlimits: fc.option(fc.uniqueArray(rlimit, { selector: (r) => r.type, maxLength: 3 }), { nil: undefined }),
    mounts: fc.uniqueArray(mount, { selector: (m) => m.destination, maxLength: 3 }),
    readonlyRoot: fc.boolean(),
    seccomp: callerSeccomp,
    masked: fc.subarray(['/proc/kcore', '/proc/keys', '/proc/custom']),
    extras: fc.record({ top: extras, process: extras, linux: extras, mount: extras, annotations: fc.dictionary(fc.constantFrom('a.example/x', 'b.example/y'), fc.string({ maxLength: 8 }), { maxKeys: 2 }) }),
  })
  .map((g): CallerSpecParts => {
    const capabilities = Object.fromEntries(Object.entries(g.caps).filter(([, v]) => v !== undefined));
    const resources: Record<string, unknown> = { devices: [{ allow: false, access: 'rwm' }] };
    if (g.memory) {
      const mem: Record<string, unknown> = { limit: g.memory.limit };
      if (g.memory.swapExtra !== undefined && g.memory.limit > 0) mem.swap = g.memory.limit + g.memory.swapExtra;
      resources.memory = mem;
    }
    if (g.pids !== undefined) resources.pids = { limit: g.pids };
    if (g.cpu) resources.cpu = g.cpu;
    const mounts = g.mounts.map((m, i) => (i === 0 ? { ...m, ...g.extras.mount } : { ...m }));
    const process: Record<string, unknown> = { terminal: false, user: { uid: 0, gid: 0 }, args: ['/bin/sh'], cwd: '/', capabilities, ...g.extras.process };
    if (g.noNewPrivileges !== undefined) process.noNewPrivileges = g.noNewPrivileges;
    if (g.rlimits) process.rlimits = g.rlimits;
    const linux: Record<string, unknown> = {
      namespaces: (g.namespaces as readonly string[]).map((type) => ({ type })),
      resources,
      maskedPaths: g.masked,
      readonlyPaths: ['/proc/sys'],
      ...g.extras.linux,
    };
    if (g.seccomp) linux.seccomp = g.seccomp;
    const spec = {
      ociVersion: '1.0.2-dev',
      process,
      root: { path: 'rootfs', readonly: g.readonlyRoot },
      hostname: 'c',
      mounts,
      linux,
      annotations: { ...g.extras.annotations },
      ...g.extras.top,
    } as unknown as Spec;
    return { spec, extras: { ...g.extras, mount: mounts.length > 0 ? g.extras.mount : {} } };
  });

// ---------------------------------------------------------------------------------------------
// Profiles

const nsMode = fc.option(fc.constantFrom('isolated', 'inherit'), { nil: undefined });
const profileRule = fc.oneof(
  fc.record({ names: fc.constant(['personality']), action: fc.constantFrom('allow', 'errno'), args: fc.constantFrom(0, 8, 0x20008, 0xffffffff).map((v) => [{ index: 0, op: 'SCMP_CMP_EQ', value: v }]) }),
  fc.record({ names: fc.constant(['socket']), action: fc.constantFrom('allow', 'errno'), args: fc.constantFrom(1, 2, 10, 16).map((v) => [{ index: 0, op: 'SCMP_CMP_EQ', value: v }]) }),
  fc.record({ names: fc.constant(['ioctl']), action: fc.constantFrom('allow', 'errno'), args: fc.constant([{ index: 1, op: 'SCMP_CMP_EQ', value: 0x5401 }]) }),
  fc.record({ names: fc.constant(['kill']), action: fc.constant('errno'), args: fc.constant([{ index: 1, op: 'SCMP_CMP_EQ', value: 9 }]) }),
  fc.record({ names: fc.constant(['clone']), action: fc.constant('allow'), args: fc.constant([{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: 0x7e020000, valueTwo: 0 }]) }),
  fc.record({ names: fc.constant(['prctl']), action: fc.constant('allow'), args: fc.constant([{ index: 0, op: 'SCMP_CMP_GE', value: 3 }]) }),
);

/** A profile's syscallFilter section (raw, as YAML would give it). */
export const profileSyscallFilter = fc
  .record({
    defaultAction: fc.constantFrom('allow', 'errno', 'kill-process', 'log'),
    architectures: fc.option(fc.constantFrom<string[]>(['SCMP_ARCH_X86_64'], ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86']), { nil: undefined }),
    lists: fc.uniqueArray(fc.constantFrom('read', 'close', 'getpid', 'mmap', 'uname', 'chmod', 'mount', 'unshare', 'ptrace', 'bpf', 'keyctl', 'clone', 'clone3', 'execve', 'memfd_create', 'io_uring_setup', 'setns'), { maxLength: 10 }),
    split: fc.integer({ min: 0, max: 10 }),
    rules: fc.uniqueArray(profileRule, { selector: (r) => r.names[0], maxLength: 3 }),
    readOnlyOpens: fc.option(fc.boolean(), { nil: undefined }),
    socketFamilies: fc.option(fc.subarray(['AF_UNIX', 'AF_INET', 'AF_INET6'], { minLength: 1 }), { nil: undefined }),
  })
  .map((f) => {
    const out: Record<string, unknown> = { defaultAction: f.defaultAction };
    if (f.architectures) out.architectures = f.architectures;
    // `clone` in the whitelist would clash with a clone rule; keep the lists disjoint from rules.
    // socket does not exist on i386 (socketcall): socket rules only with the native ABI alone.
    const i386 = (f.architectures ?? []).includes('SCMP_ARCH_X86');
    const rules = f.rules.filter((r) => !(i386 && r.names[0] === 'socket'));
    const ruled = new Set<string>(rules.flatMap((r) => r.names));
    const names = f.lists.filter((n) => !ruled.has(n));
    // runc's init writes its readiness after the filter is loaded and refuses NOTIFY for write:
    // a filter denying write is refused at compile time (a bad-input case, not this property's).
    out.whitelist = ['write', ...names.slice(0, f.split)];
    out.blacklist = names.slice(f.split);
    if (rules.length) out.rules = rules;
    if (f.readOnlyOpens !== undefined) out.readOnlyOpens = f.readOnlyOpens;
    // socketFamilies cannot be enforced on i386 (socketcall): only with the native arch.
    if (f.socketFamilies && !(f.architectures ?? []).includes('SCMP_ARCH_X86') && !ruled.has('socket')) out.socketFamilies = f.socketFamilies;
    return out;
  });

const quantity = fc.oneof(fc.constantFrom('64Mi', '512Mi', '1Gi', '2Gi'), fc.integer({ min: 1 << 20, max: 2 ** 31 }));

export const profileInput = fc
  .record({
    namespaces: fc.option(fc.record({ network: nsMode, ipc: nsMode, uts: nsMode, pid: nsMode, mount: nsMode, cgroup: nsMode, user: fc.option(fc.constantFrom('isolated-with-uid-mapping', 'inherit'), { nil: undefined }) }), { nil: undefined }),
    cgroups: fc.option(fc.record({ memory: fc.option(quantity, { nil: undefined }), memorySwap: fc.option(quantity, { nil: undefined }), pids: fc.option(fc.integer({ min: 1, max: 1024 }).map((max) => ({ max })), { nil: undefined }), cpus: fc.option(fc.constantFrom(0.5, 1, 2, 8), { nil: undefined }) }), { nil: undefined }),
    syscallFilter: fc.option(profileSyscallFilter, { nil: undefined }),
    filesystem: fc.option(
      fc.record({
        readonlyRootfs: fc.option(fc.boolean(), { nil: undefined }),
        allowedBindMounts: fc.option(
          fc.uniqueArray(fc.record({ source: fc.constantFrom(...HOST_DIRS), destination: fc.constantFrom('/a', '/b', '/out'), readonly: fc.boolean(), noexec: fc.boolean() }), { selector: (b) => b.destination, maxLength: 2 }),
          { nil: undefined },
        ),
        maskedPaths: fc.option(fc.subarray(['/proc/kcore', '/proc/extra']), { nil: undefined }),
      }),
      { nil: undefined },
    ),
    process: fc.option(
      fc.record({ noNewPrivileges: fc.option(fc.boolean(), { nil: undefined }), capabilities: fc.option(fc.subarray(CAPS), { nil: undefined }), rlimits: fc.option(fc.uniqueArray(rlimit.map((r) => ({ ...r, hard: String(r.hard), soft: String(r.soft) })), { selector: (r) => r.type, maxLength: 2 }), { nil: undefined }) }),
      { nil: undefined },
    ),
  })
  .map((p) => JSON.parse(JSON.stringify({ isolation: { namespaces: p.namespaces, cgroups: p.cgroups, syscallFilter: p.syscallFilter }, filesystem: p.filesystem, process: p.process })) as Record<string, unknown>);

// ---------------------------------------------------------------------------------------------
// Putting a merge together

const AGENT = { listenerPath: '/run/openclaw/agent/seccomp-agent.sock', listenerMetadata: '{"v":1}' };
const CONFIG = RuntimeConfigSchema.parse({});
export const HOOK = '/opt/openclaw/hooks/openclaw-poststop';
/** The host's seal key, as the pipeline reads it (host/seal-key.ts); fixed so runs repeat. */
export const SEAL_KEY = Buffer.alloc(32, 7);

export function hostFacts(): HostFacts {
  const paths: Record<string, PathFacts> = {};
  for (const d of HOST_DIRS) paths[d] = { exists: true, realPath: d, isDirectory: true, uid: 0, gid: 0 };
  return { nvidiaDevices: [], paths, rootfsTraversableByOthers: true, rootfsSelfTraversable: true, missingMountpoints: [], hookExecutables: {}, rootOnlyDirs: {} };
}

export interface Prepared {
  inputs: MergeInputs;
}

/** Profile spec -> MergeInputs (parsed by the real schema, filter compiled by the real compiler); undefined when the profile itself is refused. */
export function prepare(profileSpec: Record<string, unknown>): MergeInputs | undefined {
  const parsed = ProfileSchema.safeParse({ apiVersion: 'security.openclaw.org/v1alpha1', kind: 'SandboxProfile', metadata: { name: 'prop' }, spec: profileSpec });
  if (!parsed.success) throw new Error(`generator produced an invalid profile: ${parsed.error.message}`);
  const profile: LoadedProfile = { profile: parsed.data, path: '/profiles/prop.yaml', sha256: 'e'.repeat(64) };
  let compiledFilter: CompiledFilter | undefined;
  const filter = parsed.data.spec.isolation.syscallFilter;
  if (filter) {
    try {
      compiledFilter = compiledFilterOf(compileSyscallFilter(filter, { profileFile: profile.path, fieldBase: 'spec.isolation.syscallFilter', nativeArch: 'SCMP_ARCH_X86_64', agent: AGENT }));
    } catch (e) {
      if (e instanceof OpenclawError) return undefined;
      throw e;
    }
  }
  return { profile, compiledFilter, config: CONFIG, containerId: 'prop', host: hostFacts(), bundle: '/bundle', cleanupHookPath: HOOK, sealKey: SEAL_KEY, specFile: '/bundle/config.json' };
}

/** mergeSpec, with refusals (OpenclawError) as undefined; anything else is thrown (a crash is a bug). */
export function tryMerge(spec: Spec, inputs: MergeInputs): MergeState | undefined {
  try {
    return mergeSpec(spec, inputs);
  } catch (e) {
    if (e instanceof OpenclawError) return undefined;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Sampled system calls

export const sampledCall = fc.record({
  arch: fc.constantFrom<string>('SCMP_ARCH_X86_64', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'),
  name: fc.constantFrom<string>(...SYSCALLS),
  args: fc.array(u64, { minLength: 6, maxLength: 6 }),
});
export const sampledCalls = fc.array(sampledCall, { minLength: 20, maxLength: 40 });
