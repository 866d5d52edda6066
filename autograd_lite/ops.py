"""The op table: every primitive autograd_lite knows, one row each.

A row says everything about one primitive: its name, the symbol drawings show,
the forward computation on floats, the local-derivative rule, and the formula
strings that drawings and ledgers print. Nothing else in the package knows an
op's math, so adding an op means adding a row here (and a one-line `Value`
method).

A derivative rule is written once and runs in two worlds. It receives a math
namespace ``m`` first: ``FLOAT_MATH`` when the forward pass records plain float
local derivatives (the fast path), or the Value namespace from ``value.py`` when
``backward(create_graph=True)`` rebuilds the local derivatives as Values so that
they can be differentiated again. Arithmetic operators work in both worlds, so
most rules need ``m`` only for functions such as ``m.cos``.

Rule signatures: ``rule(m, x, out)`` for unary ops, ``rule(m, x, y, out)`` for
binary ops, and ``rule(m, x, out, c)`` for ops with a constant ``c`` (the
exponent of ``x ** 2``, the base of ``2 ** x``). ``out`` is the op's result, so
rules such as ``tanh' = 1 - out^2`` reuse it instead of recomputing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

__all__ = ["CODE_FUNCTIONS", "FLOAT_MATH", "OPS", "Op"]


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive: forward on floats, local derivatives, and how to show it.

    Attributes:
        name: the value stored in ``Value.op`` (``"mul"``).
        symbol: what a drawing puts in the op node (``"×"``).
        arity: number of Value parents (1 or 2).
        forward: the computation on floats; may raise ValueError/OverflowError/
            ZeroDivisionError outside the domain, which ``value.py`` turns into a
            clear error using ``domain``.
        rule: local derivatives d(out)/d(parent), one per parent (see module doc).
        formulas: the derivative of each parent as a formula in ``x``, ``y``,
            ``c`` and ``out``, for drawings and ledgers (``("y", "x")`` for mul).
        template: how to write the expression, with ``{x}``, ``{y}``, ``{c}``.
        domain: where the op and its derivative are defined, used in errors.
        has_constant: the op carries a constant (``Value.attr``) beside its parents.
        code: the forward computation and each local derivative as Python
            expressions in ``{x}``, ``{y}``, ``{c}`` and ``{out}``, for the compiled
            path (``jit.py``); they compute exactly what ``forward`` and ``rule``
            compute (a test checks this bit for bit), using the functions in
            ``CODE_FUNCTIONS``.
    """

    name: str
    symbol: str
    arity: int
    forward: Callable[..., float]
    rule: Callable[..., tuple[Any, ...]]
    formulas: tuple[str, ...]
    template: str
    domain: str = ""
    has_constant: bool = False
    code: tuple[str, ...] = ()

    def describe(self, x: str = "x", y: str = "y", c: str = "c") -> str:
        """The expression this op writes, e.g. ``describe("a", "b") == "a * b"``."""
        return self.template.format(x=x, y=y, c=c)


def _step(x: float) -> float:
    # NOTE: relu'(0) = 0, the convention PyTorch uses; gradcheck reports 0 as a
    # non-differentiable point rather than a bug.
    return 1.0 if x > 0.0 else 0.0


def _sign(x: float) -> float:
    # NOTE: abs'(0) = 0, a valid subgradient and PyTorch's choice.
    return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)


def _sigmoid(x: float) -> float:
    # Stable for every finite x: exp is only ever taken of a non-positive number.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


def _pow(x: float, c: float) -> float:
    # math.pow raises on a negative base with a fractional exponent and on
    # 0 ** negative, where the ``**`` operator would return a complex number or
    # raise ZeroDivisionError.
    return math.pow(x, c)


def _rpow(x: float, c: float) -> float:
    return math.pow(c, x)


def _pow_rule(m: Any, x: Any, out: Any, c: float) -> tuple[Any, ...]:
    if c == 0.0:
        return (0.0,)
    return (c * m.pow(x, c - 1.0),)


def _rpow_rule(m: Any, x: Any, out: Any, c: float) -> tuple[Any, ...]:
    return (out * math.log(c),)


#: Float versions of the functions derivative rules call (the fast path).
FLOAT_MATH = SimpleNamespace(
    exp=math.exp,
    log=math.log,
    sin=math.sin,
    cos=math.cos,
    pow=math.pow,
    step=_step,
    sign=_sign,
)

# The slopes of relu and abs as code: relu's and abs's derivatives, and the forward
# of the step and sign rows that record them as nodes.
_STEP_CODE = "1.0 if {x} > 0.0 else 0.0"
_SIGN_CODE = "1.0 if {x} > 0.0 else (-1.0 if {x} < 0.0 else 0.0)"

