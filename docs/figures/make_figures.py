"""Regenerate this folder's pictures with the project's own code.

Run from the repository root (needs the ``plot`` extra):

    python docs/figures/make_figures.py

Writes training.png: micrograd's demo (moons, 2-16-16-1, hinge loss plus L2,
SGD with a decaying learning rate) trained with ``fit`` for 100 epochs, its loss
and accuracy per epoch, and the decision boundary it learned. The README and the
training page show it.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from autograd_lite import datasets, nn, optim
    from autograd_lite.train import fit, plot_decision_boundary

    X, y = datasets.moons(100, noise=0.1, seed=0)
    y = [2 * t - 1 for t in y]
    model = nn.MLP(2, [16, 16, 1], seed=1337)
    opt = optim.SGD(model.parameters(), lr=1.0)
    decay = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
    history = fit(model, X, y, loss="hinge", l2=1e-4, optimizer=opt, scheduler=decay, epochs=100)
    figure, axes = plt.subplots(1, 3, figsize=(14.0, 3.8))
    epochs = range(1, history.epochs + 1)
    axes[0].plot(epochs, history.loss)
    axes[0].set(xlabel="epoch", ylabel="loss (hinge + L2)", yscale="log", title="loss")
    axes[1].plot(epochs, history.accuracy)
    axes[1].set(xlabel="epoch", ylabel="accuracy", title=f"accuracy: {history.accuracy[-1]:.0%}")
    plot_decision_boundary(model, X, y, ax=axes[2])
    axes[2].set_title("decision boundary after 100 epochs")
    figure.tight_layout()
    figure.savefig(HERE / "training.png", dpi=110)
    plt.close(figure)


if __name__ == "__main__":
    main()
