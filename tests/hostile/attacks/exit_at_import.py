"""Attack: sys.exit(0) while being imported, hoping "exit status 0" reads as success."""
import sys

import numpy as np


def softmax(z):
    return np.zeros(3)


def relu(z):
    return np.maximum(z, 0.0)


sys.exit(0)
