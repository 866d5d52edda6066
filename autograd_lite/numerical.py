"""Gradient checking: the engine's gradients against central differences.

``gradcheck(fn, *args)`` differentiates ``fn`` with the engine and numerically,
and reports one row per argument with a verdict. At a kink (relu or abs at 0)
the left and right slopes differ; the report calls that a non-differentiable
point, and accepts the engine's answer if it lies between the two slopes (a
valid subgradient), instead of flagging it as a bug.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograd_lite.autodiff import no_grad, value_and_grad
from autograd_lite.text.tables import Table
from autograd_lite.value import Value, number_of

__all__ = ["GradcheckReport", "GradcheckRow", "gradcheck"]

OK = "ok"
KINK = "non-differentiable point"
MISMATCH = "MISMATCH"


@dataclass(frozen=True)
class GradcheckRow:
    """One argument's check.

    Attributes:
        name: the argument's label or position (``x`` or ``arg0``).
        point: where it was evaluated.
        analytic: the engine's gradient.
        numeric: the central difference (a one-sided one near a domain edge).
        error: ``|analytic - numeric|``.
        verdict: ``"ok"``, ``"non-differentiable point"`` or ``"MISMATCH"``.
        note: why, for anything but a plain ``ok``.
    """

    name: str
    point: float
    analytic: float
    numeric: float
    error: float
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class GradcheckReport(Table):
    """The rows of a gradient check; truthy when every row passes.

    A ``Table``: ``str(report)`` is aligned text ending in PASSED or FAILED,
    Jupyter shows HTML with mismatches highlighted, and ``to_markdown()`` and
    ``to_latex()`` give the same table for notes.
    """

    rows: tuple[GradcheckRow, ...]

    columns = ("input", "at", "analytic", "numeric", "error", "verdict")
    align = "llllll"
    rule = True

    @property
    def passed(self) -> bool:
        """True when no row is a MISMATCH."""
        return all(row.verdict != MISMATCH for row in self.rows)

    def __bool__(self) -> bool:
        return self.passed

    def _cells(self) -> list[list[str]]:
        return [
            [r.name, f"{r.point:.6g}", f"{r.analytic:.10g}", f"{r.numeric:.10g}", f"{r.error:.2e}",
             r.verdict + (f" ({r.note})" if r.note else "")]
            for r in self.rows
        ]  # fmt: skip

    def _highlighted(self) -> list[bool]:
        return [r.verdict == MISMATCH for r in self.rows]

    def _verdict(self) -> str:
        return "PASSED" if self.passed else "FAILED"

    def __str__(self) -> str:
        return f"{self.to_text()}\n{self._verdict()}"

    def _repr_html_(self) -> str:
        return f"{self.to_html()}<p><b>{self._verdict()}</b></p>"


def gradcheck(
    fn: Callable[..., Any],
    *args: float | Value,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradcheckReport:
    """Compare the engine's gradient of ``fn`` at ``args`` with finite differences.

    Args:
        fn: a function of Values returning a scalar Value (as for ``grad``).
        *args: the point, numbers (or Values, whose ``data`` and label are used).
        eps: the finite-difference step.
        atol, rtol: a row passes when ``|analytic - numeric| <= atol + rtol*|numeric|``.

    Example:
        >>> from autograd_lite import gradcheck
        >>> bool(gradcheck(lambda x, y: x * y + x.sin(), 2.0, 3.0))
        True
    """
    if not args:
        raise TypeError("gradcheck(fn, *args) needs at least one argument to check")
    if not eps > 0:
        raise ValueError(f"eps={eps!r}: the step must be positive")
    names = [a.label if isinstance(a, Value) and a.label else f"arg{i}" for i, a in enumerate(args)]
    point = [a.data if isinstance(a, Value) else float(a) for a in args]
    _, analytic = value_and_grad(fn, tuple(range(len(point))))(*point)

    def f(at: list[float]) -> float | None:
        try:
            with no_grad():
                return number_of(fn(*[Value(v) for v in at]))
        except (ValueError, ZeroDivisionError, OverflowError):
            return None  # outside the function's domain

    f0 = f(point)
    rows = []
    for i, (name, x, a) in enumerate(zip(names, point, analytic)):

        def at(offset: float, i: int = i) -> float | None:
            shifted = list(point)
            shifted[i] += offset
            return f(shifted)

        rows.append(_verdict(name, x, a, at, f0, eps, atol, rtol))
    return GradcheckReport(tuple(rows))


def _verdict(
    name: str, x: float, a: float, at: Callable[[float], float | None], f0: float | None,
    eps: float, atol: float, rtol: float,
) -> GradcheckRow:  # fmt: skip
    """Judge one input; ``at(offset)`` evaluates fn with this input shifted."""
    fu, fd = at(eps), at(-eps)
    if f0 is None or (fu is None and fd is None):
        return GradcheckRow(
            name, x, a, math.nan, math.nan, MISMATCH, "cannot evaluate fn near this point"
        )
    if fu is None or fd is None:
        numeric = (f0 - fd) / eps if fu is None else (fu - f0) / eps  # type: ignore[operator]
        side = "left" if fu is None else "right"
        ok = abs(a - numeric) <= 10 * (atol + rtol * abs(numeric))  # one-sided: cruder
        note = f"{side}-sided, near a domain edge" + ("" if ok else "; try a smaller eps")
        return GradcheckRow(name, x, a, numeric, abs(a - numeric), OK if ok else MISMATCH, note)
    numeric = (fu - fd) / (2 * eps)
    err = abs(a - numeric)
    left, right = (f0 - fd) / eps, (fu - f0) / eps
    gap = abs(left - right)
    if gap > atol + rtol * max(abs(left), abs(right)):
        # A kink keeps its gap as the step shrinks; curvature's gap shrinks with it.
        fu2, fd2 = at(eps / 10), at(-eps / 10)
        if fu2 is not None and fd2 is not None:
            gap2 = abs((fu2 - f0) - (f0 - fd2)) / (eps / 10)
            if gap2 > 0.5 * gap:
                lo, hi = min(left, right), max(left, right)
                tol = atol + rtol * max(abs(lo), abs(hi))
                note = f"left slope {left:.6g}, right slope {right:.6g}"
                if lo - tol <= a <= hi + tol:
                    return GradcheckRow(
                        name, x, a, numeric, err, KINK, note + "; the engine's value lies between"
                    )
                return GradcheckRow(name, x, a, numeric, err, MISMATCH, note)
    if err <= atol + rtol * abs(numeric):
        return GradcheckRow(name, x, a, numeric, err, OK)
    return GradcheckRow(name, x, a, numeric, err, MISMATCH)
