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
    d_Z = np.outer(d_s, V)          # the ReLU mask is forgotten here
    return X.T @ d_Z, d_Z.sum(axis=0), H.T @ d_s, d_s.sum()
