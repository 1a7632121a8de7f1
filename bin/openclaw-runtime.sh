#!/bin/sh
# openclaw-runtime: an OCI runtime shim over runc. The code lives in dist/ (`npm run build`).
# This is the portable fallback launcher: scripts/build-launcher.sh installs the native one
# (launcher/openclaw-runtime.c, same results, no Node start for create/run/features) as
# bin/openclaw-runtime, or a copy of this file when it cannot compile.
#
# Start-up design (measured by `npm run bench`, scripts/bench/results/latest.json; 2-core EPYC,
# runc 1.1.5, Node 20): pass-through costs one sh exec, ~1 ms on runc's ~5 ms (1.2-1.3x;
# `sh -c 'exec runc'` alone is ~0.5-1 ms here, so 1.05x needs a compiled launcher). A create
# through Node costs ~150-250 ms before runc runs: Node start ~85, modules ~110 (less since zod
# and the compiler load only on a compiled-profile cache miss), profile ~4 (cached), merge ~4,
# write ~3. README "Performance" has the latest table.
#
# Engines call state/kill/start/delete on every container and runc answers in ~5 ms, so
# this POSIX sh launcher finds the command the way shim/cli/argv.ts does and
#   - for the commands the shim handles itself (SHIM_COMMANDS below) execs Node with the
#     ORIGINAL argv; `exec` is one of them (the exec'd process is clamped to the profile), so
#     `docker exec` pays a Node start until a resident service takes that over;
#   - for everything else execs runc (or crun) directly with the argv minus the shim's own
#     flags, byte for byte: fds, signals and the exit status are runc's own (exec, no child).
#   - `--help`/`--version` with no command exec Node (the shim's lines, then the runtime's;
#     shim/cli/top-level.ts); with a command they are runc's;
#   - `delete ID` also goes straight to runc when the shim recorded no host set-up for ID
#     (no <state.dir>/containers/ID.json): nothing to undo, so Node would only add its start.
# Whenever something is unusual (a config that names runtime candidates or the state dir, a
# config named but missing, a shim flag without a value, no runtime on PATH) it hands over to
# Node, which gives the same answer with a proper error: correctness first, speed on the
# common path.
#
# NOTE when changing the argv rules also update shim/cli/argv.ts (and the reverse);
# test/unit/launcher/ checks that both agree, and that SHIM_COMMANDS equals the keys of
# shim/commands/index.ts SHIM_COMMANDS (the source of truth).
# NOTE runtime lookup mirrors shim/config/runtime-path.ts and shim/config/load.ts; the delete
# fast path mirrors shim/commands/delete.ts and the record path in shim/host/actions.ts.

SHIM_COMMANDS='create run exec delete features merge validate lint record hook agent denials explain jobs stats install uninstall'

