/*
 * openclaw containment probe: runs INSIDE a container and tries, one at a time, what a hostile
 * workload tries. Built static (scripts/build-probe.sh) so it needs nothing from the rootfs.
 *
 *   probe --list              names and groups of all probes (safe to run anywhere: prints only)
 *   probe --one NAME          run one probe in this process (works when fork is denied)
 *   probe all | probe NAME... run probes, each in a forked child so a kill or crash ends one probe only
 *   probe --exec-ok NAME      target of the exec probes: prints "PROBE NAME ok"
 *
 * Output, one line per probe:  PROBE <name> <result> [key=value ...]
 *   ok                 the call succeeded
 *   reached=<ERRNO>    the call got past seccomp and the kernel rejected the harmless arguments we
 *                      chose on purpose (bad magic, missing path): as good as "allowed"
 *   errno=<ERRNO>      the call failed (seccomp, capabilities, read-only mounts, limits ...)
 *   killed=<SIGNAME>   the probe's process died from a signal (SIGSYS: seccomp kill)
 *   exit=<N> | timeout | skip=<why>
 * Progress of the resource probes: PROBE-PROGRESS <name> key=value (the last one says how far it got).
 *
 * SAFETY: the battery also runs unconfined (inside a runc container with runc's default privileges,
 * never on the host). Every probe must be harmless if it succeeds: time is set to the time just
 * read, names are set to themselves, magic numbers are wrong, paths do not exist, opens of kernel
 * knobs are closed without writing, network connects are UDP (no packet is sent) to TEST-NET-1,
 * TIOCSTI goes to /dev/null, bombs stop at a fixed cap and kill what they made.
 * NOTE when adding a probe: add it to the table at the bottom AND to every file in
 * test/attacks/expectations/ (the test fails on a probe without an expectation).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/openat2.h>
#include <linux/perf_event.h>
#include <linux/sched.h>
#include <linux/vm_sockets.h>
#include <linux/if_alg.h>
#include <linux/netlink.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_PATH "/probe"               /* where the runner puts this binary in the rootfs */
#define TARGET_FILE "/etc/probe-target"   /* created by the runner; read and write-opened */
#define TRUNC_FILE "/etc/probe-trunc"     /* created by the runner; O_TRUNC may empty it */
#define BOMB_CAP 1024                     /* processes/threads: above any sane pids limit */
#define MEM_CAP_MB 1024                   /* memory bomb stops here if nothing stops it */
#define MEM_CHUNK_MB 16
#define CHILD_TIMEOUT_MS 20000

/* ---------- results ---------- */

static char g_detail[160];               /* optional " key=value" suffix set by a probe */

static void detail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_detail[0] = ' ';
  vsnprintf(g_detail + 1, sizeof g_detail - 1, fmt, ap);
  va_end(ap);
}

/* One write() per line so lines from forked/exec'd processes never interleave. */
static void emit(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t w = write(1, buf, n);
  (void)w;
}

static const char *errname(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "UNKNOWN";
}

/* rc < 0 means "failed with errno", as raw syscall() returns it. */
static int R(long rc) { return rc < 0 ? errno : 0; }

/* ---------- small helpers ---------- */

static int reap(pid_t pid) {
  int st;
  while (waitpid(pid, &st, __WALL) < 0) {
    if (errno != EINTR) return -1;
  }
  return st;
}

/* A child created by a process-creation probe: exit at once, touching nothing. */
static int child_exit_status_ok(pid_t pid) {
  int st = reap(pid);
  if (st < 0) return errno;
  if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return 0;
  detail("child_status=0x%x", st);
  return 0; /* the process existed: creation was allowed */
}

/* ---------- process creation ---------- */

static int p_fork(void) {
  long pid = syscall(SYS_fork);
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  return child_exit_status_ok(pid);
}

static int p_vfork(void) {
  pid_t pid = vfork(); /* glibc's vfork is the raw syscall; syscall() cannot return twice on one stack */
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  return child_exit_status_ok(pid);
}

/* clone with a NULL stack and no CLONE_VM behaves like fork: the child returns on a copy of the stack. */
static int clone_flags(unsigned long flags) {
  long pid = syscall(SYS_clone, flags | SIGCHLD, 0, 0, 0, 0);
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  return child_exit_status_ok(pid);
}
static int p_clone_process(void) { return clone_flags(0); }
static int p_clone_newuser(void) { return clone_flags(CLONE_NEWUSER); }
static int p_clone_newns(void) { return clone_flags(CLONE_NEWNS); }
static int p_clone_newnet(void) { return clone_flags(CLONE_NEWNET); }
static int p_clone_newuser_newns(void) { return clone_flags(CLONE_NEWUSER | CLONE_NEWNS); }

static int clone3_flags(unsigned long long flags) {
  struct clone_args ca;
  memset(&ca, 0, sizeof ca);
  ca.flags = flags;
  ca.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &ca, sizeof ca);
  if (pid < 0) return errno;
  if (pid == 0) _exit(0);
  return child_exit_status_ok(pid);
}
static int p_clone3(void) { return clone3_flags(0); }
static int p_clone3_newuser(void) { return clone3_flags(CLONE_NEWUSER); }

