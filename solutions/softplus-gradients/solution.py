"""Reference for softplus-gradients: a 2-2-3 network with a softplus hidden layer, a softmax
output and the cross-entropy loss; every gradient by backprop (checked against finite
differences in `check_gradients`), plus the values typical mistakes produce."""
from __future__ import annotations

import numpy as np

W0 = np.array([[0.5, -1.0], [1.0, 0.5]])
B0 = np.array([0.0, -1.0])
W1 = np.array([[1.0, -1.0], [0.5, 0.5], [-1.0, 1.0]])
B1 = np.array([0.0, 0.0, 0.5])


def softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())  # subtracting the maximum keeps exp from overflowing
    return e / e.sum()


def forward(x, y, W0=W0, b0=B0, W1=W1, b1=B1) -> dict:
    z = W0 @ x + b0
    h = softplus(z)
    o = W1 @ h + b1
    p = softmax(o)
    return {"z": z, "h": h, "o": o, "p": p, "loss": float(-np.log(p[y]))}


def gradients(x, y, W0=W0, b0=B0, W1=W1, b1=B1) -> dict:
    f = forward(x, y, W0, b0, W1, b1)
    d_o = f["p"] - np.eye(len(b1))[y]
    d_h = W1.T @ d_o
    d_z = d_h * sigmoid(f["z"])  # softplus'(z) = σ(z)
    return {"dL_do": d_o, "dL_dW1": np.outer(d_o, f["h"]), "dL_db1": d_o, "dL_dh": d_h,
            "dL_dz": d_z, "dL_dW0": np.outer(d_z, x), "dL_db0": d_z}


def check_gradients(x, y, eps: float = 1e-6) -> float:
    """Largest absolute difference between backprop and centred finite differences."""
    g = gradients(x, y)
    worst = 0.0
    for name, base in (("dL_dW0", W0), ("dL_db0", B0), ("dL_dW1", W1), ("dL_db1", B1)):
        for idx in np.ndindex(base.shape):
            plus, minus = [base.copy() for _ in range(2)]
            plus[idx] += eps
            minus[idx] -= eps
            args = {"dL_dW0": "W0", "dL_db0": "b0", "dL_dW1": "W1", "dL_db1": "b1"}[name]
            num = (forward(x, y, **{args: plus})["loss"] - forward(x, y, **{args: minus})["loss"]) / (2 * eps)
            worst = max(worst, abs(num - g[name][idx]))
    return worst


def tex(a) -> str:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.12g}" for v in a) + "]"
    return "[" + ", ".join(tex(r) for r in a) + "]"


def reference(p: dict) -> dict:
    x = np.array([p["x1"], p["x2"]], dtype=float)
    y = int(p["y"])
    f = forward(x, y)
    g = gradients(x, y)
    onehot = np.eye(3)[y]
    sig_p = sigmoid(f["o"])
    d_z_no_deriv = g["dL_dh"]
    wrong = {
        "p_sigmoid": tex(sig_p),
        "dL_do_elementwise": tex((f["p"] - onehot) * f["p"] * (1 - f["p"])),
        "dL_dW1_T": tex(g["dL_dW1"].T),
        "dL_dz_no_deriv": tex(d_z_no_deriv), "dL_dz_softplus": tex(g["dL_dh"] * f["h"]),
        "dL_dW0_T": tex(g["dL_dW0"].T), "dL_dW0_no_deriv": tex(np.outer(d_z_no_deriv, x)),
        "dL_dW1_with_z": tex(np.outer(g["dL_do"], f["z"])),
    }
    out = {"h": f["h"], "p": f["p"], **{k: v for k, v in g.items() if k != "dL_dh"}}
    out["tex"] = {k: tex(v) for k, v in out.items()}
    out["wrong"] = wrong
    return out
