"""Reference for xor-backprop: backprop through the B.1 network (ReLU hidden layer, sigmoid
output) with the mean binary cross-entropy; `grad_f` is checked against finite differences
in `check_gradients`. Also the values typical mistakes produce."""
from __future__ import annotations

import numpy as np

X = np.array([[1.0, 0.5], [-1.0, 0.5], [0.5, -1.5], [-0.5, -1.5]])
T = np.array([0.0, 1.0, 1.0, 0.0])  # XOR-like: 1 where x1·x2 < 0


def params(p: dict):
    W = np.array([[1.0, -1.0, 0.0, 1.0], [0.0, 0.0, 0.5, 1.0]])
    b = np.array([0.0, 0.0, float(p["b3"]), 0.0])
    V = np.array([1.0, 0.0, -1.0, 1.0])
    return W, b, V, float(p["c"])


def sigmoid(s):
    return 1.0 / (1.0 + np.exp(-s))


def loss(X, t, W, b, V, c) -> float:
    p = sigmoid(np.maximum(X @ W + b, 0.0) @ V + c)
    return float(-np.mean(t * np.log(p) + (1 - t) * np.log(1 - p)))


def grad_f(X, t, W, b, V, c):
    """Gradients of the mean binary cross-entropy with respect to W, b, V, c."""
    Z = X @ W + b
    H = np.maximum(Z, 0.0)
    p = sigmoid(H @ V + c)
    d_s = (p - t) / len(t)            # σ'(s) cancels against the cross-entropy's 1/p, 1/(1 − p)
    d_Z = np.outer(d_s, V) * (Z > 0)  # the ReLU mask, element by element
    return X.T @ d_Z, d_Z.sum(axis=0), H.T @ d_s, float(d_s.sum())


def check_gradients(p: dict, eps: float = 1e-6) -> float:
    W, b, V, c = params(p)
    grads = grad_f(X, T, W, b, V, c)
    worst = 0.0
    for i, base in enumerate((W, b, V, np.array([c]))):
        for idx in np.ndindex(base.shape):
            args_p = [W.copy(), b.copy(), V.copy(), np.array([c])]
            args_m = [W.copy(), b.copy(), V.copy(), np.array([c])]
            args_p[i][idx] += eps
            args_m[i][idx] -= eps
            num = (loss(X, T, *args_p[:3], args_p[3][0]) - loss(X, T, *args_m[:3], args_m[3][0])) / (2 * eps)
            worst = max(worst, abs(num - np.ravel(grads[i])[np.ravel_multi_index(idx, base.shape)]))
    return worst


def tex(a) -> str:
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return f"{float(a):.12g}"
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.12g}" for v in a) + "]"
    return "[" + ", ".join(tex(r) for r in a) + "]"


def reference(p: dict) -> dict:
    W, b, V, c = params(p)
    Z = X @ W + b
    H = np.maximum(Z, 0.0)
    s = H @ V + c
    prob = sigmoid(s)
    n = len(T)
    dW, db, dV, dc = grad_f(X, T, W, b, V, c)
    d_s = (prob - T) / n
    d_Z_nomask = np.outer(d_s, V)
    wrong = {
        "dc_no_mean": tex(dc * n), "dc_extra_sigmoid": tex(np.sum(d_s * prob * (1 - prob))),
        "dV_no_mean": tex(dV * n), "dV_extra_sigmoid": tex(H.T @ (d_s * prob * (1 - prob))),
        "dW_no_mask": tex(X.T @ d_Z_nomask), "dW_T": tex(dW.T),
        "dW_row_mask": tex(X.T @ (d_Z_nomask * (Z > 0).all(axis=1, keepdims=True))),
        "db_no_mask": tex(d_Z_nomask.sum(axis=0)),
    }
    out = {"dL_ds": d_s, "dL_dc": dc, "dL_dV": dV, "dL_dW": dW, "dL_db": db}
    out["tex"] = {k: tex(v) for k, v in out.items()}
    out["wrong"] = wrong
    return out


