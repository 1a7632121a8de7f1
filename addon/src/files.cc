// File operations Node lacks: openat2 (RESOLVE_IN_ROOT keeps a lookup inside a container's
// root, symlinks included) and flock (the agent's single-instance lock).
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "exports.h"

namespace openclaw {
namespace {

// openat2(dirfd, path, flags, mode, resolve) -> fd. O_CLOEXEC is always added: the agent
// never hands these fds to a child; it injects them with notifAddfd and closes its copy.
Napi::Value Openat2(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dirfd = 0, flags = 0, mode = 0;
  uint64_t resolve = 0;
  if (!ArgInt(info, 0, &dirfd)) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsString()) {
    ThrowType(env, "openat2(dirfd, path, flags, mode, resolve)");
    return env.Undefined();
  }
  if (!ArgInt(info, 2, &flags) || !ArgInt(info, 3, &mode) || !ArgU64(info, 4, &resolve)) return env.Undefined();
  std::string path = info[1].As<Napi::String>().Utf8Value();
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = static_cast<__u64>(static_cast<unsigned int>(flags) | O_CLOEXEC);
  // The kernel refuses a mode without O_CREAT/O_TMPFILE.
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? static_cast<__u64>(mode & 07777) : 0;
  how.resolve = resolve;
  long fd = syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
  if (fd < 0) {
    ThrowErrno(env, errno, "openat2");
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(fd));
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
  exports.Set("flock", Napi::Function::New(env, Flock, "flock"));
  Napi::Object c = Napi::Object::New(env);
  c.Set("AT_FDCWD", Napi::Number::New(env, AT_FDCWD));
  c.Set("O_PATH", Napi::Number::New(env, O_PATH));
  c.Set("O_DIRECTORY", Napi::Number::New(env, O_DIRECTORY));
  c.Set("O_CLOEXEC", Napi::Number::New(env, O_CLOEXEC));
  c.Set("O_CREAT", Napi::Number::New(env, O_CREAT));
  c.Set("O_EXCL", Napi::Number::New(env, O_EXCL));
  c.Set("O_NOCTTY", Napi::Number::New(env, O_NOCTTY));
  c.Set("RESOLVE_NO_XDEV", Napi::Number::New(env, RESOLVE_NO_XDEV));
  c.Set("RESOLVE_NO_MAGICLINKS", Napi::Number::New(env, RESOLVE_NO_MAGICLINKS));
  c.Set("RESOLVE_NO_SYMLINKS", Napi::Number::New(env, RESOLVE_NO_SYMLINKS));
  c.Set("RESOLVE_BENEATH", Napi::Number::New(env, RESOLVE_BENEATH));
  c.Set("RESOLVE_IN_ROOT", Napi::Number::New(env, RESOLVE_IN_ROOT));
  c.Set("LOCK_SH", Napi::Number::New(env, LOCK_SH));
  c.Set("LOCK_EX", Napi::Number::New(env, LOCK_EX));
  c.Set("LOCK_NB", Napi::Number::New(env, LOCK_NB));
  c.Set("LOCK_UN", Napi::Number::New(env, LOCK_UN));
  exports.Set("fileConstants", c);
}

}  // namespace openclaw
