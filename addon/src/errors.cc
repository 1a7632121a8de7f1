#include "errors.h"

#include <string.h>

#include <string>

namespace openclaw {

void ThrowErrno(Napi::Env env, int err, const char* syscall) {
  std::string msg = std::string(syscall) + ": " + strerror(err);
  Napi::Error e = Napi::Error::New(env, msg);
  const char* name = strerrorname_np(err);
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("code", Napi::String::New(env, name ? name : "EUNKNOWN"));
  e.Set("syscall", Napi::String::New(env, syscall));
  e.ThrowAsJavaScriptException();
}

void ThrowType(Napi::Env env, const char* what) {
  Napi::TypeError::New(env, what).ThrowAsJavaScriptException();
}

bool ArgInt(const Napi::CallbackInfo& info, size_t i, int* out) {
  if (info.Length() <= i || !info[i].IsNumber()) {
    ThrowType(info.Env(), "expected an integer argument");
    return false;
  }
  *out = info[i].As<Napi::Number>().Int32Value();
  return true;
}

// Seccomp ids and arguments are full 64-bit values: they travel as bigint (a number is
// accepted too for small values, which is convenient in tests).
bool ArgU64(const Napi::CallbackInfo& info, size_t i, uint64_t* out) {
  if (info.Length() > i && info[i].IsBigInt()) {
    bool lossless = false;
    *out = info[i].As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) {
      ThrowType(info.Env(), "bigint argument out of 64-bit range");
      return false;
    }
    return true;
  }
  if (info.Length() > i && info[i].IsNumber()) {
    double d = info[i].As<Napi::Number>().DoubleValue();
    if (d < 0 || d > 9007199254740991.0) {
      ThrowType(info.Env(), "number argument out of range: pass a bigint");
      return false;
    }
    *out = static_cast<uint64_t>(d);
    return true;
  }
  ThrowType(info.Env(), "expected a bigint argument");
  return false;
}

}  // namespace openclaw
