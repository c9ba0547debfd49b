"""Small classification data sets generated deterministically from a seed.

XOR, concentric circles, interleaved spirals and Gaussian blobs: the toy problems of the
course's training exercises. Every generator takes an integer seed and returns the same
points for the same arguments, on every machine (numpy's PCG64 `default_rng`).

`make(spec, seed)` builds one from a part's `dataset = {name = "spirals", n = 300, ...}`
table, `split` holds out a seeded test fraction.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from grader.errors import ExerciseError, Location


@dataclass(frozen=True)
class Dataset:
    """Points `X` (n × 2, float64) with integer labels `y` (n,) in 0 … classes−1."""

    name: str
    X: np.ndarray
    y: np.ndarray

    @property
    def classes(self) -> int:
        return int(self.y.max()) + 1 if self.y.size else 0

    def __len__(self) -> int:
        return int(self.y.shape[0])


def _counts(n: int, classes: int) -> list[int]:
    """n points shared as evenly as possible between the classes (balanced)."""
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


def xor(n: int = 200, seed: int = 0, noise: float = 0.1) -> Dataset:
    """Four clusters at (±1, ±1): label 1 where the signs differ (x1·x2 < 0)."""
    rng = np.random.default_rng(seed)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=float)
    which = np.arange(n) % 4
    X = corners[which] * rng.uniform(0.3, 1.0, size=(n, 1)) + rng.normal(0, noise, size=(n, 2))
    y = (which >= 2).astype(np.int64)
    return _shuffled("xor", X, y, rng)


def circles(n: int = 200, seed: int = 0, noise: float = 0.05, factor: float = 0.5) -> Dataset:
    """Two concentric circles: the inner one (radius `factor`) is class 1."""
    if not 0 < factor < 1:
        raise ValueError("factor must be between 0 and 1")
    rng = np.random.default_rng(seed)
    n_out, n_in = _counts(n, 2)
    angles = rng.uniform(0, 2 * np.pi, size=n)
    radius = np.concatenate([np.ones(n_out), np.full(n_in, factor)])
    X = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    X += rng.normal(0, noise, size=X.shape)
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _shuffled("circles", X, y, rng)


def spirals(n: int = 300, seed: int = 0, classes: int = 3, noise: float = 0.2, turns: float = 1.0) -> Dataset:
    """`classes` interleaved spiral arms (the classic CS231n toy set)."""
    if classes < 2:
        raise ValueError("spirals need at least 2 classes")
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for c, m in enumerate(_counts(n, classes)):
        r = np.linspace(0.1, 1.0, m)  # not from 0: every arm would share the origin
        t = np.linspace(c * 2 * np.pi / classes, c * 2 * np.pi / classes + turns * 2 * np.pi, m)
        t = t + rng.normal(0, noise, size=m)
        Xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(m, c, dtype=np.int64))
    return _shuffled("spirals", np.concatenate(Xs), np.concatenate(ys), rng)


def blobs(n: int = 200, seed: int = 0, classes: int = 3, std: float = 0.5, spread: float = 3.0) -> Dataset:
    """Isotropic Gaussian blobs, centres evenly spaced on a circle of radius `spread`."""
    if classes < 1:
        raise ValueError("blobs need at least 1 class")
    rng = np.random.default_rng(seed)
    angles = 2 * np.pi * np.arange(classes) / classes
    centres = spread * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    y = np.concatenate([np.full(m, c, dtype=np.int64) for c, m in enumerate(_counts(n, classes))])
    X = centres[y] + rng.normal(0, std, size=(n, 2))
    return _shuffled("blobs", X, y, rng)


def _shuffled(name: str, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Dataset:
    order = rng.permutation(len(y))
    return Dataset(name, np.ascontiguousarray(X[order], dtype=np.float64), y[order].astype(np.int64))


def split(ds: Dataset, test_fraction: float, seed: int) -> tuple[Dataset, Dataset]:
    """A seeded, stratified train/test split: every class keeps its share in both halves."""
    if not 0 < test_fraction < 1:
        raise ValueError("test_fraction must be between 0 and 1")
    rng = np.random.default_rng(seed)
    test_idx: list[np.ndarray] = []
    for c in np.unique(ds.y):
        idx = rng.permutation(np.flatnonzero(ds.y == c))
        test_idx.append(idx[: max(1, int(round(test_fraction * len(idx))))])
    test = np.sort(np.concatenate(test_idx))
    train = np.setdiff1d(np.arange(len(ds)), test)
    return (Dataset(ds.name, ds.X[train], ds.y[train]), Dataset(ds.name, ds.X[test], ds.y[test]))


GENERATORS: dict[str, Callable[..., Dataset]] = {
    "xor": xor, "circles": circles, "spirals": spirals, "blobs": blobs,
}

#: the keyword arguments each generator accepts besides n and seed, with their types
_PARAMS: dict[str, dict[str, type]] = {
    "xor": {"noise": float},
    "circles": {"noise": float, "factor": float},
    "spirals": {"classes": int, "noise": float, "turns": float},
    "blobs": {"classes": int, "std": float, "spread": float},
}
MAX_POINTS = 100_000


def check_spec(raw: Any, where: Location) -> dict[str, Any]:
    """Validate a part's `dataset = {name = ..., n = ..., ...}` table at load time."""
    if not isinstance(raw, dict):
        raise ExerciseError("'dataset' must be a table like {name = \"spirals\", n = 300}", location=where)
    name = raw.get("name")
    if name not in GENERATORS:
        raise ExerciseError(f"unknown data set {name!r} (known: {', '.join(sorted(GENERATORS))})",
                            location=where)
    out: dict[str, Any] = {"name": name}
    n = raw.get("n", 200)
    if not isinstance(n, int) or isinstance(n, bool) or not 4 <= n <= MAX_POINTS:
        raise ExerciseError(f"dataset 'n' must be an integer between 4 and {MAX_POINTS}, not {n!r}",
                            location=where)
    out["n"] = n
    for key, value in raw.items():
        if key in ("name", "n"):
            continue
        typ = _PARAMS[name].get(key)
        if typ is None:
            known = ", ".join(["n", *sorted(_PARAMS[name])])
            raise ExerciseError(f"unknown key '{key}' for the '{name}' data set (known: {known})",
                                location=where)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (typ is int and not isinstance(value, int)):
            raise ExerciseError(f"dataset '{key}' must be {'an integer' if typ is int else 'a number'}, "
                                f"not {value!r}", location=where)
        out[key] = typ(value)
    try:
        make(out, seed=0, n=min(n, 8))  # the generator's own checks (factor range, classes)
    except ValueError as e:
        raise ExerciseError(f"dataset: {e}", location=where) from None
    return out


def make(spec: dict[str, Any], seed: int, n: int | None = None) -> Dataset:
    """The data set a validated spec describes, for this seed (`n` overrides its size)."""
    kwargs = {k: v for k, v in spec.items() if k not in ("name", "n")}
    return GENERATORS[spec["name"]](n=spec.get("n", 200) if n is None else n, seed=seed, **kwargs)
