def armijo_steps(x0, y0, q, alpha0, sigma, beta):
    def f(x, y):
        return x * x + q * y * y
    gx, gy = 2 * x0, 2 * q * y0
    alpha, tried = alpha0, []
    while True:
        tried.append(alpha)
        if f(x0 - alpha * gx, y0 - alpha * gy) <= f(x0, y0) + sigma * alpha * (gx * gx + gy * gy):
            return tried
        alpha *= beta
