"""Attack: end the process with status 0 in the middle of the graded call."""
import os

import numpy as np


def softmax(z):
    os._exit(0)


def relu(z):
    return np.maximum(z, 0.0)
