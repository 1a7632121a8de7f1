// One Init function per source file; addon.cc calls them all.
// NOTE when adding a function also add it to the NativeAgent interface in shim/agent/native.ts.
#pragma once
#include <napi.h>

namespace openclaw {
void InitUnixSocket(Napi::Env env, Napi::Object exports);
void InitSeccompNotify(Napi::Env env, Napi::Object exports);
void InitFiles(Napi::Env env, Napi::Object exports);
void InitPoller(Napi::Env env, Napi::Object exports);
}  // namespace openclaw
