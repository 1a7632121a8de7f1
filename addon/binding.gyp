# The seccomp agent's native addon: thin wrappers over Linux system calls that Node cannot
# make (recvmsg with SCM_RIGHTS, seccomp notification ioctls, openat2, flock) plus a uv_poll
# readiness watcher. No policy lives here: every decision is made in shim/agent/.
# Built by scripts/build-addon.sh; loaded by shim/agent/native.ts.
{
  "targets": [
    {
      "target_name": "openclaw_agent",
      "sources": [
        "src/addon.cc",
        "src/errors.cc",
        "src/unix_socket.cc",
        "src/seccomp_notify.cc",
        "src/files.cc",
        "src/poller.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions"],
      "conditions": [["OS!='linux'", {"type": "none"}]]
    }
  ]
}
