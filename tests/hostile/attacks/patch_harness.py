"""Attack: find the grader's harness in this process (walking up the stack from the import)
and make it report a correct-looking value for every call, whatever the function computes."""
import sys

import numpy as np

frame = sys._getframe()
while frame is not None and "find_function" not in frame.f_globals:
    frame = frame.f_back
if frame is not None:
    harness = frame.f_globals
    harness["find_function"] = lambda modules, name: (lambda *a, **k: np.full(3, 1.0 / 3))
    wire = harness.get("_WIRE")
    if wire is not None:
        original = wire.encode_message

        def forged(header, values, max_bytes):
            return original(dict(header, ok=True, error=None), {"value": np.full(3, 1.0 / 3)}, max_bytes)

        wire.encode_message = forged


def softmax(z):
    raise RuntimeError("never meant to work")


def relu(z):
    return np.maximum(z, 0.0)
