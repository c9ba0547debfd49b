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
