"""The generated data sets: deterministic, balanced, the right geometry, clear spec errors."""
from __future__ import annotations

import numpy as np
import pytest

from grader import datasets
from grader.errors import ExerciseError, Location

WHERE = Location(file="exercise.toml", key="parts.train.dataset", part="train")


@pytest.mark.parametrize("name", sorted(datasets.GENERATORS))
def test_same_seed_same_points_other_seed_other_points(name):
    gen = datasets.GENERATORS[name]
    a, b, c = gen(n=60, seed=7), gen(n=60, seed=7), gen(n=60, seed=8)
    assert a.X.dtype == np.float64 and a.X.shape == (60, 2) and a.y.shape == (60,)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    counts = np.bincount(a.y)
    assert counts.max() - counts.min() <= 1  # balanced classes


def test_geometry_matches_the_names():
    x = datasets.xor(n=400, seed=1, noise=0.01)
    assert np.all((x.X[:, 0] * x.X[:, 1] < 0) == (x.y == 1))
    c = datasets.circles(n=400, seed=1, noise=0.0, factor=0.4)
    r = np.hypot(c.X[:, 0], c.X[:, 1])
    assert np.allclose(r[c.y == 1], 0.4) and np.allclose(r[c.y == 0], 1.0)
    assert datasets.spirals(n=300, seed=1, classes=4).classes == 4
    b = datasets.blobs(n=300, seed=1, classes=3, std=0.1, spread=3.0)
    centres = np.array([b.X[b.y == k].mean(axis=0) for k in range(3)])
    assert np.allclose(np.hypot(centres[:, 0], centres[:, 1]), 3.0, atol=0.05)


def test_split_is_stratified_and_disjoint():
    ds = datasets.spirals(n=300, seed=3, classes=3)
    train, test = datasets.split(ds, 0.3, seed=5)
    assert len(train) + len(test) == 300 and len(test) == 90
    assert list(np.bincount(test.y)) == [30, 30, 30]
    rows = {tuple(r) for r in train.X} & {tuple(r) for r in test.X}
    assert not rows
    again = datasets.split(ds, 0.3, seed=5)[1]
    assert np.array_equal(again.X, test.X)


def test_spec_errors_name_the_key():
    assert datasets.check_spec({"name": "circles", "n": 100, "factor": 0.3}, WHERE) == \
        {"name": "circles", "n": 100, "factor": 0.3}
    with pytest.raises(ExerciseError, match="unknown data set 'moons'.*known: blobs, circles, spirals, xor"):
        datasets.check_spec({"name": "moons"}, WHERE)
    with pytest.raises(ExerciseError, match="unknown key 'classes' for the 'xor' data set"):
        datasets.check_spec({"name": "xor", "classes": 3}, WHERE)
    with pytest.raises(ExerciseError, match="'n' must be an integer"):
        datasets.check_spec({"name": "xor", "n": 2.5}, WHERE)
    with pytest.raises(ExerciseError, match="factor must be between 0 and 1") as e:
        datasets.check_spec({"name": "circles", "factor": 2.0}, WHERE)
    assert "parts.train.dataset" in str(e.value)
