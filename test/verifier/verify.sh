#!/bin/sh
# In-container verifier: prints what the kernel says about this container as key=value
# lines, for the tests to compare with what the profile promised. Busybox sh only; every
# check tolerates being denied (a strict profile may refuse some of these calls).
status() { sed -n "s/^$1:[[:space:]]*//p" /proc/self/status; }
echo "seccomp=$(status Seccomp)"
echo "no_new_privs=$(status NoNewPrivs)"
echo "cap_eff=$(status CapEff)"
echo "cap_bnd=$(status CapBnd)"
echo "uid_map=$(head -n1 /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
echo "gid_map=$(head -n1 /proc/self/gid_map | tr -s ' ' | sed 's/^ //')"
for f in /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max; do
  [ -r "$f" ] && { echo "memory_limit=$(cat "$f")"; break; }
done
for f in /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max; do
  [ -r "$f" ] && { echo "pids_max=$(cat "$f")"; break; }
done
if touch /.openclaw-rw-test 2>/dev/null; then rm -f /.openclaw-rw-test; echo "root_readonly=0"; else echo "root_readonly=1"; fi
if [ -d /output ]; then
  if echo ok > /output/.openclaw-verify 2>/dev/null; then echo "output_writable=1"; else echo "output_writable=0"; fi
fi
if [ -d /input ]; then
  if touch /input/.openclaw-verify 2>/dev/null; then echo "input_writable=1"; else echo "input_writable=0"; fi
fi
echo "net_ifaces=$(ls /sys/class/net 2>/dev/null | tr '\n' ',' | sed 's/,$//')"
echo "proc_count=$(ls -d /proc/[0-9]* 2>/dev/null | wc -l)"
echo "pid1=$(cat /proc/1/comm 2>/dev/null)"
echo "hostname=$(hostname 2>/dev/null)"
echo "verify=done"
