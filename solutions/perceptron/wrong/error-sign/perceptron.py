# The error term written as prediction minus target: every update goes the wrong way.
import numpy as np


def perceptron_trace(X, t, alpha=1.0, max_epochs=20):
    w = np.zeros(2)
    b = 0.0
    history = [(w.copy(), b)]
    for _ in range(max_epochs):
        updates = 0
        for x, target in zip(np.array(X, dtype=float), t):
            a = int(np.dot(w, x) + b >= 0)
            w = w + alpha * (a - target) * x
            b = b + alpha * (a - target)
            updates += int(a != target)
            history.append((w.copy(), b))
        if updates == 0:
            break
    return history
