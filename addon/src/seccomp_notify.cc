// Seccomp user notification (SECCOMP_RET_USER_NOTIF) ioctls on a listener fd, as plain
// values: ids and arguments are bigint, nothing is decided here.
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "errors.h"
#include "exports.h"

namespace openclaw {
namespace {

// The kernel's view of the structures: it may be newer (larger) than our headers. RECV
// writes the kernel's size, so the buffer is the larger of both; it must be zeroed or RECV
// answers EINVAL.
struct seccomp_notif_sizes KernelSizes() {
  static struct seccomp_notif_sizes sizes = {0, 0, 0};
  static bool done = false;
  if (!done) {
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
      memset(&sizes, 0, sizeof sizes);
    }
    done = true;
  }
  return sizes;
}

// notifSizes() -> { notif, resp, data } as the running kernel reports them, or throws when
// the kernel has no user notification at all.
Napi::Value NotifSizes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  struct seccomp_notif_sizes sizes;
  if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) {
    ThrowErrno(env, errno, "seccomp(SECCOMP_GET_NOTIF_SIZES)");
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("notif", Napi::Number::New(env, sizes.seccomp_notif));
  out.Set("resp", Napi::Number::New(env, sizes.seccomp_notif_resp));
  out.Set("data", Napi::Number::New(env, sizes.seccomp_data));
  return out;
}

// notifRecv(fd) -> { id, pid, flags, data: { nr, arch, instructionPointer, args[6] } } or
// null when no notification is pending. It polls first because RECV itself blocks (the
// kernel ignores O_NONBLOCK for it), and it must never block Node's event loop. ENOENT
// (the caller was killed between poll and RECV) is also null.
Napi::Value NotifRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  struct pollfd p = {fd, POLLIN, 0};
  int r = poll(&p, 1, 0);
  if (r < 0) {
    if (errno == EINTR) return env.Null();
    ThrowErrno(env, errno, "poll");
    return env.Undefined();
  }
  if (r == 0 || (p.revents & POLLIN) == 0) return env.Null();
  size_t size = sizeof(struct seccomp_notif);
  if (KernelSizes().seccomp_notif > size) size = KernelSizes().seccomp_notif;
  std::vector<unsigned char> buf(size, 0);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, buf.data()) < 0) {
    if (errno == ENOENT || errno == EINTR) return env.Null();
    ThrowErrno(env, errno, "ioctl(SECCOMP_IOCTL_NOTIF_RECV)");
    return env.Undefined();
  }
  struct seccomp_notif n;
  memcpy(&n, buf.data(), sizeof n);
  Napi::Object data = Napi::Object::New(env);
  data.Set("nr", Napi::Number::New(env, n.data.nr));
  data.Set("arch", Napi::Number::New(env, n.data.arch));
  data.Set("instructionPointer", Napi::BigInt::New(env, static_cast<uint64_t>(n.data.instruction_pointer)));
  Napi::Array args = Napi::Array::New(env, 6);
  for (uint32_t i = 0; i < 6; i++) args.Set(i, Napi::BigInt::New(env, static_cast<uint64_t>(n.data.args[i])));
  data.Set("args", args);
  Napi::Object out = Napi::Object::New(env);
  out.Set("id", Napi::BigInt::New(env, static_cast<uint64_t>(n.id)));
  out.Set("pid", Napi::Number::New(env, n.pid));
  out.Set("flags", Napi::Number::New(env, n.flags));
  out.Set("data", data);
  return out;
}

