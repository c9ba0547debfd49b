"""Reference for line-search: Armijo backtracking on f(x, y) = x² + q y²."""
from __future__ import annotations

import numpy as np


def make_f(q: float):
    def f(p: np.ndarray) -> float:
        return float(p[0] ** 2 + q * p[1] ** 2)

    def grad(p: np.ndarray) -> np.ndarray:
        return np.array([2 * p[0], 2 * q * p[1]])
    return f, grad


def armijo(f, grad, p, alpha0: float = 10.0, sigma: float = 1e-4, beta: float = 0.5,
           max_tries: int = 60) -> tuple[float, list[float]]:
    """Backtracking: the first α in α0, βα0, β²α0, ... with f(p − α g) ≤ f(p) − σ α ‖g‖².

    Returns the accepted α and every α tried (the accepted one last)."""
    p = np.asarray(p, dtype=float)
    g = grad(p)
    fp, gg = f(p), float(g @ g)
    alpha, tried = alpha0, []
    for _ in range(max_tries):
        tried.append(alpha)
        if f(p - alpha * g) <= fp - sigma * alpha * gg:
            return alpha, tried
        alpha *= beta
    raise RuntimeError("no step size satisfied the Armijo condition")


def vec(a) -> str:
    return "[" + ", ".join(f"{v:.12g}" for v in np.ravel(a)) + "]"


def reference(p: dict) -> dict:
    f, grad = make_f(p["q"])
    p0 = np.array([p["x0"], p["y0"]], dtype=float)
    g = grad(p0)
    alpha, tried = armijo(f, grad, p0, p["alpha0"], p["sigma"], p["beta"])
    p1 = p0 - alpha * g
    return {"grad0": g, "tried": tried, "alpha": alpha, "p1": p1,
            "tex": {"grad0": vec(g), "tried": vec(tried), "alpha": f"{alpha:.12g}", "p1": vec(p1),
                    "tried_early": vec(tried[:-1]), "f_tried": vec([f(p0 - a * g) for a in tried]), "bound": vec([f(p0) - p["sigma"] * a * (g @ g) for a in tried])},
            "wrong": {"last_rejected": f"{alpha / p['beta']:.12g}", "p1_ascent": vec(p0 + alpha * g),
                      "p1_alpha0": vec(p0 - p["alpha0"] * g), "p1_last_rejected": vec(p0 - alpha / p["beta"] * g)}}


# --- the code part: what the student writes, and the typical wrong versions --------------
def armijo_steps(x0: float, y0: float, q: float, alpha0: float, sigma: float, beta: float) -> list:
    """The step sizes Armijo backtracking tries on f(x, y) = x² + q y² from (x0, y0)."""
    f, grad = make_f(q)
    return armijo(f, grad, np.array([x0, y0], dtype=float), alpha0, sigma, beta)[1]


def _variant(x0, y0, q, alpha0, sigma, beta, test) -> list:
    f, grad = make_f(q)
    p = np.array([x0, y0], dtype=float)
    g = grad(p)
    alpha, tried = alpha0, []
    for _ in range(60):
        tried.append(alpha)
        if test(f(p - alpha * g), f(p), alpha, g):
            break
        alpha *= beta
    return tried


def armijo_sign(x0, y0, q, alpha0, sigma, beta):  # f(p − αg) ≤ f(p) + σα‖g‖²
    return _variant(x0, y0, q, alpha0, sigma, beta, lambda new, old, a, g: new <= old + sigma * a * (g @ g))


def armijo_norm(x0, y0, q, alpha0, sigma, beta):  # ‖g‖ instead of ‖g‖²
    return _variant(x0, y0, q, alpha0, sigma, beta,
                    lambda new, old, a, g: new <= old - sigma * a * np.sqrt(g @ g))


def armijo_early(x0, y0, q, alpha0, sigma, beta):  # returns before trying the accepted step
    return armijo_steps(x0, y0, q, alpha0, sigma, beta)[:-1]


# --- training (D.3's runs): the D.2 network (softplus hidden layer, softmax, cross-entropy) --
def _net_init(d: int, hidden: int, classes: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"W0": rng.normal(0.0, 1.0, size=(hidden, d)), "b0": np.zeros(hidden),
            "W1": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(classes, hidden)), "b1": np.zeros(classes)}


def _net_loss_grad(model: dict, X: np.ndarray, y: np.ndarray) -> tuple[float, dict]:
    Z = X @ model["W0"].T + model["b0"]
    H = np.logaddexp(0.0, Z)
    O = H @ model["W1"].T + model["b1"]
    O = O - O.max(axis=1, keepdims=True)
    P = np.exp(O) / np.exp(O).sum(axis=1, keepdims=True)
    n = len(y)
    loss = float(-np.mean(np.log(P[np.arange(n), y] + 1e-300)))
    dO = P.copy()
    dO[np.arange(n), y] -= 1.0
    dO /= n
    dZ = (dO @ model["W1"]) * 0.5 * (1.0 + np.tanh(Z / 2))  # softplus'(z) = σ(z), without overflow
    return loss, {"W0": dZ.T @ X, "b0": dZ.sum(axis=0), "W1": dO.T @ H, "b1": dO.sum(axis=0)}


def _train(X, y, hidden, iterations, seed, step) -> dict:
    X, y = np.asarray(X, dtype=float), np.asarray(y).astype(int)
    model = _net_init(X.shape[1], hidden, int(y.max()) + 1, seed)
    losses = []
    for _ in range(iterations):
        loss, grads = _net_loss_grad(model, X, y)
        losses.append(loss)
        alpha = step(model, grads, loss, X, y)
        model = {k: model[k] - alpha * grads[k] for k in model}
    model["loss"] = losses
    return model


def train_constant(X, y, hidden: int, lr: float, iterations: int, seed: int) -> dict:
    """Full-batch gradient descent with a constant step size."""
    return _train(X, y, hidden, iterations, seed, lambda *_: lr)


def train_armijo(X, y, hidden: int, iterations: int, alpha0: float, sigma: float, beta: float, seed: int) -> dict:
    """Full-batch gradient descent, each step size from Armijo backtracking."""
    def step(model, grads, loss, X, y):
        gg = sum(float(np.sum(g * g)) for g in grads.values())
        alpha = alpha0
        for _ in range(50):
            trial = {k: model[k] - alpha * grads[k] for k in model}
            if _net_loss_grad(trial, X, y)[0] <= loss - sigma * alpha * gg:
                return alpha
            alpha *= beta
        return alpha
    return _train(X, y, hidden, iterations, seed, step)


def predict(model: dict, X) -> np.ndarray:
    H = np.logaddexp(0.0, np.asarray(X, dtype=float) @ model["W0"].T + model["b0"])
    return np.argmax(H @ model["W1"].T + model["b1"], axis=1)
