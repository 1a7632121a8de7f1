// Unix stream sockets with file-descriptor passing. runc connects to the agent's socket and
// sends the seccomp listener fd with SCM_RIGHTS; Node's net module cannot receive fds on a
// plain unix socket, so listen/accept/recvmsg live here. Every socket is non-blocking and
// close-on-exec: readiness comes from Poller, never from blocking the event loop.
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <vector>

#include "errors.h"
#include "exports.h"

namespace openclaw {
namespace {

// listenUnix(path, backlog) -> fd. Fails with EADDRINUSE if the path exists: the caller
// decides (under its lock) whether a stale socket may be removed.
Napi::Value ListenUnix(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int backlog = 0;
  if (info.Length() < 1 || !info[0].IsString() || !ArgInt(info, 1, &backlog)) {
    if (!env.IsExceptionPending()) ThrowType(env, "listenUnix(path, backlog)");
    return env.Undefined();
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  struct sockaddr_un addr;
  memset(&addr, 0, sizeof addr);
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    ThrowErrno(env, ENAMETOOLONG, "bind");
    return env.Undefined();
  }
  memcpy(addr.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ThrowErrno(env, errno, "socket");
    return env.Undefined();
  }
  if (bind(fd, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) < 0) {
    int e = errno;
    close(fd);
    ThrowErrno(env, e, "bind");
    return env.Undefined();
  }
  if (listen(fd, backlog) < 0) {
    int e = errno;
    close(fd);
    ThrowErrno(env, e, "listen");
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// acceptConn(listenFd) -> fd, or null when no connection is waiting.
Napi::Value AcceptConn(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int lfd = 0;
  if (!ArgInt(info, 0, &lfd)) return env.Undefined();
  int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return env.Null();
    ThrowErrno(env, errno, "accept4");
    return env.Undefined();
  }
  return Napi::Number::New(env, fd);
}

// recvWithFds(fd, maxBytes, maxFds) -> { data: Buffer, fds: number[], truncated: boolean }
// or null when nothing is readable yet. data.length == 0 means end of stream. Received fds
// are close-on-exec; any beyond maxFds are closed here (MSG_CTRUNC) and reported as truncated.
Napi::Value RecvWithFds(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0, maxBytes = 0, maxFds = 0;
  if (!ArgInt(info, 0, &fd) || !ArgInt(info, 1, &maxBytes) || !ArgInt(info, 2, &maxFds)) return env.Undefined();
  if (maxBytes <= 0 || maxFds < 0 || maxFds > 64) {
    ThrowType(env, "recvWithFds: maxBytes > 0, 0 <= maxFds <= 64");
    return env.Undefined();
  }
  std::vector<char> data(static_cast<size_t>(maxBytes));
  std::vector<char> control(CMSG_SPACE(sizeof(int) * (maxFds > 0 ? maxFds : 1)));
  struct iovec iov = {data.data(), data.size()};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return env.Null();
    ThrowErrno(env, errno, "recvmsg");
    return env.Undefined();
  }
  Napi::Array fds = Napi::Array::New(env);
  uint32_t count = 0;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const int* p = reinterpret_cast<const int*>(CMSG_DATA(c));
    for (size_t i = 0; i < nfds; i++) {
      int got;
      memcpy(&got, p + i, sizeof got);
      if (count < static_cast<uint32_t>(maxFds)) {
        fds.Set(count++, Napi::Number::New(env, got));
      } else {
        close(got);  // more than the caller asked for: never leak it
      }
    }
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("data", Napi::Buffer<char>::Copy(env, data.data(), static_cast<size_t>(n)));
  out.Set("fds", fds);
  out.Set("truncated", Napi::Boolean::New(env, (msg.msg_flags & MSG_CTRUNC) != 0));
  return out;
}

// peerCred(fd) -> { pid, uid, gid } of the connected peer (SO_PEERCRED).
Napi::Value PeerCred(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
    ThrowErrno(env, errno, "getsockopt(SO_PEERCRED)");
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("pid", Napi::Number::New(env, cred.pid));
  out.Set("uid", Napi::Number::New(env, cred.uid));
  out.Set("gid", Napi::Number::New(env, cred.gid));
  return out;
}

// closeFd(fd): close(2). EINTR/EBADF are reported; the fd is gone either way on Linux.
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = 0;
  if (!ArgInt(info, 0, &fd)) return env.Undefined();
  if (close(fd) < 0 && errno != EINTR) {
    ThrowErrno(env, errno, "close");
    return env.Undefined();
  }
  return env.Undefined();
}

}  // namespace

void InitUnixSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("listenUnix", Napi::Function::New(env, ListenUnix, "listenUnix"));
  exports.Set("acceptConn", Napi::Function::New(env, AcceptConn, "acceptConn"));
  exports.Set("recvWithFds", Napi::Function::New(env, RecvWithFds, "recvWithFds"));
  exports.Set("peerCred", Napi::Function::New(env, PeerCred, "peerCred"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
}

}  // namespace openclaw
