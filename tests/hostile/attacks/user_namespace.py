"""Attack: create a user namespace to become root inside it (then mount, chroot, escape...)."""
import ctypes
import os

import numpy as np

CLONE_NEWUSER = 0x10000000


def softmax(z):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER) != 0:
        raise PermissionError(f"unshare failed: {os.strerror(ctypes.get_errno())}")
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
