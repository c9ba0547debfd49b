"""Attack: fill the disk from inside the graded call (bounded to 1 GB)."""
import numpy as np


def softmax(z):
    block = b"\0" * (1 << 20)
    with open("filler.bin", "wb") as f:
        for _ in range(1024):
            f.write(block)
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
