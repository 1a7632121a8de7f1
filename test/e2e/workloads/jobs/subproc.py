import subprocess
import sys
from jobs.outcome import report


def run():
    r = subprocess.run([sys.executable, "-c", "print(6 * 7)"], capture_output=True, text=True, check=True)
    return r.stdout.strip()


report("subproc", run)
