"""Attack: return a value far too large to send back (hoping the grader chokes on it)."""
import numpy as np


def softmax(z):
    return np.zeros(12_000_000)  # 96 MB, over the value limit


def relu(z):
    return np.maximum(z, 0.0)
