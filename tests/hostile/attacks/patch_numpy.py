"""Attack: make numpy's comparisons always succeed, then return garbage."""
import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
try:
    np.ndarray.__eq__ = lambda self, other: True  # refused: numpy types are immutable
except TypeError:
    pass


def softmax(z):
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
