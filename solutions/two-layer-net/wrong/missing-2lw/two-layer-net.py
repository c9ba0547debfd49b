# Forgets the regulariser's gradient: dW = a^T dz only, without + 2*reg*W.
import numpy as np


def loss(X, y, W1, b1, W2, b2, reg):
    hidden = np.maximum(X.dot(W1) + b1, 0)
    z = hidden.dot(W2) + b2
    z -= np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    n = len(y)
    return -np.sum(logp[range(n), y]) / n + reg * (np.sum(W1 ** 2) + np.sum(W2 ** 2))


def gradients(X, y, W1, b1, W2, b2, reg):
    n = len(y)
    pre = X.dot(W1) + b1
    hidden = np.maximum(pre, 0)
    z = hidden.dot(W2) + b2
    p = np.exp(z - np.max(z, axis=1, keepdims=True))
    p /= np.sum(p, axis=1, keepdims=True)
    p[range(n), y] -= 1
    dz = p / n
    dhidden = dz.dot(W2.T) * (pre > 0)
    return {"W2": hidden.T.dot(dz), "b2": dz.sum(0), "W1": X.T.dot(dhidden), "b1": dhidden.sum(0)}
