/**
 * A recording -> the profile that runs it (pure). Only the workload's calls count (those after
 * the entrypoint's exec completed, observe.ts); runc's init is the compiler's and the agent's
 * business (seccomp/runc-init.ts). Every generated entry carries where it came from, as a
 * comment the emitter (emit.ts) writes beside it.
 *
 * What each kind of call becomes:
 *  - plain calls: the whitelist, "N calls" (with an example path for path-taking ones);
 *  - the calls the recording filter lets run unseen (filter.ts RECORD_UNSEEN): the whitelist,
 *    saying why they were not recorded (the container cannot start without them);
 *  - opens: readOnlyOpens (write-class opens go to the agent), and the paths written become
 *    writable: a path under a bind mount makes that bind writable (a directory of each
 *    container's own: perContainer, so two jobs never share it), any other written path is
 *    listed in writablePaths exactly as written;
 *  - clone/clone3/fork/vfork: threads only -> `blacklist: [clone]` (processes denied, threads
 *    kept); processes seen -> the calls seen are allowed, with their flags;
 *  - socket/socketpair: socketFamilies lists the families seen;
 *  - ioctl: one allow rule per request seen;
 *  - personality: one allow rule per persona seen;
 *  - execs after the entrypoint: execve/execveat allowed (counted, with paths), and the lint
 *    warnings that are then true (OC101/OC102) are accepted with the recorded reason;
 *  - calls that change names in the filesystem (mkdir, unlink, rename, ...: readOnlyOpens would
 *    answer them EROFS): readOnlyOpens off, writes then bounded by the read-only root and binds;
 *  - binds of the recording's config.json: only those the job touched, read-only unless written.
 */
import { posix } from 'node:path';
import { cloneFlagsText, ioctlRequestName, openFlagsText, socketFamilyName } from '../agent/explain.js';
import { PATH_MUTATING_CALLS, WRITE_OPEN_MASK } from '../seccomp/vocabulary.js';
import { PER_CONTAINER_NAME_RE } from '../profile/schema.js';
import { RECORD_UNSEEN } from './filter.js';
import type { CountedRecord } from './recorder.js';

