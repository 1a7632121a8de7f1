/**
 * The profile reference: for every field of the schema (schema-fields.ts walks the zod schema
 * for the list), what it means, its default, its merge policy and an example. Rendered into
 * docs/profile-reference.md between the GENERATED markers by scripts/gen-profile-reference.mjs;
 * test/unit/profile/reference.test.ts fails when a schema field has no entry here, an entry
 * names no field, or the doc is stale. Kept apart from schema.ts so the create path never
 * loads this text.
 * NOTE when adding a field to schema.ts add its entry here, then run
 * `npm run build && node scripts/gen-profile-reference.mjs`.
 */
import { PROFILE_ALIASES, profileSchemaFields, type SchemaField } from './schema-fields.js';
import { ARCHES } from '../seccomp/vocabulary.js';

export interface FieldDoc {
  /** What the field says. */
  meaning: string;
  /** What holds when the field is absent (or the schema default). */
  default: string;
  /** How it is merged into the caller's config.json (shim/merge/*), or "-" for profile metadata. */
  policy: string;
  /** A YAML example of the field as written in a profile. */
  example: string;
}

const NS_POLICY = '`isolated`: the container gets its own. A spec that joins an existing namespace (`path`) is refused unless it is one of the same engine\'s (a pod sharing its pause container\'s); a spec without one (what `--network host`, `--pid host` ... produce) is **refused**, not silently changed. `inherit`: the caller\'s choice stands.';
const ACTION_WORDS = 'action words: `allow`, `errno`, `kill` (= `kill-process`), `kill-process`, `kill-thread`, `trap`, `log`, `notify`, or their `SCMP_ACT_*` spellings';

