"""Writes corpus.jsonl: labelled equivalence pairs in course notation.

Each family lists the forms of one quantity, grouped into classes: forms in the same class are
equal (under the family's symbols and domains), forms in different classes are not. The first
class is the right answer; the others are wrong answers students really give. Pairs are drawn
from the classes deterministically, so the labels follow from the grouping, which is the part
a human checks. Polynomial families are expanded by SymPy here (trusted code, not student text).

    python benchmarks/equivalence/build_corpus.py      # rewrites corpus.jsonl next to this file
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import sympy

HERE = Path(__file__).resolve().parent

# symbol specs, in the JSON form `grader equiv` reads
REAL = "real"
POS = "positive"
PROB = "probability"

Family = dict  # {"name", "syntax", "symbols", "classes": [[form, ...], ...], "notes": [...]}

FAMILIES: list[Family] = [
    # ---- sigmoid, tanh, softplus ---------------------------------------------------------
    {"name": "sigmoid-derivative", "syntax": "latex", "symbols": {"z": REAL},
     "classes": [
         [r"\sigma(z)(1-\sigma(z))", r"\sigma(z) - \sigma(z)^2", r"\frac{e^{-z}}{(1+e^{-z})^2}",
          r"\frac{1}{1+e^{-z}}\cdot\frac{e^{-z}}{1+e^{-z}}", r"\frac{e^{z}}{(1+e^{z})^2}",
          r"\sigma(z)\,\sigma(-z)", r"\left(1-\sigma(z)\right)\sigma(z)"],
         [r"\sigma(z)(1+\sigma(z))"],
         [r"\sigma(z)^2"],
         [r"1-\sigma(z)", r"\frac{e^{-z}}{1+e^{-z}}", r"\sigma(-z)"],
         [r"-\sigma(z)(1-\sigma(z))"],
         [r"\sigma(z)", r"\frac{1}{1+e^{-z}}"],
     ],
     "notes": ["sigma'(z)", "plus instead of minus", "sigma squared", "1 - sigma", "sign flipped",
               "softplus' given for sigmoid'"]},
    {"name": "sigmoid", "syntax": "plain", "symbols": {"z": REAL},
     "classes": [
         ["1/(1+exp(-z))", "exp(z)/(1+exp(z))", "sigma(z)", "(1 + tanh(z/2))/2", "1 - sigma(-z)"],
         ["1/(1+exp(z))", "sigma(-z)"],
         ["1/(1-exp(-z))"],
         ["exp(z)/(1+exp(-z))"],
         ["tanh(z)"],
     ],
     "notes": ["sigmoid forms", "sigma(-z)", "minus in the denominator", "wrong exponent", "tanh"]},
    {"name": "tanh-derivative", "syntax": "latex", "symbols": {"z": REAL},
     "classes": [
         [r"1-\tanh(z)^2", r"1-\tanh^2(z)", r"\frac{4}{(e^{z}+e^{-z})^2}",
          r"4\sigma(2z)(1-\sigma(2z))", r"(1-\tanh(z))(1+\tanh(z))"],
         [r"1+\tanh(z)^2"],
         [r"1-\tanh(z)"],
         [r"\tanh(z)(1-\tanh(z))"],
         [r"2(1-\tanh(z)^2)", r"\frac{8}{(e^{z}+e^{-z})^2}"],
     ],
     "notes": ["tanh'(z)", "plus", "not squared", "sigmoid pattern used", "factor 2"]},
    {"name": "tanh-via-sigmoid", "syntax": "plain", "symbols": {"z": REAL},
     "classes": [
         ["tanh(z)", "2*sigma(2*z) - 1", "(exp(z) - exp(-z))/(exp(z) + exp(-z))", "(1 - exp(-2*z))/(1 + exp(-2*z))"],
         ["2*sigma(z) - 1", "(1 - exp(-z))/(1 + exp(-z))"],
         ["sigma(2*z) - 1"],
     ],
     "notes": ["tanh = 2 sigma(2z) - 1", "argument not doubled", "factor 2 missing"]},
    {"name": "softplus-derivative", "syntax": "latex", "symbols": {"z": REAL},
     "classes": [
         [r"\sigma(z)", r"\frac{1}{1+e^{-z}}", r"\frac{e^{z}}{1+e^{z}}", r"1-\sigma(-z)"],
         [r"\sigma(z)(1-\sigma(z))", r"\frac{e^{z}}{(1+e^{z})^2}"],
         [r"\log(1+e^{z})"],
         [r"\frac{1}{1+e^{z}}"],
         [r"e^{z}"],
     ],
     "notes": ["softplus'(z) = sigma(z)", "sigmoid' given for softplus'", "softplus itself",
               "sign of exponent", "log derivative missing"]},
    {"name": "softplus", "syntax": "plain", "symbols": {"z": REAL},
     "classes": [
         ["log(1 + exp(z))", "softplus(z)", "z + log(1 + exp(-z))", "-log(sigma(-z))", "ln(1+exp(z))"],
         ["log(1 + exp(-z))", "softplus(-z)"],
         ["log(exp(z))", "z"],
         ["log(1 + z)"],
     ],
     "notes": ["softplus forms", "sign in the exponent", "the 1 dropped", "exp dropped"]},
    # ---- losses and their gradients ----------------------------------------------------------
    {"name": "bce-gradient-logit", "syntax": "latex", "symbols": {"z": REAL, "y": REAL},
     "classes": [
         [r"\sigma(z) - y", r"-y(1-\sigma(z)) + (1-y)\sigma(z)", r"\frac{1}{1+e^{-z}} - y",
          r"-(y - \sigma(z))", r"\sigma(z)(1-y) - y\,\sigma(-z)"],
         [r"y - \sigma(z)"],
         [r"\sigma(z)(1-\sigma(z))(\sigma(z)-y)"],
         [r"-\frac{y}{\sigma(z)} + \frac{1-y}{1-\sigma(z)}"],
         [r"\sigma(z) + y"],
     ],
     "notes": ["dL/dz for BCE with a sigmoid", "sign flipped", "MSE chain used", "dL/dp given", "sign of y"]},
    {"name": "bce-gradient-prob", "syntax": "latex", "symbols": {"p": PROB, "y": REAL},
     "classes": [
         [r"-\frac{y}{p} + \frac{1-y}{1-p}", r"\frac{p-y}{p(1-p)}", r"\frac{1-y}{1-p} - \frac{y}{p}",
          r"\frac{p - y}{p - p^2}"],
         [r"\frac{y}{p} - \frac{1-y}{1-p}"],
         [r"-\frac{y}{p} - \frac{1-y}{1-p}"],
         [r"\frac{p-y}{p}"],
         [r"p - y"],
     ],
     "notes": ["dL/dp for BCE", "sign flipped", "second sign wrong", "(1-p) factor missing", "dL/dz given"]},
    {"name": "mse-gradient", "syntax": "latex",
     "symbols": {"y": REAL, r"\hat{y}": REAL, "h": REAL, "w_2": REAL, "x": REAL},
     "classes": [
         [r"-(y-\hat{y})h", r"(\hat{y}-y)h", r"h\hat{y} - hy", r"-h(y - \hat{y})", r"(\hat{y}-y)\cdot h"],
         [r"(y-\hat{y})h", r"hy - h\hat{y}"],
         [r"-(y-\hat{y})"],
         [r"-2(y-\hat{y})h"],
         [r"-\frac{1}{2}(y-\hat{y})h"],
         [r"-(y-\hat{y})w_2x"],
     ],
     "notes": ["dL/dw2 for L = 1/2 (y - yhat)^2", "sign flipped", "h missing", "factor 2", "factor 1/2",
               "dL/dw1 given"]},
    {"name": "mse-gradient-w1", "syntax": "plain",
     "symbols": {"y": REAL, "y_hat": REAL, "w_2": REAL, "x": REAL},
     "classes": [
         ["-(y - y_hat)*w_2*x", "(y_hat - y)*w_2*x", "w_2*x*y_hat - w_2*x*y", "x*(y_hat - y)*w_2"],
         ["(y - y_hat)*w_2*x"],
         ["-(y - y_hat)*w_2"],
         ["-(y - y_hat)*x"],
         ["-2*(y - y_hat)*w_2*x"],
     ],
     "notes": ["dL/dw1", "sign flipped", "x missing", "w_2 missing", "factor 2"]},
    {"name": "l2-regularised-gradient", "syntax": "latex",
     "symbols": {"x": REAL, "y": REAL, r"\hat{y}": REAL, "w": REAL, r"\lambda": POS},
     "classes": [
         [r"(\hat{y}-y)x + 2\lambda w", r"x(\hat{y}-y) + \lambda w + \lambda w", r"2\lambda w - (y-\hat{y})x",
          r"(\hat{y}-y)\cdot x + 2 w\lambda"],
         [r"(\hat{y}-y)x"],
         [r"(\hat{y}-y)x + \lambda w"],
         [r"(\hat{y}-y)x + 2\lambda"],
         [r"(\hat{y}-y)x - 2\lambda w"],
         [r"(y-\hat{y})x + 2\lambda w"],
     ],
     "notes": ["gradient with an L2 term", "regularisation term missing", "factor 2 of the L2 term",
               "w missing from the L2 term", "L2 term subtracted", "data term sign flipped"]},
    {"name": "cross-entropy-logits", "syntax": "latex",
     "symbols": {"z": "vector[4]", "c": "index[4]", "k": "index[4]"},
     "classes": [
         [r"-\log\left(\frac{e^{z_c}}{\sum_k e^{z_k}}\right)", r"\log\left(\sum_k e^{z_k}\right) - z_c",
          r"-z_c + \log\sum_{k=1}^{4} e^{z_k}", r"\log\left(\frac{\sum_k e^{z_k}}{e^{z_c}}\right)"],
         [r"\log\left(\sum_k e^{z_k}\right) + z_c"],
         [r"\sum_k z_k - z_c"],
         [r"-z_c"],
         [r"\log\left(\frac{e^{z_c}}{\sum_k e^{z_k}}\right)"],
     ],
     "notes": ["cross-entropy of a softmax", "sign of z_c", "log-sum-exp dropped", "normaliser missing",
               "sign flipped"]},
    {"name": "cross-entropy-logit-gradient", "syntax": "latex",
     "symbols": {"z": "vector[4]", "c": "index[4]", "j": "index[4]", "k": "index[4]"},
     "classes": [
         [r"\frac{e^{z_j}}{\sum_k e^{z_k}} - \delta_{jc}", r"\frac{e^{z_j} - \delta_{jc}\sum_k e^{z_k}}{\sum_k e^{z_k}}",
          r"-\left(\delta_{jc} - \frac{e^{z_j}}{\sum_{k=1}^{4} e^{z_k}}\right)"],
         [r"\delta_{jc} - \frac{e^{z_j}}{\sum_k e^{z_k}}"],
         [r"\frac{e^{z_j}}{\sum_k e^{z_k}}"],
         [r"\frac{e^{z_j}}{\sum_k e^{z_k}} - 1"],
         [r"\frac{e^{z_c}}{\sum_k e^{z_k}} - \delta_{jc}"],
     ],
     "notes": ["dCE/dz_j = s_j - delta_jc", "sign flipped", "one-hot term missing",
               "delta taken as 1 for all j", "indices swapped"]},
    # ---- softmax Jacobian ------------------------------------------------------------------
    {"name": "softmax-jacobian-index", "syntax": "latex",
     "symbols": {"s": "probability vector[4]", "i": "index[4]", "j": "index[4]"},
     "classes": [
         [r"s_i(\delta_{ij}-s_j)", r"s_i\delta_{ij} - s_i s_j", r"\delta_{ij}s_i - s_is_j",
          r"s_j(\delta_{ij} - s_i)", r"-s_i(s_j - \delta_{ij})", r"s_i \delta_{ij} - s_j s_i",
          r"\delta_{ij} s_j - s_i s_j", r"s_i\left(\delta_{ij} - s_j\right)"],
         [r"s_i(1-s_j)", r"s_i - s_i s_j"],
         [r"s_i(1-s_i)", r"s_i - s_i^2"],
         [r"-s_i(\delta_{ij}-s_j)", r"s_i s_j - s_i\delta_{ij}"],
         [r"s_i(\delta_{ij}+s_j)"],
         [r"s_i\delta_{ij}"],
         [r"-s_i s_j"],
         [r"s_j(\delta_{ij}-s_j)"],
         [r"\delta_{ij} - s_i s_j"],
     ],
     "notes": ["softmax Jacobian", "delta taken as 1", "elementwise sigmoid", "sign flipped",
               "plus instead of minus", "off-diagonal term missing", "diagonal term missing",
               "indices mixed", "s_i factor missing on the delta"]},
    {"name": "softmax-jacobian-index-plain", "syntax": "plain",
     "symbols": {"s": "probability vector[4]", "i": "index[4]", "j": "index[4]"},
     "classes": [
         ["s_i*(delta(i,j) - s_j)", "s_i*delta(i,j) - s_i*s_j", "delta(i,j)*s_j - s_i*s_j",
          "-s_i*(s_j - delta(i,j))"],
         ["s_i*(1 - s_j)"],
         ["s_i*(1 - s_i)"],
         ["s_j*(delta(i,j) - s_i) + s_i*s_j"],
         ["s_i*(delta(i,j) - s_j)^2"],
     ],
     "notes": ["softmax Jacobian, keyboard syntax", "delta taken as 1", "elementwise sigmoid",
               "an extra term", "squared"]},
    {"name": "softmax-jacobian-logits", "syntax": "latex",
     "symbols": {"z": "vector[4]", "i": "index[4]", "j": "index[4]", "k": "index[4]"},
     "classes": [
         [r"\frac{e^{z_i}}{\sum_k e^{z_k}}\left(\delta_{ij} - \frac{e^{z_j}}{\sum_k e^{z_k}}\right)",
          r"\frac{e^{z_i}\delta_{ij}}{\sum_k e^{z_k}} - \frac{e^{z_i}e^{z_j}}{(\sum_k e^{z_k})^2}",
          r"\frac{\delta_{ij}e^{z_i}\sum_k e^{z_k} - e^{z_i}e^{z_j}}{\left(\sum_k e^{z_k}\right)^2}",
          r"\frac{e^{z_i}}{\sum_{k=1}^{4} e^{z_k}}\delta_{ij} - \frac{e^{z_i+z_j}}{(\sum_{k=1}^{4} e^{z_k})^2}"],
         [r"\frac{e^{z_i}}{\sum_k e^{z_k}}\left(1 - \frac{e^{z_j}}{\sum_k e^{z_k}}\right)",
          r"\frac{e^{z_i}\sum_k e^{z_k} - e^{z_i}e^{z_j}}{(\sum_k e^{z_k})^2}"],
         [r"\frac{e^{z_i}\delta_{ij}}{\sum_k e^{z_k}} + \frac{e^{z_i}e^{z_j}}{(\sum_k e^{z_k})^2}"],
         [r"\frac{e^{z_i}}{\sum_k e^{z_k}}"],
         [r"\frac{\delta_{ij}e^{z_i}\sum_k e^{z_k} - e^{z_i}e^{z_j}}{\sum_k e^{z_k}}"],
     ],
     "notes": ["softmax Jacobian in the logits", "delta taken as 1 (quotient rule without the case split)",
               "sign of the second term", "only the softmax", "denominator not squared"]},
    {"name": "softmax-jacobian-matrix", "syntax": "latex",
     "symbols": {"s": "probability vector[4]"},
     "classes": [
         [r"\operatorname{diag}(s) - s s^T", r"\mathrm{diag}(s) - ss^\top", r"\operatorname{diag}(s) - s s^{T}",
          r"\operatorname{diag}(s) - (s s^T)^T", r"-(s s^T - \operatorname{diag}(s))"],
         [r"\operatorname{diag}(s) + s s^T"],
         [r"s s^T - \operatorname{diag}(s)"],
         [r"\operatorname{diag}(s) - s^T s"],
         [r"\operatorname{diag}(s)"],
     ],
     "notes": ["diag(s) - s s^T", "plus", "sign flipped", "s^T s: a scalar, not an outer product",
               "outer product missing"]},
    {"name": "softmax-jacobian-identity", "syntax": "latex",
     "symbols": {"s": "probability vector[4]"},
     "classes": [
         [r"\operatorname{diag}(s) - s s^T"],
         [r"I - s s^T"],
     ],
     "notes": ["diag(s) - s s^T", "the identity I instead of diag(s)"]},
    # ---- matrices, backprop --------------------------------------------------------------------
    {"name": "matrix-transpose-product", "syntax": "plain",
     "symbols": {"A": "matrix[2,3]", "B": "matrix[3,2]", "C": "matrix[3,2]"},
     "classes": [
         ["(A*B)^T", "B^T*A^T", "(A B)^T"],
         ["A*B"],
         ["A^T*B^T"],
     ],
     "notes": ["(AB)^T", "transpose missing", "order not reversed"]},
    {"name": "matrix-distributive", "syntax": "plain",
     "symbols": {"A": "matrix[2,3]", "B": "matrix[3,2]", "C": "matrix[3,2]"},
     "classes": [
         ["A*(B + C)", "A*B + A*C", "A*C + A*B"],
         ["A*B + C^T*A^T"],
         ["(B + C)*A"],
         ["A*B - A*C"],
     ],
     "notes": ["A(B + C)", "one term transposed", "order reversed", "sign"]},
    {"name": "matrix-square-noncommutative", "syntax": "latex",
     "symbols": {"P": "matrix[3,3]", "Q": "matrix[3,3]"},
     "classes": [
         [r"(P+Q)^2", r"P^2 + PQ + QP + Q^2", r"(P+Q)(P+Q)"],
         [r"P^2 + 2PQ + Q^2"],
         [r"P^2 + Q^2"],
         [r"(P-Q)(P+Q)"],
     ],
     "notes": ["(P+Q)^2 for matrices", "commutativity assumed", "cross terms missing", "sign"]},
    {"name": "matrix-inverse", "syntax": "latex",
     "symbols": {"P": "matrix[3,3]", "Q": "matrix[3,3]"},
     "classes": [
         [r"(PQ)^{-1}", r"Q^{-1}P^{-1}"],
         [r"P^{-1}Q^{-1}"],
         [r"(QP)^{T}"],
     ],
     "notes": ["inverse of a product", "order not reversed", "transpose instead of inverse"]},
    {"name": "softmax-regression-gradient", "syntax": "latex",
     "symbols": {"X": "matrix[5,3]", "W": "matrix[3,3]", "P": "matrix[5,3]", "Y": "matrix[5,3]",
                 "N": POS, r"\lambda": POS},
     "classes": [
         [r"\frac{1}{N}X^T(P - Y) + 2\lambda W", r"\frac{1}{N}(X^TP - X^TY) + 2\lambda W",
          r"X^T\frac{P-Y}{N} + \lambda(W + W)", r"\frac{X^\top (P-Y)}{N} + 2\lambda W"],
         [r"\frac{1}{N}X^T(P-Y)"],
         [r"\frac{1}{N}X^T(P-Y) + \lambda W"],
         [r"X^T(P-Y) + 2\lambda W"],
         [r"\frac{1}{N}(P-Y)^T X + 2\lambda W"],
         [r"\frac{1}{N}X^T(Y-P) + 2\lambda W"],
         [r"\frac{1}{N}X^T(P-Y) + 2\lambda W^T"],
     ],
     "notes": ["dJ/dW for softmax regression with L2", "regularisation term missing", "factor 2 of L2",
               "1/N missing", "transposed data term", "sign flipped", "transposed W"]},
    {"name": "two-layer-backprop", "syntax": "latex",
     "symbols": {"X": "matrix[5,3]", "G": "matrix[5,2]", "W_2": "matrix[4,2]", "M": "matrix[5,4]"},
     "classes": [
         [r"X^T\left((G W_2^T)\odot M\right)", r"X^\top (M \odot (G W_2^\top))", r"X^{T}((GW_2^{T})\odot M)"],
         [r"X^T G W_2^T"],
         [r"X^T\left((G W_2^T)\odot M\right) + X^T G W_2^T"],
         [r"-X^T\left((G W_2^T)\odot M\right)"],
     ],
     "notes": ["dJ/dW1 through the ReLU mask", "mask missing", "an extra unmasked term", "sign"]},
    {"name": "two-layer-delta", "syntax": "latex",
     "symbols": {"G": "matrix[5,2]", "W_2": "matrix[4,2]", "Z": "matrix[5,4]"},
     "classes": [
         [r"(G W_2^T)\odot\sigma(Z)", r"\sigma(Z)\odot(GW_2^\top)"],
         [r"G W_2^T"],
         [r"(G W_2^T)\odot\sigma(Z)\odot(1-\sigma(Z))"],
     ],
     "notes": ["dJ/dZ through a softplus hidden layer", "activation derivative missing",
               "sigmoid' used for softplus'"]},
    # ---- scalar calculus -----------------------------------------------------------------------
    {"name": "chain-rule-sigmoid", "syntax": "latex", "symbols": {"w": REAL, "x": REAL, "b": REAL},
     "classes": [
         [r"w\sigma(wx+b)(1-\sigma(wx+b))", r"w\,\sigma(wx+b) - w\,\sigma(wx+b)^2",
          r"\frac{w e^{-(wx+b)}}{(1+e^{-(wx+b)})^2}"],
         [r"\sigma(wx+b)(1-\sigma(wx+b))"],
         [r"x\sigma(wx+b)(1-\sigma(wx+b))"],
         [r"w\sigma(wx+b)"],
     ],
     "notes": ["d/dx sigma(wx+b)", "inner derivative w missing", "derivative wrt w given",
               "sigma'(z) missing"]},
    {"name": "chain-rule-softplus", "syntax": "latex", "symbols": {"w": REAL, "x": REAL},
     "classes": [
         [r"x\sigma(wx)", r"\frac{xe^{wx}}{1+e^{wx}}", r"\frac{x}{1+e^{-wx}}"],
         [r"\sigma(wx)"],
         [r"\frac{x}{1+e^{wx}}"],
         [r"x\sigma(wx)(1-\sigma(wx))"],
     ],
     "notes": ["d/dw log(1 + e^{wx})", "inner factor x missing", "sign of exponent", "sigmoid' for softplus'"]},
    {"name": "relu", "syntax": "latex", "symbols": {"z": REAL},
     "classes": [
         [r"\max(0, z)", r"\mathrm{ReLU}(z)", r"\max(z, 0)"],
         [r"\max(0, -z)"],
         [r"\min(0, z)"],
         [r"z"],
     ],
     "notes": ["ReLU", "mirrored", "min", "identity"]},
    {"name": "rosenbrock-like-dx", "syntax": "plain", "symbols": {"x": REAL, "y": REAL},
     "classes": [
         ["-3*x^2 - 100*(2*y^2 - x)", "-3*x^2 + 100*x - 200*y^2", "-3x^2 - 100(2y^2 - x)", "100*(x - 2*y**2) - 3*x**2"],
         ["-3*x^2 + 100*(2*y^2 - x)"],
         ["-3*x^2 - 50*(2*y^2 - x)"],
         ["3*x^2 - 100*(2*y^2 - x)"],
     ],
     "notes": ["df/dx of (3 - x^3) + 50(2y^2 - x)^2", "inner derivative sign", "factor 2 missing",
               "sign of the cubic term"]},
    {"name": "rosenbrock-like-dy", "syntax": "plain", "symbols": {"x": REAL, "y": REAL},
     "classes": [
         ["400*y*(2*y^2 - x)", "800*y^3 - 400*x*y", "400y(2y^2-x)", "100*(2*y^2 - x)*4*y",
          "4*y*100*(2*y**2 - x)"],
         ["200*y*(2*y^2 - x)", "800*y^3/2 - 200*x*y"],
         ["800*y*(2*y^2 - x)", "1600*y^3 - 800*x*y"],
         ["400*y*(2*y^2 - x)^2"],
         ["4*y*(2*y^2 - x)"],
         ["100*(2*y^2 - x)"],
     ],
     "notes": ["df/dy", "factor 1/2 off", "factor 2 off", "square kept", "factor 100 lost", "inner derivative 4y missing"]},
    {"name": "perceptron-update", "syntax": "latex",
     "symbols": {"w": REAL, r"\alpha": POS, "t": REAL, "a": REAL, "x": REAL},
     "classes": [
         [r"w + \alpha(t-a)x", r"w - \alpha(a - t)x", r"w + \alpha x(t - a)", r"w + \alpha t x - \alpha a x"],
         [r"w + \alpha(a-t)x", r"w - \alpha(t-a)x"],
         [r"w + \alpha(t-a)"],
         [r"w + (t-a)x"],
         [r"\alpha(t-a)x"],
     ],
     "notes": ["perceptron rule", "error term sign (or update subtracted)", "input x missing",
               "learning rate missing", "old weight missing"]},
    {"name": "momentum", "syntax": "latex",
     "symbols": {"w": REAL, "v": REAL, r"\beta": POS, r"\gamma": POS, "g": REAL},
     "classes": [
         [r"w + \beta v - \gamma g", r"w - (\gamma g - \beta v)", r"w + (\beta v - \gamma g)"],
         [r"w - \beta v - \gamma g"],
         [r"w + \beta v + \gamma g"],
         [r"w - \gamma g"],
     ],
     "notes": ["momentum step", "velocity subtracted", "gradient added", "velocity missing"]},
    {"name": "parameter-count", "syntax": "plain", "symbols": {"N_H": POS},
     "classes": [
         ["6*N_H + 3", "2*N_H + N_H + 3*N_H + 3", "3*(2*N_H + 1)", "(2 + 1)*N_H + (N_H + 1)*3"],
         ["5*N_H + 3"],
         ["6*N_H"],
         ["6*N_H + 5"],
     ],
     "notes": ["parameters of a 2-N_H-3 net", "a bias vector missing", "output biases missing",
               "one bias too many"]},
    {"name": "sums", "syntax": "latex",
     "symbols": {"a": "vector[5]", "b": "vector[5]", "k": "index[5]"},
     "classes": [
         [r"\sum_k (a_k + b_k)", r"\sum_k a_k + \sum_k b_k", r"\sum_{k=1}^{5} b_k + \sum_{k=1}^{5} a_k"],
         [r"\sum_k a_k b_k"],
         [r"\sum_k a_k"],
         [r"2\sum_k a_k"],
     ],
     "notes": ["sum of a sum", "product for sum", "a term missing", "b replaced by a"]},
    {"name": "sum-of-products", "syntax": "latex",
     "symbols": {"a": "vector[5]", "b": "vector[5]", "k": "index[5]"},
     "classes": [
         [r"\sum_k a_k b_k", r"\sum_{k=1}^{5} b_k a_k"],
         [r"\sum_k a_k \sum_k b_k", r"\left(\sum_k a_k\right)\left(\sum_k b_k\right)"],
         [r"\sum_k a_k^2"],
     ],
     "notes": ["dot product", "product of sums", "a squared"]},
    # ---- exp / log identities, domains -------------------------------------------------------
    {"name": "log-product-positive", "syntax": "plain", "symbols": {"x": POS, "y": POS},
     "classes": [
         ["log(x*y)", "log(x) + log(y)", "log(y) + ln(x)"],
         ["log(x + y)"],
         ["log(x)*log(y)"],
         ["log(x) - log(y)", "log(x/y)"],
     ],
     "notes": ["log of a product (x, y > 0)", "log of a sum", "product of logs", "quotient"]},
    {"name": "log-power-positive", "syntax": "latex", "symbols": {"x": POS},
     "classes": [
         [r"\log(x^3)", r"3\log(x)", r"\log x + \log(x^2)", r"\ln(x^3)"],
         [r"(\log x)^3", r"\log(x)^3"],
         [r"\log(3x)"],
         [r"\frac{1}{3}\log(x)", r"\log(\sqrt[3]{x})"],
     ],
     "notes": ["log of a power (x > 0)", "power of a log", "3 inside the log", "inverse power"]},
    {"name": "exp-identities", "syntax": "latex", "symbols": {"a": REAL, "b": REAL},
     "classes": [
         [r"e^{a+b}", r"e^{a}e^{b}", r"\exp(a)\exp(b)", r"\exp(a+b)"],
         [r"e^{a} + e^{b}"],
         [r"e^{ab}"],
         [r"e^{a-b}", r"\frac{e^{a}}{e^{b}}"],
     ],
     "notes": ["exp of a sum", "sum of exps", "product in the exponent", "quotient"]},
    {"name": "exp-log-positive", "syntax": "plain", "symbols": {"x": POS},
     "classes": [
         ["exp(2*log(x))", "x^2", "x*x", "exp(log(x))^2"],
         ["2*x"],
         ["exp(2)*x"],
         ["x^2 + 1"],
     ],
     "notes": ["exp(2 log x) (x > 0)", "doubling for squaring", "exp(2) x", "off by one"]},
    {"name": "sqrt-positive", "syntax": "latex", "symbols": {"x": POS, "y": POS},
     "classes": [
         [r"\sqrt{x^2 y}", r"x\sqrt{y}", r"\sqrt{x^2}\sqrt{y}", r"x y^{1/2}"],
         [r"x y"],
         [r"\sqrt{x}\, y"],
         [r"x^2\sqrt{y}"],
     ],
     "notes": ["sqrt(x^2 y) with x, y > 0", "root dropped", "root on the wrong factor", "square kept"]},
    {"name": "sqrt-real", "syntax": "plain", "symbols": {"x": REAL},
     "classes": [
         ["sqrt(x^2)", "abs(x)", "sqrt(x*x)"],
         ["x"],
         ["-x"],
     ],
     "notes": ["sqrt(x^2) for real x is |x|", "x (only for x >= 0)", "-x"]},
    {"name": "log-exp-real", "syntax": "latex", "symbols": {"x": REAL},
     "classes": [
         [r"\log(e^{x})", r"x", r"\ln\left(e^{x}\right)", r"\log(e^{2x}) - x"],
         [r"\log(1 + e^{x})"],
         [r"\log(e^{x}) + 1", r"\log(e^{x+1})"],
     ],
     "notes": ["log exp x", "softplus", "off by one"]},
    # ---- numbers ----------------------------------------------------------------------------
    {"name": "near-equal-constants", "syntax": "plain", "symbols": {"x": REAL, "r": POS},
     "classes": [
         ["x/3", "x*(1/3)", "(2*x)/6"],
         ["0.3333*x"],
         ["0.33333333*x"],
         ["x/3 + 0.000001"],
     ],
     "notes": ["x/3", "rounded constant", "rounded to 8 digits", "a tiny offset"]},
    {"name": "near-equal-e", "syntax": "plain", "symbols": {"x": REAL},
     "classes": [
         ["exp(x)", "e^x", "exp(x/2)^2"],
         ["2.71828^x"],
         ["2.718281828^x"],
     ],
     "notes": ["e^x", "e rounded to 5 decimals", "e rounded to 9 decimals"]},
    {"name": "near-equal-pi-sqrt", "syntax": "latex", "symbols": {"r": POS, "x": REAL},
     "classes": [
         [r"\pi r^2 + \sqrt{2}x", r"r^2\pi + x\sqrt{2}", r"\pi r^{2} + \frac{2x}{\sqrt{2}}"],
         [r"3.1416 r^2 + \sqrt{2}x"],
         [r"\pi r^2 + 1.41421x"],
     ],
     "notes": ["pi and sqrt 2", "pi rounded", "sqrt 2 rounded"]},
    {"name": "decimals-exact", "syntax": "latex", "symbols": {"x": REAL},
     "classes": [
         [r"0.25x", r"\frac{x}{4}", r"\frac{1}{4}x", r"2.5 \times 10^{-1} x"],
         [r"0.2x"],
         [r"\frac{x}{4} + 10^{-9}"],
     ],
     "notes": ["x/4", "0.2", "a tiny offset"]},
    {"name": "rational-functions", "syntax": "plain", "symbols": {"x": POS},
     "classes": [
         ["(x^2 - 1)/(x - 1)", "x + 1", "(x + 1)*(x - 1)/(x - 1)"],
         ["x - 1"],
         ["(x^2 + 1)/(x + 1)"],
     ],
     "notes": ["cancellation (removable singularity at 1)", "wrong factor", "wrong sign"]},
    {"name": "factorisations", "syntax": "latex", "symbols": {"x": REAL, "y": REAL},
     "classes": [
         [r"x^3 - y^3", r"(x-y)(x^2+xy+y^2)", r"(x - y)\left(x^{2} + x y + y^{2}\right)"],
         [r"(x-y)(x^2-xy+y^2)"],
         [r"(x-y)^3"],
         [r"(x-y)(x^2+y^2)"],
     ],
     "notes": ["difference of cubes", "wrong middle sign", "cube of the difference", "cross term missing"]},
]


def _poly_families() -> list[dict]:
    """High-degree polynomials: expanded forms are equal, a changed constant is not.

    Evaluating at a few random points misses the change when the values are huge."""
    x = sympy.Symbol("x")
    out = []
    for n, c in ((5, 1), (8, 2), (12, 3), (16, 3), (20, 2), (10, -3)):
        factored = (x + c) ** n
        expanded = sympy.expand(factored)
        off = expanded + 1
        plain = lambda e: str(e).replace("**", "^")  # noqa: E731
        latex = lambda e: sympy.latex(e)  # noqa: E731
        out.append({"name": f"poly-{n}-{c}-plain", "syntax": "plain", "symbols": {"x": REAL},
                    "classes": [[plain(factored), plain(expanded)], [plain(off)],
                                [plain(expanded - 2 * x ** (n - 1))]],
                    "notes": [f"(x + {c})^{n} expanded", "constant off by one", "a coefficient off"]})
        out.append({"name": f"poly-{n}-{c}-latex", "syntax": "latex", "symbols": {"x": REAL},
                    "classes": [[latex(factored), latex(expanded)], [latex(off)]],
                    "notes": [f"(x + {c})^{n} expanded", "constant off by one"]})
    return out


def declarations(spec: dict[str, str]) -> dict:
    """The family's short specs ("positive", "probability vector[4]", "index[4]", "matrix[2,3]")
    as the declarations `grader equiv` reads: symbols (name -> domain or {domain, shape}),
    indices (name -> dimension) and dims (dimension -> size)."""
    symbols: dict[str, object] = {}
    indices: dict[str, str] = {}
    dims: dict[str, int] = {}
    for name, s in spec.items():
        m = re.fullmatch(r"(probability )?(vector|matrix|index)\[(\d+)(?:,(\d+))?\]", s)
        if m is None:
            symbols[name] = s
            continue
        kind, n = m.group(2), int(m.group(3))
        if kind == "index":
            indices[name] = "n"
            dims["n"] = n
        elif kind == "vector":
            symbols[name] = {"shape": [n], **({"domain": "probability"} if m.group(1) else {})}
            dims["n"] = n
        else:
            symbols[name] = {"shape": [n, int(m.group(4))]}
    out: dict[str, object] = {"symbols": symbols}
    if indices:
        out["indices"] = indices
    if dims:
        out["dims"] = dims
    return out


def pairs_of(fam: dict) -> list[dict]:
    classes = fam["classes"]
    notes = fam.get("notes", [])
    label = lambda k: notes[k] if k < len(notes) else f"class {k}"  # noqa: E731
    out = []

    decl = declarations(fam["symbols"])

    def add(a: str, b: str, equal: bool, note: str) -> None:
        out.append({"a": a, "b": b, "syntax": fam["syntax"], **decl, "equal": equal,
                    "note": f"{fam['name']}: {note}"})

    right = classes[0]
    for a, b in itertools.islice(itertools.combinations(right, 2), 12):
        add(a, b, True, f"{label(0)}; two right forms")
    for k, cls in enumerate(classes[1:], start=1):
        for a, b in itertools.islice(itertools.combinations(cls, 2), 2):
            add(a, b, True, f"both: {label(k)}")
        for n, wrong in enumerate(cls):
            add(wrong, right[0], False, f"{label(k)} vs the right answer")
            other = right[(k + n) % len(right)]
            if other != right[0]:
                add(other, wrong, False, f"the right answer vs {label(k)}")
    # wrong vs wrong (not equal either): one pair per neighbouring class
    for k in range(1, len(classes) - 1):
        add(classes[k][0], classes[k + 1][0], False, f"{label(k)} vs {label(k + 1)}")
    return out


def build() -> list[dict]:
    rows = []
    for fam in FAMILIES + _poly_families():
        rows.extend(pairs_of(fam))
    return rows


def main() -> None:
    rows = build()
    path = HERE / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    eq = sum(r["equal"] for r in rows)
    print(f"wrote {len(rows)} pairs ({eq} equal, {len(rows) - eq} not equal) to {path}")


if __name__ == "__main__":
    main()
