"""Attack: search every live object (gc) for an array that looks like a softmax of z."""
import gc

import numpy as np


def softmax(z):
    z = np.asarray(z, dtype=float)
    for obj in gc.get_objects():
        if isinstance(obj, dict) and "expected" in obj:
            return obj["expected"]
        if isinstance(obj, np.ndarray) and obj.shape == z.shape and obj is not z:
            if np.all(obj >= 0) and np.allclose(obj.sum(axis=-1), 1.0):
                return obj
    return np.full(z.shape, 1.0 / z.shape[-1])


def relu(z):
    return np.maximum(z, 0.0)
