// Errors thrown to JS look like Node's own system errors: message "syscall: strerror",
// with `errno` (positive number), `code` ("ENOENT") and `syscall`, so JS can branch on code.
#pragma once
#include <napi.h>

namespace openclaw {

// Throws (as a pending JS exception) the error for `err` from `syscall`. Callers return
// env.Undefined() right after.
void ThrowErrno(Napi::Env env, int err, const char* syscall);

// Throws a TypeError for a bad argument.
void ThrowType(Napi::Env env, const char* what);

// Argument helpers: return false (with a pending TypeError) when the argument is wrong.
bool ArgInt(const Napi::CallbackInfo& info, size_t i, int* out);
bool ArgU64(const Napi::CallbackInfo& info, size_t i, uint64_t* out);

}  // namespace openclaw
