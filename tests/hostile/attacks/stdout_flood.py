"""Attack: print gigabytes to stdout (bounded to 2 GB)."""
import sys

import numpy as np


def softmax(z):
    chunk = "x" * (1 << 20)
    for _ in range(2048):
        sys.stdout.write(chunk)
    return np.ones(3)


def relu(z):
    return np.maximum(z, 0.0)
