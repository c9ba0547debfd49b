"""Reference computation for scalar-net, written independently of answers.md.

`grader validate` compares every numeric answer in answers.md with these values, for the
default numbers and for several students' variants.
"""
from __future__ import annotations


def reference(p: dict) -> dict:
    x, w1, w2, y, gamma = p["x"], p["w1"], p["w2"], p["y"], p["gamma"]
    z = w1 * x
    h = max(z, 0.0)
    y_hat = w2 * h
    loss = 0.5 * (y - y_hat) ** 2
    dl_dyhat = y_hat - y
    dl_dw2 = dl_dyhat * h
    dl_dw1 = dl_dyhat * w2 * (1.0 if z > 0 else 0.0) * x
    return {
        "z": z, "h": h, "y_hat": y_hat, "loss": loss,
        "dL_dw2": dl_dw2, "dL_dw1": dl_dw1,
        "w1_new": w1 - gamma * dl_dw1, "w2_new": w2 - gamma * dl_dw2,
    }
