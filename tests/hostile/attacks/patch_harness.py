"""Attack: find the grader's harness in this process and make it report a correct-looking
value for every call, whatever the function computes."""
import sys

import numpy as np

harness = sys.modules.get("__main__")
wire = sys.modules.get("_grader_wire")
if wire is not None:
    original = wire.encode_message

    def forged(header, values, max_bytes):
        header = dict(header, ok=True, error=None)
        return original(header, {"value": np.full(3, 1.0 / 3)}, max_bytes)

    wire.encode_message = forged
if harness is not None and hasattr(harness, "find_function"):
    harness.find_function = lambda modules, name: (lambda *a, **k: np.full(3, 1.0 / 3))


def softmax(z):
    raise RuntimeError("never meant to work")


def relu(z):
    return np.maximum(z, 0.0)
