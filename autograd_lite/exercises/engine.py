"""``check_engine`` and ``check_backward``: a learner's ``Value`` run beside ours,
ops first, then whole graphs node by node, with the first disagreement
diagnosed (a wrong local derivative, a gradient overwritten instead of added,
a node visited twice).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.value import Value

if TYPE_CHECKING:
    pass
from autograd_lite.exercises.programs import (
    _FIXES,
    _OPS,
    _PROBES,
    CHAIN_LENGTH,
    _describe,
    _Graph,
    _name,
    _random_program,
    _shapes,
    _spelling,
    _Step,
)
from autograd_lite.exercises.reading import (
    _check_readable,
    _class_name,
    _has,
    _parents,
    _stored_local_grads,
)
from autograd_lite.exercises.report import Report, _close, _fail, _fmt, _number, _Stop


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
