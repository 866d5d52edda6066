"""``check_topological_sort``: every node once, each after its parents, no
recursion limit on a long chain.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from autograd_lite.value import Value

if TYPE_CHECKING:
    pass
from autograd_lite.exercises.programs import (
    _OPS,
    CHAIN_LENGTH,
    _Graph,
    _name,
    _random_program,
    _shapes,
    _Step,
)
from autograd_lite.exercises.reading import _check_readable, _has, _parents
from autograd_lite.exercises.report import Report, _fail, _fmt, _number, _Stop


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
