/**
 * What each low-level runtime's init does after it has loaded the container's seccomp filter, up
 * to and including the entrypoint's execve (runc 1.1.5 and crun 1.8.1, measured). A filter that
 * denies any of these cannot start under that runtime; with the seccomp agent those calls are
 * sent to it (SCMP_ACT_NOTIFY) instead, allowed before the entrypoint starts and answered with
 * the profile's action after. The compiler checks the probes of the runtime the config chose
 * (pipeline.ts), or of every runtime here when it cannot tell which one it is.
 *
 * runc:
 *
 * Observed here with `strace -f runc create` + `runc start` on a busybox-static bundle
 * (noNewPrivileges true, as the shim always sets; the filter is loaded with prctl right before
 * these): init's main thread: openat("/proc/self/fd/5", O_WRONLY|O_CLOEXEC) (the exec fifo,
 * blocks until `runc start`), write(3, "0", 1), close, getpid, openat("/proc/self/fd",
 * O_RDONLY|O_CLOEXEC), epoll_ctl, fstatfs, getdents64, futex, execve; Go runtime threads:
 * futex, nanosleep, epoll_pwait, getpid+tgkill (preemption signal), rt_sigreturn, sched_yield.
 * Security Profiles Operator's runc list also has capget capset chdir fchown fcntl fstat getppid
 * newfstatat prctl read setgid setgroups setuid: with noNewPrivileges false runc loads the filter
 * earlier, before those; the shim forces noNewPrivileges, so they are not listed here. The Go
 * runtime may also map memory, create threads or block signals in that window (not seen in our
 * traces, listed because a denial would crash init at random).
 *
 * crun: observed with `strace -f -p <init>` attached between `crun create` and `crun start`
 * (Debian crun 1.8.1 under a private dockerd, smythos-alternative, listenerPath set). crun
 * loads the filter after the start handshake, so there is no exec fifo; but to hand the
 * listener fd to the agent it clones a helper (CLONE_FILES, before the filter), loads the filter
 * with SECCOMP_FILTER_FLAG_NEW_LISTENER, and then: wait4(helper) (a failure aborts the start:
 * "waitpid seccomp listener helper process: Operation not permitted"), kill(helper, SIGKILL)
 * and a second wait4 (results ignored), close of the listener fd and its sync fds, munmap of
 * the shared page, execve. The helper itself runs unfiltered (it was cloned before the load).
 * Without a listenerPath there is no helper: those calls matter only to a filter that already
 * needs the agent (withListener), and then they go to it like runc's.
 *
 * NOTE when upgrading runc or crun re-check its list (see the comment in profiles/smythos-alternative.yaml).
 */
import { TRUE, negateDnf, type Dnf } from './algebra.js';
import { atom } from './algebra.js';
import { FLAGS_ARG_INDEX, O_FLAGS, WRITE_OPEN_MASK } from './vocabulary.js';
import type { LowLevelRuntime } from '../config/runtime-path.js';

export type { LowLevelRuntime };

export interface InitProbe {
  syscall: string;
  args: bigint[];
  why: string;
  /** The part of the syscall's argument space the agent must decide (default: all of it). */
  region: Dnf;
  /** runc refuses SCMP_ACT_NOTIFY for write: such a call must simply be allowed. */
  notifiable: boolean;
  /** Made only when the filter has a listenerPath (crun's listener helper): irrelevant to a filter that needs no agent. */
  withListener?: boolean;
}

const AT_FDCWD = BigInt.asUintN(64, -100n);
const OPENAT_FLAGS = FLAGS_ARG_INDEX.openat as number;
const readOnly: Dnf = [[atom(OPENAT_FLAGS, 'MASKED_EQ', WRITE_OPEN_MASK, 0n)]];
/** Write-class opens: some bit of O_ACCMODE|O_CREAT|O_TRUNC|__O_TMPFILE set. */
export const WRITE_CLASS_OPENAT: Dnf = negateDnf(readOnly);
/** CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_SYSVSEM|CLONE_THREAD: how Go starts a thread. */
const GO_THREAD_CLONE = 0x50f00n;

const main = "runc's init";
const goRt = "the Go runtime in runc's init";

function probe(syscall: string, args: bigint[], why: string, region: Dnf = TRUE, notifiable = true): InitProbe {
  return { syscall, args, why, region, notifiable };
}

const listenerOnly = (p: InitProbe): InitProbe => ({ ...p, withListener: true });

export const RUNC_INIT_PROBES: readonly InitProbe[] = [
  probe('openat', [AT_FDCWD, 0n, O_FLAGS.O_WRONLY | O_FLAGS.O_CLOEXEC], `${main} opens its exec fifo O_WRONLY after the filter is loaded`, WRITE_CLASS_OPENAT),
  probe('openat', [AT_FDCWD, 0n, O_FLAGS.O_RDONLY | O_FLAGS.O_CLOEXEC], `${main} lists /proc/self/fd to close inherited descriptors`, readOnly),
  probe('write', [3n, 0n, 1n], `${main} reports readiness over its sync pipe`, TRUE, false),
  probe('close', [3n], `${main} closes its pipes and fifo`),
  probe('getpid', [], `${main}`),
  probe('epoll_ctl', [], `${goRt} registers descriptors with its poller`),
  probe('epoll_pwait', [], `${goRt} polls`),
  probe('fstatfs', [], `${main} checks that /proc/self/fd is procfs`),
  probe('getdents64', [], `${main} reads /proc/self/fd`),
  probe('futex', [], `${goRt} parks and wakes threads`),
  probe('nanosleep', [], `${goRt} (sysmon) sleeps`),
  probe('sched_yield', [], `${goRt} yields`),
  probe('tgkill', [], `${goRt} sends its preemption signal`),
  probe('rt_sigreturn', [], `${goRt} returns from a signal handler`),
  probe('rt_sigprocmask', [], `${goRt} blocks signals while starting threads`),
  probe('sigaltstack', [], `${goRt} sets a signal stack on new threads`),
  probe('gettid', [], `${goRt}`),
  probe('mmap', [], `${goRt} grows its heap`),
  probe('munmap', [], `${goRt} frees memory`),
  probe('madvise', [], `${goRt} returns memory to the kernel`),
  probe('clone', [GO_THREAD_CLONE], `${goRt} starts a thread`),
  probe('exit', [], `${goRt} ends a thread`),
  probe('execve', [], `${main} execs the entrypoint after the filter is loaded`),
];

const crun = "crun's init";

export const CRUN_INIT_PROBES: readonly InitProbe[] = [
  listenerOnly(probe('wait4', [], `${crun} waits for the helper that hands the listener fd to the agent`)),
  listenerOnly(probe('kill', [], `${crun} kills that helper after waiting (result ignored)`)),
  probe('close', [], `${crun} closes the listener fd and its sync fds`),
  listenerOnly(probe('munmap', [], `${crun} unmaps the page it shared with the helper`)),
  probe('execve', [], `${crun} execs the entrypoint after the filter is loaded`),
];

export const INIT_PROBES: Readonly<Record<LowLevelRuntime, readonly InitProbe[]>> = { runc: RUNC_INIT_PROBES, crun: CRUN_INIT_PROBES };

/** The probes a filter must pass (or send to the agent) to start under any of these runtimes. */
export function initProbesFor(runtimes: readonly LowLevelRuntime[]): InitProbe[] {
  return runtimes.flatMap((r) => INIT_PROBES[r]);
}

/** execveat has no role in runc's init, but an exec policy that sends execve to the agent sends execveat too. */
export const EXEC_SYSCALLS = ['execve', 'execveat'] as const;
