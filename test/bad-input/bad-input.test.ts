/**
 * Bad input, through the real binary and real runc: every refusal must
 *  - exit non-zero without running runc (no container in the private runc root),
 *  - say on stderr AND in the last `"level":"error"` line of the --log file (all Docker and
 *    containerd show) which file is wrong, which field (where there is one) and the fix,
 *  - leave config.json byte for byte as it was (and no temp file in the bundle).
 * A second table holds inputs that look hostile but are legitimate (a caller tighter than the
 * profile, 64-bit values): they must be accepted, with the caller's values intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHIM, integrationSkipReason, makeBundle, removeTemplate, type Bundle } from '../helpers/bundle.js';
import { baseToml, lastErrorMsg, listDir, makeWorld, removeWorld, runCreate, runcContainers, runcDeleteAll, type World } from './harness.js';
import { spawnSync } from 'node:child_process';
import { parseJsonLossless } from '../../shim/util/json.js';
import { evaluate } from '../../shim/seccomp/evaluate.js';
import type { SpecSeccomp } from '../../shim/oci/types.js';

const skip = integrationSkipReason();
if (skip) console.warn(`SKIP bad-input: ${skip}`);

interface Ctx {
  world: World;
  /** A directory of this case's own (profiles, configs, sources). */
  dir: string;
  bundle: Bundle;
  /** Where this case's profile is written when it has one. */
  profilePath: string;
  configPath: string;
}

interface Case {
  name: string;
  /** YAML of a profile written to ctx.profilePath and passed as `--profile PATH`. */
  profile?: string;
  /** `--profile` value (a name), or null for no flag at all. Default: the profile above, else `default`. */
  profileFlag?: string | null;
  /** The whole runtime config (TOML), written to ctx.configPath. Default: the world's. */
  toml?: (ctx: Ctx) => string;
  /** Changes to the bundle's config.json (parsed with JSON.parse, written back pretty). */
  spec?: (cfg: any, ctx: Ctx) => void;
  /** Anything else to set up (raw config.json bytes, files, links). */
  setup?: (ctx: Ctx) => void;
  /** The file the message must name. */
  file: (ctx: Ctx) => string;
  /** The dotted field the message must name, where there is one. */
  field?: string;
  /** What the problem must say. */
  problem: RegExp;
}

const HEAD = 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata:\n  name: bad-input\nspec:\n';
/** A profile with `body` (YAML indented for `spec:`). */
const profile = (body: string) => HEAD + body.replace(/^\n/, '');
const filter = (lines: string) => profile(`  isolation:\n    syscallFilter:\n      defaultAction: errno\n      architectures: [SCMP_ARCH_X86_64]\n${lines}`);

const profileFile = (c: Ctx) => c.profilePath;
const specFile = (c: Ctx) => c.bundle.configPath;
const configFile = (c: Ctx) => c.configPath;

