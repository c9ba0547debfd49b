# The loss averages over the batch but the backward pass does not divide by N.
import numpy as np


def softmax(scores):
    e = np.exp(scores - scores.max(axis=1)[:, None])
    return e / e.sum(axis=1)[:, None]


def loss(X, y, W1, b1, W2, b2, reg):
    probs = softmax(np.maximum(0, X @ W1 + b1) @ W2 + b2)
    return np.mean(-np.log(probs[np.arange(len(y)), y])) + reg * ((W1 * W1).sum() + (W2 * W2).sum())


def gradients(X, y, W1, b1, W2, b2, reg):
    z1 = X @ W1 + b1
    h = np.maximum(0, z1)
    delta = softmax(h @ W2 + b2) - np.eye(W2.shape[1])[y]
    dh = (delta @ W2.T) * (z1 > 0)
    return {"W1": X.T @ dh + 2 * reg * W1, "b1": dh.sum(axis=0),
            "W2": h.T @ delta + 2 * reg * W2, "b2": delta.sum(axis=0)}
