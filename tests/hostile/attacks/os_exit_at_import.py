"""Attack: os._exit(0) at import: no exception, no cleanup, status 0."""
import os

import numpy as np


def softmax(z):
    return np.zeros(3)


def relu(z):
    return np.maximum(z, 0.0)


os._exit(0)