/** A mount of the recording's config.json. */
export interface MountFact {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface RecordingInput {
  name: string;
  records: readonly CountedRecord[];
  mounts: readonly MountFact[];
  /** What was recorded, for the description: the command and the runtime. */
  command: readonly string[];
  runtime: string;
  arch: string;
  /** The job's user (config.json process.user); default root. */
  user?: { uid: number; gid: number };
}

/** A comment for the YAML node at `path` (keys and indexes under the document root). */
export interface NodeComment {
  path: Array<string | number>;
  text: string;
  /** Above the node (a block of why), instead of at the end of its line. */
  before?: boolean;
}

export interface RecordedProfile {
  /** The profile as plain data (the zod schema's input shape). */
  doc: Record<string, unknown>;
  comments: NodeComment[];
  /** Lines for the user (what the run did that the profile cannot express, or what to do next). */
  notes: string[];
}

const CLONE_THREAD = 0x10000;
const FORK_CALLS = ['clone', 'clone3', 'fork', 'vfork'];
const OPEN_CALLS = ['open', 'openat', 'creat', 'openat2'];
const EXEC_CALLS = ['execve', 'execveat'];
const isWriteOpen = (flags: number | undefined) => ((flags ?? 0) & Number(WRITE_OPEN_MASK)) !== 0;
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const calls = (n: number) => plural(n, 'call');
const hex = (n: number) => `0x${n.toString(16)}`;

function isBind(m: MountFact): boolean {
  return m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind');
}

function under(path: string, dir: string): boolean {
  return dir === '/' || path === dir || path.startsWith(`${dir}/`);
}

/** The innermost mount whose destination holds `path`. */
function mountOf(path: string, mounts: readonly MountFact[]): MountFact | undefined {
  return [...mounts].filter((m) => under(path, posix.normalize(m.destination))).sort((a, b) => b.destination.length - a.destination.length)[0];
}

/** Up to `max` distinct examples, most frequent first, as `a (3), b (1)`. */
function examples(counts: Map<string, number>, max = 3): string {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const shown = sorted.slice(0, max).map(([k, n]) => `${k} (${n})`).join(', ');
  return sorted.length > max ? `${shown}, +${sorted.length - max} more` : shown;
}

function bump(m: Map<string, number>, key: string, n: number): void {
  m.set(key, (m.get(key) ?? 0) + n);
}

function perContainerName(destination: string, taken: Set<string>): string {
  const base = (destination.split('/').filter(Boolean).pop() ?? 'data').toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '') || 'data';
  let name = PER_CONTAINER_NAME_RE.test(base) ? base : 'data';
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

export function aggregate(input: RecordingInput): RecordedProfile {
  const work = input.records.filter((r) => r.phase === 'workload');
  const entry = input.records.find((r) => r.entrypoint);
  const comments: NodeComment[] = [];
  const notes: string[] = [];
  const F = ['spec', 'isolation', 'syscallFilter'];

  // Totals per call, and examples per call (paths, or decoded arguments).
  const total = new Map<string, number>();
  const detail = new Map<string, Map<string, number>>();
  for (const r of work) {
    bump(total, r.syscall, r.count);
    if (r.path !== undefined) {
      const d = detail.get(r.syscall) ?? new Map<string, number>();
      bump(d, r.path, r.count);
      detail.set(r.syscall, d);
    }
  }

  // ---- opens and written paths ----
  const mounts = input.mounts.map((m) => ({ ...m, destination: posix.normalize(m.destination) }));
  const writesByPath = new Map<string, { count: number; flags: Map<string, number>; call: string }>();
  let readOpens = 0;
  for (const r of work) {
    if (!OPEN_CALLS.includes(r.syscall)) continue;
    if (!isWriteOpen(r.flags)) {
      readOpens += r.count;
      continue;
    }
    const path = r.path ?? '<unreadable path>';
    const w = writesByPath.get(path) ?? { count: 0, flags: new Map<string, number>(), call: r.syscall };
    w.count += r.count;
    bump(w.flags, openFlagsText(r.flags ?? 0), r.count);
    writesByPath.set(path, w);
  }
  const writeText = (path: string) => {
    const w = writesByPath.get(path)!;
    return `${w.call} ${[...w.flags.keys()].join(', ')} ${path}, ${calls(w.count)}`;
  };

  // ---- binds ----
  const binds = mounts.filter(isBind);
  const touched = new Set<MountFact>();
  const written = new Map<MountFact, string[]>();
  const execFrom = new Set<MountFact>();
  for (const r of work) {
    if (r.path === undefined || !r.path.startsWith('/')) continue;
    const m = mountOf(r.path, mounts);
    if (m === undefined || !binds.includes(m)) continue;
    touched.add(m);
    if (OPEN_CALLS.includes(r.syscall) && isWriteOpen(r.flags)) written.set(m, [...(written.get(m) ?? []), r.path]);
    if (EXEC_CALLS.includes(r.syscall)) execFrom.add(m);
  }
  const bindDocs: Array<Record<string, unknown>> = [];
  const uid = input.user?.uid ?? 0;
  const sharedWritable: string[] = [];
  const bindComments: string[] = [];
  const names = new Set<string>();
  for (const m of binds) {
    if (!touched.has(m)) {
      notes.push(`bind ${m.source ?? '?'} -> ${m.destination} was not used by the job: left out of the profile`);
      continue;
    }
    const w = written.get(m);
    const used = work.filter((r) => r.path !== undefined && under(r.path, m.destination)).reduce((n, r) => n + r.count, 0);
    // A per-container directory belongs to the container's root: a job that runs as another
    // user could not write it, so its writable binds keep their fixed source (lint OC106, accepted below).
    const own = w !== undefined && uid === 0;
    const b: Record<string, unknown> = own
      ? { perContainer: perContainerName(m.destination, names), destination: m.destination, readonly: false }
      : { source: m.source, destination: m.destination, readonly: w === undefined };
    if (execFrom.has(m)) b.noexec = false;
    bindDocs.push(b);
    const wrote = `recorded: bind ${m.source ?? '?'} -> ${m.destination}, written (${[...new Set(w ?? [])].slice(0, 3).join(', ')})`;
    bindComments.push(
      w === undefined
        ? `recorded: bind ${m.source ?? '?'} -> ${m.destination}, read only (${calls(used)})`
        : own
          ? `${wrote}: writable, and each container's own directory (<jobs.dir>/<id>/${String(b.perContainer)}) so no two jobs share it`
          : `${wrote}: writable, the same host directory for every container (the job runs as uid ${uid}, and a per-container directory belongs to the container's root)`,
    );
    if (w !== undefined && !own) sharedWritable.push(m.destination);
  }
  const writableBindDests = bindDocs.filter((b) => b.readonly === false).map((b) => b.destination as string);
  const writablePaths = [...writesByPath.keys()].filter((p) => p.startsWith('/') && !writableBindDests.some((d) => under(p, d))).sort();
  const rootfsWrites = writablePaths.filter((p) => mountOf(p, mounts) === undefined);
  for (const p of writesByPath.keys()) if (!p.startsWith('/')) notes.push(`a write-open whose path could not be read (${writeText(p)}): not in writablePaths`);

  const mutating = [...total.keys()].filter((n) => PATH_MUTATING_CALLS.includes(n)).sort();
  const readOnlyOpens = mutating.length === 0;

  // ---- syscalls ----
  const whitelist = new Map<string, string>();
  for (const [name, n] of total) {
    if (FORK_CALLS.includes(name) || name === 'socket' || name === 'socketpair' || name === 'ioctl' || name === 'personality') continue;
    if (EXEC_CALLS.includes(name)) continue;
    const d = detail.get(name);
    whitelist.set(name, `${calls(n)}${d ? `: ${examples(d)}` : ''}`);
  }
  for (const name of OPEN_CALLS) {
    if (!whitelist.has(name)) continue;
    const writes = [...writesByPath.keys()].filter((p) => writesByPath.get(p)!.call === name);
    whitelist.set(name, `${calls(total.get(name) ?? 0)}; ${writes.length === 0 ? 'all read-only' : `write-opens of ${writes.join(', ')} (writable paths, the agent opens them)`}`);
  }
  for (const [name, why] of Object.entries(RECORD_UNSEEN)) {
    if (!whitelist.has(name)) whitelist.set(name, `not recorded: ${why}`);
  }

  // Execs after the entrypoint.
  const execs = work.filter((r) => EXEC_CALLS.includes(r.syscall));
  const execPaths = new Map<string, number>();
  for (const r of execs) bump(execPaths, r.path ?? '<unreadable path>', r.count);
  const execCount = execs.reduce((n, r) => n + r.count, 0);
  for (const name of EXEC_CALLS) {
    const n = execs.filter((r) => r.syscall === name).reduce((k, r) => k + r.count, 0);
    if (n > 0) whitelist.set(name, `${calls(n)} after the entrypoint: ${examples(execPaths, 5)}`);
  }

  // Process creation.
  const forks = work.filter((r) => FORK_CALLS.includes(r.syscall));
  const threads = forks.filter((r) => (r.syscall === 'clone' || r.syscall === 'clone3') && r.cloneFlags !== undefined && (r.cloneFlags & CLONE_THREAD) !== 0);
  const processes = forks.filter((r) => !threads.includes(r));
  const threadCount = threads.reduce((n, r) => n + r.count, 0);
  const blacklist: Array<[string, string]> = [];
  if (processes.length === 0) {
    const seen = threadCount === 0 ? 'no thread or process was started' : `threads only: ${plural(threadCount, 'thread')} started (${[...new Set(threads.map((r) => r.syscall))].join(', ')} with CLONE_THREAD), no process`;
    blacklist.push(['clone', `${seen}; new processes are denied, threads allowed (fork and vfork denied; clone3 answers ENOSYS so glibc falls back to clone)`]);
  } else {
    const byCall = new Map<string, Map<string, number>>();
    for (const r of forks) {
      const m = byCall.get(r.syscall) ?? new Map<string, number>();
      bump(m, r.cloneFlags === undefined ? 'flags unread' : cloneFlagsText(r.cloneFlags), r.count);
      byCall.set(r.syscall, m);
    }
    for (const [name, m] of byCall) whitelist.set(name, `${calls([...m.values()].reduce((a, b) => a + b, 0))}: ${examples(m)}`);
  }

  // Sockets.
  const sockets = work.filter((r) => r.syscall === 'socket' || r.syscall === 'socketpair');
  const families = new Map<string, Map<string, number>>();
  for (const r of sockets) {
    const fam = socketFamilyName(r.family ?? -1) ?? `AF_${r.family}`;
    const m = families.get(fam) ?? new Map<string, number>();
    bump(m, r.syscall, r.count);
    families.set(fam, m);
  }
  for (const name of ['socket', 'socketpair']) {
    const n = sockets.filter((r) => r.syscall === name).reduce((k, r) => k + r.count, 0);
    if (n > 0) whitelist.set(name, `${calls(n)}, families limited by socketFamilies`);
  }

  // Argument rules: ioctl requests, personality.
  const rules: Array<Record<string, unknown>> = [];
  const ruleComments: string[] = [];
  const requests = new Map<number, number>();
  for (const r of work) if (r.syscall === 'ioctl' && r.request !== undefined) requests.set(r.request, (requests.get(r.request) ?? 0) + r.count);
  for (const [req, n] of [...requests].sort((a, b) => a[0] - b[0])) {
    const name = ioctlRequestName(req);
    rules.push({ names: ['ioctl'], action: 'allow', args: [{ index: 1, op: 'SCMP_CMP_EQ', value: hex(req) }], comment: name ?? hex(req) });
    ruleComments.push(`recorded: ioctl ${name ?? hex(req)}, ${calls(n)}`);
  }
  const personas = new Map<number, number>();
  for (const r of work) if (r.syscall === 'personality' && r.persona !== undefined) personas.set(r.persona, (personas.get(r.persona) ?? 0) + r.count);
  for (const [p, n] of [...personas].sort((a, b) => a[0] - b[0])) {
    rules.push({ names: ['personality'], action: 'allow', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: hex(p) }] });
    ruleComments.push(`recorded: personality(${hex(p)}), ${calls(n)}`);
  }

  // ---- the document ----
  const wl = [...whitelist.keys()].sort();
  const filter: Record<string, unknown> = {
    defaultAction: 'errno',
    architectures: [input.arch],
    whitelist: wl,
  };
  if (blacklist.length > 0) filter.blacklist = blacklist.map(([n]) => n);
  if (rules.length > 0) filter.rules = rules;
  filter.readOnlyOpens = readOnlyOpens;
  if (families.size > 0) filter.socketFamilies = [...families.keys()].sort();

  const inet = families.has('AF_INET') || families.has('AF_INET6');
  const namespaces: Record<string, string> = { ipc: 'isolated', uts: 'isolated', pid: 'isolated' };
  if (!inet) namespaces.network = 'isolated';
  if (bindDocs.length > 0) namespaces.mount = 'isolated-with-bind';

  const filesystem: Record<string, unknown> = { readonlyRootfs: rootfsWrites.length === 0 };
  if (bindDocs.length > 0) filesystem.allowedBindMounts = bindDocs;
  if (writablePaths.length > 0) filesystem.writablePaths = writablePaths;

  const metadata: Record<string, unknown> = {
    name: input.name,
    description: `Recorded by openclaw-runtime record from ${JSON.stringify(input.command.join(' '))} under ${input.runtime} (${input.arch})`,
  };
  const accepted: Array<{ id: string; reason: string }> = [];
  if (execCount > 0) {
    const why = `recorded: the job ran ${plural(execCount, 'program')} after its entrypoint (${examples(execPaths, 3)})`;
    accepted.push({ id: 'OC102', reason: `${why}, so exec stays open` });
    if (processes.length > 0) accepted.push({ id: 'OC101', reason: `${why} in new processes, so fork and exec both stay open` });
  }
  if (sharedWritable.length > 0) {
    accepted.push({ id: 'OC106', reason: `recorded: the job runs as uid ${uid} and writes ${sharedWritable.join(', ')}; a per-container directory would belong to the container's root, so the bind keeps its host source` });
  }
  if (accepted.length > 0) metadata.acceptedWarnings = accepted;

  const doc = {
    apiVersion: 'security.openclaw.org/v1alpha1',
    kind: 'SandboxProfile',
    metadata,
    spec: {
      isolation: { namespaces, syscallFilter: filter },
      filesystem,
      process: { noNewPrivileges: true, capabilities: [] as string[] },
    },
  };

  // ---- comments ----
  const recorded = work.reduce((n, r) => n + r.count, 0);
  comments.push({ path: [], before: true, text: ` Recorded by \`openclaw-runtime record\`: ${plural(recorded, 'system call')} of the workload (after its entrypoint ${entry?.path ?? '?'} started),\n ${plural(total.size, 'distinct call')}. Every entry says where it came from. Review it before use: a run\n records what this run did, not what another input would make the job do.` });
  comments.push({ path: ['spec', 'isolation', 'namespaces'], before: true, text: `${inet ? ' AF_INET/AF_INET6 sockets were used: the network namespace is left as the caller asks.' : ' No AF_INET/AF_INET6 socket was used: no network (loopback only).'}\n No user namespace: the recording ran without one. For untrusted code add user: isolated-with-uid-mapping\n (root in the container is then an unprivileged host id) and run the job again to check.` });
  comments.push({ path: [...F, 'defaultAction'], before: true, text: ' Anything the recording did not see is denied (EPERM), and logged by the agent (openclaw-runtime denials).' });
  wl.forEach((name, i) => comments.push({ path: [...F, 'whitelist', i], text: whitelist.get(name)! }));
  blacklist.forEach(([, why], i) => comments.push({ path: [...F, 'blacklist', i], text: why }));
  ruleComments.forEach((text, i) => comments.push({ path: [...F, 'rules', i], before: true, text: ` ${text}` }));
  comments.push({
    path: [...F, 'readOnlyOpens'],
    before: true,
    text: readOnlyOpens
      ? ` recorded: ${calls(readOpens)} opened read-only; ${writesByPath.size === 0 ? 'nothing opened for writing' : `opened for writing: ${[...writesByPath.keys()].map(writeText).join('; ')}`}.\n Write-opens go to the agent, which allows only writable binds and writablePaths.`
      : ` off: the job called ${mutating.join(', ')}, which readOnlyOpens answers EROFS wherever it runs;\n writes are bounded by the read-only root and the binds instead (not logged by the agent).`,
  });
  if (families.size > 0) {
    [...families.keys()].sort().forEach((fam, i) => comments.push({ path: [...F, 'socketFamilies', i], text: `recorded: ${examples(families.get(fam)!)}` }));
  }
  comments.push({ path: ['spec', 'filesystem', 'readonlyRootfs'], text: rootfsWrites.length === 0 ? 'recorded: no write to the image itself' : `recorded: the job wrote into the image (${rootfsWrites.join(', ')})` });
  bindComments.forEach((text, i) => comments.push({ path: ['spec', 'filesystem', 'allowedBindMounts', i], before: true, text: ` ${text}` }));
  writablePaths.forEach((p, i) => comments.push({ path: ['spec', 'filesystem', 'writablePaths', i], text: `recorded: ${writeText(p)}` }));
  comments.push({ path: ['spec', 'process', 'capabilities'], text: 'not recorded (capability checks are the kernel\'s, seccomp never sees them): none; add what the job needs' });
  if (execCount === 0) notes.push(`no exec after the entrypoint (${entry?.path ?? '?'}): execve stays denied; the agent lets runc exec the entrypoint once`);
  if (!readOnlyOpens) notes.push(`readOnlyOpens is off because the job called ${mutating.join(', ')}: writes outside the binds fail with EROFS from the kernel, not logged by the agent`);
  for (const b of bindDocs.filter((x) => x.perContainer !== undefined)) {
    notes.push(`${String(b.destination)} is now each container's own directory, <jobs.dir>/<container id>/${String(b.perContainer)}: run the bundle without a bind of its own there (the profile adds it)`);
  }
  return { doc, comments, notes };
}
