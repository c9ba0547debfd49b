"""Reference for two-layer-study: the data set every student uses, a two-layer network trained
with mini-batch SGD (`train_and_evaluate`, what the student writes), and the reference table."""
from __future__ import annotations

import numpy as np

LRS = (1.0, 0.1, 0.05, 0.01)
REGS = (1.0, 0.1, 0.01, 0.001, 0.0001)
SETTINGS = {"epochs": 20, "batch_size": 50, "hidden": 20, "seed": 0}


def study_data(params: dict | None = None) -> dict:
    """The statement's data: 400 points, XOR-like labels; the first 300 train, the rest test."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return {"X_train": X[:300], "y_train": y[:300], "X_test": X[300:], "y_test": y[300:]}


def _forward(X, W1, b1, W2, b2):
    H = np.maximum(X @ W1 + b1, 0.0)
    z = H @ W2 + b2
    z = z - z.max(axis=1, keepdims=True)
    P = np.exp(z)
    return H, P / P.sum(axis=1, keepdims=True)


def train_and_evaluate(X_train, y_train, X_test, y_test, lr, reg, epochs, batch_size, hidden, seed):
    """Train affine → ReLU → affine → softmax with mini-batch SGD; return (train acc, test acc)."""
    rng = np.random.default_rng(seed)
    X_train, X_test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)
    y_train, y_test = np.asarray(y_train).astype(int), np.asarray(y_test).astype(int)
    d, c = X_train.shape[1], int(max(y_train.max(), y_test.max())) + 1
    W1 = rng.normal(scale=np.sqrt(2.0 / d), size=(d, hidden))
    b1 = np.zeros(hidden)
    W2 = rng.normal(scale=np.sqrt(1.0 / hidden), size=(hidden, c))
    b2 = np.zeros(c)
    n = len(y_train)
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                idx = order[start:start + batch_size]
                X, y = X_train[idx], y_train[idx]
                H, P = _forward(X, W1, b1, W2, b2)
                dz = P.copy()
                dz[np.arange(len(y)), y] -= 1.0
                dz /= len(y)
                dW2 = H.T @ dz + 2 * reg * W2
                db2 = dz.sum(axis=0)
                dH = dz @ W2.T * (H > 0)
                dW1 = X.T @ dH + 2 * reg * W1
                db1 = dH.sum(axis=0)
                W1 -= lr * dW1
                b1 -= lr * db1
                W2 -= lr * dW2
                b2 -= lr * db2
        acc = [float(np.mean(np.argmax(_forward(Xs, W1, b1, W2, b2)[1], axis=1) == ys))
               for Xs, ys in ((X_train, y_train), (X_test, y_test))]
    return acc[0], acc[1]


def table() -> dict:
    data = study_data()
    return {(lr, reg): train_and_evaluate(**data, lr=lr, reg=reg, **SETTINGS) for lr in LRS for reg in REGS}


def table_markdown() -> str:
    rows = ["| lr \\ reg | " + " | ".join(f"{r:g}" for r in REGS) + " |", "|---" * (len(REGS) + 1) + "|"]
    t = table()
    for lr in LRS:
        rows.append(f"| {lr:g} | " + " | ".join(f"{t[(lr, r)][0]:.4f} / {t[(lr, r)][1]:.4f}" for r in REGS) + " |")
    return "\n".join(rows)


def reference(p: dict) -> dict:
    return {"table": table_markdown()}
