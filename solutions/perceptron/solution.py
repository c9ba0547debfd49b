"""Reference for perceptron: the perceptron rule of course section C.2, step by step.

Instructor code, run in the grader's process. `perceptron_trace` gives the reference
states; `separates` is the trace part's `acceptable` check; `trace_error_sign_flipped` and
`trace_strict_threshold` are known mistakes that the parts name for their diagnosis.
"""
import numpy as np


def predict(w, b, x):
    """1 if wᵀx + b ≥ 0, else 0."""
    return 1 if float(np.dot(w, x) + b) >= 0 else 0


def _trace(X, t, alpha, max_epochs, sign=1.0, strict=False):
    X = np.asarray(X, dtype=float)
    t = np.asarray(t, dtype=float)
    w, b = np.zeros(X.shape[1]), 0.0
    states = [{"w": w.copy(), "b": b}]
    for epoch in range(1, int(max_epochs) + 1):
        changed = False
        for x, target in zip(X, t):
            a = int(float(np.dot(w, x) + b) > 0) if strict else predict(w, b, x)
            error = target - a
            if error != 0:
                w = w + sign * alpha * error * x
                b = b + sign * alpha * error
                changed = True
            states.append({"w": w.copy(), "b": b, "epoch": epoch, "x": x.copy(), "t": target})
        if not changed:
            break
    return states


def perceptron_trace(X, t, alpha=1.0, max_epochs=20):
    """The initial state, then the state after each sample, until an epoch changes nothing."""
    return _trace(X, t, alpha, max_epochs)


def trace_error_sign_flipped(X, t, alpha=1.0, max_epochs=20):
    return _trace(X, t, alpha, max_epochs, sign=-1.0)


def trace_strict_threshold(X, t, alpha=1.0, max_epochs=20):
    return _trace(X, t, alpha, max_epochs, strict=True)


def separates(state, X, t, alpha=1.0, max_epochs=20):
    """Whether the final weights classify every sample right (with the ≥ 0 threshold)."""
    return all(predict(state["w"], float(np.reshape(state["b"], ())), x) == target
               for x, target in zip(np.asarray(X, dtype=float), t))
