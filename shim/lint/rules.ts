/**
 * `lint`: profiles that are valid but defeat themselves or leave a door open. Each rule is a
 * row: an id a user can search for, what it checks, and a pure check over the loaded profile
 * and its compiled filter. Decisions about the filter are asked of the reference evaluator
 * (seccomp/evaluate.ts) with concrete arguments, so a rule sees what the kernel would do, not
 * how the YAML happens to be written (an allow-list, a deny-list, argument rules, an imported
 * Docker profile all answer the same way).
 */
import type { LoadedProfile } from '../profile/load.js';
import type { SpecSeccomp } from '../oci/types.js';
import { evaluate } from '../seccomp/evaluate.js';

export interface LintWarning {
  id: string;
  /** Dotted field of the profile the warning is about. */
  field: string;
  reason: string;
  fix: string;
}

export interface LintInput {
  profile: LoadedProfile;
  /**
   * The compiled filter as the profile would enforce it (undefined: the profile has no
   * syscallFilter). For a profile in audit mode, compiled as if audit were off
   * (compileProfileSeccomp ignoreAudit): the other rules judge what rollout leads to, and
   * OC109 says that audit is on.
   */
  seccomp: SpecSeccomp | undefined;
}

const ARCH = 'SCMP_ARCH_X86_64';
const FILTER_FIELD = 'spec.isolation.syscallFilter';

/** What the workload gets for this call with these arguments: true when it runs unchecked. */
function runs(seccomp: SpecSeccomp | undefined, name: string, args: bigint[] = []): boolean {
  if (seccomp === undefined) return true;
  const { action } = evaluate(seccomp, ARCH, name, args);
  return action === 'allow' || action === 'log';
}

/** The calls the agent lets through after the first exec (listenerMetadata.execAllowed). */
function agentAllowsExec(seccomp: SpecSeccomp | undefined, name: string): boolean {
  if (seccomp?.listenerMetadata === undefined) return false;
  try {
    const meta = JSON.parse(seccomp.listenerMetadata) as { execAllowed?: string[] };
    return (meta.execAllowed ?? []).includes(name);
  } catch {
    return false;
  }
}

/** A second exec runs: the filter allows it, or sends it to an agent told to allow it. */
function execRuns(seccomp: SpecSeccomp | undefined): boolean {
  return ['execve', 'execveat'].some((n) => runs(seccomp, n) || (notified(seccomp, n) && agentAllowsExec(seccomp, n)));
}

/** Whether the agent decides this call (exec-once, write-open gating). */
function notified(seccomp: SpecSeccomp | undefined, name: string, args: bigint[] = []): boolean {
  return seccomp !== undefined && evaluate(seccomp, ARCH, name, args).action === 'notify';
}

const SIGCHLD = 17n;
const O_WRONLY = 1n;
const AT_FDCWD = BigInt.asUintN(64, -100n);
const AF_NETLINK = 16n;
const AF_PACKET = 17n;
const READ_IMPLIES_EXEC = 0x0400000n;

/** Kernel surfaces seccomp cannot see into, or that are escalation favourites. */
export const RISKY_SYSCALLS: Readonly<Record<string, string>> = {
  io_uring_setup: 'io_uring does file and network I/O that seccomp never sees',
  io_uring_enter: 'io_uring does file and network I/O that seccomp never sees',
  io_uring_register: 'io_uring does file and network I/O that seccomp never sees',
  ptrace: 'ptrace reads and writes other processes, and can step around a filter on older kernels',
  bpf: 'bpf loads programs into the kernel',
  userfaultfd: 'userfaultfd is a favourite for winning kernel races',
  perf_event_open: 'perf_event_open exposes kernel pointers and side channels',
  kexec_load: 'kexec replaces the running kernel',
  kexec_file_load: 'kexec replaces the running kernel',
  init_module: 'loading a kernel module is code in the kernel',
  finit_module: 'loading a kernel module is code in the kernel',
  open_by_handle_at: 'open_by_handle_at opens host files by handle, past the mount namespace (the "shocker" escape)',
};

export interface LintRule {
  id: string;
  title: string;
  /** false: metadata.acceptedWarnings cannot silence it (it stays a warning). Default true. */
  acceptable?: boolean;
  check(input: LintInput): LintWarning[];
}

