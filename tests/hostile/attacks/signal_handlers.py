"""Attack: ignore SIGTERM and SIGINT (and SIGXCPU), then run forever."""
import signal

import numpy as np

for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGHUP):
    signal.signal(sig, signal.SIG_IGN)


def softmax(z):
    while True:
        pass


def relu(z):
    return np.maximum(z, 0.0)
