"""Alice's perceptron: the rule of C.2, keeping every state."""


def perceptron_trace(X, t, alpha=1.0, max_epochs=20):
    w = [0.0, 0.0]
    b = 0.0
    trace = [{"w": list(w), "b": b}]
    for epoch in range(max_epochs):
        mistakes = 0
        for (x1, x2), target in zip(X, t):
            a = 1 if w[0] * x1 + w[1] * x2 + b >= 0 else 0
            delta = alpha * (target - a)
            if delta != 0:
                mistakes += 1
                w = [w[0] + delta * x1, w[1] + delta * x2]
                b = b + delta
            trace.append({"w": list(w), "b": b})
        if mistakes == 0:
            break
    return trace