_ROWS = (
    # x + y
    Op(
        "add", "+", 2, operator.add, lambda m, x, y, out: (1.0, 1.0), ("1", "1"), "{x} + {y}",
        code=("{x} + {y}", "1.0", "1.0"),
    ),
    # x - y
    Op(
        "sub", "−", 2, operator.sub, lambda m, x, y, out: (1.0, -1.0), ("1", "-1"), "{x} - {y}",
        code=("{x} - {y}", "1.0", "-1.0"),
    ),
    # x * y
    Op(
        "mul", "×", 2, operator.mul, lambda m, x, y, out: (y, x), ("y", "x"), "{x} * {y}",
        code=("{x} * {y}", "{y}", "{x}"),
    ),
    # x / y
    Op(
        "div", "÷", 2, operator.truediv,
        lambda m, x, y, out: (1.0 / y, -out / y),
        ("1/y", "-x/y^2"), "{x} / {y}", "y != 0",
        code=("{x} / {y}", "1.0 / {y}", "-{out} / {y}"),
    ),
    # -x
    Op(
        "neg", "−", 1, operator.neg, lambda m, x, out: (-1.0,), ("-1",), "-{x}",
        code=("-{x}", "-1.0"),
    ),
    # x ** c, c a constant number
    Op(
        "pow", "^", 1, _pow, _pow_rule, ("c*x^(c-1)",), "{x} ** {c}",
        "x > 0, or x < 0 with a whole-number c, or x = 0 with c >= 1",
        has_constant=True,
        code=("pow({x}, {c})", "0.0 if {c} == 0.0 else {c} * pow({x}, {c} - 1.0)"),
    ),
    # c ** x, c a constant number
    Op(
        "rpow", "^", 1, _rpow, _rpow_rule, ("c^x * ln(c)",), "{c} ** {x}",
        "c > 0", has_constant=True,
        code=("pow({c}, {x})", "{out} * log({c})"),
    ),
    # x ** y, both Values
    Op(
        "vpow", "^", 2, _pow,
        lambda m, x, y, out: (y * m.pow(x, y - 1.0), out * m.log(x)),
        ("y*x^(y-1)", "x^y * ln(x)"), "{x} ** {y}",
        "x > 0 (the derivative with respect to the exponent is x^y * ln(x))",
        code=("pow({x}, {y})", "{y} * pow({x}, {y} - 1.0)", "{out} * log({x})"),
    ),
    # exp(x)
    Op(
        "exp", "exp", 1, math.exp, lambda m, x, out: (out,), ("exp(x)",), "exp({x})",
        "x <= 709.78 (larger results overflow a float)",
        code=("exp({x})", "{out}"),
    ),
    # ln(x)
    Op(
        "log", "log", 1, math.log, lambda m, x, out: (1.0 / x,), ("1/x",), "log({x})", "x > 0",
        code=("log({x})", "1.0 / {x}"),
    ),
    # sqrt(x)
    Op(
        "sqrt", "√", 1, math.sqrt, lambda m, x, out: (0.5 / out,), ("1/(2*sqrt(x))",),
        "sqrt({x})", "x > 0 (at x = 0 the derivative is infinite)",
        code=("sqrt({x})", "0.5 / {out}"),
    ),
    # tanh(x)
    Op(
        "tanh", "tanh", 1, math.tanh, lambda m, x, out: (1.0 - out * out,), ("1 - tanh(x)^2",),
        "tanh({x})",
        code=("tanh({x})", "1.0 - {out} * {out}"),
    ),
    # 1 / (1 + exp(-x))
    Op(
        "sigmoid", "σ", 1, _sigmoid, lambda m, x, out: (out * (1.0 - out),),
        ("sigmoid(x)*(1 - sigmoid(x))",), "sigmoid({x})",
        code=("sigmoid({x})", "{out} * (1.0 - {out})"),
    ),
    # max(x, 0)
    Op(
        "relu", "ReLU", 1, _relu, lambda m, x, out: (m.step(x),), ("1 if x > 0 else 0",),
        "relu({x})",
        code=("{x} if {x} > 0.0 else 0.0", _STEP_CODE),
    ),
    # sin(x)
    Op(
        "sin", "sin", 1, math.sin, lambda m, x, out: (m.cos(x),), ("cos(x)",), "sin({x})",
        code=("sin({x})", "cos({x})"),
    ),
    # cos(x)
    Op(
        "cos", "cos", 1, math.cos, lambda m, x, out: (-m.sin(x),), ("-sin(x)",), "cos({x})",
        code=("cos({x})", "-sin({x})"),
    ),
    # |x|
    Op(
        "abs", "|x|", 1, math.fabs, lambda m, x, out: (m.sign(x),), ("sign(x)",), "abs({x})",
        code=("fabs({x})", _SIGN_CODE),
    ),
    # 1 if x > 0 else 0: relu's slope. A node of its own so that differentiating
    # relu twice (create_graph=True) records it, and a compiled trace recomputes it.
    Op(
        "step", "step", 1, _step, lambda m, x, out: (0.0,), ("0",), "step({x})",
        "every x (a jump at 0, where the step is 0 and its derivative is taken to be 0)",
        code=(_STEP_CODE, "0.0"),
    ),
    # -1, 0 or 1: abs's slope, a node for the same reason as step.
    Op(
        "sign", "sign", 1, _sign, lambda m, x, out: (0.0,), ("0",), "sign({x})",
        "every x (a jump at 0, where the sign is 0 and its derivative is taken to be 0)",
        code=(_SIGN_CODE, "0.0"),
    ),
)  # fmt: skip

#: The functions the ``code`` strings call, by the names they use: the compiled
#: path runs generated code in a namespace holding these and nothing else.
CODE_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "fabs": math.fabs,
    "pow": math.pow,
    "sigmoid": _sigmoid,
}

#: Every op, by name (the name a node stores in ``Value.op``).
OPS: dict[str, Op] = {op.name: op for op in _ROWS}
