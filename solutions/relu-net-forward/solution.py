"""Reference for relu-net-forward: the network in numpy, plus the values that typical
mistakes produce (for the mistakes in exercise.toml)."""
from __future__ import annotations

import numpy as np

X = np.array([[1.0, -1.0], [0.0, -1.0], [0.0, 1.0]])


def params(p: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    W = np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]])
    b = np.array([0.0, 0.0, float(p["b3"]), 0.0])
    V = np.array([1.0, 0.0, -1.0, 1.0])
    return W, b, V, float(p["c"])


def sigmoid(s: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-s))


def ff_nn_relu(X: np.ndarray, W: np.ndarray, b: np.ndarray, V: np.ndarray, c: float) -> np.ndarray:
    """Class-1 probabilities of the rows of X: σ(ReLU(X W + b) V + c)."""
    H = np.maximum(np.asarray(X, dtype=float) @ W + b, 0.0)
    return sigmoid(H @ np.ravel(V) + c)


def tex(a: np.ndarray) -> str:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.10g}" for v in a) + "]"
    return "[" + ", ".join(tex(r) for r in a) + "]"


def reference(p: dict) -> dict:
    W, b, V, c = params(p)
    Z = X @ W + b
    H = np.maximum(Z, 0.0)
    s = H @ V + c
    probs = sigmoid(s)
    row_mask = np.where((Z < 0).any(axis=1, keepdims=True), 0.0, Z)
    s_no_relu = Z @ V + c
    s_no_bias = np.maximum(X @ W, 0.0) @ V + c
    wrong = {
        "Z": tex(Z), "Z_no_bias": tex(X @ W), "Z_T": tex(Z.T), "H_row_mask": tex(row_mask),
        "scores": tex(s), "scores_no_relu": tex(s_no_relu), "probs_no_relu": tex(sigmoid(s_no_relu)),
        "probs_no_bias": tex(sigmoid(s_no_bias)), "probs_softmax": tex(np.exp(s) / np.exp(s).sum()),
    }
    return {"Z": Z, "H": H, "scores": s, "probs": probs, "classes": (probs >= 0.5).astype(float),
            "tex": {"Z": tex(Z), "H": tex(H), "scores": tex(s), "probs": tex(np.round(probs, 4)),
                    "classes": tex((probs >= 0.5).astype(float))},
            "wrong": wrong}


# --- the code part: inputs, and the typical wrong versions it diagnoses ------------------
def ff_cases(p: dict, rng: np.random.Generator) -> list[tuple]:
    """The student's own numbers, then small random networks (5 samples, 4 hidden units)."""
    W, b, V, c = params(p)
    cases = [(X.copy(), W, b, V, c)]
    for _ in range(3):
        cases.append((rng.normal(size=(5, 2)), rng.normal(size=(2, 4)), rng.normal(size=4),
                      rng.normal(size=4), float(rng.normal())))
    return cases


def ff_no_relu(X, W, b, V, c):
    return sigmoid((np.asarray(X, dtype=float) @ W + b) @ np.ravel(V) + c)


def ff_no_sigmoid(X, W, b, V, c):
    return np.maximum(np.asarray(X, dtype=float) @ W + b, 0.0) @ np.ravel(V) + c


def ff_relu_rows(X, W, b, V, c):
    Z = np.asarray(X, dtype=float) @ W + b
    H = np.where((Z < 0).any(axis=1, keepdims=True), 0.0, Z)
    return sigmoid(H @ np.ravel(V) + c)


def ff_softmax_samples(X, W, b, V, c):
    s = np.maximum(np.asarray(X, dtype=float) @ W + b, 0.0) @ np.ravel(V) + c
    e = np.exp(s - s.max())
    return e / e.sum()


def ff_missing_bias(X, W, b, V, c):
    return sigmoid(np.maximum(np.asarray(X, dtype=float) @ W, 0.0) @ np.ravel(V) + c)
