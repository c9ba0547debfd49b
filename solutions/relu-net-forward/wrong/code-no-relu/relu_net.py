import numpy as np


def ff_nn_relu(X, W, b, V, c):
    Z = X @ W + b
    return 1 / (1 + np.exp(-(Z @ V + c)))
