"""train's plots: the loss curves and the decision boundary."""

from __future__ import annotations

from typing import Any

import pytest

from autograd_lite import datasets, nn, optim
from autograd_lite.train import (
    History,
    fit,
    plot_decision_boundary,
)

# -- plots -----------------------------------------------------------------------------------


@pytest.fixture
def pyplot() -> Any:
    matplotlib = pytest.importorskip("matplotlib", reason="plots need matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def test_history_plot(pyplot: Any, tmp_path: Any) -> None:
    history = History(loss=[1.0, 0.5, 0.2], accuracy=[0.5, 0.7, 0.9], val_loss=[1.1, 0.7, 0.4])
    fig = history.plot()
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy"]
    assert len(fig.axes[0].lines) == 2  # training and validation loss
    fig.savefig(tmp_path / "history.png")
    assert len(History(loss=[1.0, 0.5]).plot().axes) == 1


def test_plot_decision_boundary(pyplot: Any, tmp_path: Any) -> None:
    X, y = datasets.blobs(40, centers=[[-1.0, 0.0], [1.0, 0.0], [0.0, 2.0]], std=0.3, seed=0)
    model = nn.MLP(2, [8, 3], activation="tanh", seed=0)
    opt = optim.Adam(model.parameters(), lr=0.1)
    fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=10)
    ax = plot_decision_boundary(model, X, y, resolution=40)
    assert ax.get_title() == "decision boundary"
    ax.figure.savefig(tmp_path / "boundary.png")
    assert len(ax.collections[0].levels) == 3 + 1  # one colour band per class
    # a one-output model colours its two sides with the labels' own values (-1/+1 here)
    binary = nn.MLP(2, [1], seed=0)
    binary.load_weights([([[1.0, 0.0]], [0.0])])
    signs = [1 if x[0] > 0 else -1 for x in X]
    ax = plot_decision_boundary(binary, X, signs, resolution=5, ax=pyplot.subplots()[1])
    assert len(ax.collections[0].levels) == 2 + 1
    plot_decision_boundary(binary, X, y, resolution=5, predict=lambda o: int(o.data * 3))
    with pytest.raises(ValueError, match="2-D inputs only"):
        plot_decision_boundary(nn.MLP(3, [1], seed=0), [[1.0, 2.0, 3.0]], [0])
    # a network with batch norm is drawn in evaluation mode, and left in its own mode
    normed = nn.MLP(2, [4, 3], batch_norm=True, dropout=0.3, seed=0)
    plot_decision_boundary(normed, X, y, resolution=5, ax=pyplot.subplots()[1])
    assert normed.training