export const LINT_RULES: readonly LintRule[] = [
  {
    id: 'OC101',
    title: 'process creation and exec both open',
    check({ profile, seccomp }) {
      const fork = runs(seccomp, 'clone', [SIGCHLD]) || runs(seccomp, 'fork') || runs(seccomp, 'vfork');
      const exec = execRuns(seccomp);
      const gated = (seccomp?.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY');
      if (!(gated && fork && exec)) return [];
      return [{
        id: 'OC101',
        field: FILTER_FIELD,
        reason: `profile "${profile.profile.metadata.name}" uses the seccomp agent (exec-once or write gating) but lets the workload fork and exec other programs freely; each new program starts with the same filter but outside what the agent was told to expect`,
        fix: 'allow clone only for threads (rules: clone with args (flags & CLONE_THREAD) != 0), and drop execve/execveat from the whitelist: the agent lets runc exec the entrypoint once',
      }];
    },
  },
  {
    id: 'OC102',
    title: 'exec stays open under a profile whose agent gates other calls',
    check({ seccomp }) {
      const agent = (seccomp?.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY');
      if (!agent || !execRuns(seccomp)) return [];
      return [{
        id: 'OC102',
        field: FILTER_FIELD,
        reason: 'the profile gates write-opens through the seccomp agent, but exec stays open after the entrypoint (execve or execveat allowed): the workload can replace itself with any program in its image, a shell included, so exec-once is not in force',
        fix: 'deny execve and execveat (leave them out of the whitelist, or blacklist them): the agent still lets runc exec the entrypoint once',
      }];
    },
  },
  {
    id: 'OC103',
    title: 'a risky kernel surface is allowed',
    check({ seccomp }) {
      const open = Object.keys(RISKY_SYSCALLS).filter((n) => runs(seccomp, n));
      const byReason = new Map<string, string[]>();
      for (const n of open) byReason.set(RISKY_SYSCALLS[n]!, [...(byReason.get(RISKY_SYSCALLS[n]!) ?? []), n]);
      return [...byReason].map(([reason, names]) => ({
        id: 'OC103',
        field: FILTER_FIELD,
        reason: `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} allowed: ${reason}`,
        fix: `deny ${names.join(', ')} (blacklist, or leave ${names.length > 1 ? 'them' : 'it'} out of the whitelist)`,
      }));
    },
  },
  {
    id: 'OC104',
    title: 'write-opens allowed on a writable root',
    check({ profile, seccomp }) {
      const fs = profile.profile.spec.filesystem;
      if (fs?.readonlyRootfs === true) return [];
      if (!runs(seccomp, 'openat', [AT_FDCWD, 0n, O_WRONLY])) return [];
      return [{
        id: 'OC104',
        field: 'spec.filesystem.readonlyRootfs',
        reason: 'the workload can open files for writing anywhere in its image (the root is writable), so it can replace the programs and libraries it runs next',
        fix: 'set filesystem.readonlyRootfs: true and give the job a writable bind or writablePaths for its output',
      }];
    },
  },
  {
    id: 'OC105',
    title: 'netlink or packet sockets allowed',
    check({ seccomp }) {
      const fams = [['AF_NETLINK', AF_NETLINK], ['AF_PACKET', AF_PACKET]].filter(([, f]) => runs(seccomp, 'socket', [f as bigint, 3n])).map(([n]) => n as string);
      if (fams.length === 0) return [];
      return [{
        id: 'OC105',
        field: `${FILTER_FIELD}.socketFamilies`,
        reason: `${fams.join(' and ')} sockets are allowed: netlink is a large kernel attack surface (routing, audit, xfrm), packet sockets see raw traffic`,
        fix: 'list only the families the workload needs in syscallFilter.socketFamilies (e.g. [AF_UNIX, AF_INET, AF_INET6])',
      }];
    },
  },
  {
    id: 'OC106',
    title: 'a writable bind shared by every container of the profile',
    check({ profile }) {
      const binds = profile.profile.spec.filesystem?.allowedBindMounts ?? [];
      const out: LintWarning[] = [];
      binds.forEach((b, i) => {
        const src = (b as { source?: string }).source;
        if (b.readonly !== false || typeof src !== 'string') return; // perContainer binds have no fixed source
        out.push({
          id: 'OC106',
          field: `spec.filesystem.allowedBindMounts[${i}].source`,
          reason: `${src} is writable and the same host directory for every container of this profile: one job reads and overwrites another's files${/^\/(tmp|var\/tmp|dev\/shm)(\/|$)/.test(src) ? `, and ${src.split('/')[1] === 'dev' ? '/dev/shm' : src.split('/').slice(0, 3).join('/')} is writable by every local user` : ''}`,
          fix: `give each container its own directory: perContainer: ${b.destination.split('/').filter(Boolean).pop() ?? 'output'} instead of source (created per container under [jobs] dir, kept for collection)`,
        });
      });
      return out;
    },
  },
  {
    id: 'OC107',
    title: 'personality or 32-bit system calls',
    check({ profile, seccomp }) {
      const out: LintWarning[] = [];
      if (runs(seccomp, 'personality', [READ_IMPLIES_EXEC])) {
        out.push({
          id: 'OC107',
          field: FILTER_FIELD,
          reason: 'personality is allowed with any argument: READ_IMPLIES_EXEC makes every readable mapping executable, and other flags change how the kernel lays out memory',
          fix: 'allow personality only with the arguments programs use: 0x0, 0x8, 0x20000, 0x20008, 0xffffffff (query), as the default profile does',
        });
      }
      const arches = seccomp?.architectures ?? [];
      const extra = arches.filter((a) => a !== ARCH);
      if (extra.length > 0) {
        out.push({
          id: 'OC107',
          field: `${FILTER_FIELD}.architectures`,
          reason: `the filter also admits ${extra.join(', ')}: a second system call table with other numbers and other calls (socketcall, ipc multiplexers) whose arguments seccomp cannot see`,
          fix: 'list only SCMP_ARCH_X86_64 unless the workload really runs 32-bit code',
        });
      }
      return out;
    },
  },
  {
    id: 'OC108',
    title: 'swap beyond the memory limit, or a swap limit without one',
    check({ profile }) {
      // Without memorySwap the merge gives no swap beyond memory (merge/cgroups.ts).
      const cg = profile.profile.spec.isolation.cgroups;
      if (cg?.memorySwap === undefined) return [];
      if (cg.memory === undefined) {
        return [{
          id: 'OC108',
          field: 'spec.isolation.cgroups.memorySwap',
          reason: 'memorySwap is set without memory: memory is then the caller\'s (often unlimited), so the swap limit bounds nothing the profile chose',
          fix: 'set memory too (memorySwap is memory + swap, as in Docker\'s --memory-swap)',
        }];
      }
      if (cg.memorySwap <= cg.memory) return [];
      return [{
        id: 'OC108',
        field: 'spec.isolation.cgroups.memorySwap',
        reason: `memorySwap (${String(cg.memorySwap)}) above memory (${String(cg.memory)}) lets the container push ${String(cg.memorySwap - cg.memory)} bytes to swap, which slows the whole host under memory pressure`,
        fix: 'leave memorySwap out (no swap beyond memory) unless the workload needs swap',
      }];
    },
  },
  {
    id: 'OC109',
    title: 'audit mode is on: syscall denials are logged, not enforced',
    // Audit mode must never be silently on: no profile may accept this warning away.
    acceptable: false,
    check({ profile }) {
      if (profile.profile.spec.isolation.syscallFilter?.audit !== true) return [];
      return [{
        id: 'OC109',
        field: `${FILTER_FIELD}.audit`,
        reason: 'audit mode: every call the filter or the seccomp agent would deny (exec-once, write-opens outside the writable paths, socket families, kill rules) is logged as "audit: would deny" and then allowed; namespaces, mounts, capabilities and cgroups are still enforced',
        fix: 'for rollout only: run the workload, read openclaw-runtime denials ID, widen the profile where a would-deny line is legitimate, then remove audit',
      }];
    },
  },
];

export interface LintResult {
  warnings: LintWarning[];
  /** Warnings the profile accepts in metadata.acceptedWarnings, with its reason. */
  accepted: Array<LintWarning & { acceptedBecause: string }>;
  /** acceptedWarnings entries that match no warning (stale: remove them). */
  staleAccepts: string[];
}

export function lintProfile(input: LintInput): LintResult {
  const accepts = input.profile.profile.metadata.acceptedWarnings ?? [];
  const all = LINT_RULES.flatMap((r) => r.check(input));
  const unacceptable = new Set(LINT_RULES.filter((r) => r.acceptable === false).map((r) => r.id));
  const because = (w: LintWarning) => (unacceptable.has(w.id) ? undefined : accepts.find((a) => a.id === w.id)?.reason);
  return {
    warnings: all.filter((w) => because(w) === undefined),
    accepted: all.filter((w) => because(w) !== undefined).map((w) => ({ ...w, acceptedBecause: because(w)! })),
    staleAccepts: accepts.filter((a) => !all.some((w) => w.id === a.id)).map((a) => a.id),
  };
}
