"""Attack: swallow every exception (KeyboardInterrupt, SystemExit, MemoryError...) and keep going."""
import numpy as np


def softmax(z):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue


def relu(z):
    return np.maximum(z, 0.0)
