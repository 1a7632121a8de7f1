// Readiness without blocking Node: a uv_poll_t on an fd calls back into JS on the event
// loop. The callback gets the fd's current revents from a zero-timeout poll(2), because
// libuv folds POLLHUP into "readable" and the agent must tell "a notification is waiting"
// (POLLIN) from "every task of this filter is gone" (POLLHUP) to free a container's state.
#include <errno.h>
#include <poll.h>
#include <uv.h>

#include "errors.h"
#include "exports.h"

namespace openclaw {
namespace {

int PollNowRaw(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  int r;
  do {
    r = poll(&p, 1, 0);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;
  return r == 0 ? 0 : p.revents;
}

// new Poller(fd, callback(revents)) watches fd for readability until stop(). While active
// it keeps itself alive (a strong reference), so JS need not hold it; stop() is idempotent
// and must be called before the fd is closed.
class Poller : public Napi::ObjectWrap<Poller> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Poller",
                       {InstanceMethod("stop", &Poller::Stop), InstanceMethod("pause", &Poller::Pause),
                        InstanceMethod("resume", &Poller::Resume)});
  }

  explicit Poller(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Poller>(info) {
    Napi::Env env = info.Env();
    if (!ArgInt(info, 0, &fd_)) return;
    if (info.Length() < 2 || !info[1].IsFunction()) {
      ThrowType(env, "new Poller(fd, callback)");
      return;
    }
    uv_loop_t* loop = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
      Napi::Error::New(env, "Poller: no libuv loop").ThrowAsJavaScriptException();
      return;
    }
    handle_ = new uv_poll_t;
    handle_->data = this;
    int err = uv_poll_init(loop, handle_, fd_);
    if (err != 0) {
      delete handle_;
      handle_ = nullptr;
      ThrowErrno(env, -err, "uv_poll_init");
      return;
    }
    err = uv_poll_start(handle_, UV_READABLE | UV_DISCONNECT, OnPoll);
    if (err != 0) {
      CloseHandle();
      ThrowErrno(env, -err, "uv_poll_start");
      return;
    }
    callback_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = new Napi::AsyncContext(env, "openclaw:poller");
    Ref();  // stay alive while watching
    active_ = true;
  }

  ~Poller() override {
    // Only reached after stop() (Ref keeps an active poller alive), but be safe.
    CloseHandle();
    delete context_;
  }

 private:
  static void OnPoll(uv_poll_t* h, int status, int /*events*/) {
    Poller* self = static_cast<Poller*>(h->data);
    if (self == nullptr || !self->active_) return;
    Napi::Env env = self->Env();
    Napi::HandleScope scope(env);
    int revents = status < 0 ? POLLERR : PollNowRaw(self->fd_, POLLIN);
    if (revents < 0) revents = POLLERR;
    if (revents == 0) return;  // spurious wake-up (another reader took it)
    self->callback_.MakeCallback(self->Value(), {Napi::Number::New(env, revents)}, *self->context_);
  }

  Napi::Value Stop(const Napi::CallbackInfo& info) {
    if (active_) {
      active_ = false;
      CloseHandle();
      callback_.Reset();
      Unref();
    }
    return info.Env().Undefined();
  }

  // pause(): no callbacks until resume(), while the fd stays open (the agent holds a listener
  // back while it waits its turn or its rate limit; readiness is level-triggered, so a paused
  // fd would otherwise call back on every loop iteration). Both are idempotent.
  Napi::Value Pause(const Napi::CallbackInfo& info) {
    if (active_ && !paused_ && handle_ != nullptr) {
      uv_poll_stop(handle_);
      paused_ = true;
    }
    return info.Env().Undefined();
  }

  Napi::Value Resume(const Napi::CallbackInfo& info) {
    if (active_ && paused_ && handle_ != nullptr) {
      int err = uv_poll_start(handle_, UV_READABLE | UV_DISCONNECT, OnPoll);
      if (err != 0) {
        ThrowErrno(info.Env(), -err, "uv_poll_start");
        return info.Env().Undefined();
      }
      paused_ = false;
    }
    return info.Env().Undefined();
  }

  void CloseHandle() {
    if (handle_ == nullptr) return;
    uv_poll_stop(handle_);
    handle_->data = nullptr;
    uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* h) { delete reinterpret_cast<uv_poll_t*>(h); });
    handle_ = nullptr;
  }

  int fd_ = -1;
  bool active_ = false;
  bool paused_ = false;
  uv_poll_t* handle_ = nullptr;
  Napi::FunctionReference callback_;
  Napi::AsyncContext* context_ = nullptr;
};

}  // namespace

void InitPoller(Napi::Env env, Napi::Object exports) {
  exports.Set("Poller", Poller::Define(env));
  Napi::Object c = Napi::Object::New(env);
  c.Set("POLLIN", Napi::Number::New(env, POLLIN));
  c.Set("POLLERR", Napi::Number::New(env, POLLERR));
  c.Set("POLLHUP", Napi::Number::New(env, POLLHUP));
  c.Set("POLLNVAL", Napi::Number::New(env, POLLNVAL));
  exports.Set("pollConstants", c);
}

}  // namespace openclaw
