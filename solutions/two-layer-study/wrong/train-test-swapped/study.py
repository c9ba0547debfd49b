import numpy as np


def train_and_evaluate(X_train, y_train, X_test, y_test, lr, reg, epochs, batch_size, hidden, seed):
    rng = np.random.default_rng(seed)
    W1 = rng.normal(0, 0.1, size=(2, hidden))
    b1 = np.zeros(hidden)
    W2 = rng.normal(0, 0.1, size=(hidden, 2))
    b2 = np.zeros(2)

    def scores(X):
        return np.maximum(X @ W1 + b1, 0) @ W2 + b2

    for epoch in range(epochs):
        perm = rng.permutation(len(X_train))
        for k in range(0, len(perm), batch_size):
            i = perm[k:k + batch_size]
            X, y = X_train[i], y_train[i]
            a = np.maximum(X @ W1 + b1, 0)
            z = a @ W2 + b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
            p[np.arange(len(y)), y] -= 1
            p /= len(y)
            gW2 = a.T @ p + 2 * reg * W2
            gb2 = p.sum(0)
            da = (p @ W2.T) * (a > 0)
            gW1 = X.T @ da + 2 * reg * W1
            gb1 = da.sum(0)
            W1 -= lr * gW1
            b1 -= lr * gb1
            W2 -= lr * gW2
            b2 -= lr * gb2
    train = np.mean(scores(X_train).argmax(1) == y_train)
    test = np.mean(scores(X_test).argmax(1) == y_test)
    return float(train), float(test)
