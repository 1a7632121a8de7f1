// File operations Node lacks: openat2 (RESOLVE_IN_ROOT keeps a lookup inside a container's
// root, symlinks included), openat2 under a calling task's credentials, fcntl file status
// flags, and flock (the agent's single-instance lock).
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "errors.h"
#include "exports.h"

namespace openclaw {
namespace {

// A path argument: a Buffer is taken byte for byte (a file name need not be UTF-8), a string
// as UTF-8. Returns false with a pending TypeError otherwise, or when it holds a NUL byte.
bool ArgPath(const Napi::CallbackInfo& info, size_t i, std::string* out) {
  if (info.Length() > i && info[i].IsBuffer()) {
    Napi::Buffer<char> b = info[i].As<Napi::Buffer<char>>();
    out->assign(b.Data(), b.Length());
  } else if (info.Length() > i && info[i].IsString()) {
    *out = info[i].As<Napi::String>().Utf8Value();
  } else {
    ThrowType(info.Env(), "expected a path (Buffer or string)");
    return false;
  }
  if (out->find('\0') != std::string::npos) {
    ThrowType(info.Env(), "path contains a NUL byte");
    return false;
  }
  return true;
}

long RawOpenat2(int dirfd, const std::string& path, int flags, int mode, uint64_t resolve) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  // O_CLOEXEC is always added: the agent never hands these fds to a child; it injects them
  // with notifAddfd (which sets the target's own close-on-exec) and closes its copy.
  how.flags = static_cast<__u64>(static_cast<unsigned int>(flags) | O_CLOEXEC);
  // The kernel refuses a mode without O_CREAT/O_TMPFILE.
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? static_cast<__u64>(mode & 07777) : 0;
  how.resolve = resolve;
  return syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
}

// openat2(dirfd, path, flags, mode, resolve) -> fd.
Napi::Value Openat2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = 0, flags = 0, mode = 0;
  uint64_t resolve = 0;
  std::string path;
  if (!ArgInt(info, 0, &dirfd) || !ArgPath(info, 1, &path) || !ArgInt(info, 2, &flags) || !ArgInt(info, 3, &mode) ||
      !ArgU64(info, 4, &resolve)) {
    return env.Undefined();
  }
  long fd = RawOpenat2(dirfd, path, flags, mode, resolve);
  if (fd < 0) {
    ThrowErrno(env, errno, "openat2");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

// ---- credentials of the calling thread ----
//
// Linux keeps credentials per thread, and the raw system calls below change only the calling
// thread's (glibc's setgroups/setuid wrappers would broadcast to every thread of the process;
// SYS_setgroups, SYS_setfsuid, SYS_setfsgid and SYS_capset do not). Node runs this addon on its
// main thread; libuv's pool threads keep root's credentials throughout.

struct ThreadCreds {
  int fsuid;
  int fsgid;
  std::vector<gid_t> groups;
  struct __user_cap_data_struct caps[2];
};

bool CapGet(struct __user_cap_data_struct caps[2]) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capget, &h, caps) == 0;
}

bool CapSet(const struct __user_cap_data_struct caps[2]) {
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  return syscall(SYS_capset, &h, caps) == 0;
}

// setfsuid/setfsgid never fail with an error: they return the previous id, and whether the
// change took is seen by asking again with an invalid id (-1 changes nothing).
int CurrentFsuid() { return static_cast<int>(syscall(SYS_setfsuid, -1)); }
int CurrentFsgid() { return static_cast<int>(syscall(SYS_setfsgid, -1)); }

bool SaveCreds(ThreadCreds* c) {
  c->fsuid = CurrentFsuid();
  c->fsgid = CurrentFsgid();
  long n = syscall(SYS_getgroups, 0, nullptr);
  if (n < 0) return false;
  c->groups.resize(static_cast<size_t>(n));
  if (n > 0 && syscall(SYS_getgroups, n, c->groups.data()) != n) return false;
  return CapGet(c->caps);
}

// Puts the thread's credentials back. If that fails the thread would go on with another
// task's identity (or none of root's): there is no safe way on, so the process ends, and the
// kernel answers every notified call of the containers it served with ENOSYS (fail closed).
void RestoreCreds(const ThreadCreds& c) {
  // Root's effective capabilities first: setfsuid and setgroups need CAP_SETUID/CAP_SETGID.
  bool ok = CapSet(c.caps);
  syscall(SYS_setfsuid, c.fsuid);
  syscall(SYS_setfsgid, c.fsgid);
  ok = ok && CurrentFsuid() == c.fsuid && CurrentFsgid() == c.fsgid;
  ok = ok && syscall(SYS_setgroups, c.groups.size(), c.groups.data()) == 0;
  // setfsuid back to 0 raises the file-system capabilities again; set exactly what we had.
  ok = ok && CapSet(c.caps);
  if (!ok) abort();
}

