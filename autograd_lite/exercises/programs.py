"""The graphs the grader builds in both engines: each op with numbers on either
side, the classic shapes (a node used twice, a diamond, a long chain), and
random programs.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from autograd_lite.value import Value

if TYPE_CHECKING:
    pass
from autograd_lite.exercises.reading import _leaf
from autograd_lite.exercises.report import _fail, _fmt

#: The long chain's length: deep enough to pass Python's recursion limit (1,000).
CHAIN_LENGTH = 5000


@dataclass(frozen=True)
class _Step:
    """One line of a graph program: an op on earlier nodes (or a leaf)."""

    op: str  # a key of _OPS, or "leaf"
    args: tuple[int, ...] = ()
    number: float = 0.0  # the leaf's value, or the constant of "x + 2" and friends


@dataclass(frozen=True)
class _OpSpec:
    template: str  # how the op is written, with {x}, {y} and {c}
    our_op: str  # its row in autograd_lite.ops.OPS
    arity: int
    needs: str  # the attribute the learner's class must have
    apply: Callable[..., Any]
    required: bool


_OPS: dict[str, _OpSpec] = {
    "add": _OpSpec("{x} + {y}", "add", 2, "__add__", lambda x, y, c: x + y, True),
    "mul": _OpSpec("{x} * {y}", "mul", 2, "__mul__", lambda x, y, c: x * y, True),
    "tanh": _OpSpec("{x}.tanh()", "tanh", 1, "tanh", lambda x, c: x.tanh(), True),
    "exp": _OpSpec("{x}.exp()", "exp", 1, "exp", lambda x, c: x.exp(), True),
    "add_c": _OpSpec("{x} + {c}", "add", 1, "__add__", lambda x, c: x + c, True),
    "mul_c": _OpSpec("{x} * {c}", "mul", 1, "__mul__", lambda x, c: x * c, True),
    "radd_c": _OpSpec("{c} + {x}", "add", 1, "__radd__", lambda x, c: c + x, True),
    "rmul_c": _OpSpec("{c} * {x}", "mul", 1, "__rmul__", lambda x, c: c * x, True),
    "sub": _OpSpec("{x} - {y}", "sub", 2, "__sub__", lambda x, y, c: x - y, False),
    "div": _OpSpec("{x} / {y}", "div", 2, "__truediv__", lambda x, y, c: x / y, False),
    "neg": _OpSpec("-{x}", "neg", 1, "__neg__", lambda x, c: -x, False),
    # A whole-number exponent is passed as an int: some learners' __pow__ asserts int.
    "pow": _OpSpec("{x} ** {c}", "pow", 1, "__pow__", lambda x, c: x ** int(c), False),
}


def _spelling(op: str) -> str:
    """The op written with x, y and c (``x + y``, ``x.tanh()``, ``c * x``)."""
    return _OPS[op].template.format(x="x", y="y", c="c")


#: The op probes: each op on fresh leaves at two points, constant c where it has one.
_PROBES: dict[str, tuple[tuple[tuple[float, ...], float], ...]] = {
    "add": (((0.7, -1.6), 0.0), ((2.5, 0.25), 0.0)),
    "mul": (((0.7, -1.6), 0.0), ((2.5, 0.25), 0.0)),
    "tanh": (((0.5,), 0.0), ((-1.3,), 0.0)),
    "exp": (((0.5,), 0.0), ((-1.3,), 0.0)),
    "add_c": (((0.7,), 2.0),),
    "mul_c": (((0.7,), 2.0),),
    "radd_c": (((0.7,), 2.0),),
    "rmul_c": (((0.7,), 3.0),),
    "sub": (((0.7, -1.6), 0.0),),
    "div": (((0.7, -1.6), 0.0),),
    "neg": (((0.7,), 0.0),),
    "pow": (((0.8,), 3.0), ((-1.3,), 2.0)),
}


_FIXES = {
    "__add__": "def __add__(self, other): ... return out  # self + other",
    "__mul__": "def __mul__(self, other): ... return out  # self * other",
    "tanh": "def tanh(self): t = math.tanh(self.data); ... local derivative 1 - t**2",
    "exp": "def exp(self): e = math.exp(self.data); ... local derivative e",
}


class _Graph:
    """A program run on one class: its nodes, and a readable name for each."""

    def __init__(self, program: Sequence[_Step], value_class: Any) -> None:
        self.program = program
        self.nodes: list[Any] = []
        for index, step in enumerate(program):
            if step.op == "leaf":
                self.nodes.append(
                    Value(step.number, label=_name(program, index))
                    if value_class is Value
                    else _leaf(value_class, step.number)
                )
                continue
            spec = _OPS[step.op]
            operands = [self.nodes[i] for i in step.args]
            try:
                node = spec.apply(*operands, step.number)
                if value_class is Value:
                    node.label = _name(program, index)
                self.nodes.append(node)
            except RecursionError:
                raise
            except Exception as error:
                raise _fail(
                    "op_error",
                    f"{_describe(program, index)} raised {type(error).__name__}: {error}",
                ) from None

    @property
    def root(self) -> Any:
        return self.nodes[-1]


def _name(program: Sequence[_Step], index: int) -> str:
    return f"x{index}" if program[index].op == "leaf" else f"n{index}"


def _describe(program: Sequence[_Step], index: int) -> str:
    step = program[index]
    if step.op == "leaf":
        return f"leaf x{index} = {_fmt(step.number)}"
    names = [_name(program, i) for i in step.args] + [""]
    text = _OPS[step.op].template.format(x=names[0], y=names[1], c=_fmt(step.number))
    return f"n{index} = {text}"


def _shapes() -> list[tuple[str, list[_Step]]]:
    """The classic graphs, each named for the mistake it catches."""
    # Each node used once: only the order of the backward pass can go wrong here.
    once = [
        _Step("leaf", number=0.4),
        _Step("leaf", number=-0.9),
        _Step("mul", (0, 1)),
        _Step("exp", (2,)),
        _Step("tanh", (3,)),
    ]
    # One op, so no order at all: only how contributions are added can go wrong.
    squared_once = [_Step("leaf", number=1.5), _Step("mul", (0, 0))]
    used_twice = [_Step("leaf", number=1.5), _Step("add", (0, 0)), _Step("mul", (1, 0))]
    squared = [_Step("leaf", number=2.0), _Step("rmul_c", (0,), 3.0), _Step("mul", (1, 1))]
    diamond = [
        _Step("leaf", number=0.7),
        _Step("leaf", number=-1.3),
        _Step("mul", (0, 1)),
        _Step("tanh", (2,)),
        _Step("exp", (2,)),
        _Step("mul", (3, 4)),
        _Step("add", (5, 3)),
    ]
    chain = [_Step("leaf", number=0.001)]
    for _ in range(CHAIN_LENGTH):
        chain.append(_Step("leaf", number=0.001))
        chain.append(_Step("add", (len(chain) - 2, len(chain) - 1)))
    return [
        ("a chain with each node used once, tanh(exp(x * w))", once),
        ("x * x at x = 1.5 (one op, x used twice)", squared_once),
        ("a node used twice, (x + x) * x at x = 1.5", used_twice),
        ("z = 3x, y = z * z at x = 2 (dy/dx = 36)", squared),
        ("a diamond: s = x * w feeds both tanh(s) and exp(s)", diamond),
        (f"a chain of {CHAIN_LENGTH:,} additions", chain),
    ]


def _random_program(rng: random.Random, ops: Sequence[str], size: int = 12) -> list[_Step]:
    """A random graph over ``ops``; values kept in a range where every op is tame."""
    program = [_Step("leaf", number=round(rng.uniform(-2.0, 2.0), 3)) for _ in range(3)]
    values = [step.number for step in program]
    while len(program) < size + 3:
        op = rng.choice(ops)
        spec = _OPS[op]
        # Lean on recent nodes, so that graphs are deep and nodes are shared.
        args = tuple(rng.randrange(max(0, len(values) - 4), len(values)) for _ in range(spec.arity))
        c = float(rng.choice((2, 3))) if op == "pow" else round(rng.uniform(-2.0, 2.0), 2)
        our = [Value(values[i]) for i in args]
        try:
            out = spec.apply(*our, c).data
        except (ValueError, OverflowError, ZeroDivisionError):
            continue
        if not abs(out) < 20.0 or (op == "div" and abs(values[args[1]]) < 0.3):
            continue
        program.append(_Step(op, args, c))
        values.append(out)
    return program