// notifSend(fd, id, val, error, flags): error is 0 or a negative errno; flags may hold
// SECCOMP_USER_NOTIF_FLAG_CONTINUE (then val and error must be 0). Throws with code ENOENT
// when the target is gone (killed, or the id is stale).
Napi::Value NotifSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, error = 0, flags = 0;
  uint64_t id = 0, val = 0;
  if (!ArgInt(info, 0, &fd) || !ArgU64(info, 1, &id) || !ArgU64(info, 2, &val) || !ArgInt(info, 3, &error) ||
      !ArgInt(info, 4, &flags)) {
    return env.Undefined();
  }
  size_t size = sizeof(struct seccomp_notif_resp);
  if (KernelSizes().seccomp_notif_resp > size) size = KernelSizes().seccomp_notif_resp;
  std::vector<unsigned char> buf(size, 0);
  struct seccomp_notif_resp resp;
  memset(&resp, 0, sizeof resp);
  resp.id = id;
  resp.val = static_cast<__s64>(val);
  resp.error = error;
  resp.flags = static_cast<__u32>(flags);
  memcpy(buf.data(), &resp, sizeof resp);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, buf.data()) < 0) {
    ThrowErrno(env, errno, "ioctl(SECCOMP_IOCTL_NOTIF_SEND)");
    return env.Undefined();
  }
  return env.Undefined();
}

// notifIdValid(fd, id) -> boolean: whether the notifying task is still blocked in that very
// call. Checked after reading the task's memory, so what was read belongs to this call.
Napi::Value NotifIdValid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0;
  uint64_t id = 0;
  if (!ArgInt(info, 0, &fd) || !ArgU64(info, 1, &id)) return env.Undefined();
  __u64 kid = id;
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &kid) < 0) {
    if (errno == ENOENT) return Napi::Boolean::New(env, false);
    ThrowErrno(env, errno, "ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID)");
    return env.Undefined();
  }
  return Napi::Boolean::New(env, true);
}

// notifAddfd(fd, id, srcfd, newfdFlags, flags, newfd = 0) -> the fd number in the target.
// With SECCOMP_ADDFD_FLAG_SEND (5.14+) this also answers the call with that number,
// atomically; then no notifSend may follow.
Napi::Value NotifAddfd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, srcfd = 0, newfdFlags = 0, flags = 0, newfd = 0;
  uint64_t id = 0;
  if (!ArgInt(info, 0, &fd) || !ArgU64(info, 1, &id) || !ArgInt(info, 2, &srcfd) || !ArgInt(info, 3, &newfdFlags) ||
      !ArgInt(info, 4, &flags)) {
    return env.Undefined();
  }
  if (info.Length() > 5 && !ArgInt(info, 5, &newfd)) return env.Undefined();
  struct seccomp_notif_addfd addfd;
  memset(&addfd, 0, sizeof addfd);
  addfd.id = id;
  addfd.flags = static_cast<__u32>(flags);
  addfd.srcfd = static_cast<__u32>(srcfd);
  addfd.newfd = static_cast<__u32>(newfd);
  addfd.newfd_flags = static_cast<__u32>(newfdFlags);
  int r = ioctl(fd, SECCOMP_IOCTL_NOTIF_ADDFD, &addfd);
  if (r < 0) {
    ThrowErrno(env, errno, "ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)");
    return env.Undefined();
  }
  return Napi::Number::New(env, r);
}

}  // namespace

void InitSeccompNotify(Napi::Env env, Napi::Object exports) {
  exports.Set("notifSizes", Napi::Function::New(env, NotifSizes, "notifSizes"));
  exports.Set("notifRecv", Napi::Function::New(env, NotifRecv, "notifRecv"));
  exports.Set("notifSend", Napi::Function::New(env, NotifSend, "notifSend"));
  exports.Set("notifIdValid", Napi::Function::New(env, NotifIdValid, "notifIdValid"));
  exports.Set("notifAddfd", Napi::Function::New(env, NotifAddfd, "notifAddfd"));
  Napi::Object c = Napi::Object::New(env);
  c.Set("SECCOMP_USER_NOTIF_FLAG_CONTINUE", Napi::Number::New(env, SECCOMP_USER_NOTIF_FLAG_CONTINUE));
  c.Set("SECCOMP_ADDFD_FLAG_SEND", Napi::Number::New(env, SECCOMP_ADDFD_FLAG_SEND));
  exports.Set("seccompConstants", c);
}

}  // namespace openclaw
