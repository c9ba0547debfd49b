"""Attack: start threads until the machine gives up (bounded to 500)."""
import threading
import time

import numpy as np


def softmax(z):
    for _ in range(500):
        threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
    return np.ones(3)


def relu(z):
    return np.maximum(z, 0.0)
