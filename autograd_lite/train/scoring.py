"""``evaluate``: a model's loss and accuracy on a data set, in evaluation mode and
without a graph; and the checks of data and targets that ``fit`` shares.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite import losses as _losses
from autograd_lite._helpers import (
    index_of_max,
    is_real,
)
from autograd_lite.autodiff import no_grad
from autograd_lite.nn import MLP, Module
from autograd_lite.train._shared import LossFunction, Predict, _loss_function, _modes
from autograd_lite.value import Value, number_of


def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: str | LossFunction,
    predict: Predict | None = None,
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in evaluation mode, under ``no_grad``.

    The accuracy is None when the loss has no notion of a class and no
    ``predict`` is given. The model's modes are restored afterwards.

    Example:
        >>> from autograd_lite import nn
        >>> model = nn.MLP(1, [1], seed=0)
        >>> model.load_weights([([[1.0]], [0.0])])
        >>> evaluate(model, [[2.0], [-1.0]], [1, 1], loss="hinge")
        (1.0, 0.5)
    """
    loss_fn, loss_name = _loss_function(loss)
    n_outputs = _check_data(model, X, y, loss_name, "X", "y")
    if predict is None:
        predict = _default_predict(loss_name, y, n_outputs)
    return _evaluate(model, (X, y), loss_fn, 0.0, [], predict)


def _check_data(
    model: Module, X: Sequence[Any], y: Sequence[Any], loss_name: str, x_name: str, y_name: str
) -> int:
    """Check a data set against the model and the loss; return the output width."""
    for name, data in ((x_name, X), (y_name, y)):
        if isinstance(data, (str, bytes)) or not isinstance(data, Sequence):
            raise TypeError(f"{name} must be a list, got {type(data).__name__}")
    if len(X) == 0:
        raise ValueError(f"{x_name} is empty: the data set needs at least one sample")
    if len(X) != len(y):
        raise ValueError(
            f"{x_name} has {len(X)} samples but {y_name} has {len(y)} targets; "
            "give exactly one target per sample"
        )
    width = getattr(model, "n_inputs", None)
    if not isinstance(width, int):
        width = len(X[0])
    for i, x in enumerate(X):
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise ValueError(f"{x_name}[{i}] is {type(x).__name__}; a sample is a list of numbers")
        if len(x) != width:
            raise ValueError(
                f"{x_name}[{i}] has {len(x)} number(s) but {model!r} takes {width}: "
                "every sample must match the model's input width"
            )
        for v in x:
            if not (is_real(v) or isinstance(v, Value)):
                raise ValueError(f"{x_name}[{i}] holds {v!r}; samples must be numbers")
            if not _is_finite(v):
                raise ValueError(
                    f"{x_name}[{i}] holds {v!r}; samples must be finite numbers (drop or fill "
                    "in the missing values first)"
                )
    with no_grad(), _modes(model, training=False):  # no dropout draw, no batch of one
        probe = model(X[0])
    n_outputs = 1 if isinstance(probe, Value) else len(probe)
    _check_targets(y, loss_name, n_outputs, y_name)
    return n_outputs


def _check_targets(y: Sequence[Any], loss_name: str, n_outputs: int, y_name: str) -> None:
    one_output = {"binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge"}
    if loss_name in one_output and n_outputs != 1:
        raise ValueError(
            f"loss {loss_name!r} needs a model with one output, but this one has {n_outputs}"
        )
    if loss_name == "cross_entropy" and n_outputs < 2:
        raise ValueError(
            "loss 'cross_entropy' needs one output per class (at least 2); this model has 1"
        )
    for i, t in enumerate(y):
        problem = _target_problem(t, loss_name, n_outputs)
        if problem:
            raise ValueError(
                f"{y_name}[{i}] = {t!r} is outside the domain of loss {loss_name!r}: {problem}"
            )


