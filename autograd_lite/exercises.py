"""The grader for learners who write the engine themselves.

A learner writes their own ``Value`` (and maybe their own topological sort and
training step); the checks here run it side by side with ``autograd_lite.Value``
on the same graphs and say, in words, where the two first disagree and what to
change. Every check returns a ``Report`` (``.ok``, ``.mistake``, the message as
``str(report)``); none raises on a wrong engine.

- ``check_engine(value_class)``: the ops (forward values and local derivatives,
  numbers on either side), then the classic graphs (a node used twice, z = 3x
  with y = z*z, a diamond, a 5,000-node chain) and random graphs, node by node.
- ``check_backward(backward, value_class)``: the same, for a learner whose
  backward pass is a function ``backward(root)`` rather than a method.
- ``check_topological_sort(topological_sort, value_class)``: every node once,
  each after its parents, no recursion limit on a long chain.
- ``check_step(learner_params, learner_step, our_params, our_step)``: after one
  (and a second) training step, do the parameters equal ours to 1e-12?

The learner's class is read, never its source: leaves are made with
``value_class(number)``; nodes need a number ``.data`` and ``.grad`` and their
parents in one of ``_prev``, ``_children``, ``parents``, ``prev``,
``children``, ``_parents`` (a set, tuple or list); a backward closure in
``_backward`` (micrograd's shape) or stored local derivatives in
``local_grads`` (ours) both work. The ops are ``+``, ``*``, ``.tanh()`` and
``.exp()``, with numbers on either side; ``-``, ``/``, unary ``-`` and ``**``
(a number exponent) are checked when the class has them.
"""

from __future__ import annotations

import html
import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.value import Value

if TYPE_CHECKING:
    from autograd_lite.viz import Graph

__all__ = [
    "Report",
    "check_backward",
    "check_engine",
    "check_step",
    "check_topological_sort",
]

#: Where the grader looks for a node's parents, in this order.
PARENT_NAMES = ("_prev", "_children", "parents", "prev", "children", "_parents")
#: Where it looks for stored local derivatives (aligned with the parents).
LOCAL_GRAD_NAMES = ("local_grads", "_local_grads")

#: Relative tolerance for values and gradients (the learner's tanh may be
#: written with exp, which rounds differently from math.tanh).
RTOL = 1e-8
#: The long chain's length: deep enough to pass Python's recursion limit (1,000).
CHAIN_LENGTH = 5000


@dataclass(frozen=True)
class Report:
    """What a check found.

    Attributes:
        ok: True when the learner's code agrees with autograd_lite everywhere
            the check looked.
        mistake: a short key naming the mistake (``"assign"``, ``"order"``,
            ``"recursion"``, ``"local_derivative"``, ``"wrong_sign"``,
            ``"missing_reflected"``, ``"not_zeroed"``, ...), None when ok.
        message: what was checked or what is wrong, and what to change.
        notes: further lines, such as the ops the check could not run because the
            class does not have them.
    """

    ok: bool
    mistake: str | None
    message: str
    notes: tuple[str, ...] = field(default=())
    graph: Value | None = field(default=None, repr=False, compare=False)
    node: Value | None = field(default=None, repr=False, compare=False)
    mark: str = field(default="", repr=False, compare=False)

    def draw(self, radius: int = 2) -> Graph:
        """Draw autograd_lite's version of the graph around the node at fault,
        ``radius`` edges each way; a box titled ✗ and your number marks that node
        (its label, and the formulas on its edges, keep its name), and the edges
        its gradient came back along (or, for a wrong value, the edges of the op
        that made it) are drawn thick in the highlight colour.

        Raises:
            ValueError: the report points at no node (it passed, or the mistake
                is not about one node, such as a missing op).
        """
        if self.graph is None or self.node is None:
            raise ValueError(
                "this report points at no node to draw: only a wrong value or gradient does"
            )
        from autograd_lite.viz import draw  # drawing needs graphviz only when asked for

        node = self.node
        if self.mistake == "forward":  # its value is wrong: the edges of the op that made it
            edges = [(parent, node) for parent in node.parents]
        else:  # its gradient is wrong: the edges its contributions came back along
            edges = [(node, user) for user in topological_order(self.graph) if node in user.parents]
        return draw(
            self.graph,
            around=node,
            radius=radius,
            title=self.message.split("\n")[0],
            clusters={self.mark or "✗": [node]},
            highlight=edges,
        )

    def __str__(self) -> str:
        return "\n".join((self.message, *self.notes))

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        style = f"border-left: 4px solid {colour}; padding-left: 8px"
        return f'<pre style="{style}">{html.escape(str(self))}</pre>'


