import numpy as np
from jobs.outcome import report


def run():
    a = np.arange(256 * 256, dtype=np.float64).reshape(256, 256) % 7
    b = np.eye(256) * 2
    c = a @ b
    return f"{int(c.sum())} numpy{np.__version__}"


report("numpy_matmul", run)
