"""How every job reports: `OK <job> <detail>` and exit 0, or `DENIED <job> <exception> errno=<name>`
and exit 3 when the sandbox (or anything else) refused a system call; the test asserts the
errno name the profile's intent predicts."""
import errno
import sys


def report(job, fn):
    try:
        detail = fn()
    except OSError as e:
        name = errno.errorcode.get(e.errno, str(e.errno)) if e.errno is not None else "none"
        print(f"DENIED {job} {type(e).__name__} errno={name} {e}", flush=True)
        sys.exit(3)
    print(f"OK {job} {detail}", flush=True)