class _Stop(Exception):  # noqa: N818 - control flow, not an error shown to users
    """Carries the failing Report out of a nested check."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.message)
        self.report = report


def _fail(
    mistake: str,
    message: str,
    graph: Value | None = None,
    node: Value | None = None,
    mark: str = "",
) -> _Stop:
    return _Stop(Report(False, mistake, "✗ " + message, graph=graph, node=node, mark=mark))


def _close(a: float, b: float, rtol: float = RTOL) -> bool:
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


# -- reading the learner's objects ------------------------------------------------


def _number(node: Any, attribute: str) -> float:
    """``node.<attribute>`` as a float, or a clear message saying what is missing."""
    if not hasattr(node, attribute):
        raise _fail(
            "unreadable",
            f"cannot read {type(node).__name__} objects: they have no .{attribute}. The grader "
            "needs .data (the number) and .grad (its gradient, 0.0 on a new node).",
        )
    x = getattr(node, attribute)
    if isinstance(x, Value):  # a learner who wraps our Value
        return x.data
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise _fail(
            "unreadable",
            f"{type(node).__name__}.{attribute} is {x!r} ({type(x).__name__}), not a number: "
            f"store a float in .{attribute}.",
        )
    return float(x)


def _parents(node: Any) -> list[Any]:
    """The node's parents, read from the first of PARENT_NAMES it has."""
    for name in PARENT_NAMES:
        found = getattr(node, name, None)
        if found is not None:
            if isinstance(found, (set, frozenset, tuple, list)):
                return list(found)
            raise _fail(
                "unreadable",
                f"{type(node).__name__}.{name} is a {type(found).__name__}: the grader reads a "
                "node's parents from a set, tuple or list.",
            )
    raise _fail(
        "unreadable",
        f"cannot find the parents of a {type(node).__name__}: the grader tried the attributes "
        f"{', '.join(PARENT_NAMES)}. Store the operands a node was made from in one of them "
        "(micrograd: self._prev = set(_children); autograd_lite: self.parents = (x, y)).",
    )


def _stored_local_grads(node: Any) -> list[float] | None:
    for name in LOCAL_GRAD_NAMES:
        found = getattr(node, name, None)
        if isinstance(found, (tuple, list)) and all(
            isinstance(g, numbers.Real) and not isinstance(g, bool) for g in found
        ):
            return [float(g) for g in found]
    return None


def _leaf(value_class: Any, number: float) -> Any:
    try:
        return value_class(number)
    except Exception as error:
        raise _fail(
            "unreadable",
            f"{_class_name(value_class)}({number}) raised {type(error).__name__}: {error}. The "
            "grader makes leaves as value_class(number): give __init__ defaults for the rest.",
        ) from None


def _class_name(value_class: Any) -> str:
    return str(getattr(value_class, "__name__", type(value_class).__name__))


