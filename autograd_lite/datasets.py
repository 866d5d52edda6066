"""Small seeded toy data sets in pure Python, for training tiny networks.

Every generator returns ``(X, y)``: ``X`` a list of samples (each a list of
floats) and ``y`` a list of int labels. Random ones take a ``seed`` and draw
from their own ``random.Random(seed)``, so the same call always gives the same
data and never disturbs the global ``random`` state.

Labels are 0, 1, ... (class indices). For micrograd's hinge loss, map binary
labels to -1/+1 with ``[2 * t - 1 for t in y]``. The regression set ``bumps``
gives float targets instead.
"""

from __future__ import annotations

import importlib
import math
import random
from collections.abc import Sequence
from typing import TypeVar

from autograd_lite._helpers import is_whole, linspace

__all__ = [
    "MAX_SAMPLES",
    "blobs",
    "bumps",
    "circles",
    "digits",
    "moons",
    "spirals",
    "train_test_split",
    "worked_example",
    "xor",
]

#: The most samples a generator makes in one call. A million 2-D samples take about
#: 0.4 GB of Python lists and 12 s to generate, and far longer to train on with a
#: scalar engine; a count beyond this is almost always a typo (1000000000 for 1000).
#: Raise it, or set it to None for no limit, if you really want more (as Pillow's
#: ``Image.MAX_IMAGE_PIXELS`` guards against decompression bombs).
MAX_SAMPLES: int | None = 1_000_000

Samples = list[list[float]]
Labels = list[int]
Targets = list[float]
T = TypeVar("T")
L = TypeVar("L")


def xor() -> tuple[Samples, Labels]:
    """The four XOR points: the label is 1 when exactly one input is 1.

    Example:
        >>> xor()
        ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    return [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0]


def worked_example() -> tuple[Samples, Labels]:
    """The five samples of the forward/backward worked example (seed 003).

    Example:
        >>> X, y = worked_example()
        >>> X[0], y[0]
        ([0.1, 0.2], 0)
    """
    return (
        [[0.1, 0.2], [0.4, 0.5], [0.3, 0.6], [0.7, 0.1], [0.9, 0.8]],
        [0, 1, 1, 0, 1],
    )


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[Samples, Labels]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), shuffled.

    The upper moon (label 0) has ``n // 2`` points, the lower one (label 1) the
    rest; Gaussian noise of standard deviation ``noise`` is added to each
    coordinate.

    Example:
        >>> X, y = moons(6, noise=0.0)
        >>> sorted(zip(y, [[round(v, 3) for v in x] for x in X]))[:2]
        [(0, [-1.0, 0.0]), (0, [0.0, 1.0])]
    """
    _check_size(n, 2, "moons")
    rng = _rng(seed, noise, "moons")
    n_out = n // 2
    n_in = n - n_out
    X: Samples = []
    y: Labels = []
    for t in linspace(0.0, math.pi, n_out):
        X.append([math.cos(t), math.sin(t)])
        y.append(0)
    for t in linspace(0.0, math.pi, n_in):
        X.append([1.0 - math.cos(t), 1.0 - math.sin(t) - 0.5])
        y.append(1)
    return _shuffle_and_jitter(X, y, rng, noise)


