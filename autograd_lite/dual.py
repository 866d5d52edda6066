"""Dual numbers: a value and its tangent computed together, forward mode with no graph.

A ``Dual`` is what ``forward.jvp`` runs a function on. Each operation applies an
op-table row twice over, as ``Value``'s do once: the row's forward to the values,
and its local-derivative rule (on floats) times the operands' tangents to the
tangents. Nothing is recorded, so a computation on Duals holds only the Duals
still in use: a chain of a million steps needs the memory of one step.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from autograd_lite.ops import FLOAT_MATH, OPS, Op
from autograd_lite.value import Value

__all__ = ["MIXED_WITH_VALUE", "Dual", "finite_real"]


def finite_real(number: Any, where: str, what: str = "a tangent") -> float:
    """``number`` as a finite float, or a clear error naming ``where`` it came from (the
    check every tangent, seed, primal and cotangent of ``forward.py`` goes through)."""
    if number.__class__ is float and number - number == 0.0:
        return float(number)
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        if isinstance(number, (Value, Dual)):
            hint = f"pass its number ({type(number).__name__}.data), not the node"
        elif isinstance(number, (list, tuple)):
            hint = "this engine is scalar: one number per input, not a sequence"
        elif isinstance(number, bool):
            hint = "bool is refused as a likely mistake: pass 1.0 or 0.0"
        else:
            hint = "pass a real number (int or float)"
        raise TypeError(
            f"{where} is {type(number).__name__} ({number!r}): {what} must be a real number; {hint}"
        )
    value = float(number)
    if not math.isfinite(value):
        raise ValueError(
            f"{where} is {value!r}: {what} must be finite (inf and nan make every derivative "
            "they touch meaningless); pass a finite number, e.g. 1.0 for the direction of "
            "that input"
        )
    return value


#: Why a Value cannot join Duals, and what to use instead.
MIXED_WITH_VALUE = (
    "jvp runs f on Duals (value and tangent together, no graph); a Value made inside f "
    "(Value(...), a model's parameters) cannot join them: use linearize or push_tangents, "
    "which differentiate a recorded graph"
)


_new = object.__new__


def _dual(data: float, tangent: float, op: Op) -> Dual:
    if tangent - tangent != 0.0:  # inf or nan: say where, there is no graph to search later
        raise FloatingPointError(
            f"forward mode: the tangent became {tangent} at {op.name} (value {data!r}); check "
            "the inputs' range or the size of the tangents"
        )
    out: Dual = _new(Dual)
    out.data = data
    out.tangent = tangent
    return out


def _dual_domain_error(op: Op, *operands: float) -> ValueError:
    names = [repr(v) for v in operands] + ["", ""]
    call = op.describe(names[0], names[1], names[1])
    domain = op.domain or "finite results"
    return ValueError(
        f"{call} (on Duals): {op.name} is defined, with a finite derivative, for {domain}"
    )


def _dual_unary(op: Op) -> Callable[[Dual], Dual]:
    forward, rule = op.forward, op.rule

    def method(self: Dual) -> Dual:
        a = self.data
        try:
            out = forward(a)
            (local,) = rule(FLOAT_MATH, a, out)
        except (ValueError, OverflowError, ZeroDivisionError):
            raise _dual_domain_error(op, a) from None
        return _dual(out, local * self.tangent, op)

    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = f"{op.describe('self')}, with its tangent."
    return method


def _lift_dual(other: Any, op: Op) -> Dual:
    if other.__class__ is Dual:
        return other
    if isinstance(other, Value):
        raise TypeError(
            f"{op.describe('Dual', 'Value')}: a Value cannot join a Dual computation. "
            f"{MIXED_WITH_VALUE}"
        )
    return Dual(finite_real(other, f"the operand of {op.describe('Dual', 'y')}", "an operand"), 0.0)


def _dual_binary(op: Op, reflected: bool = False) -> Callable[[Dual, Any], Dual]:
    forward, rule = op.forward, op.rule

    def method(self: Dual, other: Any) -> Dual:
        other = _lift_dual(other, op)
        x, y = (other, self) if reflected else (self, other)
        a, b = x.data, y.data
        try:
            out = forward(a, b)
            dx, dy = rule(FLOAT_MATH, a, b, out)
        except (ValueError, OverflowError, ZeroDivisionError):
            raise _dual_domain_error(op, a, b) from None
        return _dual(out, dx * x.tangent + dy * y.tangent, op)

    method.__name__ = method.__qualname__ = ("r" if reflected else "") + op.name
    return method


def _dual_with_constant(op: Op, x: Dual, c: Any) -> Dual:
    if isinstance(c, Value):
        _lift_dual(c, op)  # raises the mixing error
    c = finite_real(c, f"the constant of {op.describe('x', c='c')}", "a constant")
    a = x.data
    try:
        out = op.forward(a, c)
        (local,) = op.rule(FLOAT_MATH, a, out, c)
    except (ValueError, OverflowError, ZeroDivisionError):
        raise _dual_domain_error(op, a, c) from None
    return _dual(out, local * x.tangent, op)


class Dual:
    """A number and its tangent, computed together: forward mode with no graph.

    Every operation applies an op-table row twice over: its forward to the
    values, and its local-derivative rule (on floats) times the operands'
    tangents to the tangents. Nothing is recorded, so a Dual computation holds
    only the Duals still in use: a chain of a million steps needs the memory of
    one step. The names match ``Value``'s (``data``, ``x.sin()``, ``x ** 2``), so a
    function written for Values runs on Duals unchanged.

    Attributes:
        data: the value.
        tangent: its derivative along the direction the inputs' tangents give.

    Example:
        >>> x, y = Dual(2.0, 1.0), Dual(3.0, 0.0)
        >>> f = x * y + x.sin()
        >>> round(f.data, 6), round(f.tangent, 6)
        (6.909297, 2.583853)
    """

    __slots__ = ("data", "tangent")

    data: float
    tangent: float

    def __init__(self, data: float | numbers.Real, tangent: float | numbers.Real = 0.0) -> None:
        """A Dual holding ``data`` with tangent ``tangent`` (0.0: a constant)."""
        self.data = finite_real(data, f"Dual({data!r}, ...)", "a value")
        self.tangent = finite_real(tangent, f"Dual(..., tangent={tangent!r})")

    # Each method is built from its op-table row, as Value's are (value.py).
    __add__ = _dual_binary(OPS["add"])  # self + other
    __radd__ = _dual_binary(OPS["add"], reflected=True)  # other + self
    __sub__ = _dual_binary(OPS["sub"])  # self - other
    __rsub__ = _dual_binary(OPS["sub"], reflected=True)  # other - self
    __mul__ = _dual_binary(OPS["mul"])  # self * other
    __rmul__ = _dual_binary(OPS["mul"], reflected=True)  # other * self
    __truediv__ = _dual_binary(OPS["div"])  # self / other
    __rtruediv__ = _dual_binary(OPS["div"], reflected=True)  # other / self
    __neg__ = _dual_unary(OPS["neg"])  # -self
    __abs__ = _dual_unary(OPS["abs"])  # |self|
    exp = _dual_unary(OPS["exp"])
    log = _dual_unary(OPS["log"])
    sqrt = _dual_unary(OPS["sqrt"])
    tanh = _dual_unary(OPS["tanh"])
    sigmoid = _dual_unary(OPS["sigmoid"])
    relu = _dual_unary(OPS["relu"])
    sin = _dual_unary(OPS["sin"])
    cos = _dual_unary(OPS["cos"])
    step = _dual_unary(OPS["step"])
    sign = _dual_unary(OPS["sign"])
    _vpow = _dual_binary(OPS["vpow"])

    def __pow__(self, other: Dual | float) -> Dual:
        if other.__class__ is Dual:
            return self._vpow(other)  # self ** other, both Duals
        return _dual_with_constant(_POW, self, other)  # self ** c

    def __rpow__(self, other: float) -> Dual:
        return _dual_with_constant(_RPOW, self, other)  # c ** self

    def __pos__(self) -> Dual:
        return self

    # float(), int() and round() raise for the reason Value's do: math.sin(x) would
    # compute on the bare number and drop the tangent without a word.
    def __float__(self) -> float:
        raise TypeError(_number_hint(self, "float()"))

    def __int__(self) -> int:
        raise TypeError(_number_hint(self, "int()"))

    def __round__(self, ndigits: int | None = None) -> float:
        raise TypeError(_number_hint(self, "round()"))

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        return f"Dual(data={self.data!r}, tangent={self.tangent!r})"


_POW, _RPOW = OPS["pow"], OPS["rpow"]


def _number_hint(x: Dual, call: str) -> str:
    return (
        f"{call} of a Dual ({x!r}) would hand out the bare number and drop its tangent "
        "(math.sin(x) does this too): use its methods (x.sin(), x.exp()) to keep the "
        "tangent, or x.data for the plain number"
    )
