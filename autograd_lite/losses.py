"""Loss functions built from Value ops, so every loss can be backpropagated.

Each ``loss(prediction, target)`` takes one prediction (a Value or a number)
and its target, or lists of them, and returns a Value; for lists it is the mean
over the list, as PyTorch's default ``reduction="mean"``. The means are
computed as ``sum * (1.0 / n)`` with the terms added left to right, which is
what micrograd's demo does, so a loss copied from it agrees to the last bit.

Targets are checked against the loss's domain (0/1 for binary cross-entropy,
-1/+1 for hinge, a class index for cross-entropy) with a ValueError that says
which target was wrong.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite._helpers import is_real, sum_values
from autograd_lite.autodiff import graph_building
from autograd_lite.value import Value, number_of

__all__ = [
    "LOG_FLOOR",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "hinge",
    "l1_penalty",
    "l2_penalty",
    "mse",
    "softmax",
]

#: ``binary_cross_entropy`` never takes a log below this, as in PyTorch.
LOG_FLOOR = -100.0
_LOG_FLOOR_ARG = math.exp(LOG_FLOOR)

Scalar = Value | float
#: A prediction: one Value or number, or a list of them (then the loss is a mean);
#: list items may be lists themselves (the outputs of a multi-output model).
Prediction = Scalar | Sequence[Any]
Target = Scalar | Sequence[Any]


@graph_building()
def mse(prediction: Prediction, target: Target) -> Value:
    """Mean squared error, ``mean((prediction - target)^2)``.

    Example:
        >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
        2.5
    """
    return _mean([(p - t) ** 2 for p, t in _pairs(prediction, target, "mse", _any_number)])


@graph_building()
def binary_cross_entropy(prediction: Prediction, target: Target) -> Value:
    """Binary cross-entropy on probabilities: ``-(y log p + (1 - y) log(1 - p))``.

    ``prediction`` is a probability in [0, 1] (a sigmoid output), ``target`` a
    label 0 or 1 (or a soft label in between).

    NOTE: a log is never taken below ``LOG_FLOOR`` (-100), as in PyTorch, so a
    prediction of exactly 0 or 1 gives a loss of at most 100 instead of a
    domain error; a clamped term passes no gradient (PyTorch's own backward
    divides by max(p(1-p), 1e-12) there instead). For logits, prefer
    ``binary_cross_entropy_with_logits``, which never saturates.

    Example (seed 003's sample 1, prediction 0.7528, label 0):
        >>> round(binary_cross_entropy(Value(0.752792), 0).data, 4)
        1.3975
    """
    terms = []
    for p, y in _pairs(prediction, target, "binary_cross_entropy", _probability):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: prediction {p.data!r} is not a probability in [0, 1]; "
                "apply sigmoid first, or use binary_cross_entropy_with_logits on raw scores"
            )
        y_value = number_of(y)
        if isinstance(y, Value) or 0.0 < y_value < 1.0:
            terms.append(-(y * _clamped_log(p) + (1 - y) * _clamped_log(1 - p)))
        elif y_value == 1.0:
            terms.append(-_clamped_log(p))
        else:  # y == 0: only the log(1 - p) term is there
            terms.append(-_clamped_log(1 - p))
    return _mean(terms)


@graph_building()
def binary_cross_entropy_with_logits(prediction: Prediction, target: Target) -> Value:
    """Binary cross-entropy on a logit z (sigmoid applied inside), stable for any z.

    Computes ``softplus(z) - z*y``, with softplus(z) = log(1 + exp(z)) written
    as ``z + log(1 + exp(-z))`` for z >= 0 and ``log(1 + exp(z))`` for z < 0, so
    exp only ever sees a non-positive number: z = ±1000 gives 1000 or 0, and
    the gradient ``sigmoid(z) - y``, with no overflow.

    NOTE: the branch is picked on the value of z, like relu's. The one-formula
    version ``max(z, 0) - z*y + log(1 + exp(-|z|))`` would give the gradient
    ``-y`` at exactly z = 0 (relu'(0) = abs'(0) = 0), not ``0.5 - y``.

    Example:
        >>> round(binary_cross_entropy_with_logits(Value(1000.0), 0).data, 6)
        1000.0
    """
    terms = []
    for z, y in _pairs(prediction, target, "binary_cross_entropy_with_logits", _probability):
        # softplus(z) = log(1 + exp(z)), with exp taken of -|z| only
        softplus = z + (1 + (-z).exp()).log() if z.data >= 0.0 else (1 + z.exp()).log()
        terms.append(softplus - z * y if isinstance(y, Value) or y != 0 else softplus)
    return _mean(terms)


@graph_building()
def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """Probabilities ``exp(l_i) / sum_j exp(l_j)``, computed stably.

    The largest logit is subtracted first (a constant, so the gradients are
    unchanged), so exp never overflows.

    Example:
        >>> [round(p.data, 4) for p in softmax([1.0, 2.0, 3.0])]
        [0.09, 0.2447, 0.6652]
    """
    values = _logits(logits, "softmax")
    top = max(v.data for v in values)
    exps = [(v - top).exp() for v in values]
    total = sum_values(exps)
    return [e / total for e in exps]


@graph_building()
def cross_entropy(logits: Sequence[Any], target: int | Sequence[int]) -> Value:
    """Softmax cross-entropy from raw scores: ``log(sum_j exp(l_j)) - l_target``.

    For one sample, ``logits`` is a list of class scores and ``target`` the
    class index; for a batch, a list of such lists and a list of indices (the
    mean is returned). The log-sum-exp subtracts the largest logit first, so it
    is stable for any scores.

    Example:
        >>> round(cross_entropy([1.0, 2.0, 3.0], 2).data, 4)
        0.4076
    """
    if isinstance(target, Sequence) and not isinstance(target, (str, bytes)):
        if isinstance(logits, Value) or not isinstance(logits, Sequence):
            raise TypeError("cross_entropy: a list of targets needs a list of logit lists")
        if len(logits) != len(target):
            raise ValueError(
                f"cross_entropy: {len(logits)} logit lists but {len(target)} targets; "
                "give one target per sample"
            )
        if not target:
            raise ValueError("cross_entropy: empty batch; give at least one sample")
        return _mean(
            [_cross_entropy_one(row, t, i) for i, (row, t) in enumerate(zip(logits, target))]
        )
    return _cross_entropy_one(logits, target, None)


@graph_building()
def hinge(prediction: Prediction, target: Target) -> Value:
    """micrograd's max-margin loss, ``relu(1 - y * score)``, for labels -1 and +1.

    Zero once a sample is on the right side of the boundary by a margin of 1.

    Example:
        >>> hinge([Value(2.0), Value(0.5)], [1, -1]).data
        0.75
    """
    return _mean([(1 - y * s).relu() for s, y in _pairs(prediction, target, "hinge", _sign_label)])


@graph_building()
def l1_penalty(parameters: Iterable[Value], alpha: float = 1.0) -> Value:
    """``alpha * sum(|p|)``, L1 regularisation (lasso): its pull on each weight is
    ``alpha * sign(p)``, the same size however small the weight, so it drives
    weights to exactly zero where L2 only shrinks them (at 0 the pull is 0, as
    ``abs`` takes its derivative there, and as PyTorch does).

    Example:
        >>> l1_penalty([Value(1.0), Value(-2.0)], alpha=1e-3).data
        0.003
    """
    params = list(parameters)
    if not params:
        raise ValueError("l1_penalty: no parameters given")
    return alpha * sum_values([abs(p) for p in params])


@graph_building()
def l2_penalty(parameters: Iterable[Value], alpha: float = 1.0) -> Value:
    """``alpha * sum(p^2)``, the L2 regularisation term micrograd's demo adds.

    Example:
        >>> l2_penalty([Value(1.0), Value(-2.0)], alpha=1e-4).data
        0.0005
    """
    params = list(parameters)
    if not params:
        raise ValueError("l2_penalty: no parameters given")
    return alpha * sum_values([p * p for p in params])


# -- helpers ------------------------------------------------------------------------------


def _clamped_log(v: Value) -> Value:
    if v.data > _LOG_FLOOR_ARG:
        return v.log()
    return Value(LOG_FLOOR)


def _mean(terms: Sequence[Value]) -> Value:
    if len(terms) == 1:
        return terms[0]
    # NOTE: sum * (1/n) rather than sum / n: micrograd's demo writes it so, and
    # the two can differ in the last bit.
    return sum_values(terms) * (1.0 / len(terms))


def _any_number(y: Any) -> str | None:
    return None


def _probability(y: Any) -> str | None:
    value = y.data if isinstance(y, Value) else y
    if not 0.0 <= value <= 1.0:
        return "a label 0 or 1 (or a probability between them)"
    return None


def _sign_label(y: Any) -> str | None:
    value = y.data if isinstance(y, Value) else y
    if value not in (-1.0, 1.0):
        return "a label -1 or +1 (map 0/1 labels with 2*y - 1)"
    return None


def _as_value(p: Any, loss: str) -> Value:
    if isinstance(p, Value):
        return p
    if not is_real(p):
        raise TypeError(f"{loss}: a prediction must be a Value or a number, got {type(p).__name__}")
    return Value(p)


def _as_target(y: Any, loss: str, check: Any) -> Value | float:
    if not isinstance(y, Value):
        if not is_real(y):
            raise TypeError(f"{loss}: a target must be a number, got {type(y).__name__} {y!r}")
        y = float(y)
        if not math.isfinite(y):
            raise ValueError(f"{loss}: target {y} is not finite")
    problem = check(y)
    if problem is not None:
        shown = y.data if isinstance(y, Value) else y
        raise ValueError(
            f"{loss}: target {shown!r} is outside the loss's domain; expected {problem}"
        )
    return y  # type: ignore[no-any-return]


def _pairs(prediction: Any, target: Any, loss: str, check: Any) -> list[tuple[Value, Any]]:
    """(prediction, target) pairs, flattening lists (and lists of lists)."""
    if _is_list(prediction):
        if not _is_list(target):
            raise TypeError(
                f"{loss}: prediction is a list of {len(prediction)}, so target must be a list "
                f"of the same length, got {type(target).__name__}"
            )
        if len(prediction) != len(target):
            raise ValueError(
                f"{loss}: {len(prediction)} predictions but {len(target)} targets; "
                "give one target per prediction"
            )
        if not prediction:
            raise ValueError(f"{loss}: empty prediction list; give at least one prediction")
        pairs: list[tuple[Value, Any]] = []
        for p, t in zip(prediction, target, strict=True):
            pairs += _pairs(p, t, loss, check)
        return pairs
    if _is_list(target):
        raise TypeError(f"{loss}: one prediction but a list of {len(target)} targets")
    return [(_as_value(prediction, loss), _as_target(target, loss, check))]


def _is_list(x: Any) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _logits(logits: Any, loss: str) -> list[Value]:
    if not _is_list(logits):
        raise TypeError(
            f"{loss}: expected a list of class scores (one per class), got {type(logits).__name__}"
        )
    if len(logits) < 2:
        raise ValueError(f"{loss}: needs at least 2 class scores, got {len(logits)}")
    return [_as_value(v, loss) for v in logits]


def _cross_entropy_one(logits: Any, target: Any, index: int | None) -> Value:
    where = "cross_entropy" if index is None else f"cross_entropy (sample {index})"
    values = _logits(logits, where)
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):
        raise TypeError(f"{where}: the target must be a class index (int), got {target!r}")
    label = int(target)
    if not 0 <= label < len(values):
        raise ValueError(
            f"{where}: target class {label} is outside the loss's domain; "
            f"expected 0..{len(values) - 1} for {len(values)} class scores"
        )
    top = max(v.data for v in values)
    log_sum_exp = sum_values([(v - top).exp() for v in values]).log() + top
    return log_sum_exp - values[label]
