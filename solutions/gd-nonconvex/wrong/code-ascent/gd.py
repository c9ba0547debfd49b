import numpy as np


def grad_f(x, y):
    return np.array([-3 * x**2 - 100 * (2 * y**2 - x), 400 * y * (2 * y**2 - x)])


def gd(x0, y0, lr, steps):
    p = np.array([x0, y0], dtype=float)
    out = [p.copy()]
    for _ in range(steps):
        p = p + lr * grad_f(*p)
        out.append(p.copy())
    return out


def gd_momentum(x0, y0, lr, mu, steps):
    p = np.array([x0, y0], dtype=float)
    out = [p.copy()]
    for _ in range(steps):
        p = p - lr * grad_f(*p)
        out.append(p.copy())
    return out
