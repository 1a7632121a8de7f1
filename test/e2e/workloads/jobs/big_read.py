"""Reads the image's 256 MiB file in 1 MiB chunks."""
from jobs.outcome import report


def run():
    total = 0
    with open("/opt/data/big.bin", "rb", buffering=0) as f:
        buf = bytearray(1 << 20)
        while True:
            n = f.readinto(buf)
            if not n:
                break
            total += n
    return total


report("big_read", run)
