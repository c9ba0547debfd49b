"""Reference for training-study: the numbers, computed independently of answers.md."""
from __future__ import annotations

import math

import numpy as np

EIGENVALUES = np.array([4.0, 2.0, 1.0, 0.5, 0.3, 0.2])


def pca_components(eigenvalues: np.ndarray, share: float) -> int:
    cumulative = np.cumsum(np.sort(eigenvalues)[::-1]) / eigenvalues.sum()
    return int(np.argmax(cumulative >= share - 1e-12) + 1)


def stack_parameters(d: int, width: int, layers: int, classes: int) -> int:
    sizes = [d] + [width] * layers + [classes]
    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))


def reference(p: dict) -> dict:
    return {"updates_per_epoch": math.ceil(p["n"] / p["batch"]), "dropout_scale": 1 / p["keep"],
            "pca_components": pca_components(EIGENVALUES, p["var_share"]), "k": pca_components(EIGENVALUES, p["var_share"]),
            "deep_params": stack_parameters(p["d"], p["width"], p["layers"], p["classes"])}