def circles(
    n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[Samples, Labels]:
    """A circle (label 0) around a smaller one (label 1), scikit-learn's ``make_circles``.

    ``factor`` is the inner radius relative to the outer one (radius 1).
    """
    _check_size(n, 2, "circles")
    if not 0.0 < factor < 1.0:
        raise ValueError(f"circles: factor must be between 0 and 1 (exclusive), got {factor!r}")
    rng = _rng(seed, noise, "circles")
    n_out = n // 2
    n_in = n - n_out
    X: Samples = []
    y: Labels = []
    for count, radius, label in ((n_out, 1.0, 0), (n_in, factor, 1)):
        for k in range(count):
            t = 2.0 * math.pi * k / count
            X.append([radius * math.cos(t), radius * math.sin(t)])
            y.append(label)
    return _shuffle_and_jitter(X, y, rng, noise)


def spirals(
    n: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[Samples, Labels]:
    """Interleaved spiral arms, one per class (the CS231n spiral), shuffled.

    ``n`` points in all, split as evenly as possible between the classes. Each
    arm goes out to radius 1 while its angle turns by 4 radians; ``noise`` is
    the standard deviation of Gaussian noise on the angle. An arm starts one
    step out from the centre, not at it: every arm starting at (0, 0) would put
    one point of each class on the same spot, and no model could classify them
    all.

    Example:
        >>> X, y = spirals(30, n_classes=3, seed=1)
        >>> len(X), sorted(set(y))
        (30, [0, 1, 2])
    """
    _check_size(n, 2, "spirals")
    if not is_whole(n_classes) or n_classes < 2:
        raise ValueError(f"spirals: n_classes must be an int >= 2, got {n_classes!r}")
    if n < n_classes:
        raise ValueError(f"spirals: n={n} points cannot cover {n_classes} classes")
    rng = _rng(seed, noise, "spirals")
    X: Samples = []
    y: Labels = []
    for label in range(n_classes):
        count = n // n_classes + (1 if label < n % n_classes else 0)
        for r in linspace(0.0, 1.0, count + 1)[1:]:
            t = 4.0 * label + 4.0 * r
            if noise:
                t += rng.gauss(0.0, noise)
            X.append([r * math.sin(t), r * math.cos(t)])
            y.append(label)
    return _shuffle_and_jitter(X, y, rng, 0.0)


#: ``bumps``' two Gaussian bumps: (centre x1, centre x2, height); their width.
BUMPS = ((-0.4, -0.3, 1.0), (0.45, 0.35, -1.0))
BUMP_WIDTH = 0.35


def bumps(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[Samples, Targets]:
    """A regression set: a positive and a negative Gaussian bump over the square.

    ``n`` points drawn uniformly from [-1, 1]²; the target of (x1, x2) is
    ``Σ h·exp(-((x1 - c1)² + (x2 - c2)²) / (2·w²))`` over ``BUMPS`` (heights +1
    and -1, width ``BUMP_WIDTH``), so targets lie in about [-1, 1]; ``noise``
    is the standard deviation of Gaussian noise added to each target (the points
    stay where they are at any noise). A smooth surface no plane fits, so a
    network needs hidden units for it (TensorFlow Playground's "multi Gaussian"
    regression set is of this kind).

    Example:
        >>> X, y = bumps(3, noise=0.0, seed=0)
        >>> [round(v, 4) for v in X[0]], round(y[0], 4)
        ([0.6888, 0.5159], -0.7076)
    """
    _check_size(n, 1, "bumps")
    rng = _rng(seed, noise, "bumps")
    # The points first, then the noise: the same seed gives the same points at any noise.
    X: Samples = [[rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)] for _ in range(n)]
    y: Targets = []
    for x1, x2 in X:
        target = math.fsum(
            h * math.exp(-((x1 - c1) ** 2 + (x2 - c2) ** 2) / (2 * BUMP_WIDTH**2))
            for c1, c2, h in BUMPS
        )
        y.append(target + rng.gauss(0.0, noise) if noise else target)
    return X, y


def blobs(
    n: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    seed: int = 0,
) -> tuple[Samples, Labels]:
    """Gaussian blobs around centres, one class per centre (scikit-learn's ``make_blobs``).

    ``centers`` is either a number of random 2-D centres, drawn uniformly from
    the box [-10, 10]^2, or a list of centres of any (equal) dimension. Points
    are split as evenly as possible between the centres and shuffled.

    Example:
        >>> X, y = blobs(4, centers=[[0.0, 0.0], [5.0, 5.0]], std=0.0)
        >>> sorted(zip(y, X))
        [(0, [0.0, 0.0]), (0, [0.0, 0.0]), (1, [5.0, 5.0]), (1, [5.0, 5.0])]
    """
    _check_size(n, 1, "blobs")
    rng = _rng(seed, std, "blobs")
    if isinstance(centers, int) and not isinstance(centers, bool):
        if centers < 1:
            raise ValueError(f"blobs: centers must be >= 1, got {centers}")
        if n < centers:  # before drawing them: centers=10**9 would fill the memory first
            raise ValueError(f"blobs: n={n} points cannot cover {centers} centres")
        points = [[rng.uniform(-10.0, 10.0), rng.uniform(-10.0, 10.0)] for _ in range(centers)]
    elif isinstance(centers, Sequence) and centers:
        points = [[float(c) for c in centre] for centre in centers]
        if len({len(p) for p in points}) != 1 or not points[0]:
            raise ValueError("blobs: every centre must have the same, non-zero dimension")
    else:
        raise ValueError(
            f"blobs: centers must be a positive int or a list of points, got {centers!r}"
        )
    if n < len(points):
        raise ValueError(f"blobs: n={n} points cannot cover {len(points)} centres")
    X: Samples = []
    y: Labels = []
    for label, centre in enumerate(points):
        count = n // len(points) + (1 if label < n % len(points) else 0)
        for _ in range(count):
            X.append(list(centre))
            y.append(label)
    return _shuffle_and_jitter(X, y, rng, std)


def train_test_split(
    X: Sequence[T],
    y: Sequence[L],
    test_size: float = 0.25,
    seed: int = 0,
    shuffle: bool = True,
) -> tuple[list[T], list[T], list[L], list[L]]:
    """Split samples into a training and a test part: ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1) (rounded up to whole samples, as
    scikit-learn does) or a number of samples.

    Example:
        >>> X, y = xor()
        >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=1, seed=3)
        >>> len(X_train), len(X_test)
        (3, 1)
    """
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} samples but y has {len(y)} labels")
    n = len(X)
    if isinstance(test_size, bool) or not isinstance(test_size, (int, float)):
        raise TypeError(f"train_test_split: test_size must be a number, got {test_size!r}")
    if isinstance(test_size, int):
        n_test = test_size
    elif 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(
            f"train_test_split: a fractional test_size must be in (0, 1), got {test_size!r}"
        )
    if not 0 < n_test < n:
        raise ValueError(
            f"train_test_split: test_size={test_size!r} leaves {n_test} of {n} samples for "
            "testing; both parts need at least one sample"
        )
    order = list(range(n))
    if shuffle:
        random.Random(seed).shuffle(order)
    train, test = order[n_test:], order[:n_test]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def digits() -> tuple[Samples, Labels]:
    """The 1,797 handwritten digits (8x8 pixels) that scikit-learn ships in its package.

    Each sample is 64 pixel intensities scaled to [0, 1] (row by row); each label
    the digit 0-9, in the file's order (split with ``train_test_split``). The
    data is read from scikit-learn's own copy, so nothing is downloaded; it
    needs the ``[digits]`` extra (``pip install 'autograd-lite[digits]'``).

    Example:
        >>> X, y = digits()  # doctest: +SKIP
        >>> len(X), len(X[0]), sorted(set(y)) == list(range(10))  # doctest: +SKIP
        (1797, 64, True)
    """
    try:
        sklearn_datasets = importlib.import_module("sklearn.datasets")  # the [digits] extra
    except ImportError:
        raise ImportError(
            "datasets.digits() reads the copy of the digits that scikit-learn ships: "
            "pip install 'autograd-lite[digits]'"
        ) from None
    bunch = sklearn_datasets.load_digits()
    X = [[float(v) / 16.0 for v in row] for row in bunch.data.tolist()]
    return X, [int(t) for t in bunch.target.tolist()]


# -- helpers ------------------------------------------------------------------------------


def _check_size(n: int, minimum: int, where: str) -> None:
    if not is_whole(n) or n < minimum:
        raise ValueError(f"{where}: n must be an int >= {minimum}, got {n!r}")
    if MAX_SAMPLES is not None and n > MAX_SAMPLES:
        raise ValueError(
            f"{where}: n={n:,} is more than the limit of {MAX_SAMPLES:,} samples (a million "
            "take about 0.4 GB and 12 s in pure Python); for more, raise "
            "autograd_lite.datasets.MAX_SAMPLES (None: no limit)"
        )


def _rng(seed: int, spread: float, where: str) -> random.Random:
    if not is_whole(seed):
        raise TypeError(f"{where}: seed must be an int, got {seed!r}")
    if not (isinstance(spread, (int, float)) and math.isfinite(spread) and spread >= 0):
        raise ValueError(f"{where}: the noise level must be a finite number >= 0, got {spread!r}")
    return random.Random(seed)


def _shuffle_and_jitter(
    X: Samples, y: Labels, rng: random.Random, noise: float
) -> tuple[Samples, Labels]:
    order = list(range(len(X)))
    rng.shuffle(order)
    X_out = [[v + rng.gauss(0.0, noise) if noise else v for v in X[i]] for i in order]
    return X_out, [y[i] for i in order]