# --- the code parts: inputs, and the typical wrong versions they diagnose ----------------
def bce_loss(X, t, W, b, V, c) -> float:
    """The mean binary cross-entropy of the network (what `loss` in the student's code computes)."""
    return loss(np.asarray(X, dtype=float), np.asarray(t, dtype=float), W, b, V, c)


def grad_cases(p: dict, rng: np.random.Generator) -> list[tuple]:
    """The statement's problem with the student's numbers, then small random problems."""
    W, b, V, c = params(p)
    cases = [(X.copy(), T.copy(), W, b, V, c)]
    for _ in range(3):
        cases.append((rng.normal(size=(6, 2)), rng.integers(0, 2, size=6).astype(float), rng.normal(size=(2, 4)),
                      rng.normal(size=4), rng.normal(size=4), float(rng.normal())))
    return cases


def _wrong_grad(X, t, W, b, V, c, *, mean=True, mask="element", extra_sigmoid=False, sign=1.0):
    X, t = np.asarray(X, dtype=float), np.asarray(t, dtype=float)
    Z = X @ W + b
    H = np.maximum(Z, 0.0)
    p = sigmoid(H @ V + c)
    d_s = sign * (p - t) / (len(t) if mean else 1)
    if extra_sigmoid:
        d_s = d_s * p * (1 - p)
    m = {"element": Z > 0, "none": np.ones_like(Z, dtype=bool), "rows": (Z > 0).all(axis=1, keepdims=True)}[mask]
    d_Z = np.outer(d_s, V) * m
    return X.T @ d_Z, d_Z.sum(axis=0), H.T @ d_s, float(d_s.sum())


def grad_no_mean(X, t, W, b, V, c):
    return _wrong_grad(X, t, W, b, V, c, mean=False)


def grad_no_mask(X, t, W, b, V, c):
    return _wrong_grad(X, t, W, b, V, c, mask="none")


def grad_row_mask(X, t, W, b, V, c):
    return _wrong_grad(X, t, W, b, V, c, mask="rows")


def grad_extra_sigmoid(X, t, W, b, V, c):
    return _wrong_grad(X, t, W, b, V, c, extra_sigmoid=True)


def grad_sign(X, t, W, b, V, c):
    return _wrong_grad(X, t, W, b, V, c, sign=-1.0)


# --- fitting (training parts): full-batch gradient descent and momentum with grad_f -------
def _init(hidden: int, seed: int):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(0.0, 1.0, size=(2, hidden)), "b": np.full(hidden, 0.1),
            "V": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=hidden), "c": 0.0}


def _fit(X, y, hidden: int, lr: float, mu: float, epochs: int, seed: int) -> dict:
    X, t = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    model = _init(hidden, seed)
    velocity = {k: np.zeros_like(np.asarray(v, dtype=float)) for k, v in model.items()}
    losses = []
    for _ in range(epochs):
        losses.append(loss(X, t, model["W"], model["b"], model["V"], model["c"]))
        grads = dict(zip("WbVc", grad_f(X, t, model["W"], model["b"], model["V"], model["c"])))
        for k in model:
            velocity[k] = mu * velocity[k] - lr * np.asarray(grads[k])
            model[k] = model[k] + velocity[k]
    model["loss"] = losses
    return model


def fit_gd(X, y, hidden: int, lr: float, epochs: int, seed: int) -> dict:
    """Gradient descent; the model is a dict of W, b, V, c and the losses seen."""
    return _fit(X, y, hidden, lr, 0.0, epochs, seed)


def fit_momentum(X, y, hidden: int, lr: float, mu: float, epochs: int, seed: int) -> dict:
    return _fit(X, y, hidden, lr, mu, epochs, seed)


def predict(model: dict, X) -> np.ndarray:
    H = np.maximum(np.asarray(X, dtype=float) @ model["W"] + model["b"], 0.0)
    return (sigmoid(H @ model["V"] + model["c"]) >= 0.5).astype(int)