static void *thread_noop(void *arg) { return arg; }
static int p_thread(void) {
  pthread_t t;
  int e = pthread_create(&t, NULL, thread_noop, NULL);
  if (e) return e;
  return pthread_join(t, NULL);
}

/* ---------- exec after start: the exec'd program prints the line ---------- */

extern char **environ;

static int p_execve_sh(void) {
  char *argv[] = {"sh", "-c", "echo PROBE execve_sh ok", NULL};
  syscall(SYS_execve, "/bin/sh", argv, environ);
  return errno;
}

static int p_execveat(void) {
  char *argv[] = {"probe", "--exec-ok", "execveat", NULL};
  syscall(SYS_execveat, AT_FDCWD, PROBE_PATH, argv, environ, 0);
  return errno;
}

static int p_memfd_create(void) {
  int fd = syscall(SYS_memfd_create, "probe", MFD_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

/* A payload that never touched the filesystem: copy ourselves into a memfd and run it. */
static int p_memfd_fexecve(void) {
  int mfd = syscall(SYS_memfd_create, "payload", 0);
  if (mfd < 0) return errno;
  int src = open("/proc/self/exe", O_RDONLY);
  if (src < 0) { detail("stage=open_self"); return errno; }
  char buf[65536];
  ssize_t n;
  while ((n = read(src, buf, sizeof buf)) > 0) {
    if (write(mfd, buf, n) != n) { detail("stage=write_memfd"); return errno; }
  }
  close(src);
  char *argv[] = {"probe", "--exec-ok", "memfd_fexecve", NULL};
  syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
  detail("stage=execveat");
  return errno;
}

/* ---------- network ---------- */

static int sock(long family, int type, int proto) {
  int fd = syscall(SYS_socket, family, type, proto);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}
static int p_socket_inet(void) { return sock(AF_INET, SOCK_STREAM, 0); }
static int p_socket_inet6(void) { return sock(AF_INET6, SOCK_STREAM, 0); }
static int p_socket_netlink(void) { return sock(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE); }
static int p_socket_packet(void) { return sock(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)); }
static int p_socket_vsock(void) { return sock(AF_VSOCK, SOCK_STREAM, 0); }
static int p_socket_alg(void) { return sock(AF_ALG, SOCK_SEQPACKET, 0); }
static int p_socket_unix(void) { return sock(AF_UNIX, SOCK_STREAM, 0); }
static int p_socket_raw_inet(void) { return sock(AF_INET, SOCK_RAW, IPPROTO_ICMP); }

static int pair(int family, int type) {
  int sv[2];
  if (syscall(SYS_socketpair, family, type, 0, sv) < 0) return errno;
  close(sv[0]);
  close(sv[1]);
  return 0;
}
static int p_socketpair_unix(void) { return pair(AF_UNIX, SOCK_STREAM); }
static int p_socketpair_inet(void) { return pair(AF_INET, SOCK_STREAM); }

/* UDP connect only resolves a route and sends nothing: safe even if the sandbox shares the host net. */
static int udp_connect(const char *ip, int port) {
  int fd = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) { detail("stage=socket"); return errno; }
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  inet_pton(AF_INET, ip, &a.sin_addr);
  int e = R(syscall(SYS_connect, fd, &a, sizeof a));
  close(fd);
  return e;
}
static int p_connect_loopback(void) { return udp_connect("127.0.0.1", 9); }
static int p_connect_testnet(void) { return udp_connect("192.0.2.1", 9); } /* TEST-NET-1, RFC 5737 */

/* ---------- namespaces and mounts ---------- */

static int p_unshare_newuser(void) { return R(syscall(SYS_unshare, CLONE_NEWUSER)); }
static int p_unshare_newns(void) { return R(syscall(SYS_unshare, CLONE_NEWNS)); }
static int p_unshare_newnet(void) { return R(syscall(SYS_unshare, CLONE_NEWNET)); }

static int p_setns(void) {
  int fd = open("/proc/self/ns/net", O_RDONLY); /* joining our own netns changes nothing */
  if (fd < 0) { detail("stage=open"); return errno; }
  int e = R(syscall(SYS_setns, fd, CLONE_NEWNET));
  close(fd);
  return e;
}

