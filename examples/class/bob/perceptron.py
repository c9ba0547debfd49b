# Bob predicts 1 only when w·x + b > 0 (strictly), not when it is >= 0.
import numpy as np


def perceptron_trace(X, t, alpha=1.0, max_epochs=20):
    w, b = np.zeros(2), 0.0
    out = [(w.copy(), b)]
    for epoch in range(max_epochs):
        changed = False
        for x, target in zip(X, t):
            a = 1.0 if w @ x + b > 0 else 0.0
            if a != target:
                w += alpha * (target - a) * x
                b += alpha * (target - a)
                changed = True
            out.append((w.copy(), b))
        if not changed:
            break
    return out
