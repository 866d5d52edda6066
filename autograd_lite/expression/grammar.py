"""What an expression may contain: the functions, operators and constructs the
parser accepts, each mapped to the ``Value`` method it builds, and the limits
on length and nesting.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from autograd_lite.autodiff import no_grad
from autograd_lite.value import Value

#: The longest expression accepted, in characters (checked before parsing).
MAX_LENGTH = 10_000


#: The deepest nesting accepted: brackets plus operators on the way in from the outermost
#: level. Python's own limit for parentheses alone is 200, but under Pyodide (the
#: playground) 191 parentheses overflow the browser's stack inside ``ast.parse``; 100
#: leaves a margin of almost 2 for every kind of nesting measured there.
MAX_DEPTH = 100

#: Names that stand for a number rather than a variable.
CONSTANTS = {"π": math.pi}

#: Symbols of written mathematics that are no operator here, and what to type instead.
#: ``·`` is a letter to Python (``x·y`` would be one variable named "x·y"), and the
#: others stop its parser with a message that does not say what to write.
SYMBOLS = {
    "·": "* (as in x*y)",
    "⋅": "* (as in x*y)",
    "×": "* (as in x*y)",
    "∗": "* (as in x*y)",
    "÷": "/ (as in x/y)",
    "−": "- (the ASCII minus, as in x-y)",
    "√": "sqrt(...) (as in sqrt(x))",
    "²": "**2 (as in x**2)",
    "³": "**3 (as in x**3)",
}


def _abs(x: Value) -> Value:
    return abs(x)


#: The functions an expression may call, each the Value method of the same name.
#: ``tests/test_expression.py`` checks this matches the op table's function rows.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "abs": _abs,
    "cos": Value.cos,
    "exp": Value.exp,
    "log": Value.log,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "sign": Value.sign,
    "sin": Value.sin,
    "sqrt": Value.sqrt,
    "step": Value.step,
    "tanh": Value.tanh,
}


_ALLOWED = (
    "numbers, variable names, + - * / **, unary minus, parentheses and the functions "
    + " ".join(sorted(FUNCTIONS))
)


_BINARY: dict[type[ast.operator], tuple[str, Callable[..., Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}


_UNARY: dict[type[ast.unaryop], tuple[str, Callable[..., Any]]] = {
    ast.USub: ("-", operator.neg),
    ast.UAdd: ("+", operator.pos),
}


# Operators Python knows but this language does not, by the symbol users typed.
_OTHER_OPERATORS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^ (in Python ^ is not a power: write x ** 2)",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}


# What to call the constructs users most often try, for the error message.
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Subscript: "a subscript ([...])",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "and / or",
    ast.NamedExpr: "assignment (:=)",
    ast.IfExp: "a conditional expression (... if ... else ...)",
    ast.Tuple: "a tuple (a comma outside a function call)",
    ast.List: "a list",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Starred: "a starred expression (*x)",
    ast.JoinedStr: "a string (f-string)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


_BINARY_BY_SYMBOL = {symbol: fn for symbol, fn in _BINARY.values()}


_UNARY_BY_SYMBOL = {symbol: fn for symbol, fn in _UNARY.values()}


def _call(function: Callable[[Value], Value]) -> Callable[[object], object]:
    def apply(x: object) -> object:
        return function(x if isinstance(x, Value) else Value(x))  # type: ignore[arg-type]

    return apply


def _fold_or_apply(fn: Callable[..., object], args: list[float | Value]) -> float | Value:
    """Apply ``fn``; when no argument is a Value, compute it with the engine on floats."""
    if any(isinstance(a, Value) for a in args):
        result = fn(*args)
        assert isinstance(result, Value)
        return result
    with no_grad():
        # Through a Value, so that a domain error reads exactly as the engine's does.
        folded = fn(Value(float(args[0])), *args[1:])
    assert isinstance(folded, Value)
    return folded.data
