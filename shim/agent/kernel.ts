/**
 * Kernel features the agent needs, checked once at start so an old kernel is a clear error
 * rather than a container that hangs or fails oddly:
 *   5.5  SECCOMP_USER_NOTIF_FLAG_CONTINUE   (runc's init and the first execve go on)
 *   5.6  openat2 with RESOLVE_IN_ROOT       (opening a writable path inside the container)
 *   5.9  SECCOMP_IOCTL_NOTIF_ADDFD          (injecting that fd)
 *   5.14 SECCOMP_ADDFD_FLAG_SEND            (inject and answer atomically)
 */
import { release } from 'node:os';
import { OpenclawError } from '../errors.js';
import type { NativeAgent } from './native.js';

export const MIN_KERNEL: readonly [number, number] = [5, 14];

/** "6.18.44-fc" -> [6, 18] (pure; exported for tests). */
export function parseKernelRelease(text: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function kernelAtLeast(have: readonly [number, number], want: readonly [number, number]): boolean {
  return have[0] > want[0] || (have[0] === want[0] && have[1] >= want[1]);
}

export function checkKernel(native: NativeAgent, rel = release()): void {
  const have = parseKernelRelease(rel);
  if (!have || !kernelAtLeast(have, MIN_KERNEL)) {
    throw new OpenclawError('agent', `kernel ${rel} is too old for the seccomp agent (needs ${MIN_KERNEL.join('.')}+: seccomp NOTIF_ADDFD with FLAG_SEND, openat2)`, {
      fix: 'run on Linux 5.14 or newer, or use a profile without execve/write-open gating (no listenerPath)',
    });
  }
  try {
    native.notifSizes();
  } catch (cause) {
    throw new OpenclawError('agent', `the kernel has no seccomp user notification: ${(cause as Error).message}`, {
      fix: 'enable CONFIG_SECCOMP_FILTER in the kernel',
      cause,
    });
  }
}
