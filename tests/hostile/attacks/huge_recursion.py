"""Attack: raise the recursion limit and recurse until the C stack overflows."""
import sys

import numpy as np

sys.setrecursionlimit(10**7)


def deep(n):
    return deep(n + 1) + 1


def softmax(z):
    return deep(0)


def relu(z):
    return np.maximum(z, 0.0)
