/**
 * The recording filter: every system call goes to the recorder (SCMP_ACT_NOTIFY, answered
 * with SECCOMP_USER_NOTIF_FLAG_CONTINUE), except `write`, which runc 1.1.5 refuses to notify
 * (its init reports to its parent with write() after loading the filter). `write` is not
 * recorded; the profile built from a recording allows it (aggregate.ts says why in its comment).
 * runc refuses SCMP_ACT_NOTIFY as the default action: every call of the native table is named
 * instead, and the default (a number libseccomp does not know) answers ENOSYS, as an older
 * kernel would.
 *
 * Nothing else needs to run unseen, measured with runc 1.1.5 and crun 1.8.1 (five recordings
 * of the Python job in docs/write-your-own-profile.md each, every call but write notified,
 * Go's thread clones included): the calls runc's or crun's init makes between loading the
 * filter and the recorder holding the listener wait in the kernel until the recorder reads
 * them; neither runtime's parent waits on those calls before passing the listener on, so the
 * hand-off cannot deadlock. (SCMP_ACT_LOG instead was not used: the kernel rate-limits audit
 * lines, see the same document.)
 * Chosen only by root running `openclaw-runtime record` (commands/record.ts writes it into a
 * bundle of its own); no annotation or profile can ask for it.
 */
import type { SpecSeccomp } from '../oci/types.js';
import { ERRNO, nativeScmpArch, ARCH_BY_SCMP } from '../seccomp/vocabulary.js';
import { SYSCALLS, syscallExists } from '../seccomp/syscall-table.js';

/** Calls that run unrecorded, with why. */
export const RECORD_UNSEEN: Readonly<Record<string, string>> = {
  write: 'runc refuses SCMP_ACT_NOTIFY for write (its init reports to its parent with it after loading the filter)',
};

export interface RecordingFilterOptions {
  listenerPath: string;
  /** SCMP_ARCH_* (default: this host's). */
  arch?: string;
}

/** The OCI linux.seccomp of a recording run. */
export function recordingSeccomp(opts: RecordingFilterOptions): SpecSeccomp {
  const arch = opts.arch ?? nativeScmpArch();
  const resolver = ARCH_BY_SCMP[arch]?.resolver;
  if (resolver === undefined) throw new Error(`unknown architecture ${arch}`);
  const unseen = Object.keys(RECORD_UNSEEN).filter((n) => syscallExists(n, resolver)).sort();
  const notified = Object.keys(SYSCALLS)
    .filter((n) => syscallExists(n, resolver) && !Object.hasOwn(RECORD_UNSEEN, n))
    .sort();
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: ERRNO.ENOSYS,
    architectures: [arch],
    listenerPath: opts.listenerPath,
    // The recorder reads nothing from it; runc requires the field with listenerPath.
    listenerMetadata: JSON.stringify({ record: 1 }),
    syscalls: [
      { names: unseen, action: 'SCMP_ACT_ALLOW' },
      { names: notified, action: 'SCMP_ACT_NOTIFY' },
    ],
  };
}