static int p_mount_tmpfs(void) {
  int e = R(syscall(SYS_mount, "tmpfs", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=1m"));
  if (!e) syscall(SYS_umount2, "/mnt", MNT_DETACH);
  return e;
}

/* v1 cgroup mount: the first step of the release_agent escape. Mounted and unmounted, nothing written. */
static int p_mount_cgroup(void) {
  int e = R(syscall(SYS_mount, "cgroup", "/mnt", "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, "rdma"));
  if (!e) syscall(SYS_umount2, "/mnt", MNT_DETACH);
  return e;
}

static int p_umount2(void) { return R(syscall(SYS_umount2, "/mnt", 0)); } /* /mnt is not a mount point */
static int p_pivot_root(void) { return R(syscall(SYS_pivot_root, "/mnt", "/mnt")); }
static int p_chroot(void) { return R(syscall(SYS_chroot, "/")); }

static int p_fsopen(void) {
  int fd = syscall(SYS_fsopen, "tmpfs", 1 /* FSOPEN_CLOEXEC */);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_open_tree(void) {
  int fd = syscall(SYS_open_tree, AT_FDCWD, "/tmp", 1 /* OPEN_TREE_CLONE */ | O_CLOEXEC);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_move_mount(void) {
  return R(syscall(SYS_move_mount, AT_FDCWD, "/nonexistent-openclaw", AT_FDCWD, "/mnt", 0));
}

struct probe_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; }; /* linux/mount.h clashes with sys/mount.h */
static int p_mount_setattr(void) {
  struct probe_mount_attr a = {.attr_set = 1 /* MOUNT_ATTR_RDONLY */};
  return R(syscall(SYS_mount_setattr, AT_FDCWD, "/nonexistent-openclaw", 0, &a, sizeof a));
}

/* ---------- other processes ---------- */

static int p_ptrace_traceme(void) { return R(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0)); }

/* SEIZE does not stop the tracee; our exit detaches. Under --one WE are pid 1 and the kernel never
 * lets a process attach to itself, so we aim at a pid that cannot exist (above PID_MAX_LIMIT):
 * ESRCH then proves seccomp let ptrace through, EPERM that something stopped it. */
static int p_ptrace_attach_pid1(void) {
  pid_t target = 1;
  if (getpid() == 1) { target = 4194305; detail("target=absent"); }
  return R(syscall(SYS_ptrace, 0x4206 /* PTRACE_SEIZE */, target, 0, 0));
}

static int p_process_vm_readv(void) {
  char src[8] = "abcdefg", dst[8];
  struct iovec l = {dst, 8}, r = {src, 8};
  return R(syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0));
}

static int p_process_vm_writev(void) {
  char src[8] = "abcdefg", dst[8];
  struct iovec l = {src, 8}, r = {dst, 8};
  return R(syscall(SYS_process_vm_writev, getpid(), &l, 1, &r, 1, 0));
}

static int p_kcmp(void) { return R(syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, 0, 0)); }

static int p_pidfd_open(void) {
  int fd = syscall(SYS_pidfd_open, getpid(), 0);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_pidfd_getfd(void) {
  int pfd = syscall(SYS_pidfd_open, getpid(), 0);
  if (pfd < 0) { detail("stage=pidfd_open"); return errno; }
  int fd = syscall(SYS_pidfd_getfd, pfd, 0, 0);
  int e = fd < 0 ? errno : 0;
  if (fd >= 0) close(fd);
  close(pfd);
  return e;
}

static int p_pidfd_send_signal(void) {
  int pfd = syscall(SYS_pidfd_open, getpid(), 0);
  if (pfd < 0) { detail("stage=pidfd_open"); return errno; }
  int e = R(syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0));
  close(pfd);
  return e;
}

/* ---------- kernel surface (arguments chosen so success changes nothing) ---------- */

static int p_kexec_load(void) { return R(syscall(SYS_kexec_load, 0, 1000, NULL, 0x4000)); } /* bad flags, too many segments */
static int p_kexec_file_load(void) { return R(syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0x4000)); }
static int p_init_module(void) { return R(syscall(SYS_init_module, NULL, 0, "")); }
static int p_finit_module(void) { return R(syscall(SYS_finit_module, -1, "", 0)); }
static int p_delete_module(void) { return R(syscall(SYS_delete_module, "openclaw_probe_absent", O_NONBLOCK)); }

static int p_bpf(void) {
  union bpf_attr a;
  memset(&a, 0, sizeof a); /* BPF_MAP_TYPE_UNSPEC: invalid */
  int fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_perf_event_open(void) {
  struct perf_event_attr a;
  memset(&a, 0, sizeof a);
  a.type = PERF_TYPE_SOFTWARE;
  a.size = sizeof a;
  a.config = PERF_COUNT_SW_CPU_CLOCK;
  a.disabled = 1;
  a.exclude_kernel = 1;
  a.exclude_hv = 1;
  int fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_userfaultfd(void) {
  int fd = syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_io_uring_setup(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = syscall(SYS_io_uring_setup, 2, &p);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_keyctl(void) {
  long id = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0);
  return id < 0 ? errno : 0;
}

/* The process keyring dies with this process. */
static int p_add_key(void) {
  long id = syscall(SYS_add_key, "user", "openclaw-probe", "x", 1, -2 /* KEY_SPEC_PROCESS_KEYRING */);
  return id < 0 ? errno : 0;
}

static int p_request_key(void) {
  long id = syscall(SYS_request_key, "user", "openclaw-probe-absent", NULL, -2);
  return id < 0 ? errno : 0;
}

static int p_syslog(void) { return R(syscall(SYS_syslog, 10 /* SIZE_BUFFER: read-only */, NULL, 0)); }

static int p_iopl(void) {
  int e = R(syscall(SYS_iopl, 3));
  if (!e) syscall(SYS_iopl, 0);
  return e;
}

static int p_ioperm(void) {
  int e = R(syscall(SYS_ioperm, 0x80, 1, 1));
  if (!e) syscall(SYS_ioperm, 0x80, 1, 0);
  return e;
}

static int p_modify_ldt(void) {
  static char buf[64];
  return R(syscall(SYS_modify_ldt, 0 /* read */, buf, sizeof buf));
}

/* READ_IMPLIES_EXEC|ADDR_NO_RANDOMIZE would weaken every child; restored at once. */
static int p_personality_set(void) {
  long old = syscall(SYS_personality, 0xffffffffUL);
  long rc = syscall(SYS_personality, 0x0400000UL | 0x0040000UL);
  if (rc < 0) return errno;
  if (old >= 0) syscall(SYS_personality, (unsigned long)old);
  return 0;
}

static int p_reboot(void) { return R(syscall(SYS_reboot, 0xdead, 0xbeef, 0, NULL)); } /* wrong magic */
static int p_swapon(void) { return R(syscall(SYS_swapon, "/nonexistent-openclaw", 0)); }
static int p_swapoff(void) { return R(syscall(SYS_swapoff, "/nonexistent-openclaw")); }

static int p_mknod_chr(void) {
  int e = R(syscall(SYS_mknodat, AT_FDCWD, "/tmp/probe-null", S_IFCHR | 0600, makedev(1, 3)));
  if (!e) unlink("/tmp/probe-null");
  return e;
}

static int p_clock_settime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts); /* set the time we just read: at most a few microseconds' step */
  return R(syscall(SYS_clock_settime, CLOCK_REALTIME, &ts));
}

/* NULL, NULL: the kernel checks CAP_SYS_TIME and then has nothing to do. */
static int p_settimeofday(void) { return R(syscall(SYS_settimeofday, NULL, NULL)); }

static int p_sethostname(void) {
  char name[65] = {0};
  if (gethostname(name, 64) < 0) { detail("stage=get"); return errno; }
  return R(syscall(SYS_sethostname, name, strlen(name)));
}

static int p_setdomainname(void) {
  char name[65] = {0};
  if (getdomainname(name, 64) < 0) { detail("stage=get"); return errno; }
  return R(syscall(SYS_setdomainname, name, strlen(name)));
}

static int p_acct(void) { return R(syscall(SYS_acct, "/nonexistent-openclaw")); }

static int p_quotactl(void) {
  char buf[64];
  return R(syscall(SYS_quotactl, (0x800004 << 8) | 0 /* QCMD(Q_GETFMT, USRQUOTA) */, "/nonexistent-openclaw", 0, buf));
}

static int p_lookup_dcookie(void) {
  char buf[64];
  return R(syscall(SYS_lookup_dcookie, 0ULL, buf, sizeof buf));
}

static int p_fanotify_init(void) {
  int fd = syscall(SYS_fanotify_init, 0 /* FAN_CLASS_NOTIF */, O_RDONLY);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_memfd_secret(void) {
  int fd = syscall(SYS_memfd_secret, 0);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int p_unshare_newcgroup(void) { return R(syscall(SYS_unshare, CLONE_NEWCGROUP)); }

/* ---------- filesystem ---------- */

static int open_raw(long nr, const char *path, int flags) {
  int fd = nr == SYS_openat ? syscall(SYS_openat, AT_FDCWD, path, flags, 0600) : syscall(SYS_open, path, flags, 0600);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}
static int p_open_wronly(void) { return open_raw(SYS_open, TARGET_FILE, O_WRONLY); }
static int p_open_rdwr(void) { return open_raw(SYS_open, TARGET_FILE, O_RDWR); }
static int p_openat_wronly(void) { return open_raw(SYS_openat, TARGET_FILE, O_WRONLY); }
static int p_open_trunc(void) { return open_raw(SYS_open, TRUNC_FILE, O_RDONLY | O_TRUNC); }

static int created(int e, const char *path) {
  if (!e) unlink(path);
  return e;
}
static int p_open_creat(void) { return created(open_raw(SYS_open, "/etc/probe-new", O_WRONLY | O_CREAT | O_EXCL), "/etc/probe-new"); }
static int p_open_rdonly_creat(void) {
  return created(open_raw(SYS_openat, "/etc/probe-new2", O_RDONLY | O_CREAT | O_EXCL), "/etc/probe-new2");
}
static int p_open_tmpfile(void) { return open_raw(SYS_openat, "/etc", O_TMPFILE | O_WRONLY); }
static int p_creat(void) {
  int fd = syscall(SYS_creat, "/etc/probe-new3", 0600);
  if (fd < 0) return errno;
  close(fd);
  unlink("/etc/probe-new3");
  return 0;
}

static int p_openat2_write(void) {
  struct open_how how = {.flags = O_WRONLY};
  int fd = syscall(SYS_openat2, AT_FDCWD, TARGET_FILE, &how, sizeof how);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

struct probe_handle { unsigned int handle_bytes; int handle_type; unsigned char f_handle[128]; };
static int get_handle(struct probe_handle *h, int *mnt) {
  h->handle_bytes = sizeof h->f_handle;
  return R(syscall(SYS_name_to_handle_at, AT_FDCWD, TARGET_FILE, h, mnt, 0));
}
static int p_name_to_handle_at(void) {
  struct probe_handle h;
  int mnt;
  return get_handle(&h, &mnt);
}
/* The "shocker" call: read-only open of our own target by handle. */
static int p_open_by_handle_at(void) {
  struct probe_handle h;
  int mnt;
  if (get_handle(&h, &mnt)) { detail("stage=name_to_handle_at"); return errno; }
  int dirfd = open("/", O_RDONLY | O_DIRECTORY);
  int fd = syscall(SYS_open_by_handle_at, dirfd, &h, O_RDONLY);
  int e = fd < 0 ? errno : 0;
  if (fd >= 0) close(fd);
  close(dirfd);
  return e;
}

/* Host-global kernel knobs: opened for write and closed, NEVER written. */
static int p_proc_core_pattern(void) { return open_raw(SYS_openat, "/proc/sys/kernel/core_pattern", O_WRONLY); }
static int p_proc_sysrq_trigger(void) { return open_raw(SYS_openat, "/proc/sysrq-trigger", O_WRONLY); }
static int p_proc_self_exe_write(void) { return open_raw(SYS_openat, "/proc/self/exe", O_WRONLY); }

static int p_cgroup_release_agent(void) {
  static const char *paths[] = {"/sys/fs/cgroup/release_agent", "/sys/fs/cgroup/rdma/release_agent",
                                "/sys/fs/cgroup/memory/release_agent", "/sys/fs/cgroup/pids/release_agent",
                                "/sys/fs/cgroup/systemd/release_agent", "/sys/fs/cgroup/cpu/release_agent"};
  int first = ENOENT;
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    int e = open_raw(SYS_openat, paths[i], O_WRONLY);
    if (e == 0) { detail("path=%s", paths[i]); return 0; }
    if (e != ENOENT && first == ENOENT) { first = e; detail("path=%s", paths[i]); }
  }
  return first;
}

static int p_mknod_fifo(void) {
  int e = R(syscall(SYS_mknodat, AT_FDCWD, "/tmp/probe-fifo", S_IFIFO | 0600, 0));
  if (!e) unlink("/tmp/probe-fifo");
  return e;
}

/* ---------- argument tricks: high bits that a 64-bit comparison sees and the kernel drops ---------- */

static int tiocsti(unsigned long cmd) {
  int fd = open("/dev/null", O_RDONLY); /* never a terminal: nothing can be injected anywhere */
  if (fd < 0) { detail("stage=open"); return errno; }
  char c = ' ';
  int e = R(syscall(SYS_ioctl, fd, cmd, &c));
  close(fd);
  return e;
}
static int p_ioctl_tiocsti(void) { return tiocsti(0x5412UL); }
static int p_ioctl_tiocsti_hibit(void) { return tiocsti(0x5412UL | (1UL << 32)); }
static int p_socket_packet_hibit(void) { return sock((long)AF_PACKET | (1L << 32), SOCK_RAW, htons(ETH_P_ALL)); }
static int p_socket_vsock_hibit(void) { return sock((long)AF_VSOCK | (1L << 32), SOCK_STREAM, 0); }

/* ---------- other ABIs ---------- */

static long int80(long nr, long a, long b, long c) {
  long ret;
  __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory", "r8", "r9", "r10", "r11");
  return ret;
}

static int p_i386_getpid(void) {
  long r = int80(20 /* i386 getpid */, 0, 0, 0);
  if (r < 0 && r > -4096) return (int)-r;
  detail("pid=%ld", r);
  return 0;
}

/* i386 socketcall(SYS_SOCKET, [AF_VSOCK, SOCK_STREAM, 0]): the family sits in memory, out of seccomp's sight. */
static int p_i386_socketcall_vsock(void) {
  unsigned int *args = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (args == MAP_FAILED) { detail("stage=mmap32"); return errno; }
  args[0] = AF_VSOCK; args[1] = SOCK_STREAM; args[2] = 0;
  long r = int80(102 /* i386 socketcall */, 1 /* SYS_SOCKET */, (long)(uintptr_t)args, 0);
  if (r < 0 && r > -4096) return (int)-r;
  close((int)r);
  return 0;
}

static int p_x32_getpid(void) { return R(syscall(0x40000000L | 39 /* x32 getpid */)); }

/* ---------- resources ---------- */

static int p_fork_bomb(void) {
  static pid_t kids[BOMB_CAP];
  int n = 0, e = 0;
  while (n < BOMB_CAP) {
    long pid = syscall(SYS_fork);
    if (pid < 0) { e = errno; break; }
    if (pid == 0) { for (;;) pause(); }
    kids[n++] = pid;
  }
  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);
  for (int i = 0; i < n; i++) reap(kids[i]);
  detail("n=%d", n);
  return e;
}

static void *thread_park(void *arg) { for (;;) pause(); return arg; }
/* The parked threads die with this process (the battery's child or the --one process exits next). */
static int p_thread_bomb(void) {
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setstacksize(&at, 65536);
  int n = 0, e = 0;
  while (n < BOMB_CAP) {
    pthread_t t;
    e = pthread_create(&t, &at, thread_park, NULL);
    if (e) break;
    n++;
  }
  detail("n=%d", n);
  return e;
}

static int p_memory_bomb(void) {
  size_t chunk = (size_t)MEM_CHUNK_MB << 20;
  int mb = 0;
  while (mb < MEM_CAP_MB) {
    char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) { detail("mb=%d", mb); return errno; }
    for (size_t off = 0; off < chunk; off += 4096) p[off] = 1; /* touch: make it resident */
    mb += MEM_CHUNK_MB;
    emit("PROBE-PROGRESS memory_bomb mb=%d", mb);
  }
  detail("mb=%d cap", mb);
  return 0;
}

/* ---------- liveness: what a legitimate job needs ---------- */

static int p_read_file(void) {
  int fd = open(TARGET_FILE, O_RDONLY);
  if (fd < 0) return errno;
  char buf[64];
  int e = read(fd, buf, sizeof buf) < 0 ? errno : 0;
  close(fd);
  return e;
}

static int p_write_output(void) {
  struct stat st;
  if (stat("/output", &st) < 0) { detail("skip=no-output-dir"); return errno; }
  int fd = open("/output/x", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return errno;
  int e = write(fd, "ok\n", 3) == 3 ? 0 : errno;
  close(fd);
  return e;
}

static int p_mmap_munmap(void) {
  void *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return errno;
  memset(p, 1, 1 << 20);
  if (mprotect(p, 4096, PROT_READ) < 0) return errno;
  return R(munmap(p, 1 << 20));
}

static int p_clock_gettime(void) {
  struct timespec ts;
  return R(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts)); /* raw: the vDSO would skip seccomp */
}
static int p_getpid(void) { return R(syscall(SYS_getpid)); }
static int p_nanosleep(void) {
  struct timespec ts = {0, 1000000};
  return R(syscall(SYS_nanosleep, &ts, NULL));
}
static int p_pipe(void) {
  int fds[2];
  if (syscall(SYS_pipe2, fds, O_CLOEXEC) < 0) return errno;
  char c = 'x';
  int e = (write(fds[1], &c, 1) == 1 && read(fds[0], &c, 1) == 1) ? 0 : errno;
  close(fds[0]);
  close(fds[1]);
  return e;
}
static int p_getrandom(void) {
  char buf[16];
  return R(syscall(SYS_getrandom, buf, sizeof buf, 0));
}
static int p_stat_dir(void) {
  struct stat st;
  return R(syscall(SYS_newfstatat, AT_FDCWD, "/etc", &st, 0));
}
static int p_getdents(void) {
  int fd = open("/", O_RDONLY | O_DIRECTORY);
  if (fd < 0) return errno;
  char buf[4096];
  int e = R(syscall(SYS_getdents64, fd, buf, sizeof buf));
  close(fd);
  return e;
}
static int p_personality_query(void) { return R(syscall(SYS_personality, 0xffffffffUL)); }

/* ---------- the table ---------- */

struct probe {
  const char *name;
  const char *group;
  int (*fn)(void);
  int reached[4]; /* errnos that only the kernel gives, for the harmless arguments above */
};

static const struct probe PROBES[] = {
    /* process creation */
    {"fork", "process", p_fork, {0}},
    {"vfork", "process", p_vfork, {0}},
    {"clone_process", "process", p_clone_process, {0}},
    {"clone_newuser", "process", p_clone_newuser, {0}},
    {"clone_newns", "process", p_clone_newns, {0}},
    {"clone_newnet", "process", p_clone_newnet, {0}},
    {"clone_newuser_newns", "process", p_clone_newuser_newns, {0}},
    {"clone3", "process", p_clone3, {0}},
    {"clone3_newuser", "process", p_clone3_newuser, {0}},
    /* exec after start */
    {"execve_sh", "exec", p_execve_sh, {0}},
    {"execveat", "exec", p_execveat, {0}},
    {"memfd_create", "exec", p_memfd_create, {0}},
    {"memfd_fexecve", "exec", p_memfd_fexecve, {0}},
    /* network */
    {"socket_inet", "network", p_socket_inet, {EAFNOSUPPORT}},
    {"socket_inet6", "network", p_socket_inet6, {EAFNOSUPPORT}},
    {"socket_raw_inet", "network", p_socket_raw_inet, {EAFNOSUPPORT}},
    {"socket_netlink", "network", p_socket_netlink, {EAFNOSUPPORT}},
    {"socket_packet", "network", p_socket_packet, {EAFNOSUPPORT}},
    {"socket_vsock", "network", p_socket_vsock, {EAFNOSUPPORT}},
    {"socket_alg", "network", p_socket_alg, {EAFNOSUPPORT}},
    {"socket_unix", "network", p_socket_unix, {0}},
    {"socketpair_inet", "network", p_socketpair_inet, {EOPNOTSUPP}},
    {"connect_loopback", "network", p_connect_loopback, {ENETUNREACH, ECONNREFUSED}},
    {"connect_testnet", "network", p_connect_testnet, {ENETUNREACH}},
    /* namespaces and mounts */
    {"unshare_newuser", "namespace", p_unshare_newuser, {0}},
    {"unshare_newns", "namespace", p_unshare_newns, {0}},
    {"unshare_newnet", "namespace", p_unshare_newnet, {0}},
    {"unshare_newcgroup", "namespace", p_unshare_newcgroup, {0}},
    {"setns", "namespace", p_setns, {0}},
    {"mount_tmpfs", "namespace", p_mount_tmpfs, {ENOENT}},
    {"mount_cgroup", "namespace", p_mount_cgroup, {ENOENT, EBUSY}},
    {"umount2", "namespace", p_umount2, {EINVAL}},
    {"pivot_root", "namespace", p_pivot_root, {EINVAL, EBUSY, ENOENT}},
    {"chroot", "namespace", p_chroot, {0}},
    {"fsopen", "namespace", p_fsopen, {0}},
    {"open_tree", "namespace", p_open_tree, {ENOENT}},
    {"move_mount", "namespace", p_move_mount, {ENOENT}},
    {"mount_setattr", "namespace", p_mount_setattr, {ENOENT}},
    /* other processes */
    {"ptrace_traceme", "process-access", p_ptrace_traceme, {0}},
    {"ptrace_attach_pid1", "process-access", p_ptrace_attach_pid1, {ESRCH}},
    {"process_vm_readv", "process-access", p_process_vm_readv, {0}},
    {"process_vm_writev", "process-access", p_process_vm_writev, {0}},
    {"kcmp", "process-access", p_kcmp, {0}},
    {"pidfd_open", "process-access", p_pidfd_open, {0}},
    {"pidfd_getfd", "process-access", p_pidfd_getfd, {0}},
    {"pidfd_send_signal", "process-access", p_pidfd_send_signal, {0}},
    /* kernel surface */
    {"kexec_load", "kernel", p_kexec_load, {EINVAL}},
    {"kexec_file_load", "kernel", p_kexec_file_load, {EINVAL, EBADF}},
    {"init_module", "kernel", p_init_module, {ENOEXEC, EINVAL, EFAULT}},
    {"finit_module", "kernel", p_finit_module, {EBADF}},
    {"delete_module", "kernel", p_delete_module, {ENOENT}},
    {"bpf", "kernel", p_bpf, {EINVAL}},
    {"perf_event_open", "kernel", p_perf_event_open, {0}},
    {"userfaultfd", "kernel", p_userfaultfd, {0}},
    {"io_uring_setup", "kernel", p_io_uring_setup, {0}},
    {"keyctl", "kernel", p_keyctl, {ENOKEY}},
    {"add_key", "kernel", p_add_key, {EDQUOT}},
    {"request_key", "kernel", p_request_key, {ENOKEY}},
    {"syslog", "kernel", p_syslog, {0}},
    {"iopl", "kernel", p_iopl, {0}},
    {"ioperm", "kernel", p_ioperm, {0}},
    {"modify_ldt", "kernel", p_modify_ldt, {0}},
    {"personality_set", "kernel", p_personality_set, {0}},
    {"reboot", "kernel", p_reboot, {EINVAL}},
    {"swapon", "kernel", p_swapon, {ENOENT}},
    {"swapoff", "kernel", p_swapoff, {ENOENT}},
    {"mknod_chr", "kernel", p_mknod_chr, {0}},
    {"clock_settime", "kernel", p_clock_settime, {0}},
    {"settimeofday", "kernel", p_settimeofday, {0}},
    {"sethostname", "kernel", p_sethostname, {0}},
    {"setdomainname", "kernel", p_setdomainname, {0}},
    {"acct", "kernel", p_acct, {ENOENT}},
    {"quotactl", "kernel", p_quotactl, {ENOENT}},
    {"lookup_dcookie", "kernel", p_lookup_dcookie, {0}},
    {"fanotify_init", "kernel", p_fanotify_init, {0}},
    {"memfd_secret", "kernel", p_memfd_secret, {0}},
    /* filesystem */
    {"open_wronly", "filesystem", p_open_wronly, {0}},
    {"open_rdwr", "filesystem", p_open_rdwr, {0}},
    {"openat_wronly", "filesystem", p_openat_wronly, {0}},
    {"open_creat", "filesystem", p_open_creat, {0}},
    {"open_rdonly_creat", "filesystem", p_open_rdonly_creat, {0}},
    {"open_trunc", "filesystem", p_open_trunc, {0}},
    {"open_tmpfile", "filesystem", p_open_tmpfile, {EOPNOTSUPP}},
    {"openat2_write", "filesystem", p_openat2_write, {0}},
    {"creat", "filesystem", p_creat, {0}},
    {"name_to_handle_at", "filesystem", p_name_to_handle_at, {0}},
    {"open_by_handle_at", "filesystem", p_open_by_handle_at, {0}},
    {"proc_core_pattern", "filesystem", p_proc_core_pattern, {0}},
    {"proc_sysrq_trigger", "filesystem", p_proc_sysrq_trigger, {0}},
    {"proc_self_exe_write", "filesystem", p_proc_self_exe_write, {ETXTBSY}},
    {"cgroup_release_agent", "filesystem", p_cgroup_release_agent, {0}},
    {"mknod_fifo", "filesystem", p_mknod_fifo, {0}},
    /* argument tricks */
    {"ioctl_tiocsti", "argument", p_ioctl_tiocsti, {ENOTTY}},
    {"ioctl_tiocsti_hibit", "argument", p_ioctl_tiocsti_hibit, {ENOTTY}},
    {"socket_packet_hibit", "argument", p_socket_packet_hibit, {EAFNOSUPPORT}},
    {"socket_vsock_hibit", "argument", p_socket_vsock_hibit, {EAFNOSUPPORT}},
    /* other ABIs */
    {"i386_getpid", "abi", p_i386_getpid, {0}},
    {"i386_socketcall_vsock", "abi", p_i386_socketcall_vsock, {EAFNOSUPPORT}},
    {"x32_getpid", "abi", p_x32_getpid, {0}},
    /* resources */
    {"fork_bomb", "resource", p_fork_bomb, {0}},
    {"thread_bomb", "resource", p_thread_bomb, {0}},
    {"memory_bomb", "resource", p_memory_bomb, {0}},
    /* liveness */
    {"thread", "liveness", p_thread, {0}},
    {"socketpair_unix", "liveness", p_socketpair_unix, {0}},
    {"read_file", "liveness", p_read_file, {0}},
    {"write_output", "liveness", p_write_output, {0}},
    {"mmap_munmap", "liveness", p_mmap_munmap, {0}},
    {"clock_gettime", "liveness", p_clock_gettime, {0}},
    {"getpid", "liveness", p_getpid, {0}},
    {"nanosleep", "liveness", p_nanosleep, {0}},
    {"pipe", "liveness", p_pipe, {0}},
    {"getrandom", "liveness", p_getrandom, {0}},
    {"stat_dir", "liveness", p_stat_dir, {0}},
    {"getdents", "liveness", p_getdents, {0}},
    {"personality_query", "liveness", p_personality_query, {0}},
};
#define NPROBES (sizeof PROBES / sizeof *PROBES)

static const struct probe *find(const char *name) {
  for (size_t i = 0; i < NPROBES; i++)
    if (!strcmp(PROBES[i].name, name)) return &PROBES[i];
  return NULL;
}

/* ---------- running ---------- */

static void report(const struct probe *p, int e) {
  if (e == 0) { emit("PROBE %s ok%s", p->name, g_detail); return; }
  for (int i = 0; i < 4 && p->reached[i]; i++)
    if (p->reached[i] == e) { emit("PROBE %s reached=%s%s", p->name, errname(e), g_detail); return; }
  emit("PROBE %s errno=%s%s", p->name, errname(e), g_detail);
}

static void run_here(const struct probe *p) {
  g_detail[0] = 0;
  errno = 0;
  report(p, p->fn());
}

/* Fork mode: the child's stdout is a pipe we read, so we know whether it spoke before it died. */
static int run_forked(const struct probe *p) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) return errno;
  pid_t pid = fork();
  if (pid < 0) { int e = errno; close(fds[0]); close(fds[1]); return e; }
  if (pid == 0) {
    dup2(fds[1], 1); /* dup2 clears CLOEXEC on fd 1: exec'd targets print into the pipe */
    run_here(p);
    _exit(0);
  }
  close(fds[1]);
  char buf[8192], line[512], progress[160] = "";
  size_t llen = 0;
  int spoke = 0, timed_out = 0;
  for (;;) {
    struct pollfd pf = {fds[0], POLLIN, 0};
    int r = poll(&pf, 1, CHILD_TIMEOUT_MS);
    if (r == 0) { timed_out = 1; kill(pid, SIGKILL); break; }
    if (r < 0) { if (errno == EINTR) continue; break; }
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] != '\n') { if (llen < sizeof line - 1) line[llen++] = buf[i]; continue; }
      line[llen] = 0;
      emit("%s", line);
      if (!strncmp(line, "PROBE ", 6)) spoke = 1;
      if (!strncmp(line, "PROBE-PROGRESS ", 15)) {
        const char *kv = strchr(line + 15, ' ');
        snprintf(progress, sizeof progress, "%s", kv ? kv : "");
      }
      llen = 0;
    }
  }
  close(fds[0]);
  int st = reap(pid);
  if (spoke) return 0;
  if (timed_out) emit("PROBE %s timeout%s", p->name, progress);
  else if (st >= 0 && WIFSIGNALED(st)) emit("PROBE %s killed=SIG%s%s", p->name, sigabbrev_np(WTERMSIG(st)), progress);
  else if (st >= 0 && WIFEXITED(st)) emit("PROBE %s exit=%d%s", p->name, WEXITSTATUS(st), progress);
  else emit("PROBE %s exit=unknown", p->name);
  return 0;
}

