"""Attack: a fork bomb (bounded to 64 processes, so a broken sandbox cannot take the machine down)."""
import os
import time

import numpy as np


def softmax(z):
    children = []
    for _ in range(64):
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        children.append(pid)
    return np.ones_like(np.asarray(z, dtype=float))


def relu(z):
    return np.maximum(z, 0.0)
