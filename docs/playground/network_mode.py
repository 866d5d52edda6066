"""The playground's network mode: a small MLP on a toy data set, trained in the page one
update at a time, with any weight's gradient explained on one example.

Imported by ``playground`` (the worker's entry module), which re-exports ``Trainer``;
its pictures come from ``network_pictures`` beside it. Everything goes in and out as
JSON text, and no text from the page is ever evaluated: every setting is checked
against a list of names or a range of numbers.

One update is one optimizer step on one batch: the mean over the batch of the
per-example loss (binary cross-entropy on one sigmoid output for two classes,
cross-entropy on linear outputs for more, mean squared error for regression) plus the
L1 or L2 penalty on the weights (not the biases), once per update. An epoch is one
pass over the training set in a shuffled order (``random.Random(seed)`` draws one
permutation per epoch), cut into consecutive batches.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from network_pictures import (
    EXPLAIN_DRAW_MAX_NODES,
    FEATURES,
    boundary_resolution,
    example_graph,
    explanation,
    feature_row,
    network_dot,
    network_note,
    output_grid,
    plane,
    snapshot,
    step_dot,
)

from autograd_lite import Compiled, Value, datasets, jit, losses, nn, optim
from autograd_lite._helpers import finite_or_none, index_of_max, number_of

#: The losses the networks use, by the name the status line shows.
LOSSES: dict[str, Callable[..., Value]] = {
    "binary_cross_entropy": losses.binary_cross_entropy,
    "cross_entropy": losses.cross_entropy,
    "mse": losses.mse,
}

#: Bounds of the network the page lets a learner build (it trains in a browser tab).
MAX_LAYERS = 4
MAX_WIDTH = 32
#: ... and its weights and biases: 4 layers of 32 (3,363 for spirals) spent 10.5 s
#: compiling in the browser before its first epoch, so the page trains up to two of 32.
MAX_WEIGHTS = 1_500

OPTIMIZERS: dict[str, Callable[..., optim.Optimizer]] = {
    "sgd": optim.SGD,
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "adam": optim.Adam,
    "rmsprop": optim.RMSprop,
    "adagrad": optim.Adagrad,
}


class DataSet(NamedTuple):
    """A data set the page offers: how to make it from (noise, seed), its default noise
    in percent, whether it is regression, and whether it is exact (xor's four points)."""

    make: Callable[[float, int], tuple[list[list[float]], list[Any]]]
    noise: int
    regression: bool = False
    exact: bool = False


DATASETS: dict[str, DataSet] = {
    "xor": DataSet(lambda noise, seed: datasets.xor(), 0, exact=True),
    "moons": DataSet(lambda noise, seed: datasets.moons(100, noise=noise, seed=seed), 10),
    "circles": DataSet(lambda noise, seed: datasets.circles(100, noise=noise, seed=seed), 5),
    "spirals": DataSet(
        lambda noise, seed: datasets.spirals(150, n_classes=3, noise=noise, seed=seed), 20
    ),
    "bumps": DataSet(
        lambda noise, seed: datasets.bumps(100, noise=noise, seed=seed), 10, regression=True
    ),
}

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
REGULARIZATIONS = ("none", "l1", "l2")
#: The settings ``configure`` changes without a new network (epochs: where play stops);
#: the rest need one.
CONFIGURABLE = ("lr", "optimizer", "regularization", "rate", "batch_size", "epochs")


# -- checking the settings -------------------------------------------------------------


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
                f"hidden layer width {_shown(part)}: use a whole number from 1 to {MAX_WIDTH}"
            )
        sizes.append(int(part))
    return sizes