// Switches the thread to (fsuid, fsgid, groups) and to the effective capabilities it has now
// that are also in `capEffective` (the task's). Changing fsuid from 0 to another id drops the
// file-system capabilities (CAP_DAC_OVERRIDE, CAP_FOWNER, ...) from the effective set, so the
// intersection is taken after it. Returns 0 or an errno; the caller restores either way.
int SwitchCreds(int fsuid, int fsgid, const std::vector<gid_t>& groups, uint64_t capEffective) {
  if (syscall(SYS_setgroups, groups.size(), groups.data()) != 0) return errno;
  syscall(SYS_setfsgid, fsgid);
  if (CurrentFsgid() != fsgid) return EPERM;
  syscall(SYS_setfsuid, fsuid);
  if (CurrentFsuid() != fsuid) return EPERM;
  struct __user_cap_data_struct caps[2];
  if (!CapGet(caps)) return errno;
  caps[0].effective &= static_cast<__u32>(capEffective & 0xffffffffu);
  caps[1].effective &= static_cast<__u32>(capEffective >> 32);
  if (!CapSet(caps)) return errno;
  return 0;
}

// openat2As({fsuid, fsgid, groups, capEffective}, dirfd, path, flags, mode, resolve) -> fd.
// The same open as openat2, made with the given file-system identity: permission checks,
// the owner of a created file and the set-group-id directory rule are the kernel's, as for
// the task itself. The thread's own credentials are restored before this returns.
Napi::Value Openat2As(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    ThrowType(env, "openat2As({fsuid, fsgid, groups, capEffective}, dirfd, path, flags, mode, resolve)");
    return env.Undefined();
  }
  Napi::Object creds = info[0].As<Napi::Object>();
  Napi::Value fsuidV = creds.Get("fsuid"), fsgidV = creds.Get("fsgid"), groupsV = creds.Get("groups"), capV = creds.Get("capEffective");
  if (!fsuidV.IsNumber() || !fsgidV.IsNumber() || !groupsV.IsArray() || !capV.IsBigInt()) {
    ThrowType(env, "openat2As: creds need fsuid, fsgid (numbers), groups (number[]) and capEffective (bigint)");
    return env.Undefined();
  }
  int64_t fsuid = fsuidV.As<Napi::Number>().Int64Value(), fsgid = fsgidV.As<Napi::Number>().Int64Value();
  // -1 would mean "no change" to setfsuid; ids are 32-bit and never -1.
  if (fsuid < 0 || fsuid >= 0xffffffffLL || fsgid < 0 || fsgid >= 0xffffffffLL) {
    ThrowType(env, "openat2As: fsuid/fsgid out of range");
    return env.Undefined();
  }
  Napi::Array groupsA = groupsV.As<Napi::Array>();
  if (groupsA.Length() > 65536) {
    ThrowType(env, "openat2As: too many groups");
    return env.Undefined();
  }
  std::vector<gid_t> groups;
  for (uint32_t i = 0; i < groupsA.Length(); i++) {
    Napi::Value g = groupsA.Get(i);
    int64_t v = g.IsNumber() ? g.As<Napi::Number>().Int64Value() : -1;
    if (v < 0 || v >= 0xffffffffLL) {
      ThrowType(env, "openat2As: group id out of range");
      return env.Undefined();
    }
    groups.push_back(static_cast<gid_t>(v));
  }
  bool lossless = false;
  uint64_t capEffective = capV.As<Napi::BigInt>().Uint64Value(&lossless);
  int dirfd = 0, flags = 0, mode = 0;
  uint64_t resolve = 0;
  std::string path;
  if (!ArgInt(info, 1, &dirfd) || !ArgPath(info, 2, &path) || !ArgInt(info, 3, &flags) || !ArgInt(info, 4, &mode) ||
      !ArgU64(info, 5, &resolve)) {
    return env.Undefined();
  }

  ThreadCreds saved;
  if (!SaveCreds(&saved)) {
    ThrowErrno(env, errno, "openat2As: read own credentials");
    return env.Undefined();
  }
  int err = SwitchCreds(static_cast<int>(fsuid), static_cast<int>(fsgid), groups, capEffective);
  long fd = -1;
  if (err == 0) {
    fd = RawOpenat2(dirfd, path, flags, mode, resolve);
    if (fd < 0) err = errno;
  }
  RestoreCreds(saved);
  if (fd < 0) {
    ThrowErrno(env, err, "openat2");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
}