def _check_readable(value_class: Any) -> None:
    if not callable(value_class):
        raise _fail(
            "unreadable",
            f"expected the class itself (check_engine(Value)), got {type(value_class).__name__}",
        )
    x = _leaf(value_class, 0.5)
    if not _close(_number(x, "data"), 0.5):
        raise _fail("unreadable", f"{_class_name(value_class)}(0.5).data is not 0.5")
    if _number(x, "grad") != 0.0:
        raise _fail("unreadable", f"{_class_name(value_class)}(0.5).grad should start at 0.0")
    if _parents(x):
        raise _fail("unreadable", f"a leaf {_class_name(value_class)}(0.5) should have no parents")


# -- the graphs: one program, run on the learner's class and on ours ---------------


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


def _has(value_class: Any, name: str) -> bool:
    return callable(getattr(value_class, name, None))


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


# -- the checks -----------------------------------------------------------------


def check_engine(value_class: Any, *, seed: int = 0, graphs: int = 20) -> Report:
    """Check a learner's ``Value`` class against ``autograd_lite.Value``.

    Runs ``root.backward()`` on the probes of every op, the classic graphs and
    ``graphs`` random graphs (from ``seed``), comparing values and gradients
    node by node; the first disagreement is named, with what to change.

    Example:
        >>> from autograd_lite import Value
        >>> print(check_engine(Value, graphs=3))  # doctest: +ELLIPSIS
        ✓ Value agrees with autograd_lite: ...
    """

    def backward(root: Any) -> None:
        root.backward()

    if callable(value_class) and not _has(value_class, "backward"):
        return Report(
            False,
            "unreadable",
            f"✗ {_class_name(value_class)} has no backward() method: write one, or pass your "
            "backward function to check_backward(backward, value_class).",
        )
    return _check(backward, value_class, seed, graphs)


def check_backward(
    backward: Callable[[Any], object], value_class: Any, *, seed: int = 0, graphs: int = 20
) -> Report:
    """``check_engine`` for a backward pass written as a function ``backward(root)``."""
    return _check(backward, value_class, seed, graphs)


def _check(backward: Callable[[Any], object], value_class: Any, seed: int, graphs: int) -> Report:
    try:
        _check_readable(value_class)
        # Ops alone first, then the classic graphs (which test the backward pass
        # itself), then the optional ops (a learner's x - y is often x + (-y): two
        # nodes, so their check needs a working backward), then random graphs.
        ops, notes = _check_ops(backward, value_class, required=True)
        shapes = _shapes()
        for title, program in shapes:
            _compare(backward, value_class, title, program)
        optional, notes = _check_ops(backward, value_class, required=False)
        ops += optional
        rng = random.Random(seed)
        for k in range(graphs):
            title = f"random graph {k + 1} (seed {seed})"
            _compare(backward, value_class, title, _random_program(rng, ops))
    except _Stop as stop:
        return stop.report
    checked = ", ".join(_spelling(op) for op in ops)
    return Report(
        True,
        None,
        f"✓ {_class_name(value_class)} agrees with autograd_lite: {checked}; "
        f"{len(shapes) + graphs} graphs (a chain, x * x, (x + x) * x, z = 3x then z * z, "
        f"a diamond, a {CHAIN_LENGTH:,}-node chain, {graphs} random), every value and gradient.",
        tuple(notes),
    )


def _check_ops(
    backward: Callable[[Any], object], value_class: Any, *, required: bool
) -> tuple[list[str], list[str]]:
    """Probe each op (the required ones, or the optional ones) alone; return the
    ops that work and notes on those absent."""
    present: list[str] = []
    notes: list[str] = []
    for op, spec in _OPS.items():
        if spec.required is not required:
            continue
        if not _has(value_class, spec.needs):
            if op in ("radd_c", "rmul_c"):
                symbol = "+" if op == "radd_c" else "*"
                raise _fail(
                    "missing_reflected",
                    f"{_class_name(value_class)} has no {spec.needs}, so 2 {symbol} x fails: "
                    f"Python asks the number first, then calls x.{spec.needs}(2). Add "
                    f"`def {spec.needs}(self, other): return self {symbol} other`."
                    + (
                        " (sum() of Values needs it too: it starts from 0.)"
                        if symbol == "+"
                        else ""
                    ),
                )
            if spec.required:
                raise _fail(
                    "missing_op",
                    f"{_class_name(value_class)} has no {spec.needs}: add it "
                    f"({_FIXES.get(spec.needs, _spelling(op))}).",
                )
            name = _class_name(value_class)
            notes.append(f"  not checked: {_spelling(op)} ({name} has no {spec.needs})")
            continue
        for operands, c in _PROBES[op]:
            _probe(backward, value_class, op, operands, c)
        present.append(op)
    return present, notes