const CASES: Case[] = [
  // --- the profile file: syntax, schema ---
  { name: 'malformed YAML', profile: HEAD + '  isolation:\n    namespaces: {network: isolated\n  filesystem: [\n', file: profileFile, problem: /invalid YAML at line \d+/ },
  { name: 'duplicate YAML key', profile: profile('  process:\n    noNewPrivileges: true\n    noNewPrivileges: false\n'), file: profileFile, problem: /invalid YAML/ },
  { name: 'wrong type (pids.max a string)', profile: profile('  isolation:\n    cgroups:\n      pids:\n        max: many\n'), file: profileFile, field: 'spec.isolation.cgroups.pids.max', problem: /line 9/ },
  { name: 'wrong type (readonlyRootfs a string)', profile: profile('  filesystem:\n    readonlyRootfs: "yes"\n'), file: profileFile, field: 'spec.filesystem.readonlyRootfs', problem: /boolean/ },
  { name: 'unknown key at the top level', profile: profile('  process: {}\nextra: 1\n'), file: profileFile, field: 'extra', problem: /unknown key "extra"/ },
  { name: 'unknown key nested', profile: profile('  isolation:\n    namespaces:\n      netwrk: isolated\n'), file: profileFile, field: 'spec.isolation.namespaces.netwrk', problem: /unknown key "netwrk"/ },
  { name: 'wrong apiVersion', profile: profile('  process: {}\n').replace('v1alpha1', 'v1'), file: profileFile, field: 'apiVersion', problem: /security\.openclaw\.org\/v1alpha1/ },
  { name: 'cgroups both under spec and spec.isolation', profile: profile('  cgroups:\n    memory: 1Gi\n  isolation:\n    cgroups:\n      memory: 2Gi\n'), file: profileFile, field: 'spec.cgroups', problem: /both/ },
  { name: 'bad quantity', profile: profile('  isolation:\n    cgroups:\n      memory: 12Qi\n'), file: profileFile, field: 'spec.isolation.cgroups.memory', problem: /not a byte quantity/ },
  { name: 'zero quantity', profile: profile('  isolation:\n    cgroups:\n      memory: 0\n'), file: profileFile, field: 'spec.isolation.cgroups.memory', problem: /greater than zero/ },
  { name: 'rlimit type in lower case', profile: profile('  process:\n    rlimits:\n      - {type: RLIMIT_nofile, hard: 10, soft: 10}\n'), file: profileFile, field: 'spec.process.rlimits[0].type', problem: /RLIMIT_/ },
  { name: 'rlimit type typo (RLIMIT_NOFLE)', profile: profile('  process:\n    rlimits:\n      - {type: RLIMIT_NOFLE, hard: 10, soft: 10}\n'), file: profileFile, field: 'spec.process.rlimits[0].type', problem: /RLIMIT_NOFLE/ },
  { name: 'huge profile (> 1 MiB)', profile: profile('  process: {}\n') + `# ${'x'.repeat(1024 * 1024)}\n`, file: profileFile, problem: /more than the 1048576 allowed/ },
  // --- the profile's syscall filter ---
  { name: 'unknown syscall name', profile: filter('      whitelist: [read, nosuchcall]\n'), file: profileFile, field: 'spec.isolation.syscallFilter.whitelist[1]', problem: /unknown system call "nosuchcall"/ },
  {
    name: 'syscall not on a listed architecture',
    profile: filter('      whitelist: [read, open]\n').replace('[SCMP_ARCH_X86_64]', '[SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64]'),
    file: profileFile,
    field: 'spec.isolation.syscallFilter.whitelist[1]',
    problem: /"open" does not exist on SCMP_ARCH_AARCH64/,
  },
  { name: 'unknown architecture', profile: filter('      whitelist: [read]\n').replace('[SCMP_ARCH_X86_64]', '[SCMP_ARCH_VAX]'), file: profileFile, field: 'spec.isolation.syscallFilter.architectures[0]', problem: /unknown architecture/ },
  { name: 'same name in whitelist and blacklist', profile: filter('      whitelist: [read, getpid]\n      blacklist: [getpid]\n'), file: profileFile, field: 'spec.isolation.syscallFilter.blacklist[0]', problem: /both the whitelist/ },
  {
    name: 'unconditional and conditional rules with different actions',
    profile: filter('      rules:\n        - {names: [personality], action: allow}\n        - {names: [personality], action: errno, args: [{index: 0, op: SCMP_CMP_EQ, value: 8}]}\n'),
    file: profileFile,
    field: 'spec.isolation.syscallFilter.rules[1].names[0]',
    problem: /unconditionally/,
  },
  {
    name: 'SCMP_CMP_MASKED_EQ with mask 0',
    profile: filter('      rules:\n        - {names: [personality], action: allow, args: [{index: 0, op: SCMP_CMP_MASKED_EQ, value: 0, valueTwo: 0}]}\n'),
    file: profileFile,
    field: 'spec.isolation.syscallFilter.rules[0].args[0].value',
    problem: /mask 0 matches every call/,
  },
  {
    name: 'openat flags at index 1 (a pointer)',
    profile: filter('      whitelist: [read]\n      rules:\n        - {names: [openat], action: errno, args: [{index: 1, op: SCMP_CMP_MASKED_EQ, value: 3, valueTwo: 1}]}\n'),
    file: profileFile,
    field: 'spec.isolation.syscallFilter.rules[0].args[0].index',
    problem: /pointer/,
  },
  {
    name: 'rule value beyond 2^64',
    profile: filter('      rules:\n        - {names: [personality], action: allow, args: [{index: 0, op: SCMP_CMP_EQ, value: "18446744073709551616"}]}\n'),
    file: profileFile,
    field: 'spec.isolation.syscallFilter.rules[0].args[0].value',
    problem: /64 bits/,
  },
  { name: 'unknown errno name', profile: filter('      defaultErrno: ENOPE\n      whitelist: [read]\n'), file: profileFile, field: 'spec.isolation.syscallFilter.defaultErrno', problem: /ENOPE/ },
  { name: 'notify as the default action', profile: filter('      whitelist: [read]\n').replace('defaultAction: errno', 'defaultAction: notify'), file: profileFile, field: 'spec.isolation.syscallFilter.defaultAction', problem: /NOTIFY/ },
  { name: 'unknown socket family', profile: filter('      whitelist: [read]\n      socketFamilies: [AF_NOPE]\n'), file: profileFile, field: 'spec.isolation.syscallFilter.socketFamilies[0]', problem: /AF_NOPE/ },
  // --- the profile against this host ---
  {
    name: 'profile bind source under /etc',
    profile: profile('  filesystem:\n    allowedBindMounts:\n      - {source: /etc/ssl, destination: /ssl}\n'),
    file: profileFile,
    field: 'spec.filesystem.allowedBindMounts[0].source',
    problem: /under \/etc/,
  },
  {
    name: 'profile bind source missing without create',
    profile: profile('  filesystem:\n    allowedBindMounts:\n      - {source: /nonexistent/openclaw-bad-input, destination: /data}\n'),
    file: profileFile,
    field: 'spec.filesystem.allowedBindMounts[0].source',
    problem: /does not exist/,
  },
  { name: 'a GPU the host lacks', profile: profile('  devices:\n    gpus: [99]\n'), file: profileFile, field: 'spec.devices.gpus[0]', problem: /GPU 99/ },
  // --- choosing the profile ---
  { name: 'missing profile (by path)', profileFlag: '/nonexistent/openclaw/p.yaml', file: () => '/nonexistent/openclaw/p.yaml', problem: /ENOENT/ },
  { name: 'missing profile (by name)', profileFlag: 'no-such-profile', file: (c) => join(c.world.work, 'profiles', 'no-such-profile.yaml'), problem: /no profile named "no-such-profile"/ },
  {
    // Root reads a chmod 000 file anyway; what root cannot read is a directory.
    name: 'unreadable profile (a directory)',
    setup: (c) => mkdirSync(c.profilePath),
    profileFlag: undefined,
    file: profileFile,
    problem: /EISDIR/,
  },
  {
    name: 'profile name that is a symlink out of the profile directory',
    setup: (c) => {
      writeFileSync(join(c.dir, 'outside.yaml'), profile('  process: {}\n'));
      symlinkSync(join(c.dir, 'outside.yaml'), join(c.world.work, 'profiles', 'escaper.yaml'));
    },
    profileFlag: 'escaper',
    file: (c) => join(c.world.work, 'profiles', 'escaper.yaml'),
    problem: /outside its profile directory/,
  },
  {
    name: 'annotation choosing a profile when selection is off',
    profileFlag: null,
    spec: (cfg) => (cfg.annotations = { 'org.openclaw.profile': 'model-backend' }),
    file: () => 'config.json',
    field: 'annotations["org.openclaw.profile"]',
    problem: /selection is off/,
  },
  {
    name: 'annotation choosing a profile the config does not list',
    profileFlag: null,
    toml: (c) => `${baseToml(c.world.work)}\n[annotations]\nallow_profile_selection = true\nallowed_profiles = ["default"]\n`,
    spec: (cfg) => (cfg.annotations = { 'org.openclaw.profile': 'model-backend' }),
    file: () => 'config.json',
    field: 'annotations["org.openclaw.profile"]',
    problem: /allowed: default/,
  },
  // --- the runtime config ---
  { name: 'config.toml syntax error', toml: (c) => `${baseToml(c.world.work)}\n[runtime\n`, file: configFile, problem: /invalid TOML at line/ },
  { name: 'config.toml unknown key', toml: (c) => `${baseToml(c.world.work)}\n[runtime]\ncandidate = ["runc"]\n`, file: configFile, field: 'runtime.candidate', problem: /unknown key "candidate"/ },
  { name: 'config.toml wrong type', toml: (c) => `${baseToml(c.world.work)}\n[userns]\nhost_id = "100000"\n`, file: configFile, field: 'userns.host_id', problem: /number/ },
  { name: 'config file named but missing', toml: () => '', setup: (c) => unlinkSync(c.configPath), file: configFile, problem: /ENOENT/ },
  {
    name: 'missing runc (runtime.candidates pointing nowhere)',
    toml: (c) => `${baseToml(c.world.work)}\n[runtime]\ncandidates = ["/nonexistent/runc", "no-such-runtime-binary"]\n`,
    file: configFile,
    field: 'runtime.candidates',
    problem: /no low-level OCI runtime found/,
  },
  {
    name: 'unreachable agent (agent.socket under a regular file)',
    profileFlag: 'smythos-alternative',
    toml: (c) => `[profiles]\ndirectories = ["${join(c.world.work, 'profiles')}"]\n[state]\ndir = "${c.world.stateDir}"\n[jobs]\ndir = "${join(c.world.work, 'jobs')}"\n[agent]\nsocket = "${c.configPath}/agent.sock"\ndenial_log = "${join(c.dir, 'denials.log')}"\n`,
    file: (c) => `${c.configPath}/agent.sock`,
    problem: /agent/,
  },
  // --- the bundle ---
  { name: 'bundle without config.json', setup: (c) => unlinkSync(c.bundle.configPath), file: specFile, problem: /ENOENT/ },
  { name: 'invalid config.json', setup: (c) => writeFileSync(c.bundle.configPath, '{"ociVersion": "1.0.2", "process": {'), file: specFile, problem: /not valid JSON/ },
  { name: 'config.json that is a JSON array', setup: (c) => writeFileSync(c.bundle.configPath, '[{"ociVersion": "1.0.2"}]\n'), file: specFile, problem: /JSON object/ },
  // --- a caller's spec the profile must not loosen: refused, never silently changed ---
  { name: 'host network under an isolated profile', spec: (cfg) => (cfg.linux.namespaces = cfg.linux.namespaces.filter((n: any) => n.type !== 'network')), file: specFile, field: 'linux.namespaces', problem: /--network host/ },
  { name: 'host pid under an isolated profile', spec: (cfg) => (cfg.linux.namespaces = cfg.linux.namespaces.filter((n: any) => n.type !== 'pid')), file: specFile, field: 'linux.namespaces', problem: /--pid host/ },
  {
    name: 'joined network namespace under an isolated profile',
    spec: (cfg) => (cfg.linux.namespaces.find((n: any) => n.type === 'network').path = '/proc/1/ns/net'),
    file: specFile,
    field: 'linux.namespaces[',
    problem: /joins the existing network namespace/,
  },
  { name: 'privileged spec (allow-all device rule)', spec: (cfg) => cfg.linux.resources.devices.unshift({ allow: true, access: 'rwm' }), file: specFile, field: 'linux.resources.devices[0]', problem: /every host device/ },
  { name: 'bind mount of /etc', spec: (cfg) => cfg.mounts.push({ destination: '/host-etc', type: 'bind', source: '/etc', options: ['rbind', 'ro'] }), file: specFile, field: 'mounts[', problem: /under \/etc/ },
  {
    name: 'bind mount of a docker.sock',
    setup: (c) => writeFileSync(join(c.dir, 'docker.sock'), ''),
    spec: (cfg, c) => cfg.mounts.push({ destination: '/var/run/docker.sock', type: 'bind', source: join(c.dir, 'docker.sock'), options: ['rbind'] }),
    file: specFile,
    field: 'mounts[',
    problem: /engine socket \(docker\.sock\)/,
  },
  {
    name: 'bind mount of a symlink into /proc',
    setup: (c) => symlinkSync('/proc/sys', join(c.dir, 'innocent')),
    spec: (cfg, c) => cfg.mounts.push({ destination: '/data', type: 'bind', source: join(c.dir, 'innocent'), options: ['rbind'] }),
    file: specFile,
    field: 'mounts[',
    problem: /under \/proc/,
  },
  {
    name: 'a block-device filesystem mount',
    spec: (cfg) => cfg.mounts.push({ destination: '/mnt', type: 'ext4', source: '/dev/sda1', options: [] }),
    file: specFile,
    field: 'mounts[',
    problem: /not a kernel filesystem/,
  },
  {
    name: 'user namespace mapping container root to host root',
    profile: profile('  isolation:\n    namespaces:\n      user: isolated-with-uid-mapping\n'),
    spec: (cfg) => {
      cfg.linux.namespaces.push({ type: 'user' });
      cfg.linux.uidMappings = [{ containerID: 0, hostID: 0, size: 65536 }];
      cfg.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    },
    file: specFile,
    field: 'linux.uidMappings[0]',
    problem: /host root/,
  },
  {
    name: "caller's seccomp filter with no architecture in common with the profile",
    spec: (cfg) => (cfg.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_AARCH64'], syscalls: [] }),
    file: specFile,
    field: 'linux.seccomp.architectures',
    problem: /none in common/,
  },
  {
    name: "caller's seccomp filter with an unknown default action",
    spec: (cfg) => (cfg.linux.seccomp = { defaultAction: 'SCMP_ACT_BOGUS', architectures: ['SCMP_ARCH_X86_64'], syscalls: [] }),
    file: specFile,
    field: 'linux.seccomp.defaultAction',
    problem: /SCMP_ACT_BOGUS/,
  },
  // --- the rest of config.json: tighten-only for the whole spec (docs/threat-model.md) ---
  { name: 'a prestart hook (host root)', spec: (cfg) => (cfg.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'touch /tmp/x'] }] }), file: specFile, field: 'hooks.prestart[0]', problem: /\/bin\/sh would run on the host.*as root/ },
  { name: 'a poststop hook', spec: (cfg) => (cfg.hooks = { poststop: [{ path: '/bin/true' }] }), file: specFile, field: 'hooks.poststop[0]', problem: /\/bin\/true would run/ },
  { name: 'a createContainer hook', spec: (cfg) => (cfg.hooks = { createContainer: [{ path: '/bin/true' }] }), file: specFile, field: 'hooks.createContainer[0]', problem: /container namespace, as host root/ },
  {
    name: "a forged libnetwork-setkey hook (the pid is not dockerd's)",
    spec: (cfg) => (cfg.hooks = { prestart: [{ path: `/proc/${process.pid}/exe`, args: ['libnetwork-setkey', '-exec-root=/var/run/docker', 'x', '0123456789ab'] }] }),
    file: specFile,
    field: 'hooks.prestart[0]',
    problem: /not a dockerd process/,
  },
  { name: 'a hook with LD_PRELOAD', spec: (cfg) => (cfg.hooks = { poststop: [{ path: '/bin/true', env: ['LD_PRELOAD=/tmp/evil.so'] }] }), file: specFile, field: 'hooks.poststop[0].env', problem: /LD_PRELOAD/ },
  { name: 'a device rule c 1:* rwm (--device-cgroup-rule)', spec: (cfg) => cfg.linux.resources.devices.push({ allow: true, type: 'c', major: 1, access: 'rwm' }), file: specFile, field: 'linux.resources.devices[1]', problem: /"c 1:\* rwm"/ },
  { name: 'a block device node (--device /dev/sda)', spec: (cfg) => (cfg.linux.devices = [{ path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 432, uid: 0, gid: 0 }]), file: specFile, field: 'linux.devices[0]', problem: /\/dev\/sda/ },
  { name: 'unified memory.max "max" above the profile', spec: (cfg) => (cfg.linux.resources.unified = { 'memory.max': 'max' }), file: specFile, field: 'linux.resources.unified["memory.max"]', problem: /above the profile's/ },
  { name: 'unified pids.max "max" above the profile', spec: (cfg) => (cfg.linux.resources.unified = { 'pids.max': 'max' }), file: specFile, field: 'linux.resources.unified["pids.max"]', problem: /above the profile's 512/ },
  { name: 'unified key openclaw does not know', spec: (cfg) => (cfg.linux.resources.unified = { 'memory.min': '1G' }), file: specFile, field: 'linux.resources.unified["memory.min"]', problem: /does not know to be harmless/ },
  { name: 'rootfsPropagation rshared', spec: (cfg) => (cfg.linux.rootfsPropagation = 'rshared'), file: specFile, field: 'linux.rootfsPropagation', problem: /propagate to the host/ },
  { name: 'a mount with rshared propagation', spec: (cfg) => cfg.mounts.push({ destination: '/shared', type: 'tmpfs', source: 'tmpfs', options: ['rshared'] }), file: specFile, field: 'mounts[', problem: /rshared propagation/ },
  { name: 'AppArmor unconfined', spec: (cfg) => (cfg.process.apparmorProfile = 'unconfined'), file: specFile, field: 'process.apparmorProfile', problem: /unconfined/ },
  { name: 'SELinux spc_t', spec: (cfg) => (cfg.process.selinuxLabel = 'system_u:system_r:spc_t:s0'), file: specFile, field: 'process.selinuxLabel', problem: /spc_t/ },
  { name: 'cgroupsPath at the root', spec: (cfg) => (cfg.linux.cgroupsPath = '/'), file: specFile, field: 'linux.cgroupsPath', problem: /root of the cgroup tree/ },
  { name: 'cgroupsPath of the Docker parent', spec: (cfg) => (cfg.linux.cgroupsPath = '/docker'), file: specFile, field: 'linux.cgroupsPath', problem: /not in this container's id/ },
  { name: 'cgroupsPath with ..', spec: (cfg) => (cfg.linux.cgroupsPath = '/docker/../system.slice/x'), file: specFile, field: 'linux.cgroupsPath', problem: /"\.\." component/ },
  // The container's own id at the top of the tree: a new cgroup, but outside every engine parent (the id is the one runCreate gives).
  { name: 'cgroupsPath outside the engine parents', spec: (cfg) => (cfg.linux.cgroupsPath = `/oc-bad-${process.pid}-${n}`), file: specFile, field: 'linux.cgroupsPath', problem: /outside the engines' parents/ },
  { name: 'a host-wide sysctl (kernel.core_pattern)', spec: (cfg) => (cfg.linux.sysctl = { 'kernel.core_pattern': '|/tmp/x' }), file: specFile, field: 'linux.sysctl["kernel.core_pattern"]', problem: /not namespaced/ },
  { name: 'a host-wide sysctl (vm.overcommit_memory)', spec: (cfg) => (cfg.linux.sysctl = { 'vm.overcommit_memory': '1' }), file: specFile, field: 'linux.sysctl["vm.overcommit_memory"]', problem: /not namespaced/ },
];

/**
 * Product bugs found by this suite (see the report): the refusal is right, but its message
 * lacks what a user needs. Listed by case name; these rows run as it.fails so the suite
 * turns red once they are fixed and the entry must be removed.
 */
const KNOWN_BUGS: Record<string, string> = {};

let world: World;
let n = 0;

function prepare(c: Case): { ctx: Ctx; flags: string[] } {
  const dir = join(world.work, `case-${++n}`);
  mkdirSync(dir);
  const bundle = makeBundle(['/bin/true'], { parent: world.work });
  const ctx: Ctx = { world, dir, bundle, profilePath: join(dir, 'profile.yaml'), configPath: world.configToml };
  if (c.profile !== undefined) writeFileSync(ctx.profilePath, c.profile);
  if (c.toml) {
    ctx.configPath = join(dir, 'config.toml');
    writeFileSync(ctx.configPath, c.toml(ctx));
  }
  if (c.spec) {
    const cfg = bundle.readConfig();
    c.spec(cfg, ctx);
    bundle.writeConfig(cfg);
  }
  c.setup?.(ctx);
  const flags: string[] = [];
  const flag = 'profileFlag' in c ? c.profileFlag : c.profile !== undefined ? ctx.profilePath : 'default';
  if (flag === undefined) flags.push('--profile', ctx.profilePath);
  else if (flag !== null) flags.push('--profile', flag);
  flags.push('--openclaw-config', ctx.configPath);
  return { ctx, flags };
}

describe.skipIf(skip)('bad input: refused with file, field and fix; nothing written, nothing started', () => {
  beforeAll(() => {
    world = makeWorld('openclaw-bad-input-');
  });
  afterAll(() => {
    removeWorld(world);
    removeTemplate();
  });

  it('has at least 30 refusal cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of CASES) {
    const run = KNOWN_BUGS[c.name] ? it.fails : it;
    run(c.name, () => {
      const { ctx, flags } = prepare(c);
      const before = existsSync(ctx.bundle.configPath) ? readFileSync(ctx.bundle.configPath) : undefined;
      const entries = listDir(ctx.bundle.dir);
      const id = `oc-bad-${process.pid}-${n}`;
      const r = runCreate(world, flags, ctx.bundle.dir, id, join(ctx.dir, 'log.json'));

      if (process.env.BAD_INPUT_VERBOSE) console.log(`${c.name}: status ${r.status}\n  stderr: ${r.stderr}  log: ${lastErrorMsg(r.log)}`);
      expect(r.signal).toBeNull();
      expect(r.status).not.toBe(0);
      const msg = lastErrorMsg(r.log);
      expect(msg, `no error line in the --log file; stderr: ${r.stderr}`).toBeDefined();
      for (const text of [r.stderr, msg as string]) {
        expect(text).toContain(c.file(ctx));
        if (c.field) expect(text).toContain(c.field);
        expect(text).toContain('fix:');
        expect(text).toMatch(c.problem);
        expect(text).not.toMatch(/internal error/);
      }
      if (before) expect(readFileSync(ctx.bundle.configPath).equals(before)).toBe(true);
      else expect(existsSync(ctx.bundle.configPath)).toBe(false);
      expect(listDir(ctx.bundle.dir)).toEqual(entries);
      expect(runcContainers(world.runcRoot)).toEqual([]);
      ctx.bundle.cleanup();
    });
  }
});

// --- accepted: looks like a loosening or an overflow, is neither ---

const U64_MAX = '18446744073709551615';

interface Accepted {
  name: string;
  profileFlag: string;
  /** Raw config.json text transformation (keeps 64-bit literals exact). */
  edit: (text: string) => string;
  check: (merged: string, original: string) => void;
}

function jsonWith(text: string, mutate: (cfg: any) => void, replacements: Record<string, string> = {}): string {
  const cfg = JSON.parse(text);
  mutate(cfg);
  let out = JSON.stringify(cfg, null, 2);
  for (const [from, to] of Object.entries(replacements)) out = out.split(from).join(to);
  return out;
}

const callerSeccomp = (syscall: string) => ({
  defaultAction: 'SCMP_ACT_ALLOW',
  architectures: ['SCMP_ARCH_X86_64'],
  syscalls: [{ names: [syscall], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 'U64MAX', op: 'SCMP_CMP_EQ' }] }],
});

const ACCEPTED: Accepted[] = [
  {
    name: "a caller's tighter memory and pids limits stay",
    profileFlag: 'default',
    edit: (t) => jsonWith(t, (cfg) => (cfg.linux.resources = { ...cfg.linux.resources, memory: { limit: 67108864 }, pids: { limit: 7 } })),
    check: (m) => {
      const cfg = JSON.parse(m);
      expect(cfg.linux.resources.memory.limit).toBe(67108864);
      expect(cfg.linux.resources.pids.limit).toBe(7);
    },
  },
  {
    name: "a caller's seccomp value 2^64-1 survives byte-exact (profile without a filter)",
    profileFlag: 'PROFILE_NO_FILTER',
    edit: (t) => jsonWith(t, (cfg) => (cfg.linux.seccomp = callerSeccomp('getpid')), { '"U64MAX"': U64_MAX }),
    check: (m, o) => {
      expect(m).toContain(`"value": ${U64_MAX}`);
      const section = (s: string) => s.slice(s.indexOf('"seccomp"'), s.indexOf(']', s.indexOf('"syscalls"')));
      expect(section(m)).toBe(section(o));
    },
  },
  {
    name: "a caller's seccomp value 2^64-1 survives the intersection with the default profile",
    profileFlag: 'default',
    edit: (t) => jsonWith(t, (cfg) => (cfg.linux.seccomp = callerSeccomp('getpid')), { '"U64MAX"': U64_MAX }),
    // The intersection re-encodes the rule (allow arg0 <= 2^64-2), so the literal changes;
    // what must survive is the decision at exactly 2^64-1, computed on exact integers.
    check: (m) => {
      expect(m).not.toMatch(/18446744073709552000|e\+19/);
      const seccomp = (parseJsonLossless(m) as any).linux.seccomp as SpecSeccomp;
      const max = 2n ** 64n - 1n;
      expect(evaluate(seccomp, 'SCMP_ARCH_X86_64', 'getpid', [max]).action).toBe('errno');
      expect(evaluate(seccomp, 'SCMP_ARCH_X86_64', 'getpid', [max - 1n]).action).toBe('allow');
    },
  },
  {
    name: "a caller's RLIM_INFINITY rlimit survives",
    profileFlag: 'PROFILE_NO_FILTER',
    edit: (t) => jsonWith(t, (cfg) => (cfg.process.rlimits = [{ type: 'RLIMIT_CORE', hard: 'U64MAX', soft: 'U64MAX' }]), { '"U64MAX"': U64_MAX }),
    check: (m) => expect(m).toMatch(new RegExp(`"hard": ${U64_MAX},\\s*"soft": ${U64_MAX}`)),
  },
  {
    name: "Kubernetes' oomScoreAdj -998 (pause container) is raised to the floor 0, not refused",
    profileFlag: 'default',
    edit: (t) => jsonWith(t, (cfg) => (cfg.process.oomScoreAdj = -998)),
    check: (m) => expect(JSON.parse(m).process.oomScoreAdj).toBe(0),
  },
  {
    name: "containerd's default device rules, mknod-only wildcards and Docker's sysctls stay",
    profileFlag: 'default',
    edit: (t) =>
      jsonWith(t, (cfg) => {
        cfg.linux.resources.devices = [
          { allow: false, access: 'rwm' },
          ...[[1, 3], [1, 8], [1, 7], [5, 0], [1, 5], [1, 9], [5, 1], [5, 2]].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' })),
          { allow: true, type: 'c', major: 136, access: 'rwm' },
          { allow: true, type: 'c', access: 'm' },
          { allow: true, type: 'b', access: 'm' },
        ];
        cfg.linux.sysctl = { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' };
      }),
    check: (m, o) => {
      expect(JSON.parse(m).linux.resources.devices.slice(0, 12)).toEqual(JSON.parse(o).linux.resources.devices);
      expect(JSON.parse(m).linux.sysctl).toEqual(JSON.parse(o).linux.sysctl);
    },
  },
];

describe.skipIf(skip)('accepted: tighter callers and 64-bit values', () => {
  let w: World;
  let noFilter: string;
  beforeAll(() => {
    w = makeWorld('openclaw-accepted-');
    noFilter = join(w.work, 'profiles', 'no-filter.yaml');
    writeFileSync(noFilter, profile('  isolation:\n    namespaces:\n      network: isolated\n  process:\n    noNewPrivileges: true\n'));
  });
  afterAll(() => {
    runcDeleteAll(w.runcRoot);
    removeWorld(w);
    removeTemplate();
  });

  ACCEPTED.forEach((a, i) => {
    it(a.name, () => {
      const b = makeBundle(['/bin/true'], { parent: w.work });
      const original = a.edit(readFileSync(b.configPath, 'utf8'));
      writeFileSync(b.configPath, original);
      const id = `oc-ok-${process.pid}-${i}`;
      const profileFlag = a.profileFlag === 'PROFILE_NO_FILTER' ? noFilter : a.profileFlag;
      const r = runCreate(w, ['--profile', profileFlag, '--openclaw-config', w.configToml], b.dir, id, join(w.work, `ok-${i}.log`));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(runcContainers(w.runcRoot)).toContain(id);
      a.check(readFileSync(b.configPath, 'utf8'), original);
      spawnSync('runc', ['--root', w.runcRoot, 'delete', '--force', id]);
      rmSync(b.dir, { recursive: true, force: true });
    });
  });
});

// --- the shim's own commands: bad flags ---

/**
 * A bad flag of a shim command is refused by the one argument parser (shim/cli/command-args.ts)
 * before anything is read or written: exit 1, the problem and the command's usage as the fix
 * on stderr and in the --log file, the bundle's config.json byte for byte as it was.
 */
describe.skipIf(skip)('bad flags of the shim\'s own commands: refused with the usage, nothing read or written', () => {
  let w: World;
  let b: Bundle;
  beforeAll(() => {
    w = makeWorld('openclaw-bad-flags-');
    b = makeBundle(['/bin/true'], { parent: w.work });
  });
  afterAll(() => {
    b.cleanup();
    removeWorld(w);
  });
  const FLAG_CASES: Array<{ argv: string[]; problem: RegExp; usage: string }> = [
    { argv: ['merge', '--bogus', '--bundle', 'BUNDLE'], problem: /merge: unknown flag --bogus/, usage: 'openclaw-runtime merge [--diff] [--bundle DIR] [ID]' },
    { argv: ['merge', '--bundle', 'BUNDLE', 'a', 'b'], problem: /merge: too many arguments \("b"\)/, usage: 'openclaw-runtime merge ' },
    { argv: ['merge', '--bundle'], problem: /merge: --bundle needs a value/, usage: 'openclaw-runtime merge ' },
    { argv: ['merge', '--diff=yes'], problem: /merge: --diff takes no value/, usage: 'openclaw-runtime merge ' },
    { argv: ['lint', '--jsn'], problem: /lint: unknown flag --jsn/, usage: 'openclaw-runtime lint [--json] [PROFILE...]' },
    { argv: ['validate', '--all'], problem: /validate: unknown flag --all/, usage: 'openclaw-runtime validate [PROFILE...]' },
    { argv: ['denials', '--log'], problem: /denials: --log needs a value/, usage: 'openclaw-runtime denials [--log PATH] [--summary] [ID]' },
    { argv: ['jobs', 'prune', '--older-than'], problem: /jobs: --older-than needs a value/, usage: 'openclaw-runtime jobs ' },
    { argv: ['agent', '--sock', '/x'], problem: /agent: unknown flag --sock/, usage: 'openclaw-runtime agent [--socket PATH] [--denial-log PATH]' },
    { argv: ['hook', 'poststop', 'extra'], problem: /hook: too many arguments \("extra"\)/, usage: 'openclaw-runtime hook ' },
    { argv: ['install', 'docker', '--launcher-dir', '/x'], problem: /install docker: unknown flag --launcher-dir/, usage: 'openclaw-runtime install docker ' },
  ];
  FLAG_CASES.forEach((c, i) => {
    it(c.argv.join(' '), () => {
      const argv = c.argv.map((a) => (a === 'BUNDLE' ? b.dir : a));
      const before = readFileSync(b.configPath);
      const entries = listDir(b.dir);
      const log = join(w.work, `flags-${i}.log`);
      const r = spawnSync('sh', ['-c', 'exec "$@" >/dev/null </dev/null', 'sh', SHIM, '--openclaw-config', w.configToml, '--log', log, '--log-format', 'json', ...argv], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      const msg = lastErrorMsg(existsSync(log) ? readFileSync(log, 'utf8') : '');
      expect(msg, `no error line in the --log file; stderr: ${r.stderr}`).toBeDefined();
      for (const text of [r.stderr, msg as string]) {
        expect(text).toMatch(c.problem);
        expect(text).toContain(`fix: usage: ${c.usage}`);
        expect(text).not.toMatch(/internal error/);
      }
      expect(readFileSync(b.configPath).equals(before)).toBe(true);
      expect(listDir(b.dir)).toEqual(entries);
    });
  });
});