export const FIELD_DOCS: Readonly<Record<string, FieldDoc>> = {
  apiVersion: { meaning: 'the schema version', default: 'required', policy: '-', example: 'apiVersion: security.openclaw.org/v1alpha1' },
  kind: { meaning: 'the document kind', default: 'required', policy: '-', example: 'kind: SandboxProfile' },
  metadata: { meaning: 'the profile\'s identity', default: 'required', policy: '-', example: 'metadata: { name: my-profile }' },
  'metadata.name': { meaning: 'lower-case DNS-style name; the agent\'s denial log and `denials` name the profile by it', default: 'required', policy: 'recorded in `annotations["org.openclaw.profile.applied"]` (with ` (audit)` in audit mode)', example: 'name: my-profile' },
  'metadata.description': { meaning: 'free text', default: 'none', policy: '-', example: 'description: Untrusted user code, one process per job' },
  'metadata.acceptedWarnings': { meaning: '`lint` warnings this profile keeps on purpose, each with its reason: shown by `lint`, not counted in its exit status; an entry matching no warning is reported as stale. OC109 (audit mode) cannot be accepted', default: 'none', policy: '-', example: 'acceptedWarnings: [{ id: OC104, reason: ordinary workloads write into their own image layer }]' },
  'metadata.acceptedWarnings[].id': { meaning: 'the lint id, `OCnnn`', default: 'required', policy: '-', example: 'id: OC104' },
  'metadata.acceptedWarnings[].reason': { meaning: 'why, in a sentence (at least 10 characters)', default: 'required', policy: '-', example: 'reason: the image layer is per container' },
  spec: { meaning: 'what the profile asks of the container; every section is optional', default: 'required (may be `{}`)', policy: 'a section that is absent changes nothing', example: 'spec: { isolation: {...}, filesystem: {...} }' },
  'spec.isolation': { meaning: 'namespaces, cgroup limits and the syscall filter', default: 'none', policy: 'per section below', example: 'isolation: { namespaces: {...}, cgroups: {...}, syscallFilter: {...} }' },
  'spec.isolation.namespaces': { meaning: 'which namespaces the container must have of its own', default: 'none: the caller\'s namespaces stand', policy: 'union keyed by type, tighten only (`shim/merge/namespaces.ts`)', example: 'namespaces: { network: isolated, pid: isolated }' },
  'spec.isolation.namespaces.network': { meaning: 'network namespace; `isolated` gives loopback only (runc brings `lo` up, nothing else is added)', default: '`inherit`', policy: NS_POLICY, example: 'network: isolated' },
  'spec.isolation.namespaces.ipc': { meaning: 'IPC namespace (SysV IPC, POSIX message queues)', default: '`inherit`', policy: NS_POLICY, example: 'ipc: isolated' },
  'spec.isolation.namespaces.uts': { meaning: 'hostname and domain name', default: '`inherit`', policy: NS_POLICY, example: 'uts: isolated' },
  'spec.isolation.namespaces.pid': { meaning: 'process ids', default: '`inherit`', policy: NS_POLICY, example: 'pid: isolated' },
  'spec.isolation.namespaces.cgroup': { meaning: 'cgroup namespace (the container sees its own cgroup as the root)', default: '`inherit`', policy: '`isolated`: added when missing (engines on cgroup v1 leave it out by default); a joined one is refused', example: 'cgroup: isolated' },
  'spec.isolation.namespaces.mount': { meaning: 'mount namespace; `isolated-with-bind` documents that host binds come only from `filesystem.allowedBindMounts` and the admin\'s `[[binds.allowed]]` (how every profile with a `filesystem` section behaves)', default: '`inherit`', policy: NS_POLICY, example: 'mount: isolated-with-bind' },
  'spec.isolation.namespaces.user': { meaning: 'user namespace; `isolated-with-uid-mapping` (or `isolated`) maps container ids to the unprivileged host range of the config\'s `[userns]` (see "User namespace id maps")', default: '`inherit`', policy: 'added when missing, with the id maps; a joined one is refused; a caller\'s own maps are kept unless they map a container id to host root (refused)', example: 'user: isolated-with-uid-mapping' },
  'spec.isolation.cgroups': { meaning: 'resource limits', default: 'none: the caller\'s limits stand', policy: 'each limit: the stricter of caller and profile (`shim/merge/cgroups.ts`)', example: 'cgroups: { memory: 512Mi, pids: { max: 32 } }' },
  'spec.isolation.cgroups.memory': { meaning: 'memory limit, a quantity (`512Mi`, `2Gi`, `1e9`, bytes)', default: 'the caller\'s', policy: '`min(caller, profile)`; a caller\'s 0/-1 means unlimited', example: 'memory: 512Mi' },
  'spec.isolation.cgroups.memorySwap': { meaning: 'memory + swap, as OCI\'s `swap` and Docker\'s `--memory-swap`', default: '**no swap beyond memory** (`swap = memory`)', policy: '`min(caller, profile)` but never below memory (lint OC108 warns when it allows swap)', example: 'memorySwap: 1Gi' },
  'spec.isolation.cgroups.pids': { meaning: 'process count limit', default: 'the caller\'s', policy: 'see `max`', example: 'pids: { max: 32 }' },
  'spec.isolation.cgroups.pids.max': { meaning: 'most tasks (processes and threads) in the container', default: 'required in `pids`', policy: '`min(caller, profile)`', example: 'max: 32' },
  'spec.isolation.cgroups.cpus': { meaning: 'CPU bandwidth in CPUs (`0.5`, `"2"`)', default: 'the caller\'s', policy: 'quota/period: the smaller ratio of caller and profile', example: 'cpus: 1.5' },
  'spec.isolation.syscallFilter': { meaning: 'the seccomp filter, compiled by `shim/seccomp/compile.ts` (see "The syscall filter" below); some rules need the seccomp agent', default: 'none: the caller\'s filter (Docker\'s default) stands', policy: 'intersection with the caller\'s filter: per call and argument range the stricter action wins, so the result is never looser than either (`shim/merge/seccomp.ts`)', example: 'syscallFilter: { defaultAction: errno, whitelist: [read, write] }' },
  'spec.isolation.syscallFilter.defaultAction': { meaning: `what a call no list or rule names gets; ${ACTION_WORDS}; \`notify\` is refused (runc refuses it as a default)`, default: 'required', policy: 'the stricter of the caller\'s and the profile\'s default', example: 'defaultAction: errno' },
  'spec.isolation.syscallFilter.defaultErrno': { meaning: 'errno, by name or number, for `errno` actions that give none', default: '`EPERM`', policy: 'as the filter', example: 'defaultErrno: EPERM' },
  'spec.isolation.syscallFilter.architectures': { meaning: `the ABIs that may make system calls, of ${ARCHES.map((a) => `\`${a.scmp}\``).join(', ')}; any other is killed (fail closed). A \`socketcall\` ABI (${ARCHES.filter((a) => a.socketcall).map((a) => `\`${a.scmp}\``).join(', ')}) is refused with \`socketFamilies\``, default: 'the host\'s native ABI only', policy: 'the ABIs both filters list; none in common is refused', example: 'architectures: [SCMP_ARCH_X86_64]' },
  'spec.isolation.syscallFilter.whitelist': { meaning: 'calls allowed outright (action `allow`); a name in both lists is refused', default: 'none', policy: 'as the filter', example: 'whitelist: [read, write, openat, close]' },
  'spec.isolation.syscallFilter.blacklist': { meaning: 'calls denied with `blacklistAction`. `clone` denies new processes but keeps threads, and takes `fork`, `vfork` and `clone3` (ENOSYS, so glibc falls back to clone) with it; `execve`/`execveat` with the agent mean exec-once: the entrypoint\'s exec only', default: 'none', policy: 'as the filter', example: 'blacklist: [clone, execve, ptrace]' },
  'spec.isolation.syscallFilter.blacklistAction': { meaning: `what blacklisted calls get; ${ACTION_WORDS}`, default: '`errno` with `defaultErrno`', policy: 'as the filter', example: 'blacklistAction: kill-process' },
  'spec.isolation.syscallFilter.rules': { meaning: 'argument-filtered rules in the libseccomp/OCI vocabulary; one rule\'s conditions are ANDed, also on the same argument (unlike runc, which ORs those); overlapping conditional rules: the stricter action wins. A call given one action unconditionally (a list entry, a rule without `args`) and another anywhere else is refused: libseccomp would keep only the unconditional one', default: 'none', policy: 'as the filter', example: 'rules: [{ names: [ioctl], action: allow, args: [{ index: 1, op: SCMP_CMP_EQ, value: 0x5401 }] }]' },
  'spec.isolation.syscallFilter.rules[].names': { meaning: 'the calls the rule covers (unknown names are refused)', default: 'required', policy: 'as the filter', example: 'names: [personality]' },
  'spec.isolation.syscallFilter.rules[].action': { meaning: `what matching calls get; ${ACTION_WORDS}. \`notify\` sends them to the seccomp agent (needs it); \`log\` allows them and has the kernel log them`, default: 'required', policy: 'as the filter', example: 'action: errno' },
  'spec.isolation.syscallFilter.rules[].errno': { meaning: 'errno of an `errno` action, by name or number', default: '`defaultErrno`', policy: 'as the filter', example: 'errno: EACCES' },
  'spec.isolation.syscallFilter.rules[].args': { meaning: 'conditions on the call\'s arguments, all of which must hold', default: 'none: the whole call', policy: 'as the filter', example: 'args: [{ index: 0, op: SCMP_CMP_EQ, value: 0 }]' },
  'spec.isolation.syscallFilter.rules[].args[].index': { meaning: 'argument number, 0-5', default: 'required', policy: 'as the filter', example: 'index: 1' },
  'spec.isolation.syscallFilter.rules[].args[].op': { meaning: 'comparison; `SCMP_CMP_MASKED_EQ` is `(arg & value) == valueTwo` (mask 0, or expected bits outside the mask, are refused). Deny rules on `int` arguments compare the low 32 bits, allow rules all 64 (fail closed); a deny with `LT`/`LE` on an `int` argument, or any condition on a pointer argument, is refused', default: 'required', policy: 'as the filter', example: 'op: SCMP_CMP_MASKED_EQ' },
  'spec.isolation.syscallFilter.rules[].args[].value': { meaning: 'the operand: a number, or a string in decimal or `0x` hex (exact beyond 2^53)', default: 'required', policy: 'as the filter', example: 'value: 0x5401' },
  'spec.isolation.syscallFilter.rules[].args[].valueTwo': { meaning: 'the second operand (`SCMP_CMP_MASKED_EQ`\'s expected value)', default: '0', policy: 'as the filter', example: 'valueTwo: 0' },
  'spec.isolation.syscallFilter.rules[].comment': { meaning: 'free text, kept for readers', default: 'none', policy: '-', example: 'comment: TCGETS' },
  'spec.isolation.syscallFilter.readOnlyOpens': { meaning: 'after the entrypoint starts, no writes outside `filesystem.writablePaths` and writable binds: write-class opens go to the seccomp agent, which opens allowed ones as the task; the other path-changing calls answer EROFS (see "What readOnlyOpens covers"). **Needs the agent**', default: 'false', policy: 'as the filter', example: 'readOnlyOpens: true' },
  'spec.isolation.syscallFilter.socketFamilies': { meaning: `the only address families \`socket\`/\`socketpair\` may create (\`AF_*\`); others get EAFNOSUPPORT. Refused with an ABI that creates sockets through \`socketcall\` (${ARCHES.filter((a) => a.socketcall).map((a) => `\`${a.scmp}\``).join(', ')}), whose family seccomp cannot see`, default: 'any the filter allows', policy: 'as the filter', example: 'socketFamilies: [AF_UNIX]' },
  'spec.isolation.syscallFilter.import': { meaning: 'a libseccomp/Docker-style JSON profile to start from, relative to this file; the profile\'s entries replace it call by call, and its `defaultAction` applies to calls neither names. Its bytes count in the profile\'s sha256', default: 'none', policy: 'as the filter', example: 'import: docker-default.json' },
  'spec.isolation.syscallFilter.audit': { meaning: 'audit mode, for rollout: every call this filter or the agent would deny is logged ("audit: would deny", with its rule) and allowed (see "Audit mode"). A profile field, never an annotation choice. **Needs the agent**', default: 'false (enforce)', policy: 'only the profile\'s own denials are audited: the caller\'s filter (Docker\'s default) still denies; `applied` annotation reads `NAME (audit)`', example: 'audit: true' },
  'spec.cgroups': { meaning: 'the same as `spec.isolation.cgroups` (the seed\'s text allows both places; not both at once)', default: 'none', policy: 'as `spec.isolation.cgroups`', example: 'cgroups: { memory: 512Mi }' },
  'spec.syscallFilter': { meaning: 'the same as `spec.isolation.syscallFilter` (not both at once)', default: 'none', policy: 'as `spec.isolation.syscallFilter`', example: 'syscallFilter: { defaultAction: errno }' },
  'spec.filesystem': { meaning: 'the root, host binds and path lists', default: 'none (host binds of the caller are still checked against the floor)', policy: 'per field (`shim/merge/filesystem.ts`)', example: 'filesystem: { readonlyRootfs: true }' },
  'spec.filesystem.readonlyRootfs': { meaning: 'the container\'s root is mounted read-only', default: 'the caller\'s', policy: 'OR: a caller\'s read-only root stays read-only', example: 'readonlyRootfs: true' },
  'spec.filesystem.allowedBindMounts': { meaning: 'the allow-list of host binds (see "Bind mounts")', default: 'empty: no host bind besides the engines\' own per-container files and the admin\'s `[[binds.allowed]]`', policy: 'each entry is added if the caller did not mount it, with `nosuid,nodev` always, `noexec` unless `noexec: false`, `ro` or `rw`. A caller bind of exactly that source and destination is kept and hardened the same way (a caller\'s `ro` stays). **Any other host bind is refused**, except one the runtime config\'s `[[binds.allowed]]` lists for this profile (the admin\'s allow-list: `source`, or any path below it with `subdirectories = true`; `readonly` stated per entry; `noexec` unless `noexec = false`; the same symlink and root-only checks; README "Profile selection and configuration"), and the engines\' own per-container files (Docker\'s `/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname`, shm; containerd CRI\'s sandbox files; kubelet\'s `/etc/hosts`, termination log, service-account token and emptyDir), matched by real path. Non-kernel filesystem mounts (a block device) are refused', example: 'allowedBindMounts: [{ perContainer: output, destination: /output, readonly: false }]' },
  'spec.filesystem.allowedBindMounts[].source': { meaning: 'a fixed host path. It must be reached without a symlink through directories only root may write (a root-owned directory in sticky `/tmp` is accepted), or the create is refused naming this field; runc is given the checked path. Exactly one of `source` and `perContainer`', default: 'one of the two is required', policy: 'a missing source is an error unless `create: true`; an existing one is never chowned or chmodded; a writable source the shim would create inside a directory others may write (`/tmp`) is refused (use `perContainer`). Lint OC106 warns about a writable one (every container shares it)', example: 'source: /srv/models' },
  'spec.filesystem.allowedBindMounts[].perContainer': { meaning: 'a directory of each container\'s own, `<jobs.dir>/<container id>/NAME` (config `[jobs] dir`, default `/var/lib/openclaw/jobs`; NAME: lower-case letters, digits, `-`, `_`)', default: 'one of the two is required', policy: 'created at create: writable ones 0700 owned by the container\'s root, read-only ones 0750 `root:<container root group>` (a platform may fill one before the container starts); kept after delete until `openclaw-runtime jobs prune` (`[jobs] retention`, default 24h after the container ended)', example: 'perContainer: output' },
  'spec.filesystem.allowedBindMounts[].destination': { meaning: 'the absolute path inside the container', default: 'required', policy: 'a writable bind\'s destination joins the agent\'s writable list under `readOnlyOpens`', example: 'destination: /output' },
  'spec.filesystem.allowedBindMounts[].readonly': { meaning: 'mounted `ro`', default: '**true**', policy: 'a caller\'s `ro` on the same bind stays', example: 'readonly: false' },
  'spec.filesystem.allowedBindMounts[].noexec': { meaning: 'mounted `noexec` (`nosuid` and `nodev` are always added)', default: '**true**', policy: 'set unless `noexec: false`', example: 'noexec: false' },
  'spec.filesystem.allowedBindMounts[].create': { meaning: 'create a missing fixed `source` directory (owned by the container\'s mapped root when writable); `perContainer` sources are always created', default: 'false', policy: 'never chowns or chmods an existing source', example: 'create: true' },
  'spec.filesystem.maskedPaths': { meaning: 'paths hidden from the container (absolute)', default: 'Docker\'s defaults', policy: 'union of the caller\'s, Docker\'s defaults and the profile\'s', example: 'maskedPaths: [/proc/kcore]' },
  'spec.filesystem.readonlyPaths': { meaning: 'paths mounted read-only inside the container (absolute)', default: 'Docker\'s defaults', policy: 'union of the caller\'s, Docker\'s defaults and the profile\'s', example: 'readonlyPaths: [/proc/sys]' },
  'spec.filesystem.writablePaths': { meaning: 'paths inside the container that a `readOnlyOpens` profile\'s agent still opens for writing (and everything below them); writable bind destinations are included automatically, and granted CDI device nodes too', default: 'none', policy: 'carried to the agent in the listener metadata', example: 'writablePaths: [/dev/null]' },
  'spec.process': { meaning: 'the container\'s process', default: 'none: the caller\'s process stands', policy: 'per field (`shim/merge/process.ts`), only when the section is there', example: 'process: { capabilities: [] }' },
  'spec.process.noNewPrivileges': { meaning: 'the no_new_privs bit', default: '**true** (when `process` is given)', policy: 'set true; `false` keeps the caller\'s value (never turns a caller\'s true off)', example: 'noNewPrivileges: true' },
  'spec.process.capabilities': { meaning: 'the capabilities the container may keep (`CAP_*`)', default: 'none (when `process` is given, every capability set becomes empty)', policy: 'every capability set becomes caller ∩ profile', example: 'capabilities: [CAP_NET_BIND_SERVICE]' },
  'spec.process.rlimits': { meaning: 'resource limits of the process', default: 'the caller\'s', policy: 'per type: the lower hard and the lower soft; missing types added', example: 'rlimits: [{ type: RLIMIT_NOFILE, hard: 1024, soft: 1024 }]' },
  'spec.process.rlimits[].type': { meaning: 'an rlimit runc knows', default: 'required', policy: 'per type', example: 'type: RLIMIT_NOFILE' },
  'spec.process.rlimits[].hard': { meaning: 'hard limit (unsigned 64-bit)', default: 'required', policy: 'the lower of caller and profile', example: 'hard: 1024' },
  'spec.process.rlimits[].soft': { meaning: 'soft limit (unsigned 64-bit)', default: 'required', policy: 'the lower of caller and profile', example: 'soft: 1024' },
  'spec.process.engineExec': { meaning: 'what an engine\'s exec into the running container gets (`docker exec`, `kubectl exec`, CRI ExecSync, `ctr tasks exec`: all `runc exec`)', default: '`clamp`', policy: '`clamp`: the exec\'d process gets this section\'s policy and never more than the container\'s own process: each capability set ∩ the container\'s, noNewPrivileges on when the container\'s is, the container\'s rlimits as ceilings, its AppArmor profile and SELinux label; its user must be mapped in the container\'s user namespace and may be host root only when the container\'s process is. Under exec-once each exec gets its own one exec. `refuse`: every exec is refused before runc runs. See [threat-model.md](threat-model.md#exec)', example: 'engineExec: refuse' },
  'spec.devices': { meaning: 'devices to expose', default: 'none: only the default device set', policy: 'per field (`shim/merge/devices.ts`, `shim/merge/cdi.ts`)', example: 'devices: { gpus: all }' },
  'spec.devices.gpus': { meaning: 'NVIDIA GPUs: `all`, `none`, or a list of indices', default: '`none`', policy: 'adds `/dev/nvidiaN` and the control nodes with type, major and minor read from the host, plus a matching device allow rule each; a GPU the host lacks is an error naming this field. With an `nvidia.com/gpu` CDI spec installed, served by it instead (`nvidia.com/gpu=all` or `=N`, driver libraries included); without one, driver libraries are not mounted', example: 'gpus: [0, 1]' },
  'spec.devices.cdi': { meaning: 'CDI devices by qualified name (`vendor.com/class=name`), from the spec files in the config\'s `[cdi] spec_dirs`', default: 'none', policy: 'see "CDI merge policy"; a name no spec defines is an error naming `spec.devices.cdi[N]` and the names that exist', example: 'cdi: [nvidia.com/gpu=0]' },
};

const SECTIONS: ReadonlyArray<[title: string, prefix: string]> = [
  ['Top level and metadata', ''],
  ['spec.isolation.namespaces', 'spec.isolation.namespaces'],
  ['spec.isolation.cgroups', 'spec.isolation.cgroups'],
  ['spec.isolation.syscallFilter', 'spec.isolation.syscallFilter'],
  ['spec.filesystem', 'spec.filesystem'],
  ['spec.process', 'spec.process'],
  ['spec.devices', 'spec.devices'],
];

function sectionOf(path: string): string {
  let best = '';
  for (const [, prefix] of SECTIONS) if (prefix && (path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`)) && prefix.length > best.length) best = prefix;
  return best;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The generated part of docs/profile-reference.md: one table per section, every schema field. */