def _probe(
    backward: Callable[[Any], object],
    value_class: Any,
    op: str,
    operands: tuple[float, ...],
    c: float,
) -> None:
    program = [_Step("leaf", number=x) for x in operands]
    program.append(_Step(op, tuple(range(len(operands))), c))
    text = _describe(program, len(operands))
    where = ", ".join(f"x{i} = {_fmt(x)}" for i, x in enumerate(operands))
    try:
        theirs = _Graph(program, value_class)
    except _Stop as stop:
        if op in ("add_c", "mul_c", "radd_c", "rmul_c"):
            symbol = _OPS[op].template.split()[1]
            raise _fail(
                "number_operand",
                f"{stop.report.message[2:]}: your {symbol} does not take a plain number. Make "
                "numbers Values first: other = other if isinstance(other, Value) else "
                "Value(other).",
            ) from None
        raise
    ours = _Graph(program, Value)
    expected, actual = ours.root.data, _number(theirs.root, "data")
    if not _close(expected, actual):
        raise _fail(
            "forward",
            f"{text} at {where} gives {_fmt(actual)}, expected {_fmt(expected)}: check the "
            f"forward computation of {_spelling(op)}.",
        )
    ours.root.backward()
    stored = _stored_local_grads(theirs.root)
    _run_backward(backward, theirs.root, text)
    root_grad = _number(theirs.root, "grad")
    if not _close(root_grad, 1.0):
        raise _fail(
            "root_gradient",
            f"after backward() on {text}, its own .grad is {_fmt(root_grad)}: backward must "
            "start with root.grad = 1.0 (d root / d root).",
        )
    their_parents = _parents(theirs.root)
    for i, leaf in enumerate(theirs.nodes[:-1]):
        k = next(k for k, p in enumerate(ours.root.parents) if p is ours.nodes[i])
        expected_local = ours.root.local_grads[k]
        mine = [j for j, p in enumerate(their_parents) if p is leaf]
        if stored is not None and len(stored) == len(their_parents) and mine:
            actual = stored[mine[0]]
            _check_local(
                op, c, where, text, i, k, actual, expected_local, "stored local derivative"
            )
        _check_local(op, c, where, text, i, k, _number(leaf, "grad"), expected_local, f"x{i}.grad")


def _check_local(
    op: str,
    c: float,
    where: str,
    text: str,
    i: int,
    k: int,
    actual: float,
    expected: float,
    what: str,
) -> None:
    """Name a wrong local derivative of ``op`` with respect to operand ``i``."""
    if _close(expected, actual):
        return
    spec = _OPS[op]
    formulas = OPS[spec.our_op].formulas
    if op in ("mul_c", "rmul_c"):
        rule = f"c = {_fmt(c)}"
    elif op == "pow":
        rule = f"{formulas[k]} with c = {_fmt(c)}"
    else:
        rule = formulas[k]
    wrt = "x" if i == 0 else "y"
    sign = expected != 0.0 and _close(actual, -expected)
    where_fix = spec.needs if spec.needs.startswith("__") else spec.needs + "()"
    raise _fail(
        "wrong_sign" if sign else "local_derivative",
        f"the local derivative of {_spelling(op)} with respect to {wrt} is wrong"
        + (" (its sign is flipped)" if sign else "")
        + f": at {where}, {text} gave {what} = {_fmt(actual)}, expected {_fmt(expected)}. "
        f"The rule is d({_spelling(op)})/d{wrt} = {rule}: fix it in {where_fix} "
        "(and add it to the parent's grad with +=).",
    )


