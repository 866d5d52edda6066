"""Gradient clipping: ``clip_grad_norm`` (the whole gradient's length) and
``clip_grad_value`` (each component).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd_lite._helpers import number_of
from autograd_lite.optim._checks import _check_nonnegative, _check_params, _check_positive_or_inf
from autograd_lite.value import Value


def clip_grad_norm(params: Iterable[Value], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their norm is at most ``max_norm``.

    Returns the norm before clipping (PyTorch's ``clip_grad_norm_``: the scale
    is ``max_norm / (norm + 1e-6)``, applied only when below 1). ``norm_type``
    may be ``math.inf`` (the largest absolute gradient).

    Example:
        >>> a, b = Value(0.0), Value(0.0)
        >>> a.grad, b.grad = 3.0, 4.0
        >>> clip_grad_norm([a, b], max_norm=1.0)
        5.0
        >>> round(a.grad, 6), round(b.grad, 6)
        (0.6, 0.8)
    """
    ps = _check_params(params, "clip_grad_norm")
    max_norm = _check_nonnegative(max_norm, "max_norm", "clip_grad_norm")
    norm_type = _check_positive_or_inf(norm_type)
    grads = [abs(number_of(p.grad)) for p in ps]
    if norm_type == math.inf:
        total = max(grads)
    else:
        total = sum(g**norm_type for g in grads) ** (1.0 / norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in ps:
            p.grad = number_of(p.grad) * scale
    return total


def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]``.

    Example:
        >>> a = Value(0.0)
        >>> a.grad = -7.0
        >>> clip_grad_value([a], 0.5)
        >>> a.grad
        -0.5
    """
    ps = _check_params(params, "clip_grad_value")
    c = _check_nonnegative(clip_value, "clip_value", "clip_grad_value")
    for p in ps:
        p.grad = min(max(number_of(p.grad), -c), c)
