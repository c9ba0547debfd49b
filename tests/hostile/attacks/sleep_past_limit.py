"""Attack: sleep past the time limit (a CPU-time limit alone would never fire)."""
import time

import numpy as np


def softmax(z):
    time.sleep(3600)
    return np.zeros(3)


def relu(z):
    return np.maximum(z, 0.0)
