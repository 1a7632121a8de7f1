import threading
from jobs.outcome import report


def run():
    out = [0] * 4

    def work(i):
        out[i] = sum(range(i * 100000, (i + 1) * 100000))

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(out)


report("threads", run)