def _run_backward(backward: Callable[[Any], object], root: Any, what: str) -> None:
    try:
        backward(root)
    except RecursionError:
        raise _fail(
            "recursion",
            f"backward() on {what} hit Python's recursion limit: a recursive topological sort "
            f"(build_topo calling itself) goes one call deeper per node, and Python stops near "
            "1,000. Build the order with a loop and an explicit stack instead.",
        ) from None
    except _Stop:
        raise
    except Exception as error:
        raise _fail(
            "backward_error", f"backward() on {what} raised {type(error).__name__}: {error}"
        ) from None


def _instrument(nodes: Sequence[Any]) -> list[list[float]]:
    """Wrap each node's ``_backward`` closure, where it has one, to log the node's
    gradient at every call (an empty log: never called, or not a closure)."""
    logs: list[list[float]] = [[] for _ in nodes]
    for node, log in zip(nodes, logs):
        original = getattr(node, "_backward", None)
        if not callable(original) or "_backward" not in getattr(node, "__dict__", {}):
            continue

        def logged(
            *args: Any, _node: Any = node, _log: list[float] = log, _f: Any = original
        ) -> Any:
            _log.append(_number(_node, "grad"))
            return _f(*args)

        try:
            node._backward = logged
        except AttributeError:
            continue
    return logs


def _compare(
    backward: Callable[[Any], object], value_class: Any, title: str, program: list[_Step]
) -> None:
    ours = _Graph(program, Value)
    theirs = _Graph(program, value_class)
    index_of = {id(node): i for i, node in enumerate(ours.nodes)}
    for i, (mine, yours) in enumerate(zip(ours.nodes, theirs.nodes)):
        actual = _number(yours, "data")
        if not _close(mine.data, actual):
            raise _fail(
                "forward",
                f"in {title}: {_describe(program, i)} is {_fmt(actual)}, expected "
                f"{_fmt(mine.data)}.",
                ours.root,
                mine,
                f"✗ {_name(program, i)}: yours {_fmt(actual)}",
            )
    their_index = {id(node): i for i, node in enumerate(theirs.nodes)}
    for i, step in enumerate(program):
        listed = _operands(theirs.nodes[i], their_index)
        for j in set(step.args) - listed:
            raise _fail(
                "missing_parent",
                f"in {title}: {_describe(program, i)} does not list {_name(program, j)} among its "
                f"parents, so backward never reaches it: make the node with its operands, e.g. "
                f"Value(data, (self, other)).",
            )
    ours.root.backward()
    logs = _instrument(theirs.nodes)
    _run_backward(backward, theirs.root, title)
    grads = [_number(node, "grad") for node in theirs.nodes]
    for node in reversed(topological_order(ours.root)):
        found = index_of.get(id(node))
        if found is not None and not _close(node.grad, grads[found]):
            raise _diagnose(ours, program, logs, grads, found, title)


def _operands(node: Any, index: dict[int, int]) -> set[int]:
    """The graph nodes (indices in ``index``) that ``node`` was made from, looking
    through nodes an op made on the way (x - y written as x + (-y))."""
    found: set[int] = set()
    seen: set[int] = set()
    stack = _parents(node)
    while stack:
        parent = stack.pop()
        if id(parent) in index:
            found.add(index[id(parent)])
        elif id(parent) not in seen:
            seen.add(id(parent))
            stack.extend(_parents(parent))
    return found


