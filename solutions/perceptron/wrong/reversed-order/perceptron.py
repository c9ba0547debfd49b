# The samples presented from the last to the first: for AND the weights end up separating
# the data, but they are not the weights the stated order produces.
def perceptron_trace(X, t, alpha=1.0, max_epochs=20):
    w1, w2, b = 0.0, 0.0, 0.0
    states = [{"w": [w1, w2], "b": b}]
    epoch = 0
    while epoch < max_epochs:
        epoch += 1
        changed = False
        for i in reversed(range(len(X))):
            x1, x2 = X[i]
            a = 1 if w1 * x1 + w2 * x2 + b >= 0 else 0
            if a != t[i]:
                w1 += alpha * (t[i] - a) * x1
                w2 += alpha * (t[i] - a) * x2
                b += alpha * (t[i] - a)
                changed = True
            states.append({"w": [w1, w2], "b": b})
        if not changed:
            break
    return states
