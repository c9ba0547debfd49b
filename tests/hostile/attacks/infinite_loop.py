"""Attack: an infinite loop inside the graded function."""
import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=float)
    while True:
        z = z + 0.0


def relu(z):
    return np.maximum(z, 0.0)
