"""The checks of optimizer settings, each with a message saying what a valid value
is (PyTorch's defaults where they help).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from autograd_lite._helpers import is_real, is_whole
from autograd_lite.value import Value


def _check_params(params: Iterable[Value], where: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{where}: expected a list of parameters, got a single Value; wrap it: [v]")
    try:
        ps = list(params)
    except TypeError:
        raise TypeError(
            f"{where}: expected an iterable of Values such as model.parameters(), "
            f"got {type(params).__name__}"
        ) from None
    if not ps:
        raise ValueError(f"{where}: got an empty parameter list")
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: every parameter must be a Value, got {type(p).__name__}")
    if len({id(p) for p in ps}) != len(ps):
        raise ValueError(f"{where}: a parameter appears more than once")
    return ps


def _check_betas(betas: Any, where: str) -> tuple[float, float]:
    if not (isinstance(betas, tuple) and len(betas) == 2):
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
    first = _check_fraction(betas[0], "betas[0]", where, one=False)
    return (first, _check_fraction(betas[1], "betas[1]", where, one=False))


def _check_finite(x: Any, name: str, where: str) -> float:
    try:
        value = float(x) if is_real(x) else math.nan
    except OverflowError:  # an int such as 10**400
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {x!r}")
    return value


def _check_nonnegative(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value < 0.0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {x!r}")
    return value


def _check_positive(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value <= 0.0:
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {x!r}")
    return value


def _check_fraction(x: Any, name: str, where: str, *, one: bool) -> float:
    """A number in [0, 1) (a decay rate: 1 would never forget), or [0, 1] with ``one``."""
    value = _check_finite(x, name, where)
    if not (0.0 <= value <= 1.0 if one else 0.0 <= value < 1.0):
        raise ValueError(f"{where}: {name} must be in [0, 1{']' if one else ')'}, got {x!r}")
    return value


def _check_count(n: Any, name: str, where: str) -> int:
    """A whole number >= 1 (not a bool, not 2.0)."""
    if not is_whole(n) or n < 1:
        raise ValueError(f"{where}: {name} must be a whole number >= 1, got {n!r}")
    return int(n)


def _check_flag(flag: Any, name: str, where: str) -> bool:
    if not isinstance(flag, bool):
        raise TypeError(f"{where}: {name} must be True or False, got {flag!r}")
    return flag


def _check_positive_or_inf(x: Any) -> float:
    if x == math.inf:
        return math.inf
    return _check_positive(x, "norm_type", "clip_grad_norm")
