"""Reference for param-counts: build the parameters and count them (independent of answers.md)."""
from __future__ import annotations

import numpy as np


def reference(p: dict) -> dict:
    d, k, nh = p["d"], p["k"], p["nh"]
    params = {"W0": np.zeros((nh, d)), "b0": np.zeros((nh, 1)), "W1": np.zeros((k, nh)), "b1": np.zeros((k, 1))}
    out: dict = {name: " \\times ".join(map(str, a.shape)) for name, a in params.items()}
    out["count"] = sum(a.size for a in params.values())
    return out
