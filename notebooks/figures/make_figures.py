"""Regenerate the README pictures in this folder with the project's own code.

Run from the repository root (needs the ``viz`` extra and Graphviz's ``dot``):

    python notebooks/figures/make_figures.py

Writes graph.png (f = x*y + sin(x) at (2, 3), before backward), graph_backward.png
(after backward: gradient flows and the Σ sum at the shared node x), step.png (the
step-through frame where x's two contributions meet) and network.png (seed 003's
2-2-1 sigmoid network after one backward pass of binary cross-entropy).
"""

from __future__ import annotations

from pathlib import Path

from autograd_lite import Value, explain, steps
from autograd_lite.losses import binary_cross_entropy
from autograd_lite.nn import MLP
from autograd_lite.viz import draw, draw_network

HERE = Path(__file__).parent
DPI = 144


def example() -> tuple[Value, Value]:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x.sin()
    f.label = "f"
    return f, x


def main() -> None:
    f, x = example()
    draw(f).save(HERE / "graph.png", dpi=DPI)
    f.backward()
    draw(f).save(HERE / "graph_backward.png", dpi=DPI)

    f, x = example()
    second = explain(f).contributions(x)[1]  # the step that completes x's sum
    frame = list(steps(f))[second.step - 1]
    frame.save(HERE / "step.png", dpi=DPI)

    model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
    model.load_weights([([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35]), ([[0.40, 0.45]], [0.60])])
    loss = binary_cross_entropy(model([0.1, 0.2]), 0.0)
    loss.backward()
    title = "2-2-1 sigmoid network after one backward pass (x = (0.1, 0.2), y = 0, BCE)"
    draw_network(model, title=title).save(HERE / "network.png", dpi=DPI)
    for name in ("graph.png", "graph_backward.png", "step.png", "network.png"):
        print(HERE / name)


if __name__ == "__main__":
    main()