static int usage(void) {
  fprintf(stderr, "usage: probe --list | --one NAME | --exec-ok NAME | all | NAME...\n");
  return 2;
}

int main(int argc, char **argv) {
  if (argc < 2) return usage();
  if (!strcmp(argv[1], "--list")) {
    for (size_t i = 0; i < NPROBES; i++) printf("%s %s\n", PROBES[i].name, PROBES[i].group);
    return 0;
  }
  if (!strcmp(argv[1], "--exec-ok")) {
    if (argc != 3) return usage();
    emit("PROBE %s ok", argv[2]);
    return 0;
  }
  if (!strcmp(argv[1], "--one")) {
    if (argc != 3) return usage();
    const struct probe *p = find(argv[2]);
    if (!p) { fprintf(stderr, "probe: unknown probe '%s' (see probe --list)\n", argv[2]); return 2; }
    run_here(p);
    return 0;
  }
  int all = argc == 2 && !strcmp(argv[1], "all");
  size_t n = all ? NPROBES : (size_t)(argc - 1);
  for (size_t i = 0; i < n; i++) {
    const struct probe *p = all ? &PROBES[i] : find(argv[i + 1]);
    if (!p) { fprintf(stderr, "probe: unknown probe '%s' (see probe --list)\n", argv[i + 1]); return 2; }
    int e = run_forked(p);
    if (e) {
      /* fork denied (strict profiles): the caller must use --one per probe */
      emit("PROBE-BATTERY fork-denied errno=%s", errname(e));
      return 3;
    }
  }
  return 0;
}
