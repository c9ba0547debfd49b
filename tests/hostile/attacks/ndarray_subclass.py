"""Attack: an ndarray subclass whose comparisons always say "equal" and whose shape lies."""
import numpy as np


class Agreeable(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    def __array_finalize__(self, obj):
        pass

    def all(self, *a, **k):
        return True

    def __sub__(self, other):
        return np.zeros(np.shape(other))

    __rsub__ = __sub__

    def __abs__(self):
        return np.zeros(self.shape)


def softmax(z):
    return np.zeros(np.shape(z)).view(Agreeable)


def relu(z):
    return np.maximum(z, 0.0)