def _diagnose(
    ours: _Graph,
    program: list[_Step],
    logs: list[list[float]],
    grads: list[float],
    i: int,
    title: str,
) -> _Stop:
    """Name the mistake at node ``i``, the first in backward order whose gradient
    differs (so every node it feeds has the right gradient)."""
    node = ours.nodes[i]
    expected, actual = node.grad, grads[i]
    mark = f"✗ {_name(program, i)}: yours {_fmt(actual)}"  # boxes it in Report.draw()

    def fail(mistake: str, message: str) -> _Stop:
        return _fail(mistake, message, ours.root, node, mark)

    head = (
        f"in {title}: the gradient of {_describe(program, i)} is {_fmt(actual)}, expected "
        f"{_fmt(expected)}."
    )
    if i == len(program) - 1:
        return fail(
            "root_gradient", head + " backward must start with root.grad = 1.0 (d root/d root)."
        )
    edges: list[tuple[int, float, float]] = []  # (consumer, upstream gradient, local derivative)
    for c, consumer in enumerate(ours.nodes):
        for parent, local in zip(consumer.parents, consumer.local_grads):
            if parent is node:
                edges.append((c, consumer.grad, local))
    lines = [head, f"  {_name(program, i)} feeds {len(edges)} edge(s); its gradient is their sum:"]
    for c, upstream, local in edges:
        lines.append(
            f"    from {_describe(program, c)}: upstream gradient {_fmt(upstream)} (right) × "
            f"local derivative {_fmt(local)} = {_fmt(upstream * local)}"
        )
    contributions = [upstream * local for _, upstream, local in edges]
    text = "\n".join(lines)
    instrumented = any(logs)
    early = [
        (c, logs[c])
        for c, _, _ in edges
        if instrumented and (len(logs[c]) != 1 or not _close(logs[c][0], ours.nodes[c].grad))
    ]
    if not early and expected != 0.0 and _close(actual, -expected):
        return fail(
            "wrong_sign",
            text + "\n  Its sign is flipped: add each contribution, grad += upstream * local "
            "(not -=), starting from root.grad = 1.0.",
        )
    if not early and len(edges) >= 2 and any(_close(actual, p) for p in contributions):
        return fail(
            "assign",
            text + f"\n  {_name(program, i)} is used {len(edges)} times and its gradient is the "
            "last contribution, not the sum: use += (grad += upstream * local), never =.",
        )
    pushed_twice = any(_close(actual, expected + p) for p in contributions)
    if early or pushed_twice or _close(actual, 0.0):
        detail = ""
        for c, log in early:
            times = (
                "never"
                if not log
                else f"{len(log)} time(s), with gradient(s) " + ", ".join(_fmt(g) for g in log)
            )
            detail += (
                f"\n  {_name(program, c)} pushed its gradient {times}; its final gradient is "
                f"{_fmt(ours.nodes[c].grad)}."
            )
        return fail(
            "order",
            text + detail + "\n  A node's gradient was pushed to its parents before all its "
            "consumers had finished, or more than once: build one topological order (each "
            "node once, after its parents) and visit the nodes in reverse topological order, "
            "each exactly once.",
        )
    return fail(
        "gradient",
        text + "\n  The nodes it feeds have the right gradients and the ops' local derivatives "
        "are right, so the error is in how backward adds them up: each node's gradient must "
        "be the sum over its edges of upstream gradient × local derivative.",
    )


def check_topological_sort(
    topological_sort: Callable[[Any], Iterable[Any]],
    value_class: Any = Value,
    *,
    seed: int = 0,
) -> Report:
    """Check a learner's ``topological_sort(root)``: every node of the graph once,
    each after all of its parents, root last, on the classic graphs (with a
    5,000-node chain) and random ones.

    Example:
        >>> from autograd_lite import Value, topological_order
        >>> print(check_topological_sort(topological_order, Value))  # doctest: +ELLIPSIS
        ✓ topological_order ...
    """
    fn_name = getattr(topological_sort, "__name__", "topological_sort")
    try:
        _check_readable(value_class)
        rng = random.Random(seed)
        ops = [op for op in ("add", "mul", "tanh", "exp") if _has(value_class, _OPS[op].needs)]
        programs = _shapes() + [
            (f"random graph {k + 1} (seed {seed})", _random_program(rng, ops)) for k in range(5)
        ]
        for title, program in programs:
            _check_order(topological_sort, fn_name, value_class, title, program)
    except _Stop as stop:
        return stop.report
    return Report(
        True,
        None,
        f"✓ {fn_name} puts every node once, after its parents, root last, on "
        f"{len(programs)} graphs (including a {CHAIN_LENGTH:,}-node chain).",
    )