def _shown(value: Any) -> str:
    """A value as a message quotes it, cut short (a message never echoes a megabyte)."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _choice(value: Any, allowed: Sequence[str] | dict[str, Any], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {field} {_shown(value)}: choose one of {', '.join(allowed)}")
    return value


def _whole(value: Any, field: str, low: int, high: int | None, what: str = "") -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        span = f"from {low} to {high}" if high is not None else f">= {low}"
        raise ValueError(f"{field} {_shown(value)}: use a whole number {span}{what}")
    return value


def _number(value: Any, field: str, low: float, high: float, low_open: bool, what: str) -> float:
    ok = (
        not isinstance(value, bool)
        and isinstance(value, (int, float))
        and math.isfinite(value)
        and (value > low if low_open else value >= low)
        and value <= high
    )
    if not ok:
        span = f"above {low:g} and at most {high:g}" if low_open else f"from {low:g} to {high:g}"
        raise ValueError(f"{field} {_shown(value)}: use a number {span} ({what})")
    return float(value)


def _features(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValueError(
            f"features {_shown(value)}: give a list of at least one of {', '.join(FEATURES)}"
        )
    for name in value:
        _choice(name, FEATURES, "feature")
    if len(set(value)) != len(value):
        raise ValueError(f"features {_shown(value)}: each feature at most once")
    return [name for name in FEATURES if name in value]


def _hidden(value: Any) -> list[int]:
    if not isinstance(value, str):
        raise ValueError(f'hidden {_shown(value)}: give the layer widths as text, e.g. "8, 8"')
    return parse_layer_sizes(value)


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{field} {_shown(value)}: use true or false")
    return value


#: Each setting's check (returning the setting as the trainer keeps it).
CHECKS: dict[str, Callable[[Any], Any]] = {
    "dataset": lambda v: _choice(v, DATASETS, "dataset"),
    "noise": lambda v: _whole(v, "noise", 0, 50, " (percent)"),
    "train_percent": lambda v: _whole(v, "train_percent", 10, 90, " (percent trained on)"),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice(v, ACTIVATIONS, "activation"),
    "optimizer": lambda v: _choice(v, OPTIMIZERS, "optimizer"),
    "lr": lambda v: _number(v, "lr", 0, 10, True, "the learning rate"),
    "regularization": lambda v: _choice(v, REGULARIZATIONS, "regularization"),
    "rate": lambda v: _number(v, "rate", 0, 10, False, "the regularization strength λ"),
    "batch_size": lambda v: _whole(v, "batch_size", 0, None, " (0: the whole training set)"),
    "seed": lambda v: _whole(v, "seed", 0, None),
    "epochs": lambda v: _whole(v, "epochs", 1, None, " (where play stops)"),
    "compile": lambda v: _flag(v, "compile"),
}

DEFAULTS: dict[str, Any] = {
    "dataset": "xor",
    "train_percent": 50,
    "features": ["x1", "x2"],
    "hidden": "8",
    "activation": "tanh",
    "optimizer": "adam",
    "lr": 0.1,
    "regularization": "none",
    "rate": 0,
    "batch_size": 0,
    "seed": 0,
    "epochs": 300,
    "compile": True,
}


def _request(text: Any, what: str) -> dict[str, Any]:
    """A JSON object from the page, or a ValueError saying what was wrong."""
    if not isinstance(text, str):
        raise ValueError(f"the {what} must be JSON text, got {type(text).__name__}")
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ValueError(f"the {what} is not JSON: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"the {what} must be a JSON object, got {_shown(data)}")
    return data


def _checked(data: dict[str, Any], keys: Sequence[str]) -> dict[str, Any]:
    unknown = [key for key in data if key not in CHECKS]
    if unknown:
        raise ValueError(
            f"unknown setting {_shown(unknown[0])}: the settings are {', '.join(CHECKS)}"
        )
    return {key: CHECKS[key](data[key]) for key in keys if key in data}


# -- the trainer -----------------------------------------------------------------------


class Trainer:
    """A small MLP on a toy data set, trained one update (or a chunk of epochs) per call.

    ``config`` is JSON with the settings of ``CHECKS`` (each has a default): see the
    module's docstring for what one update is. ``compile`` (true by default) runs the
    updates through ``jit``'s ``backward_batch``; false, through the dynamic engine.
    """

    def __init__(self, config: str) -> None:
        data = _request(config, "config")
        settings = {**_checked(DEFAULTS, list(DEFAULTS)), **_checked(data, list(CHECKS))}
        spec = DATASETS[settings["dataset"]]
        settings.setdefault("noise", spec.noise)
        self.settings = settings
        self.dataset: str = settings["dataset"]
        self.features: list[str] = settings["features"]
        self.hidden: list[int] = settings["hidden"]
        self.activation: str = settings["activation"]
        self.seed: int = settings["seed"]
        self.max_epochs: int = settings["epochs"]
        self.compiled: bool = settings["compile"]
        X, y = spec.make(settings["noise"] / 100, self.seed)
        self.all_points = X
        self.X_test: list[list[float]]
        self.y_test: list[Any]
        if spec.exact:
            self.X_train, self.y_train, self.X_test, self.y_test = X, y, [], []
        else:
            n_train = len(X) * settings["train_percent"] // 100
            self.X_train, self.X_test, self.y_train, self.y_test = datasets.train_test_split(
                X, y, test_size=len(X) - n_train, seed=self.seed
            )
        self.rows_train = [feature_row(self.features, *x) for x in self.X_train]
        self.rows_test = [feature_row(self.features, *x) for x in self.X_test]
        self.kind = "regression" if spec.regression else "classification"
        self.n_classes: int | None = None if spec.regression else max(y) + 1
        binary = self.n_classes == 2
        self.loss = (
            "mse" if spec.regression else "binary_cross_entropy" if binary else ("cross_entropy")
        )
        outputs = 1 if spec.regression or binary else int(self.n_classes or 0)
        self.model = nn.MLP(
            len(self.features),
            [*self.hidden, outputs],
            activation=self.activation,  # checked above
            output_activation="sigmoid" if binary else "linear",
            seed=self.seed,
        )
        self.params = self.model.parameters()
        self.weights = len(self.params)
        if self.weights > MAX_WEIGHTS:
            raise ValueError(
                f"the network has {self.weights:,} weights and biases; the playground trains "
                f"at most {MAX_WEIGHTS:,} (a browser tab compiles and trains it): use fewer or "
                "narrower hidden layers, or fewer features, e.g. 16, 16"
            )
        self.names = [name for name, _ in self.model.named_parameters()]
        self._weight_set = {w for layer in self.model.layers for n in layer.neurons for w in n.w}
        self._weights = [p for p in self.params if p in self._weight_set]
        self._check_batch_size(settings["batch_size"])
        self.optimizer = OPTIMIZERS[settings["optimizer"]](self.params, lr=settings["lr"])
        self._shuffle = random.Random(self.seed)
        self._order = self._permutation()
        self._position = 0  # in the epoch's permutation
        self.epoch = 0  # completed epochs
        self.updates = 0
        self.seconds = 0.0
        self.loss_history: list[float] = []
        self.test_loss_history: list[float | None] = []
        # One compiled per-example loss per class (the label a constant in its trace,
        # as fit(compile=True) does it), or one for regression (the target an argument),
        # traced once and kept: compiling again at every chunk would cost more than it
        # saves.
        self._compiled_losses: dict[Any, Compiled] = {}
        # The training set's (loss, accuracy) at one update count: asked for up to three
        # times per update (the step's answer, the epoch's end, the snapshot).
        self._train_cache: tuple[int, tuple[Any, Any]] | None = None
        self._explained: dict[str, Any] = {}  # the last explanation's graph and drawings
        self.notes = self._notes()

    # -- settings ----------------------------------------------------------------------

    def _check_batch_size(self, size: int) -> None:
        if size > len(self.X_train):
            raise ValueError(
                f"batch_size {size}: the training set has {len(self.X_train)} examples; use at "
                f"most {len(self.X_train)}, or 0 for all of them"
            )

    def _notes(self) -> list[str]:
        notes = []
        if DATASETS[self.dataset].exact:
            notes.append("xor's four points are exact: noise does not apply to them.")
            notes.append(
                "xor trains on all four points: there is no test set, so the training share "
                "does not apply."
            )
        regularization, rate = self.settings["regularization"], self.settings["rate"]
        if regularization == "none" and rate:
            notes.append("The regularization rate applies only with L1 or L2 regularization.")
        elif regularization != "none" and not rate:
            notes.append(f"The {regularization.upper()} penalty is zero at rate 0.")
        return notes

    @property
    def batch_size(self) -> int:
        """The examples per update (the last batch of an epoch may have fewer)."""
        return self.settings["batch_size"] or len(self.X_train)

    @property
    def descent(self) -> str:
        """The kind of gradient descent, as the seeds name them."""
        size = self.batch_size
        if size == len(self.X_train):
            return "batch gradient descent"
        return "stochastic gradient descent" if size == 1 else "mini-batch gradient descent"

    @property
    def updates_per_epoch(self) -> int:
        return math.ceil(len(self.X_train) / self.batch_size)

    def configure(self, config: str) -> str:
        """Change lr, optimizer, regularization, rate, batch_size (or epochs) from the next
        update, keeping the weights; any other setting, if it differs, needs a new network.

        A new optimizer starts with fresh state (its moments, its step count); a new
        learning rate keeps the optimizer's state.
        """
        data = _request(config, "configure request")
        given = _checked(data, list(CHECKS))
        for key, value in given.items():
            if key not in CONFIGURABLE and value != self.settings.get(key):
                raise ValueError(
                    f"changing {key} needs a new network (build one with the new settings); "
                    f"configure changes only {', '.join(CONFIGURABLE)}"
                )
        if "batch_size" in given:
            self._check_batch_size(given["batch_size"])
        changed = [k for k in CONFIGURABLE if k in given and given[k] != self.settings[k]]
        self.settings.update({k: given[k] for k in changed})
        self.max_epochs = self.settings["epochs"]
        reset = "optimizer" in changed
        if reset:
            self.optimizer = OPTIMIZERS[self.settings["optimizer"]](
                self.params, lr=self.settings["lr"]
            )
        elif "lr" in changed:
            self.optimizer.lr = self.settings["lr"]
        self.notes = self._notes()
        if not changed:
            message = "Nothing changed."
        else:
            message = f"From the next update: {', '.join(changed)} changed"
            message += (
                "; the new optimizer starts with fresh state." if reset else "; the weights stay."
            )
        return _dump(
            {
                "ok": True,
                "changed": changed,
                "optimizer_reset": reset,
                "message": message,
                "settings": {k: self.settings[k] for k in CONFIGURABLE},
                "descent": self.descent,
                "updates_per_epoch": self.updates_per_epoch,
                "notes": self.notes,
            }
        )

    # -- compiling ---------------------------------------------------------------------

    def loss_of(self, out: Any, target: Any) -> Value:
        return LOSSES[self.loss](out, target)

    def _group_keys(self) -> list[Any]:
        return [None] if self.kind == "regression" else sorted(set(self.y_train))

    def build_step(self) -> bool:
        """Trace and compile the next class's loss; True once every class is compiled.

        The page calls this until it is done, one class per call, so a stop or a new
        run asked for while a big network compiles waits for one class, not all.
        """
        if not self.compiled:
            return True
        keys = self._group_keys()
        if len(self._compiled_losses) < len(keys):
            key = keys[len(self._compiled_losses)]
            model = self.model
            if key is None:  # regression: the target is the last argument

                def loss(*args: Value) -> Value:
                    return losses.mse(model(list(args[:-1])), args[-1])

                first = (*self.rows_train[0], self.y_train[0])
            else:

                def loss(*args: Value) -> Value:
                    return self.loss_of(model(list(args)), key)

                first = tuple(self.rows_train[self.y_train.index(key)])
            names = [f"f{i}" for i in range(len(self.features))]
            compiled = jit(loss, params=self.params, names=names + ["target"] * (key is None))
            compiled(*first)  # the trace, now rather than in the first update
            self._compiled_losses[key] = compiled
        return len(self._compiled_losses) == len(keys)

    # -- one update --------------------------------------------------------------------

    def next_batch(self) -> str:
        """The training-set indices the next update will use, as JSON."""
        return json.dumps(self._next_batch())

    def _next_batch(self) -> list[int]:
        return self._order[self._position : self._position + self.batch_size]

    def _permutation(self) -> list[int]:
        order = list(range(len(self.X_train)))
        self._shuffle.shuffle(order)
        return order

    def _penalty(self) -> tuple[float, Callable[[Value], float]]:
        """The penalty's value at the current weights, and its derivative per parameter."""
        kind, rate = self.settings["regularization"], self.settings["rate"]
        weights = self._weights
        if kind == "none" or not rate:
            return 0.0, lambda p: 0.0
        if kind == "l2":
            return rate * sum(
                w.data * w.data for w in weights
            ), lambda p: 2.0 * rate * p.data if p in self._weight_set else 0.0
        return rate * sum(
            abs(w.data) for w in weights
        ), lambda p: rate * ((p.data > 0) - (p.data < 0)) if p in self._weight_set else 0.0

    def _penalty_value(self) -> Value | None:
        """The penalty as a Value graph over the weights (the dynamic engine's), or None."""
        kind, rate = self.settings["regularization"], self.settings["rate"]
        if kind == "none" or not rate:
            return None
        if kind == "l2":
            return losses.l2_penalty(self._weights, alpha=rate)
        return losses.l1_penalty(self._weights, alpha=rate)

    def _gradient(self, batch: list[int]) -> float:
        """Set every parameter's ``.grad`` to the gradient of the update's loss on
        ``batch``; returns the batch's mean data loss (the penalty not included)."""
        self.optimizer.zero_grad()
        rows, targets = self.rows_train, self.y_train
        if self.compiled:
            while not self.build_step():
                pass
            scale = 1.0 / len(batch)
            data = 0.0
            for key, compiled in self._compiled_losses.items():
                if key is None:
                    group = [(*rows[i], targets[i]) for i in batch]
                else:
                    group = [tuple(rows[i]) for i in batch if targets[i] == key]
                if group:
                    data += compiled.backward_batch(group, scale)
            _, slope = self._penalty()
            for p in self._weights:
                p.grad += slope(p)
            return data
        outputs = [self.model(rows[i]) for i in batch]
        loss = self.loss_of(outputs, [targets[i] for i in batch])
        penalty = self._penalty_value()
        (loss if penalty is None else loss + penalty).backward()
        return loss.data

    def _update(self) -> tuple[list[int], float]:
        """One optimizer step on the next batch; returns the batch and its data loss."""
        batch = self._next_batch()
        data = self._gradient(batch)
        self.optimizer.step()
        self.updates += 1
        self._position += len(batch)
        return batch, data

    def _end_epoch(self) -> None:
        """Count a finished epoch, record its losses, draw the next permutation."""
        self.epoch += 1
        self._order, self._position = self._permutation(), 0
        self.loss_history.append(self.training_eval()[0])
        self.test_loss_history.append(self.evaluate(self.rows_test, self.y_test)[0])

    def step(self) -> str:
        """Exactly one update, shown: the batch, the losses before and after, and every
        parameter's move (largest first) with the gradient the optimizer used."""
        start = time.perf_counter()
        before = [p.data for p in self.params]
        train_before = self.training_eval()[0]
        batch = self._next_batch()
        penalty_before = self._penalty()[0]
        _, data = self._update()
        grads = [number_of(p.grad) for p in self.params]
        done = self._position >= len(self.X_train)
        if done:
            self._end_epoch()
        after_data = self.evaluate(
            [self.rows_train[i] for i in batch], [self.y_train[i] for i in batch]
        )[0]
        train_after, accuracy = self.training_eval()
        moved: list[dict[str, Any]] = [
            {
                "index": i,
                "name": self.names[i],
                "before": old,
                "after": p.data,
                "delta": p.data - old,
                "grad": grads[i],
            }
            for i, (p, old) in enumerate(zip(self.params, before))
        ]
        moved.sort(key=lambda row: -abs(row["delta"]))
        test_accuracy = self.evaluate(self.rows_test, self.y_test)[1]
        self.seconds += time.perf_counter() - start
        return _dump(
            {
                "epoch": self.epoch,
                "update": self.updates,
                "updates_per_epoch": self.updates_per_epoch,
                "batch": batch,
                "descent": self.descent,
                "loss_before": data + penalty_before,
                "loss_after": after_data + self._penalty()[0],
                "train_loss_before": train_before,
                "train_loss_after": train_after,
                "moved": moved,
                "epoch_done": done,
                "loss": self.loss_history[-1:] if done else [],
                "test_loss": self.test_loss_history[-1:] if done else [],
                "accuracy": accuracy,
                "test_accuracy": test_accuracy,
                "notes": self.notes,
            }
        )

    def run(self, epochs: int) -> str:
        """Train ``epochs`` whole epochs (a partial one first finished, counting as one);
        JSON with each completed epoch's training and test loss."""
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
            raise ValueError(f"epochs must be a whole number >= 1, got {_shown(epochs)}")
        start = time.perf_counter()
        first = len(self.loss_history)
        for _ in range(epochs):
            while self._position < len(self.X_train):
                self._update()
            self._end_epoch()
        self.seconds += time.perf_counter() - start
        test_accuracy = self.evaluate(self.rows_test, self.y_test)[1]
        return _dump(
            {
                "epoch": self.epoch,
                "update": self.updates,
                "updates_per_epoch": self.updates_per_epoch,
                "loss": self.loss_history[first:],
                "test_loss": self.test_loss_history[first:],
                "accuracy": self._training_accuracy(),
                "test_accuracy": test_accuracy,
                "seconds": self.seconds,
                "compiled": self.compiled,
                "notes": self.notes,
            }
        )

    # -- evaluation on floats ----------------------------------------------------------

    def _example_loss(self, out: list[float], target: Any) -> float:
        """One example's data loss from the model's float outputs, as ``losses`` computes
        it (binary cross-entropy's log floored at -100, cross-entropy's shift by the top)."""
        if self.loss == "mse":
            return float((out[0] - target) ** 2)
        if self.loss == "binary_cross_entropy":
            p = out[0] if target == 1 else 1.0 - out[0]
            return -(math.log(p) if p > _LOG_FLOOR_ARG else losses.LOG_FLOOR)
        top = max(out)
        return math.log(sum(math.exp(v - top) for v in out)) + top - float(out[target])

    def predicted(self, out: list[float]) -> int:
        return int(out[0] > 0.5) if len(out) == 1 else index_of_max(out)

    def evaluate(self, rows: Sequence[Sequence[float]], targets: Sequence[Any]) -> tuple[Any, Any]:
        """The mean data loss and the accuracy (None for regression) over ``rows``; both
        None for an empty set (xor has no test set)."""
        if not rows:
            return None, None
        outs = [self.model.forward_floats(row) for row in rows]
        loss = sum(self._example_loss(o, t) for o, t in zip(outs, targets)) / len(rows)
        if self.kind == "regression":
            return loss, None
        right = sum(self.predicted(o) == t for o, t in zip(outs, targets))
        return loss, right / len(rows)

    def training_eval(self) -> tuple[Any, Any]:
        """The training set's mean data loss and accuracy at the current weights."""
        if self._train_cache is None or self._train_cache[0] != self.updates:
            self._train_cache = (self.updates, self.evaluate(self.rows_train, self.y_train))
        return self._train_cache[1]

    def _training_accuracy(self) -> float | None:
        accuracy: float | None = self.training_eval()[1]
        return accuracy

    def accuracy(self) -> float | None:
        """The fraction of training examples classified right (None for regression)."""
        return self._training_accuracy()

    # -- what the page shows -----------------------------------------------------------

    def parameters(self) -> str:
        """Every parameter's name, value and gradient (the last update's), as JSON."""
        return _dump(
            {
                "names": self.names,
                "values": [p.data for p in self.params],
                "grads": [number_of(p.grad) for p in self.params],
            }
        )

    def boundary_resolution(self) -> int:
        """The finest output grid (16 to 60 cells a side) within the picture's budget."""
        return boundary_resolution(self.weights)

    def snapshot(self, request: str = "{}") -> str:
        """Everything the pictures need at the current weights, as JSON (``network_pictures``)."""
        data = _request(request, "snapshot request")
        unknown = [key for key in data if key != "resolution"]
        if unknown:
            raise ValueError(f"unknown snapshot field {_shown(unknown[0])}: use resolution")
        resolution = data.get("resolution", self.boundary_resolution())
        _whole(resolution, "resolution", 2, 200, " (grid cells a side)")
        return _dump(snapshot(self, resolution))

    def boundary(self, resolution: int = 40) -> str:
        """The predicted class (regression: the prediction) on a grid, as JSON; what the
        page drew before ``snapshot``."""
        _whole(resolution, "resolution", 2, 200, " (grid cells a side)")
        grid = plane(self.all_points, resolution)
        output = output_grid(self, grid["xs"], grid["ys"])
        if isinstance(output, dict):
            output = output["class"]
        elif self.kind == "classification":
            output = [[int(p > 0.5) for p in row] for row in output]
        points = [*zip(self.X_train, self.y_train), *zip(self.X_test, self.y_test)]
        return _dump(
            {
                "bounds": grid["bounds"],
                "grid": output,
                "points": [[x[0], x[1], t] for x, t in points],
                "classes": self.n_classes,
                "accuracy": self._training_accuracy(),
            }
        )

    def network_dot(self) -> str:
        """``draw_network`` of the model, or "" past the readable size."""
        return network_dot(self)

    def network_note(self) -> str:
        """The network picture in words, or why it is not drawn."""
        return network_note(self)

    # -- one weight's gradient on one example ------------------------------------------

    def example_grads(self, parameter: Value, batch: list[int]) -> list[float]:
        """∂L_j/∂w for each example j of ``batch``, by the path the updates take (the
        compiled loss, or the dynamic engine); every ``.grad`` is put back after."""
        saved = [p.grad for p in self.params]
        grads = []
        try:
            for j in batch:
                for p in self.params:
                    p.grad = 0.0
                if self.compiled:
                    while not self.build_step():
                        pass
                    row = self.rows_train[j]
                    if self.kind == "regression":
                        self._compiled_losses[None].backward(*row, self.y_train[j])
                    else:
                        self._compiled_losses[self.y_train[j]].backward(*row)
                else:
                    example_graph(self, j)[0].backward()
                grads.append(number_of(parameter.grad))
        finally:
            for p, g in zip(self.params, saved):
                p.grad = g
        return grads

    def explain(self, request: str) -> str:
        """The gradient of one parameter on one training example at the current weights,
        and how the next update uses it (``network_pictures.explanation``), as JSON."""
        try:
            data = _request(request, "explain request")
            unknown = [key for key in data if key not in ("parameter", "example")]
            if unknown:
                raise ValueError(f"unknown field {_shown(unknown[0])}: use parameter and example")
            last = len(self.params) - 1
            index = _whole(data.get("parameter"), "parameter", 0, last, " (see parameters())")
            last = len(self.X_train) - 1
            example = _whole(data.get("example"), "example", 0, last, " (a training example)")
        except ValueError as error:
            return _dump({"ok": False, "error": str(error)})
        self._explained.clear()
        answer, self._explained = explanation(self, index, example)
        return _dump(answer)

    def explain_step(self, k: int) -> str:
        """The DOT of step ``k`` (0-based) of the last explanation's step-through, as
        JSON; each step drawn when it is asked for (only the paths' nodes)."""
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            return _dump({"ok": False, "error": f"step must be a whole number >= 0, got {k!r}"})
        last = self._explained
        if not last:
            return _dump({"ok": False, "error": "no explanation yet: click a weight or a bias"})
        if k >= len(last["rows"]):
            return _dump({"ok": False, "error": f"there is no step {k + 1}"})
        if len(last["nodes"]) > EXPLAIN_DRAW_MAX_NODES:
            return _dump({"ok": False, "error": "the paths are too big to draw (see the note)"})
        if k not in last["dots"]:
            last["dots"][k] = step_dot(self, last, k)
        return _dump({"ok": True, "step": k, "dot": last["dots"][k]})


_LOG_FLOOR_ARG = math.exp(losses.LOG_FLOOR)


def _dump(answer: dict[str, Any]) -> str:
    # JSON has no inf or nan: send them as null, which the page shows as "n/a".
    return json.dumps(finite_or_none(answer), allow_nan=False)
