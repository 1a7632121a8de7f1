import os
import sys
from jobs.outcome import report


def write_read(directory):
    path = os.path.join(directory, f"job-{os.getpid()}.bin")
    data = os.urandom(1 << 20)
    with open(path, "wb") as f:
        f.write(data)
    with open(path, "rb") as f:
        ok = f.read() == data
    os.unlink(path)
    return f"{directory} {len(data)} {ok}"


report(sys.argv[1] if len(sys.argv) > 1 else "tmp_write", lambda: write_read(sys.argv[2] if len(sys.argv) > 2 else "/tmp"))