def _check_order(
    topological_sort: Callable[[Any], Iterable[Any]],
    fn_name: str,
    value_class: Any,
    title: str,
    program: list[_Step],
) -> None:
    graph = _Graph(program, value_class)
    names = {id(node): _name(program, i) for i, node in enumerate(graph.nodes)}
    # The true graph, read through the learner's own parent attribute.
    parents: dict[int, list[Any]] = {}
    nodes: dict[int, Any] = {}
    stack = [graph.root]
    while stack:
        node = stack.pop()
        if id(node) not in parents:
            nodes[id(node)] = node
            parents[id(node)] = _parents(node)
            stack.extend(parents[id(node)])
    try:
        order = list(topological_sort(graph.root))
    except RecursionError:
        raise _fail(
            "recursion",
            f"{fn_name} on {title} hit Python's recursion limit (about 1,000 nested calls): "
            "a function that calls itself per node cannot sort a long chain. Use a loop with "
            "an explicit stack.",
        ) from None
    except Exception as error:
        raise _fail(
            "topological_error", f"{fn_name} on {title} raised {type(error).__name__}: {error}"
        ) from None

    def called(node: Any) -> str:
        return names.get(id(node), f"a constant leaf {_fmt(_number(node, 'data'))}")

    seen: dict[int, int] = {}
    for position, node in enumerate(order):
        if id(node) not in parents:
            raise _fail(
                "topological_stranger",
                f"{fn_name} on {title} returned {node!r}, which is not a node of the graph.",
            )
        if id(node) in seen:
            raise _fail(
                "duplicate",
                f"{fn_name} on {title} lists {called(node)} twice (positions {seen[id(node)]} and "
                f"{position}): keep a set of visited nodes and add each node once.",
            )
        seen[id(node)] = position
    missing = [key for key in parents if key not in seen]
    if missing:
        raise _fail(
            "missing_node",
            f"{fn_name} on {title} left out {len(missing)} of {len(parents)} nodes, "
            f"{called(nodes[missing[0]])} first: visit every parent of every node, and "
            "include the root itself.",
        )
    if order and order[0] is graph.root and len(order) > 1:
        raise _fail(
            "reversed",
            f"{fn_name} on {title} puts the root first: a topological order lists each node "
            "after its parents (append a node after visiting its parents), root last; "
            "backward then walks reversed(order).",
        )
    for node in order:
        for parent in parents[id(node)]:
            if seen[id(parent)] > seen[id(node)]:
                raise _fail(
                    "order",
                    f"{fn_name} on {title} lists {called(node)} before its parent "
                    f"{called(parent)}: append a node only after all its parents are placed.",
                )


