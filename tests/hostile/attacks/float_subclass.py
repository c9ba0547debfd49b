"""Attack: numbers that are float subclasses with a lying __eq__ and __sub__."""
import numpy as np


class Liar(float):
    def __eq__(self, other):
        return True

    def __sub__(self, other):
        return 0.0

    def __rsub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0

    __hash__ = float.__hash__


def softmax(z):
    z = np.asarray(z, dtype=float)
    return [[Liar(0.0) for _ in row] for row in np.atleast_2d(z)]


def relu(z):
    return np.maximum(z, 0.0)
