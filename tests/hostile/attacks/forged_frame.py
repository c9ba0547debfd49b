"""Attack: write forged "correct" replies into the grader's reply pipe before it asks."""
import json
import os
import struct

import numpy as np

value = np.full(3, 1.0 / 3)
for i in range(10):
    header = json.dumps({"op": "result", "i": i, "ok": True, "nonce": "0" * 16,
                         "value": {"$": "nd", "dtype": "<f8", "shape": [3], "blob": 0, "scalar": False},
                         "blob_sizes": [24]}).encode()
    frame = struct.pack(">II", len(header), 24) + header + value.tobytes()
    for fd in range(3, 1024):
        try:
            if os.path.exists(f"/proc/self/fd/{fd}") and "pipe" in os.readlink(f"/proc/self/fd/{fd}"):
                os.write(fd, frame)
        except OSError:
            pass


def softmax(z):
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