# Node entry: argv[1] is this launcher (so runtime-path.ts skips it on PATH, as before), the
# package root is found from its real path (it may be reached through a symlink).
NODE_ENTRY='
const { realpathSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");
const main = join(dirname(dirname(realpathSync(process.argv[1]))), "dist", "main.js");
import(pathToFileURL(main).href).then(
  (m) => m.main(process.argv.slice(2)),
  (e) => { process.stderr.write(`openclaw-runtime: cannot load ${main} (${e.code ?? e.message}); run npm run build\n`); process.exit(2); },
);'


# Node's default PATH when none is set (shim/config/runtime-path.ts).
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# state.dir's default (shim/config/schema.ts); a config that mentions "state" goes to Node.
DEFAULT_STATE_DIR=/run/openclaw
SELF=$0

# One argument after `delete` (runc-delete(8): -f/--force and one container id; urfave/cli
# takes flags after the id too). Anything else, or an id that is not a plain file name,
# sets del_bad: Node handles it.
delete_arg() {
  if [ -z "$del_ended" ]; then
    case $1 in
      -f | --f | -force | --force | -f=* | --f=* | -force=* | --force=*) return ;;
      --) del_ended=1; return ;;
      -*) del_bad=1; return ;;
    esac
  fi
  case $1 in '' | . | .. | */*) del_bad=1 ;; esac
  if [ -n "$del_id" ]; then del_bad=1; else del_id=$1; fi
}

# Scans the global flags (Go flag rules: -f, --f, --f=v, --f v) up to the command, rotating
# each argument to the back of the function's own "$@" unless it is one of ours, so after the
# scan "$@" is runc's argv. Execs the runtime, or returns when Node must handle the call (the
# caller still has the original argv: a function's positional parameters are its own).
pass_through() {
  cfg=
  cfg_state=
  cmd=
  cmd_next=
  del_id=
  del_bad=
  del_ended=
  shim_answers=
  scanning=1
  n=$#
  while [ "$n" -gt 0 ]; do
    a=$1
    shift
    n=$((n - 1))
    if [ -n "$scanning" ]; then
      case $a in
        --)
          # argv.ts: the argument after "--" is the command.
          set -- "$@" "$a"
          scanning=
          cmd_next=1
          continue
          ;;
        -profile | --profile | -openclaw-config | --openclaw-config)
          [ "$n" -gt 0 ] || return 0 # "needs a value": Node reports it
          case $a in *config) cfg=$1 ;; esac
          shift
          n=$((n - 1))
          continue
          ;;
        -profile=* | --profile=*) continue ;;
        -openclaw-config=* | --openclaw-config=*)
          cfg=${a#*=}
          continue
          ;;
        -log | --log | -log-format | --log-format | -root | --root | -criu | --criu | -rootless | --rootless)
          set -- "$@" "$a"
          if [ "$n" -gt 0 ]; then
            set -- "$@" "$1"
            shift
            n=$((n - 1))
          fi
          continue
          ;;
        -h | --h | -help | --help | -v | --v | -version | --version | -h=* | --h=* | -help=* | --help=* | -v=* | --v=* | -version=* | --version=*)
          shim_answers=1 # with no command Node answers (SHIM_ANSWERED_GLOBAL_FLAGS)
          ;;
        -*) ;; # booleans, --flag=value, unknown flags (runc reports them), a lone "-": kept
        *)
          scanning=
          cmd=$a
          ;;
      esac
    elif [ -n "$cmd_next" ]; then
      cmd=$a
      cmd_next=
    elif [ "$cmd" = delete ]; then
      delete_arg "$a"
    fi
    set -- "$@" "$a"
  done

  # `--help`/`--version` with no command: the shim's lines, then the runtime's (shim/cli/top-level.ts).
  [ -n "$cmd" ] || [ -z "$shim_answers" ] || return 0

  # Only whole words from the list are the shim's ("create run" as one argument is not);
  # a plain `delete ID` may still pass through (below).
  case $cmd in
    delete) [ -z "$del_bad" ] && [ -n "$del_id" ] || return 0 ;;
    *[!a-z]*) ;;
    ?*) case " $SHIM_COMMANDS " in *" $cmd "*) return 0 ;; esac ;;
  esac

  # The runtime config (load.ts): --openclaw-config, else $OPENCLAW_CONFIG, else the default,
  # which alone may be missing. A config that may name runtime candidates goes to Node.
  [ -n "$cfg" ] || cfg=${OPENCLAW_CONFIG:-}
  if [ -n "$cfg" ]; then
    [ -f "$cfg" ] && [ -r "$cfg" ] || return 0
  else
    cfg=/etc/openclaw/config.toml
  fi
  if [ -e "$cfg" ]; then
    [ -f "$cfg" ] && [ -r "$cfg" ] || return 0
    while IFS= read -r line || [ -n "$line" ]; do
      # A backslash could spell the key with escapes: let the real TOML parser decide.
      case $line in *candidates* | *\\*) return 0 ;; *state*) cfg_state=1 ;; esac
    done <"$cfg"
  fi
  # delete undoes the host set-up its create recorded (shim/commands/delete.ts); with no
  # record for this id there is nothing to undo and runc's delete is the whole job.
  if [ "$cmd" = delete ]; then
    [ -z "$cfg_state" ] && ! [ -e "$DEFAULT_STATE_DIR/containers/$del_id.json" ] || return 0
  fi

  # Built-in candidates runc then crun, on PATH, skipping this launcher itself.
  oldifs=$IFS
  IFS=:
  set -f
  for rt in runc crun; do
    for d in ${PATH-$DEFAULT_PATH}; do
      [ -n "$d" ] || continue
      p=$d/$rt
      if [ -f "$p" ] && [ -x "$p" ] && ! [ "$p" -ef "$SELF" ]; then
        IFS=$oldifs
        set +f
        exec "$p" "$@"
      fi
    done
  done
  IFS=$oldifs
  set +f
  return 0 # none found: Node names the problem
}

pass_through "$@"
exec node -e "$NODE_ENTRY" -- "$SELF" "$@"
