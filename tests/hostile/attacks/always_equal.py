"""Attack: return an object that claims to equal anything."""
import numpy as np


class Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)


def softmax(z):
    return Anything()


def relu(z):
    return np.maximum(z, 0.0)
