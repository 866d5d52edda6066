"""datasets: shapes and labels, geometry, determinism by seed without touching
the global random state, train_test_split, the regression set, and bad arguments."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from autograd_lite import datasets

Generator = Callable[..., tuple[list[list[float]], list[int]]]

RANDOM: list[tuple[Generator, dict[str, Any]]] = [
    (datasets.moons, {"n": 50}),
    (datasets.circles, {"n": 50}),
    (datasets.spirals, {"n": 60, "n_classes": 3}),
    (datasets.blobs, {"n": 50, "centers": 4}),
]


@pytest.mark.parametrize(("make", "kwargs"), RANDOM)
def test_same_seed_same_data_and_global_random_untouched(
    make: Generator, kwargs: dict[str, Any]
) -> None:
    random.seed(11)
    expected_next = random.random()
    random.seed(11)
    a = make(**kwargs, seed=3)
    assert random.random() == expected_next
    assert make(**kwargs, seed=3) == a
    assert make(**kwargs, seed=4) != a


@pytest.mark.parametrize(("make", "kwargs"), RANDOM)
def test_shapes_and_balanced_labels(make: Generator, kwargs: dict[str, Any]) -> None:
    X, y = make(**kwargs)
    assert len(X) == len(y) == kwargs["n"]
    assert all(len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    counts = Counter(y)
    assert sorted(counts) == list(range(len(counts)))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_moons_without_noise_lie_on_two_half_circles() -> None:
    X, y = datasets.moons(40, noise=0.0)
    for (a, b), label in zip(X, y, strict=True):
        if label == 0:  # upper moon: unit circle around (0, 0), y >= 0
            assert math.hypot(a, b) == pytest.approx(1.0)
            assert b >= -1e-12
        else:  # lower moon: unit circle around (1, 0.5), y <= 0.5
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0)
            assert b <= 0.5 + 1e-12
    assert [-1.0, 0.0] in [[round(a, 12), round(b, 12)] for a, b in X]


def test_moons_are_shuffled() -> None:
    _, y = datasets.moons(40, noise=0.0, seed=0)
    assert y != sorted(y)


def test_circles_radii() -> None:
    X, y = datasets.circles(30, noise=0.0, factor=0.3)
    radii = {
        label: {round(math.hypot(*x), 12) for x, t in zip(X, y, strict=True) if t == label}
        for label in (0, 1)
    }
    assert radii == {0: {1.0}, 1: {0.3}}


def test_spiral_arms_grow_outwards_and_have_n_classes() -> None:
    X, y = datasets.spirals(90, n_classes=3, noise=0.0)
    assert Counter(y) == {0: 30, 1: 30, 2: 30}
    assert max(math.hypot(*x) for x in X) == pytest.approx(1.0)


@pytest.mark.parametrize("noise", [0.0, 0.2])
@pytest.mark.parametrize("n", [3, 12, 150, 300])
def test_no_spiral_point_is_shared_by_two_classes(n: int, noise: float) -> None:
    # Every arm used to start at (0, 0), so one point of each class sat on the same
    # spot and 148 of 150 was the best any model could score.
    X, y = datasets.spirals(n, n_classes=3, noise=noise, seed=0)
    labels_at: dict[tuple[float, ...], set[int]] = {}
    for x, label in zip(X, y, strict=True):
        labels_at.setdefault(tuple(x), set()).add(label)
    assert all(len(labels) == 1 for labels in labels_at.values())
    assert min(math.hypot(*x) for x in X) > 0.0


def test_blobs_around_given_centres() -> None:
    centres = [[0.0, 0.0, 0.0], [10.0, 10.0, 10.0]]
    X, y = datasets.blobs(200, centers=centres, std=0.5, seed=1)
    for label, centre in enumerate(centres):
        points = [x for x, t in zip(X, y, strict=True) if t == label]
        mean = [sum(p[i] for p in points) / len(points) for i in range(3)]
        assert mean == pytest.approx(centre, abs=0.2)


def test_xor_and_worked_example() -> None:
    X, y = datasets.xor()
    assert [int(a) ^ int(b) for a, b in X] == y
    X, y = datasets.worked_example()
    assert list(zip(map(tuple, X), y, strict=True)) == [
        ((0.1, 0.2), 0),
        ((0.4, 0.5), 1),
        ((0.3, 0.6), 1),
        ((0.7, 0.1), 0),
        ((0.9, 0.8), 1),
    ]


def test_train_test_split_partitions_the_data_reproducibly() -> None:
    X, y = datasets.moons(40, seed=2)
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.25, seed=5)
    assert (len(X_train), len(X_test)) == (30, 10)
    pairs = sorted(zip(map(tuple, X_train + X_test), y_train + y_test, strict=True))
    assert pairs == sorted(zip(map(tuple, X), y, strict=True))
    assert datasets.train_test_split(X, y, test_size=0.25, seed=5) == (
        X_train,
        X_test,
        y_train,
        y_test,
    )
    assert datasets.train_test_split(X, y, test_size=0.25, seed=6)[1] != X_test
    unshuffled = datasets.train_test_split(X, y, test_size=4, shuffle=False)
    assert unshuffled[1] == X[:4]


def test_bumps_targets_are_the_two_gaussians_plus_seeded_noise() -> None:
    random.seed(5)
    expected_next = random.random()
    random.seed(5)
    X, y = datasets.bumps(400, noise=0.0, seed=2)
    assert random.random() == expected_next
    assert len(X) == len(y) == 400
    assert all(-1.0 <= v <= 1.0 for x in X for v in x)
    for (x1, x2), target in zip(X, y):
        # Written out by hand: +1 at (-0.4, -0.3), -1 at (0.45, 0.35), width 0.35.
        up = math.exp(-((x1 + 0.4) ** 2 + (x2 + 0.3) ** 2) / (2 * 0.35**2))
        down = math.exp(-((x1 - 0.45) ** 2 + (x2 - 0.35) ** 2) / (2 * 0.35**2))
        assert target == pytest.approx(up - down, abs=1e-15)
    assert max(y) > 0.9
    assert min(y) < -0.9
    noisy_X, noisy_y = datasets.bumps(400, noise=0.2, seed=2)
    assert noisy_X == X  # noise moves the targets only
    residuals = [a - b for a, b in zip(noisy_y, y)]
    spread = math.sqrt(sum(r * r for r in residuals) / len(residuals))
    assert 0.15 < spread < 0.25
    assert datasets.bumps(50, seed=3) == datasets.bumps(50, seed=3) != datasets.bumps(50, seed=4)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: datasets.moons(1), ValueError, "n must be an int >= 2"),
        (lambda: datasets.moons(10, noise=-1.0), ValueError, "noise level"),
        (lambda: datasets.moons(10, seed=1.5), TypeError, "seed must be an int"),
        (lambda: datasets.circles(10, factor=1.0), ValueError, "factor"),
        (lambda: datasets.spirals(10, n_classes=1), ValueError, "n_classes"),
        (lambda: datasets.blobs(10, centers=0), ValueError, "centers must be >= 1"),
        (lambda: datasets.bumps(0), ValueError, "bumps: n must be an int >= 1"),
        (lambda: datasets.bumps(5, noise=math.inf), ValueError, "noise level"),
        (lambda: datasets.bumps(5, seed="1"), TypeError, "seed must be an int"),
        (lambda: datasets.blobs(10, centers=[[0.0], [1.0, 2.0]]), ValueError, "same"),
        (lambda: datasets.train_test_split([[1.0]], [0, 1]), ValueError, "1 samples but y has 2"),
        (
            lambda: datasets.train_test_split([[1.0]] * 4, [0] * 4, test_size=1.5),
            ValueError,
            "in \\(0, 1\\)",
        ),
        (
            lambda: datasets.train_test_split([[1.0]] * 4, [0] * 4, test_size=4),
            ValueError,
            "both parts",
        ),
    ],
)
def test_bad_arguments(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_digits_come_from_scikit_learns_bundled_copy() -> None:
    pytest.importorskip(
        "sklearn", reason='the digits need the [digits] extra: pip install -e ".[digits]"'
    )
    X, y = datasets.digits()
    assert (len(X), len(X[0]), sorted(set(y))) == (1797, 64, list(range(10)))
    assert all(0.0 <= v <= 1.0 for row in X for v in row)
    assert X[0][:8] == [
        0.0,
        0.0,
        0.3125,
        0.8125,
        0.5625,
        0.0625,
        0.0,
        0.0,
    ]  # the first image's top row
    assert y[:10] == list(range(10))


def test_digits_without_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import fails as if absent
    with pytest.raises(ImportError, match=r"autograd-lite\[digits\]"):
        datasets.digits()


# -- limits (issue 19: `train moons --samples 1000000000` grew past 4.9 GB in 25 s) ----------


class _NoRandom:
    """Stands in for random.Random: any draw means the generator started the work."""

    def __init__(self, seed: int) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"random.{name} was called: the data set was being generated")


def _no_linspace(*args: Any) -> list[float]:
    raise AssertionError("linspace was called: the data set was being generated")


class _NoTrigonometry:
    """``math`` without sin and cos: computing a point means the work started."""

    def __getattr__(self, name: str) -> Any:
        if name in ("sin", "cos"):
            raise AssertionError(f"math.{name} was called: the data set was being generated")
        return getattr(math, name)


@pytest.mark.parametrize(
    "make", [datasets.moons, datasets.circles, datasets.spirals, datasets.blobs]
)
def test_a_billion_samples_are_refused_before_any_work(
    make: Generator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasets.random, "Random", _NoRandom)
    monkeypatch.setattr(datasets, "linspace", _no_linspace)
    monkeypatch.setattr(datasets, "math", _NoTrigonometry())
    with pytest.raises(ValueError, match="n=1,000,000,000 is more than the limit of 1,000,000"):
        make(1_000_000_000)


def test_the_sample_limit_can_be_raised_or_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datasets, "MAX_SAMPLES", 20)
    assert len(datasets.moons(20)[0]) == 20
    with pytest.raises(ValueError, match=r"raise autograd_lite\.datasets\.MAX_SAMPLES"):
        datasets.moons(21)
    monkeypatch.setattr(datasets, "MAX_SAMPLES", None)
    assert len(datasets.spirals(21)[0]) == 21


def test_blobs_refuses_more_centres_than_points_before_drawing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # centers=10**9 used to draw a billion centres before noticing that 10 points cannot
    # cover them.
    monkeypatch.setattr(datasets.random, "Random", _NoRandom)
    with pytest.raises(ValueError, match="n=10 points cannot cover 1000000000 centres"):
        datasets.blobs(10, centers=10**9)