export function renderFieldReference(fields: SchemaField[] = profileSchemaFields()): string {
  const out: string[] = [];
  for (const [title, prefix] of SECTIONS) {
    const rows = fields.filter((f) => sectionOf(f.path) === prefix);
    if (rows.length === 0) continue;
    out.push(`### ${title}`, '', '| field | type | default | meaning | merge policy | example |', '| --- | --- | --- | --- | --- | --- |');
    for (const f of rows) {
      const doc = FIELD_DOCS[f.path];
      if (!doc) throw new Error(`no documentation for profile field ${f.path} (shim/profile/reference.ts FIELD_DOCS)`);
      const type = f.aliasOf ? `object (= \`${f.aliasOf}\`)` : f.type;
      const dflt = f.required ? 'required' : doc.default;
      out.push(`| \`${f.path}\` | ${cell(type)} | ${cell(dflt)} | ${cell(doc.meaning)} | ${cell(doc.policy)} | \`${cell(doc.example)}\` |`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

export const GENERATED_BEGIN = '<!-- BEGIN GENERATED: profile fields (scripts/gen-profile-reference.mjs from shim/profile/reference.ts and the zod schema; do not edit by hand) -->';
export const GENERATED_END = '<!-- END GENERATED: profile fields -->';

/** The document with its generated part replaced; throws when the markers are missing. */
export function withGeneratedReference(doc: string, generated: string = renderFieldReference()): string {
  const a = doc.indexOf(GENERATED_BEGIN);
  const b = doc.indexOf(GENERATED_END);
  if (a < 0 || b < a) throw new Error(`docs/profile-reference.md lacks the markers ${GENERATED_BEGIN} ... ${GENERATED_END}`);
  return `${doc.slice(0, a + GENERATED_BEGIN.length)}\n\n${generated}\n\n${doc.slice(b)}`;
}

export { PROFILE_ALIASES };
