/** e. The seccomp agent (notified-call latency, notifications/s, memory): not measured yet. */
export const id = 'e';
export const title = 'seccomp agent';
export function run() {
  return { skipped: 'not implemented in this harness yet (optional in issue 6): needs a profile with SCMP_ACT_NOTIFY rules and the agent running' };
}
