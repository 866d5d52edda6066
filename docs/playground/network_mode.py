"""The playground's network mode: a tiny MLP on a toy data set, trained in the page.

Imported by ``playground`` (the worker's entry module), which re-exports ``Trainer``.
Everything goes in and out as JSON text, as in expression mode.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite import Compiled, Value, datasets, draw_network, jit, losses, nn, optim
from autograd_lite._helpers import finite_or_none
from autograd_lite.train import fit

#: The losses the networks use, by the name the status line shows.
LOSSES: dict[str, Callable[..., Value]] = {
    "binary_cross_entropy": losses.binary_cross_entropy,
    "cross_entropy": losses.cross_entropy,
}

#: Bounds of the network the page lets a learner build (it trains in a browser tab).
MAX_LAYERS = 4
MAX_WIDTH = 32
#: ... and its weights and biases: 4 layers of 32 (3,363 for spirals) spent 10.5 s
#: compiling in the browser before its first epoch, so the page trains up to two of 32.
MAX_WEIGHTS = 1_500
#: ``draw_network`` draws one edge per weight: past this many the picture is a tangle.
NETWORK_DRAW_MAX_WEIGHTS = 400
#: The decision boundary costs (grid cells) x (weights) multiply-adds: at most this many,
#: so the snapshot between two chunks of training stays short (a 60 x 60 grid of the
#: 4 x 32 network took 5 s under CPython, and the stop button waited for it).
BOUNDARY_BUDGET = 1_500_000

OPTIMIZERS: dict[str, Callable[..., optim.Optimizer]] = {
    "sgd": optim.SGD,
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "adam": optim.Adam,
    "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
}

DATASETS: dict[str, Callable[[int], tuple[list[list[float]], list[int]]]] = {
    "xor": lambda seed: datasets.xor(),
    "moons": lambda seed: datasets.moons(100, noise=0.1, seed=seed),
    "circles": lambda seed: datasets.circles(100, noise=0.05, seed=seed),
    "spirals": lambda seed: datasets.spirals(150, n_classes=3, noise=0.2, seed=seed),
}

ACTIVATIONS = ("tanh", "relu", "sigmoid")


# -- network mode ----------------------------------------------------------------------


def parse_layer_sizes(text: str) -> list[int]:
    """Read hidden layer widths typed as ``"8, 8"`` (whole numbers, commas or spaces).

    Example:
        >>> parse_layer_sizes("8, 4")
        [8, 4]
    """
    parts = [part for part in text.replace(",", " ").split() if part]
    if not parts:
        raise ValueError("give at least one hidden layer width, e.g. 8 or 8, 8")
    if len(parts) > MAX_LAYERS:
        raise ValueError(f"at most {MAX_LAYERS} hidden layers in the playground, got {len(parts)}")
    sizes = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_WIDTH:
            raise ValueError(
                f"hidden layer width {part!r}: use a whole number from 1 to {MAX_WIDTH}"
            )
        sizes.append(int(part))
    return sizes


class Trainer:
    """A tiny MLP on a toy data set, trained a chunk of epochs per call of ``run``.

    ``config`` (JSON) holds ``dataset`` (xor, moons, circles, spirals),
    ``hidden`` ("8, 8"), ``activation`` (tanh, relu, sigmoid), ``optimizer``
    (sgd, momentum, adam, rmsprop, adagrad), ``lr``, ``seed`` and ``compile``
    (true, the default: through ``jit``; false: ``fit`` on the dynamic engine).
    Two classes use one sigmoid output and binary cross-entropy, more classes
    one linear output per class and cross-entropy.
    """

    def __init__(self, config: str) -> None:
        data = json.loads(config)
        self.dataset = _choice(data.get("dataset", "xor"), DATASETS, "dataset")
        self.activation = _choice(data.get("activation", "tanh"), ACTIVATIONS, "activation")
        optimizer = _choice(data.get("optimizer", "adam"), OPTIMIZERS, "optimizer")
        self.hidden = parse_layer_sizes(str(data.get("hidden", "8")))
        lr = data.get("lr", 0.1)
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr <= 10:
            raise ValueError(f"learning rate {lr!r}: use a number above 0 and at most 10")
        seed = data.get("seed", 0)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed {seed!r}: use a whole number >= 0")
        self.X, self.y = DATASETS[self.dataset](seed)
        self.n_classes = max(self.y) + 1
        binary = self.n_classes == 2
        self.model = nn.MLP(
            2,
            [*self.hidden, 1 if binary else self.n_classes],
            activation=self.activation,  # type: ignore[arg-type]  # checked by _choice
            output_activation="sigmoid" if binary else "linear",
            seed=seed,
        )
        weights = len(self.model.parameters())
        if weights > MAX_WEIGHTS:
            raise ValueError(
                f"the network has {weights:,} weights and biases; the playground trains at "
                f"most {MAX_WEIGHTS:,} (a browser tab compiles and trains it): use fewer or "
                "narrower hidden layers, e.g. 16, 16"
            )
        self.weights = weights
        self.loss = "binary_cross_entropy" if binary else "cross_entropy"
        self.optimizer = OPTIMIZERS[optimizer](self.model.parameters(), lr=float(lr))
        self.compiled = bool(data.get("compile", True))
        self.epochs = 0
        self.seconds = 0.0
        self.loss_history: list[float] = []
        # One compiled per-sample loss per class (the label is a constant in each
        # trace, as fit(compile=True) does it), traced at the first epoch and kept
        # for the whole run: the page trains a chunk at a time, and compiling again
        # at every chunk would cost more than it saves.
        self._compiled_losses: list[tuple[Compiled, list[tuple[float, float]]]] = []

    def build_step(self) -> bool:
        """Trace and compile the next class's loss; True once every class is compiled.

        The page calls this until it is done, one class per call, so a stop or a new
        run asked for while a big network compiles waits for one class, not all.
        """
        if not self.compiled:
            return True
        labels = sorted(set(self.y))
        if len(self._compiled_losses) < len(labels):
            self._compile_class(labels[len(self._compiled_losses)])
        return len(self._compiled_losses) == len(labels)

    def _compile_class(self, label: int) -> None:
        loss_fn = LOSSES[self.loss]
        model, params = self.model, self.model.parameters()

        def loss(x1: Value, x2: Value) -> Value:
            return loss_fn(model([x1, x2]), label)

        rows = [(x[0], x[1]) for x, t in zip(self.X, self.y) if t == label]
        self._compiled_losses.append((jit(loss, params=params, names=("x1", "x2")), rows))

    def boundary_resolution(self) -> int:
        """The finest grid (16 to 60 cells a side) within ``BOUNDARY_BUDGET``."""
        return max(16, min(60, math.isqrt(BOUNDARY_BUDGET // self.weights)))

    def run(self, epochs: int) -> str:
        """Train ``epochs`` more epochs (full batch); JSON with the new losses and accuracy."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {epochs!r}")
        start = time.perf_counter()
        losses = self._run_compiled(epochs) if self.compiled else self._run_dynamic(epochs)
        self.seconds += time.perf_counter() - start
        self.epochs += len(losses)
        self.loss_history += losses
        return _dump(
            {
                "epoch": self.epochs,
                "loss": losses,
                "accuracy": self.accuracy(),
                "seconds": self.seconds,
                "compiled": self.compiled,
            }
        )

    def _run_dynamic(self, epochs: int) -> list[float]:
        history = fit(
            self.model, self.X, self.y, loss=self.loss, optimizer=self.optimizer, epochs=epochs
        )
        return history.loss

    def _run_compiled(self, epochs: int) -> list[float]:
        """Full-batch epochs through ``jit``'s ``backward_batch``: fit's loop, compiled."""
        while not self.build_step():
            pass
        scale = 1.0 / len(self.X)
        losses = []
        for _ in range(epochs):
            self.model.zero_grad()
            losses.append(sum(c.backward_batch(rows, scale) for c, rows in self._compiled_losses))
            self.optimizer.step()
        return losses

    def accuracy(self) -> float:
        """The fraction of samples classified right by the current weights."""
        right = sum(self._label(x) == t for x, t in zip(self.X, self.y))
        return right / len(self.y)

    def _label(self, x: Sequence[float]) -> int:
        out = self.model.forward_floats(x)
        if len(out) == 1:
            return int(out[0] > 0.5)
        return max(range(len(out)), key=out.__getitem__)

    def boundary(self, resolution: int = 40) -> str:
        """The predicted class on a ``resolution`` x ``resolution`` grid over the data, as JSON.

        ``grid[i][j]`` is the class at ``x = xs[j], y = ys[i]``; ``points`` are the
        samples as ``[x, y, label]``.
        """
        if isinstance(resolution, bool) or not isinstance(resolution, int):
            raise TypeError(f"resolution must be an int, got {resolution!r}")
        if not 2 <= resolution <= 200:
            raise ValueError(f"resolution must be 2..200, got {resolution}")
        xs_data = [x[0] for x in self.X]
        ys_data = [x[1] for x in self.X]
        pad_x = 0.15 * (max(xs_data) - min(xs_data)) or 1.0
        pad_y = 0.15 * (max(ys_data) - min(ys_data)) or 1.0
        x0, x1 = min(xs_data) - pad_x, max(xs_data) + pad_x
        y0, y1 = min(ys_data) - pad_y, max(ys_data) + pad_y
        xs = [x0 + (x1 - x0) * (j + 0.5) / resolution for j in range(resolution)]
        ys = [y0 + (y1 - y0) * (i + 0.5) / resolution for i in range(resolution)]
        grid = [[self._label([x, y]) for x in xs] for y in ys]
        return _dump(
            {
                "bounds": [x0, x1, y0, y1],
                "grid": grid,
                "points": [[x[0], x[1], t] for x, t in zip(self.X, self.y)],
                "classes": self.n_classes,
                "accuracy": self.accuracy(),
            }
        )

    def network_dot(self) -> str:
        """``draw_network`` of the model (dead ReLUs marked on the training data), or ""
        past ``NETWORK_DRAW_MAX_WEIGHTS`` (``network_note`` says why)."""
        if self.weights > NETWORK_DRAW_MAX_WEIGHTS:
            return ""
        return draw_network(
            self.model,
            inputs=self.X,
            title=f"{self.dataset}: {self.model!r} after {self.epochs} epochs",
        ).source

    def network_note(self) -> str:
        """What the network picture shows, in words (its text alternative), or why it is
        not drawn."""
        sizes = [2, *self.hidden, len(self.model.forward_floats([0.0, 0.0]))]
        shape = " → ".join(map(str, sizes))
        if self.weights > NETWORK_DRAW_MAX_WEIGHTS:
            return (
                f"The network {shape} ({self.weights:,} weights and biases) is not drawn: "
                f"past {NETWORK_DRAW_MAX_WEIGHTS} weights one edge per weight is a tangle."
            )
        return (
            f"The network {shape} ({self.activation}, {self.weights:,} weights and biases) "
            f"after {self.epochs} epochs: one circle per neuron with its bias, one edge per "
            "weight, its width the weight's size and its colour the sign of its gradient."
        )


def _choice(value: Any, allowed: Sequence[str] | dict[str, Any], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return str(value)


def _dump(answer: dict[str, Any]) -> str:
    # JSON has no inf or nan: send them as null, which the page shows as "n/a".
    return json.dumps(finite_or_none(answer), allow_nan=False)
