"""The playground's Python side: what the page asks of autograd_lite, as JSON.

The browser page runs this module in Pyodide (CPython on WebAssembly) next to
the package's own source files; the same functions run under CPython in
``tests/test_playground.py``. Everything goes in and out as JSON text, so the
JavaScript side never touches a Python object and never evaluates anything:

- ``analyze(request)``: an expression and a point give the value, gradient,
  Hessian, the ``draw()`` DOT, the forward table, the backward ledger and one
  DOT per step of the step-through. The expression goes through
  ``autograd_lite.expression.parse`` (a whitelist over Python's ``ast``), so
  hostile text is refused with the command line's caret message and nothing in
  it runs.
- ``Trainer``: a tiny MLP on a toy data set, trained a few epochs at a time
  (so the page can draw and stop between chunks) through the compiled path
  (``jit``'s ``backward_batch``), or through ``fit`` on the dynamic engine.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite import (
    datasets,
    draw,
    draw_network,
    explain,
    forward_table,
    hessian,
    nn,
    optim,
    steps,
    topological_order,
    viz,
)
from autograd_lite._helpers import finite_or_none
from autograd_lite.expression import EvaluationError, ExpressionError, parse
from autograd_lite.jit import Compiled, jit
from autograd_lite.train import LOSSES, fit
from autograd_lite.value import Value

__all__ = [
    "DATASETS",
    "DEFAULT_VALUE",
    "MAX_STEPS",
    "OPTIMIZERS",
    "Trainer",
    "analyze",
    "parse_layer_sizes",
]

#: The value a newly typed variable starts at.
DEFAULT_VALUE = 1.0

#: The step-through shows at most this many ledger rows (each one is a drawing).
MAX_STEPS = 200

#: Bounds of the network the page lets a learner build (it trains in a browser tab).
MAX_LAYERS = 4
MAX_WIDTH = 32

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


# -- expression mode -------------------------------------------------------------------


def analyze(request: str) -> str:
    """Differentiate an expression at a point; JSON in, JSON out.

    ``request`` is ``{"expression": "x*y + sin(x)", "values": {"x": 2, "y": 3}}``.
    Values for names the expression does not use are dropped and new variables
    start at ``DEFAULT_VALUE``, so the page can keep its boxes while the
    learner types. The answer has ``ok``; when false, ``error`` holds the
    message and ``pointer`` the expression with carets under the offending
    part, exactly as ``autograd-lite grad`` prints them.

    Example:
        >>> answer = json.loads(analyze('{"expression": "x*y", "values": {"x": 2, "y": 3}}'))
        >>> answer["value"], answer["gradient"]
        (6.0, {'x': 3.0, 'y': 2.0})
        >>> print(json.loads(analyze('{"expression": "x.real", "values": {}}'))["pointer"])
          x.real
           ^^^^^
    """
    try:
        data = json.loads(request)
        text = data["expression"]
        given = data.get("values", {})
        if not isinstance(text, str) or not isinstance(given, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _dump({"ok": False, "kind": "request", "error": "malformed request", "pointer": ""})
    try:
        return _dump(_analyze(text, given))
    except ExpressionError as error:
        kind = "evaluation" if isinstance(error, EvaluationError) else "expression"
        return _dump(
            {
                "ok": False,
                "kind": kind,
                "error": error.message,
                "pointer": error.pointer(),
                "start": error.start,
                "end": error.end,
                "variables": list(_variables_or_empty(text)),
            }
        )


def _variables_or_empty(text: str) -> tuple[str, ...]:
    try:
        return parse(text).variables
    except ExpressionError:
        return ()


def _analyze(text: str, given: dict[str, Any]) -> dict[str, Any]:
    expression = parse(text)
    point: dict[str, float] = {}
    for name in expression.variables:
        number = given.get(name, DEFAULT_VALUE)
        if (
            isinstance(number, bool)
            or not isinstance(number, (int, float))
            or not math.isfinite(number)
        ):
            raise ExpressionError(
                f"the value of {name} must be a finite number, got {number!r}", text, 0, len(text)
            )
        point[name] = float(number)
    leaves = {name: Value(number, label=name) for name, number in point.items()}
    root = expression.evaluate(leaves)
    if root.parents and not root.label:
        root.label = "f" if "f" not in point else "result"
    table = forward_table(root)
    try:
        ledger = explain(root)
        root.backward()
    except FloatingPointError as error:  # a gradient overflows, as the command line says
        return {"ok": False, "kind": "evaluation", "error": str(error), "pointer": ""}
    answer: dict[str, Any] = {
        "ok": True,
        "expression": text,
        "variables": list(expression.variables),
        "values": point,
        "value": root.data,
        "gradient": {name: leaf.grad for name, leaf in leaves.items()},
        "hessian": None,
        "hessian_error": "",
        "dot": "",
        "draw_error": "",
        "forward": {"columns": list(table.columns), "rows": table._cells()},
        "ledger": {
            "columns": list(ledger.columns),
            "rows": ledger._cells(),
            "accumulated": [row.accumulated for row in ledger],
        },
        "steps": [],
    }
    if point:
        try:
            fn = expression.function(list(point))
            answer["hessian"] = hessian(fn)(*(Value(v, label=n) for n, v in point.items()))
        except (ValueError, ArithmeticError) as error:
            answer["hessian_error"] = f"second derivatives: {error}"
    try:
        answer["dot"] = draw(root).source
        if len(ledger) <= MAX_STEPS:
            answer["steps"] = [
                {"caption": g.caption, "dot": g.source}
                for g in steps(root, caption_in_picture=False)
            ]
    except ValueError:  # too many nodes to draw; viz's advice (max_nodes=None) is Python's
        answer["draw_error"] = (
            f"Not drawn: the graph has {len(topological_order(root)):,} nodes, more than the "
            f"{viz.MAX_NODES:,} a readable drawing holds. The value, gradient and ledger "
            "above are complete; shorten the expression to see its graph."
        )
    return answer


def _dump(answer: dict[str, Any]) -> str:
    # JSON has no inf or nan: send them as null, which the page shows as "n/a".
    return json.dumps(finite_or_none(answer), allow_nan=False)


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
        if not self._compiled_losses:
            loss_fn = LOSSES[self.loss]
            model, params = self.model, self.model.parameters()
            for label in sorted(set(self.y)):

                def loss(x1: Value, x2: Value, label: int = label) -> Value:
                    return loss_fn(model([x1, x2]), label)

                rows = [(x[0], x[1]) for x, t in zip(self.X, self.y) if t == label]
                compiled = jit(loss, params=params, names=("x1", "x2"))
                self._compiled_losses.append((compiled, rows))
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
        """``draw_network`` of the model (dead ReLUs marked on the training data)."""
        return draw_network(
            self.model,
            inputs=self.X,
            title=f"{self.dataset}: {self.model!r} after {self.epochs} epochs",
        ).source


def _choice(value: Any, allowed: Sequence[str] | dict[str, Any], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return str(value)
