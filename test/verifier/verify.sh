#!/bin/sh
# In-container verifier: prints key=value facts about the sandbox it runs in, one per line.
# Only shell builtins are used (no $(...), no external commands: no fork, no exec), so it
# also runs under profiles that deny process creation. The e2e tests compare the facts with
# what the profile promised (test/e2e/expectations.ts).
# NOTE when adding a fact also update VerifierFacts in test/e2e/expectations.ts.

# field FILE NAME: sets V to the value after "NAME:" in FILE (leading blanks removed), or "?".
field() {
  V='?'
  [ -r "$1" ] || return 0
  while IFS= read -r line; do
    case "$line" in
      "$2:"*)
        V=${line#*:}
        V=${V#"${V%%[!	 ]*}"}
        return 0 ;;
    esac
  done < "$1"
}

# first FILE: sets V to the file's first line with runs of blanks turned into ":", or "absent".
first() {
  V=absent
  [ -r "$1" ] || return 0
  IFS=' 	' read -r a b c rest < "$1" || true
  V="$a:$b:$c"
  [ -z "$b" ] && V="$a"
  return 0
}

field /proc/$$/status Seccomp;    echo "seccomp=$V"
field /proc/$$/status NoNewPrivs; echo "no_new_privs=$V"
field /proc/$$/status CapEff;     echo "cap_eff=$V"
field /proc/$$/status CapBnd;     echo "cap_bnd=$V"
field /proc/$$/status Uid;        echo "uid=${V%%[!0-9]*}"
field /proc/$$/status Gid;        echo "gid=${V%%[!0-9]*}"
first /proc/self/uid_map;         echo "uid_map=$V"
first /proc/self/gid_map;         echo "gid_map=$V"
echo "pid=$$"

# cgroup limits: v1 controller mounts, then the unified (v2) files.
first /sys/fs/cgroup/memory/memory.limit_in_bytes; echo "memory_v1=$V"
first /sys/fs/cgroup/memory.max;                   echo "memory_v2=$V"
first /sys/fs/cgroup/pids/pids.max;                echo "pids_v1=$V"
first /sys/fs/cgroup/pids.max;                     echo "pids_v2=$V"

# The root mount's options, from the mount table.
root_opts='?'
while IFS=' ' read -r dev mnt fstype opts rest; do
  [ "$mnt" = / ] && root_opts=${opts%%,*}
done < /proc/self/mounts
echo "root_mount=$root_opts"

# Whether / and /output take a new file: a real open(O_CREAT) by a builtin redirection (no
# process is started; `true`, not the special builtin `:`, whose redirection error would end the shell). `[ -w / ]` is not enough: busybox answers it from the mode bits for root.
# A writable root keeps the empty probe file (removing it would need a process).
if { true > /.openclaw-probe; } 2>/dev/null; then echo "root_writable=yes"; else echo "root_writable=no"; fi
if [ -d /output ]; then
  if { true > /output/.openclaw-probe; } 2>/dev/null; then echo "output_writable=yes"; else echo "output_writable=no"; fi
else
  echo "output_writable=absent"
fi

# Network interfaces in this namespace (from /proc/net/dev: two header lines, then "name: ...").
ifaces=''
n=0
while IFS= read -r line; do
  n=$((n + 1))
  [ $n -le 2 ] && continue
  name=${line%%:*}
  name=${name#"${name%%[! ]*}"}
  ifaces="${ifaces:+$ifaces,}$name"
done < /proc/net/dev
echo "net_ifaces=$ifaces"

# Processes visible: in a private pid namespace only this shell (pid 1) and its children.
count=0
for p in /proc/[0-9]*; do
  [ -d "$p" ] && count=$((count + 1))
done
echo "visible_pids=$count"
first /proc/1/comm; echo "pid1_comm=$V"

# The hostname (uts namespace).
first /proc/sys/kernel/hostname; echo "hostname=$V"
echo "done=1"
