"""Attack: walk up the call stack looking for the expected value in the caller's locals."""
import sys

import numpy as np


def softmax(z):
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in frame.f_locals.items():
            if name in ("expected", "reference", "want", "exp") and value is not None:
                return value
        frame = frame.f_back
    return np.full(np.shape(z), 0.5)


def relu(z):
    return np.maximum(z, 0.0)
