import multiprocessing
from jobs.outcome import report


def square(x):
    return x * x


def run():
    with multiprocessing.Pool(2) as pool:
        return sum(pool.map(square, range(10)))


if __name__ == "__main__":
    report("multiproc", run)
