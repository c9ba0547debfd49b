"""Alice's two-layer net: affine - ReLU - affine - softmax, fully vectorised."""
import numpy as np


def relu(a):
    return np.where(a > 0, a, 0.0)


def forward(X, W1, b1, W2, b2):
    return relu(X @ W1 + b1) @ W2 + b2


def log_softmax(Z):
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


def loss(X, y, W1, b1, W2, b2, reg):
    logp = log_softmax(forward(X, W1, b1, W2, b2))
    picked = np.take_along_axis(logp, np.asarray(y).reshape(-1, 1), axis=1)
    return float(-picked.mean() + reg * ((W1 ** 2).sum() + (W2 ** 2).sum()))


def gradients(X, y, W1, b1, W2, b2, reg):
    Z1 = X @ W1 + b1
    A1 = relu(Z1)
    P = np.exp(log_softmax(A1 @ W2 + b2))
    Y = np.zeros_like(P)
    Y[np.arange(len(X)), y] = 1.0
    G3 = (P - Y) / len(X)
    G1 = (G3 @ W2.T) * (Z1 > 0)
    return {"W2": A1.T @ G3 + 2 * reg * W2, "b2": G3.sum(axis=0),
            "W1": X.T @ G1 + 2 * reg * W1, "b1": G1.sum(axis=0)}


def train(X, y, hidden=20, lr=1.0, reg=1e-3, epochs=300, seed=1):
    rng = np.random.default_rng(seed)
    k = int(y.max()) + 1
    net = {"W1": rng.normal(0, 0.1, (X.shape[1], hidden)), "b1": np.zeros(hidden),
           "W2": rng.normal(0, 0.1, (hidden, k)), "b2": np.zeros(k)}
    for epoch in range(epochs):
        g = gradients(X, y, net["W1"], net["b1"], net["W2"], net["b2"], reg)
        net = {name: value - lr * g[name] for name, value in net.items()}
    return net


def predict(net, X):
    return np.argmax(forward(X, net["W1"], net["b1"], net["W2"], net["b2"]), axis=1)
