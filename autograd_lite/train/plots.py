"""``plot_decision_boundary``: a classifier's regions over the input plane, with the
data on top (matplotlib, imported only when a plot is asked for).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_lite._helpers import (
    is_whole,
    linspace,
    optional_import,
)
from autograd_lite.autodiff import no_grad
from autograd_lite.nn import Module
from autograd_lite.train._shared import Predict, _modes
from autograd_lite.train.scoring import _classifier
from autograd_lite.value import number_of


def plot_decision_boundary(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    predict: Predict | None = None,
    resolution: int = 100,
    ax: Any = None,
) -> Any:
    """Colour the plane by the class ``model`` predicts and scatter ``(X, y)`` on it.

    For 2-D inputs, as in micrograd's demo. A one-output model is split at 0.5
    when its output activation is sigmoid and at 0 otherwise (logits, hinge
    scores); a model with several outputs by argmax. ``predict`` overrides
    this: it gets one output (a Value or a list of Values).

    Args:
        model: the classifier (an MLP is evaluated on floats, which is fast).
        X: samples, each two numbers.
        y: their labels.
        predict: turns one output into a class label (see above).
        resolution: grid points along each axis.
        ax: a matplotlib Axes to draw on; a new figure when None.

    Returns:
        The matplotlib Axes.
    """
    plt = _import_pyplot("plot_decision_boundary()")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(
            f"plot_decision_boundary: need one label per sample, got {len(X)} samples and "
            f"{len(y)} labels"
        )
    if any(len(x) != 2 for x in X):
        raise ValueError(
            "plot_decision_boundary: draws 2-D inputs only; every sample needs 2 numbers"
        )
    if not is_whole(resolution) or resolution < 2:
        raise ValueError(
            f"plot_decision_boundary: resolution must be an int >= 2, got {resolution!r}"
        )
    labels = sorted(set(y))
    classify = _classifier(model, predict, labels)
    xs = [number_of(x[0]) for x in X]
    ys = [number_of(x[1]) for x in X]
    pad_x = 0.1 * (max(xs) - min(xs)) or 1.0
    pad_y = 0.1 * (max(ys) - min(ys)) or 1.0
    grid_x = linspace(min(xs) - pad_x, max(xs) + pad_x, resolution)
    grid_y = linspace(min(ys) - pad_y, max(ys) + pad_y, resolution)
    index = {label: i for i, label in enumerate(labels)}
    with no_grad(), _modes(model, training=False):
        classes = [[classify([gx, gy]) for gx in grid_x] for gy in grid_y]
    # Predicted labels the data never shows still get their own colour level.
    for row in classes:
        for label in row:
            if label not in index:
                index[label] = len(index)
    levels = [[index[label] for label in row] for row in classes]
    n_levels = len(index)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.5))
    cmap = plt.get_cmap("Spectral" if n_levels > 2 else "coolwarm", max(n_levels, 2))
    bounds = [i - 0.5 for i in range(n_levels + 1)]
    ax.contourf(grid_x, grid_y, levels, levels=bounds, cmap=cmap, alpha=0.35)
    ax.scatter(
        xs,
        ys,
        c=[index[label] for label in y],
        cmap=cmap,
        vmin=-0.5,
        vmax=n_levels - 0.5,
        s=22,
        edgecolors="black",
        linewidths=0.5,
    )
    ax.set_xlim(grid_x[0], grid_x[-1])
    ax.set_ylim(grid_y[0], grid_y[-1])
    ax.set_title("decision boundary")
    return ax


def _import_pyplot(where: str) -> Any:
    return optional_import("matplotlib.pyplot", where, "plot", "matplotlib")