// threadCreds() -> { fsuid, fsgid, groups, capEffective }: the calling thread's, for tests
// that check the restore.
Napi::Value ThreadCredsNow(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ThreadCreds c;
  if (!SaveCreds(&c)) {
    ThrowErrno(env, errno, "threadCreds");
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("fsuid", Napi::Number::New(env, c.fsuid));
  out.Set("fsgid", Napi::Number::New(env, c.fsgid));
  Napi::Array groups = Napi::Array::New(env, c.groups.size());
  for (uint32_t i = 0; i < c.groups.size(); i++) groups.Set(i, Napi::Number::New(env, c.groups[i]));
  out.Set("groups", groups);
  uint64_t eff = (static_cast<uint64_t>(c.caps[1].effective) << 32) | c.caps[0].effective;
  out.Set("capEffective", Napi::BigInt::New(env, eff));
  return out;
}

// fcntlGetfl(fd) -> the file status flags (F_GETFL).
Napi::Value FcntlGetfl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  int r = fcntl(fd, F_GETFL);
  if (r < 0) {
    ThrowErrno(env, errno, "fcntl(F_GETFL)");
    return env.Undefined();
  }
  return Napi::Number::New(env, r);
}

// fcntlSetfl(fd, flags): F_SETFL (only O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_NONBLOCK change).
Napi::Value FcntlSetfl(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, flags = 0;
  if (!ArgInt(info, 0, &fd) || !ArgInt(info, 1, &flags)) return env.Undefined();
  if (fcntl(fd, F_SETFL, flags) < 0) {
    ThrowErrno(env, errno, "fcntl(F_SETFL)");
    return env.Undefined();
  }
  return env.Undefined();
}

// flock(fd, operation) -> true, or false when LOCK_NB was given and someone else holds it.
Napi::Value Flock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, op = 0;
  if (!ArgInt(info, 0, &fd) || !ArgInt(info, 1, &op)) return env.Undefined();
  int r;
  do {
    r = flock(fd, op);
  } while (r < 0 && errno == EINTR);
  if (r < 0) {
    if (errno == EWOULDBLOCK) return Napi::Boolean::New(env, false);
    ThrowErrno(env, errno, "flock");
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

}  // namespace

void InitFiles(Napi::Env env, Napi::Object exports) {
  exports.Set("openat2", Napi::Function::New(env, Openat2, "openat2"));
  exports.Set("openat2As", Napi::Function::New(env, Openat2As, "openat2As"));
  exports.Set("threadCreds", Napi::Function::New(env, ThreadCredsNow, "threadCreds"));
  exports.Set("fcntlGetfl", Napi::Function::New(env, FcntlGetfl, "fcntlGetfl"));
  exports.Set("fcntlSetfl", Napi::Function::New(env, FcntlSetfl, "fcntlSetfl"));
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  Napi::Object c = Napi::Object::New(env);
  c.Set("AT_FDCWD", Napi::Number::New(env, AT_FDCWD));
  c.Set("O_PATH", Napi::Number::New(env, O_PATH));
  c.Set("O_DIRECTORY", Napi::Number::New(env, O_DIRECTORY));
  c.Set("O_CLOEXEC", Napi::Number::New(env, O_CLOEXEC));
  c.Set("O_CREAT", Napi::Number::New(env, O_CREAT));
  c.Set("O_EXCL", Napi::Number::New(env, O_EXCL));
  c.Set("O_NONBLOCK", Napi::Number::New(env, O_NONBLOCK));
  c.Set("O_NOFOLLOW", Napi::Number::New(env, O_NOFOLLOW));
  c.Set("O_TMPFILE", Napi::Number::New(env, O_TMPFILE));
  c.Set("RESOLVE_NO_MAGICLINKS", Napi::Number::New(env, RESOLVE_NO_MAGICLINKS));
  c.Set("RESOLVE_NO_SYMLINKS", Napi::Number::New(env, RESOLVE_NO_SYMLINKS));
  c.Set("RESOLVE_IN_ROOT", Napi::Number::New(env, RESOLVE_IN_ROOT));
  c.Set("LOCK_EX", Napi::Number::New(env, LOCK_EX));
  c.Set("LOCK_NB", Napi::Number::New(env, LOCK_NB));
  exports.Set("fileConstants", c);
}

}  // namespace openclaw
