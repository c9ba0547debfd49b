"""Reference for two-layer-net: affine → ReLU → affine → softmax, vectorised (course E.1–E.2).

Instructor code: it runs in the grader's process to give reference values. The functions
named `gradients_*` are known mistakes: the `gradient` parts name them so that a student's
gradient that equals one of them gets that diagnosis.
"""
import numpy as np


def forward(X, W1, b1, W2, b2):
    """Class scores (N × C)."""
    return np.maximum(0.0, X @ W1 + b1) @ W2 + b2


def _probabilities(scores):
    shifted = scores - scores.max(axis=1, keepdims=True)  # e^{z − max}: no overflow
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def loss(X, y, W1, b1, W2, b2, reg):
    """J = (1/N) Σ −log softmax(z)_{y_i} + λ(‖W1‖² + ‖W2‖²)."""
    scores = forward(X, W1, b1, W2, b2)
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    y = np.asarray(y, dtype=np.int64)
    data = -log_p[np.arange(X.shape[0]), y].mean()
    return float(data + reg * (np.sum(W1 * W1) + np.sum(W2 * W2)))


def _backward(X, y, W1, b1, W2, b2, reg, *, two_lambda=2.0, per_sample=True, mask_on="z1"):
    n = X.shape[0]
    z1 = X @ W1 + b1
    a1 = np.maximum(0.0, z1)
    dz3 = _probabilities(a1 @ W2 + b2)
    dz3[np.arange(n), np.asarray(y, dtype=np.int64)] -= 1.0
    if per_sample:
        dz3 /= n
    da1 = dz3 @ W2.T
    dz1 = da1 * (z1 > 0) if mask_on == "z1" else da1 * (da1 > 0)
    return {"W1": X.T @ dz1 + two_lambda * reg * W1, "b1": dz1.sum(axis=0),
            "W2": a1.T @ dz3 + two_lambda * reg * W2, "b2": dz3.sum(axis=0)}


def loss_no_shift(X, y, W1, b1, W2, b2, reg):
    """Known mistake: softmax without subtracting the maximum (e^1000 overflows to inf)."""
    scores = forward(X, W1, b1, W2, b2)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        p = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        data = -np.log(p[np.arange(X.shape[0]), np.asarray(y, dtype=np.int64)]).mean()
    return float(data + reg * (np.sum(W1 * W1) + np.sum(W2 * W2)))


def _net(rng, n, d, h, c, scale=0.5):
    return (rng.normal(size=(n, d)), rng.normal(0, scale, (d, h)), rng.normal(0, 0.1, h),
            rng.normal(0, scale, (h, c)), rng.normal(0, 0.1, c))


def forward_cases(params, rng):
    """Seeded random nets of a few sizes: (X, W1, b1, W2, b2)."""
    return [_net(rng, n, d, h, c) for n, d, h, c in ((1, 3, 4, 2), (5, 4, 6, 3), (12, 2, 8, 4))]


def loss_cases(params, rng):
    """(X, y, W1, b1, W2, b2, reg): ordinary nets, then one whose scores are in the thousands."""
    cases = []
    for n, d, h, c, reg in ((5, 4, 6, 3, 0.1), (12, 2, 8, 4, 0.0), (8, 3, 5, 3, 1e-3)):
        X, W1, b1, W2, b2 = _net(rng, n, d, h, c)
        cases.append((X, rng.integers(0, c, n), W1, b1, W2, b2, reg))
    X, W1, b1, W2, b2 = _net(rng, 6, 4, 6, 3, scale=30.0)  # scores of about ±1000
    cases.append((X, rng.integers(0, 3, 6), W1, b1, W2, b2, 0.0))
    return cases


def gradients(X, y, W1, b1, W2, b2, reg):
    """∂J/∂W1, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2 as a dict."""
    return _backward(X, y, W1, b1, W2, b2, reg)


def gradients_missing_2lw(X, y, W1, b1, W2, b2, reg):
    return _backward(X, y, W1, b1, W2, b2, reg, two_lambda=0.0)


def gradients_lambda_w(X, y, W1, b1, W2, b2, reg):
    return _backward(X, y, W1, b1, W2, b2, reg, two_lambda=1.0)


def gradients_missing_1_over_n(X, y, W1, b1, W2, b2, reg):
    return _backward(X, y, W1, b1, W2, b2, reg, per_sample=False)


def gradients_mask_on_gradient(X, y, W1, b1, W2, b2, reg):
    return _backward(X, y, W1, b1, W2, b2, reg, mask_on="da1")


def train(X, y, hidden=100, lr=1.0, reg=1e-3, epochs=1000, seed=0):
    """Full-batch gradient descent from a small seeded initialisation."""
    rng = np.random.default_rng(seed)
    classes = int(np.max(y)) + 1
    params = {"W1": 0.01 * rng.standard_normal((X.shape[1], hidden)), "b1": np.zeros(hidden),
              "W2": 0.01 * rng.standard_normal((hidden, classes)), "b2": np.zeros(classes)}
    for _ in range(epochs):
        grads = gradients(X, y, params["W1"], params["b1"], params["W2"], params["b2"], reg)
        for name in params:
            params[name] = params[name] - lr * grads[name]
    return params


def predict(model, X):
    return forward(X, model["W1"], model["b1"], model["W2"], model["b2"]).argmax(axis=1)
