// One Init function per source file; addon.cc calls them all.
// What they export is listed in shim/agent/native.ts (NATIVE_EXPORTS, NATIVE_CONSTANTS);
// test/unit/agent/native.test.ts fails when the two differ.
#pragma once
#include <napi.h>

namespace openclaw {
void InitUnixSocket(Napi::Env env, Napi::Object exports);
void InitSeccompNotify(Napi::Env env, Napi::Object exports);
void InitFiles(Napi::Env env, Napi::Object exports);
void InitPoller(Napi::Env env, Napi::Object exports);
}  // namespace openclaw
