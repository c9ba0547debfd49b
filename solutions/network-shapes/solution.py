"""Reference shapes for network-shapes, computed from actual matrices (not from answers.md)."""
from __future__ import annotations

import numpy as np


def reference(p: dict) -> dict:
    sizes = [2, p["n1"], p["n2"], 1]
    Ws = [np.zeros((sizes[i + 1], sizes[i])) for i in range(3)]
    X = np.zeros((2, 1))
    H1 = Ws[0] @ X
    H2 = Ws[1] @ H1
    fmt = lambda shape: " \\times ".join(map(str, shape))  # noqa: E731
    return {"H1": fmt(H1.shape), "H2": fmt(H2.shape), "W1": fmt(Ws[0].shape), "W2": fmt(Ws[1].shape),
            "W3": fmt(Ws[2].shape), "product_shape": fmt((Ws[2] @ Ws[1] @ Ws[0]).shape)}
