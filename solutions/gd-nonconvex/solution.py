"""Reference for gd-nonconvex: f(x, y) = (3 − x³) + 50 (2y² − x)², its gradient, gradient
descent and gradient descent with momentum; plus the values typical mistakes produce."""
from __future__ import annotations

import numpy as np


def f(p: np.ndarray) -> float:
    x, y = p
    return (3 - x ** 3) + 50 * (2 * y ** 2 - x) ** 2


def grad_f(p: np.ndarray) -> np.ndarray:
    x, y = p
    return np.array([-3 * x ** 2 - 100 * (2 * y ** 2 - x), 400 * y * (2 * y ** 2 - x)])


def run_gd(grad, p0, lr: float, steps: int) -> np.ndarray:
    """The iterates p0, p1, ..., p_steps of p ← p − lr ∇f(p), one per row."""
    ps = [np.asarray(p0, dtype=float)]
    for _ in range(steps):
        ps.append(ps[-1] - lr * grad(ps[-1]))
    return np.array(ps)


def run_momentum(grad, p0, lr: float, mu: float, steps: int) -> np.ndarray:
    """Iterates of v ← μ v − lr ∇f(p), p ← p + v, with v₀ = 0."""
    ps = [np.asarray(p0, dtype=float)]
    v = np.zeros_like(ps[0])
    for _ in range(steps):
        v = mu * v - lr * grad(ps[-1])
        ps.append(ps[-1] + v)
    return np.array(ps)


def _grad_no_chain(p: np.ndarray) -> np.ndarray:  # d/dy of (2y² − x)² without the inner 4y
    x, y = p
    return np.array([-3 * x ** 2 - 100 * (2 * y ** 2 - x), 100 * (2 * y ** 2 - x)])


def _grad_inner_sign(p: np.ndarray) -> np.ndarray:  # d/dx of (2y² − x) taken as +1
    x, y = p
    return np.array([-3 * x ** 2 + 100 * (2 * y ** 2 - x), 400 * y * (2 * y ** 2 - x)])


def vec(a) -> str:
    return "[" + ", ".join(f"{v:.12g}" for v in np.ravel(a)) + "]"


def reference(p: dict) -> dict:
    p0 = np.array([p["x0"], p["y0"]], dtype=float)
    lr, mu = p["lr"], p["mu"]
    g = grad_f(p0)
    run = run_gd(grad_f, p0, lr, 2)
    mom = run_momentum(grad_f, p0, lr, mu, 2)
    wrong = {
        "ascent1": vec(p0 + lr * g),
        "no_chain_grad": vec(_grad_no_chain(p0)), "inner_sign_grad": vec(_grad_inner_sign(p0)),
        "no_chain_step1": vec(run_gd(_grad_no_chain, p0, lr, 1)[1]),
        "inner_sign_step1": vec(run_gd(_grad_inner_sign, p0, lr, 1)[1]),
        "momentum_ignored": vec(run[2]),
        "momentum_ascent": vec(run_momentum(lambda q: -grad_f(q), p0, lr, mu, 2)[2]),
    }
    return {"grad_start": g, "gd_step1": run[1], "gd_step2": run[2], "momentum_step2": mom[2],
            "tex": {"grad_start": vec(g), "gd_step1": vec(run[1]), "gd_step2": vec(run[2]),
                    "momentum_step2": vec(mom[2])},
            "wrong": wrong}


# --- the code parts: what the student writes, and the typical wrong versions -------------
def gd(x0: float, y0: float, lr: float, steps: int) -> list:
    """Gradient descent on f from (x0, y0): the points p0, p1, ..., p_steps."""
    return [tuple(p) for p in run_gd(grad_f, [x0, y0], lr, steps)]


def gd_momentum(x0: float, y0: float, lr: float, mu: float, steps: int) -> list:
    """Gradient descent with momentum (v0 = 0): the points p0, p1, ..., p_steps."""
    return [tuple(p) for p in run_momentum(grad_f, [x0, y0], lr, mu, steps)]


def gd_no_chain(x0, y0, lr, steps):
    return [tuple(p) for p in run_gd(_grad_no_chain, [x0, y0], lr, steps)]


def gd_inner_sign(x0, y0, lr, steps):
    return [tuple(p) for p in run_gd(_grad_inner_sign, [x0, y0], lr, steps)]


def momentum_ignored(x0, y0, lr, mu, steps):
    return gd(x0, y0, lr, steps)


def momentum_ascent(x0, y0, lr, mu, steps):
    return [tuple(p) for p in run_momentum(lambda q: -grad_f(q), [x0, y0], lr, mu, steps)]