def _target_problem(t: Any, loss_name: str, n_outputs: int) -> str:
    if loss_name == "cross_entropy":
        if (
            isinstance(t, bool)
            or not isinstance(t, numbers.Integral)
            or not 0 <= int(t) < n_outputs
        ):
            return f"expected a class index 0..{n_outputs - 1}"
        return ""
    if loss_name == "":
        return ""
    values = t if isinstance(t, Sequence) and not isinstance(t, (str, bytes)) else [t]
    if loss_name == "mse" and n_outputs > 1 and len(values) != n_outputs:
        return f"expected a list of {n_outputs} numbers, one per output"
    for v in values:
        if not (is_real(v) or isinstance(v, Value)):
            return "expected a number"
        if not _is_finite(v):
            return "expected a finite number"
        number = number_of(v)
        if loss_name.startswith("binary_cross_entropy") and not 0.0 <= number <= 1.0:
            return "expected a label 0 or 1 (or a probability between them)"
        if loss_name == "hinge" and number not in (-1.0, 1.0):
            return "expected -1 or +1 (map 0/1 labels with 2*y - 1)"
    return ""


def _is_finite(v: Any) -> bool:
    """A finite number (a Value's ``.data`` for a Value); an int too large for a float is not."""
    try:
        return math.isfinite(number_of(v))
    except OverflowError:
        return False


def _default_predict(loss_name: str, y: Sequence[Any], n_outputs: int) -> Predict | None:
    if loss_name == "cross_entropy":
        return _argmax
    if loss_name == "binary_cross_entropy":
        return _above(0.5, 0, 1)
    if loss_name == "binary_cross_entropy_with_logits":
        return _above(0.0, 0, 1)
    if loss_name == "hinge":
        return _above(0.0, -1, 1)
    if loss_name == "mse" and n_outputs == 1 and all(t in (0, 1) for t in y):
        return _above(0.5, 0, 1)
    return None


def _argmax(output: Any) -> int:
    return index_of_max([v.data for v in output])


def _above(threshold: float, low: int, high: int) -> Predict:
    def predict(output: Any) -> int:
        return high if number_of(output) > threshold else low

    return predict


def _count_correct(predict: Predict, outputs: Sequence[Any], targets: Sequence[Any]) -> int:
    return sum(1 for o, t in zip(outputs, targets, strict=True) if predict(o) == t)


def _evaluate(
    model: Module,
    data: tuple[Sequence[Sequence[float]], Sequence[Any]],
    loss_fn: LossFunction,
    l2: float,
    params: list[Value],
    predict: Predict | None,
) -> tuple[float, float | None]:
    X, y = data
    with no_grad(), _modes(model, training=False):
        outputs = model.forward_batch(X)
        objective = loss_fn(outputs, list(y))
        if l2:
            objective = objective + _losses.l2_penalty(params, l2)
    accuracy = None if predict is None else _count_correct(predict, outputs, y) / len(X)
    return objective.data, accuracy


def _classifier(
    model: Module, predict: Predict | None, labels: list[Any]
) -> Callable[[list[float]], Any]:
    """A function from a point to a predicted label, in the labels' own values."""
    if predict is not None:
        chosen = predict
        return lambda point: chosen(model(point))
    # A one-output model says "the larger label" above its threshold, else the smaller
    # (so -1/+1 and 0/1 labels both work); several outputs pick a class index.
    low, high = (labels[0], labels[-1]) if len(labels) == 2 else (0, 1)
    if isinstance(model, MLP):
        threshold = 0.5 if model.output_activation == "sigmoid" else 0.0
        if model.n_outputs == 1:
            return lambda point: high if model.forward_floats(point)[0] > threshold else low
        return lambda point: index_of_max(model.forward_floats(point))

    def classify(point: list[float]) -> Any:
        out = model(point)
        if isinstance(out, Value):
            return high if out.data > 0.0 else low
        return _argmax(out)

    return classify
