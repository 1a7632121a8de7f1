// Module entry: collects the exports of each source file.
#include <napi.h>

#include "exports.h"

namespace {
Napi::Object Init(Napi::Env env, Napi::Object exports) {
  openclaw::InitUnixSocket(env, exports);
  openclaw::InitSeccompNotify(env, exports);
  openclaw::InitFiles(env, exports);
  openclaw::InitPoller(env, exports);
  return exports;
}
}  // namespace

NODE_API_MODULE(openclaw_agent, Init)