def check_step(
    learner_params: Sequence[Any],
    learner_step: Callable[[], object],
    our_params: Sequence[Value],
    our_step: Callable[[], object],
    *,
    steps: int = 2,
) -> Report:
    """Check a learner's training step against the same step written with ours.

    ``learner_params`` and ``our_params`` are the parameters, in the same order
    and starting from the same numbers; each ``*_step()`` does one whole step
    (forward, backward, update) on its own parameters. After each of ``steps``
    steps every parameter must equal ours to 1e-12: one step checks the update,
    the second catches gradients left over from the first.

    Example:
        >>> from autograd_lite import Value
        >>> def make():
        ...     w = Value(0.5)
        ...     def step():
        ...         w.grad = 0.0
        ...         ((w * 3.0 - 1.0) ** 2).backward()
        ...         w.data -= 0.1 * w.grad
        ...     return [w], step
        >>> (theirs, their_step), (ours, our_step) = make(), make()
        >>> print(check_step(theirs, their_step, ours, our_step))
        ✓ after 2 steps all 1 parameters equal ours to 1e-12.
    """
    if len(learner_params) != len(our_params):
        return Report(
            False,
            "setup",
            f"✗ {len(learner_params)} learner parameters but {len(our_params)} of ours: pass "
            "the same parameters, in the same order.",
        )
    try:
        before = [_number(p, "data") for p in learner_params]
        ours_before = [p.data for p in our_params]
        for k, (a, b) in enumerate(zip(before, ours_before)):
            if a != b:
                raise _fail(
                    "setup",
                    f"parameter #{k} starts at {_fmt(a)} but ours at {_fmt(b)}: build ours from "
                    "the same numbers, e.g. [Value(p.data) for p in params].",
                )
        moves: list[list[float]] = []
        for step in range(1, steps + 1):
            try:
                learner_step()
            except Exception as error:
                raise _fail(
                    "step_error", f"step {step} raised {type(error).__name__}: {error}"
                ) from None
            our_step()
            now = [_number(p, "data") for p in learner_params]
            ours_now = [p.data for p in our_params]
            our_move = [b - a for a, b in zip(ours_before, ours_now)]
            their_move = [b - a for a, b in zip(before, now)]
            bad = [
                k
                for k, (a, b) in enumerate(zip(now, ours_now))
                if abs(a - b) > 1e-12 * max(1.0, abs(b))
            ]
            if bad:
                raise _step_mistake(step, bad, now, ours_now, their_move, our_move, moves)
            moves.append(our_move)
            before, ours_before = now, ours_now
    except _Stop as stop:
        return stop.report
    return Report(
        True,
        None,
        f"✓ after {steps} steps all {len(our_params)} parameters equal ours to 1e-12.",
    )


def _step_mistake(
    step: int,
    bad: list[int],
    now: list[float],
    ours_now: list[float],
    their_move: list[float],
    our_move: list[float],
    moves: list[list[float]],
) -> _Stop:
    k = bad[0]
    head = (
        f"after step {step}, {len(bad)} parameter(s) differ from ours; the first, #{k}, is "
        f"{now[k]!r}, ours {ours_now[k]!r}. Your step moved it by {_fmt(their_move[k])}, "
        f"ours by {_fmt(our_move[k])}."
    )
    if moves:
        # Not zeroed: this step moved each wrong parameter by our last two moves
        # added up (its gradient kept the previous step's).
        leftover = [a + b for a, b in zip(moves[-1], our_move)]
        if any(moves[-1][j] != 0.0 for j in bad) and all(
            _close(their_move[j], leftover[j], 1e-9) for j in bad
        ):
            which = (
                "every parameter"
                if len(bad) == len(now)
                else f"{len(bad)} of the {len(now)} parameters (#{', #'.join(map(str, bad))})"
            )
            return _fail(
                "not_zeroed",
                head + f" Gradients doubled on the second call: for {which}, step {step} used "
                f"step {step - 1}'s gradients plus its own, because .grad adds up across "
                "backward() calls. Zero them: p.grad = 0.0 for every parameter before "
                "backward().",
            )
    if our_move[k] != 0.0 and _close(their_move[k], -our_move[k], 1e-9):
        hint = " It went the other way: subtract lr * grad (p.data -= lr * p.grad)."
    elif our_move[k] != 0.0:
        hint = (
            f" That is {their_move[k] / our_move[k]:.6g} times our move: check the learning "
            "rate and the update p.data -= lr * p.grad, with the gradient of the same loss."
        )
    else:
        hint = " Ours did not move it: is its gradient from the same loss?"
    return _fail("step", head + hint)
