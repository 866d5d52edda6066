"""Tracing: call the function once with Values, count the nodes it makes (and
stop at the limit), and record the graph as a ``_Program``.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from autograd_lite import value as _value
from autograd_lite.autodiff import (
    _walk,
    enable_grad,
    graph_building,
    topological_order,
)
from autograd_lite.compiled.program import _argument_names, _fold_constants, _name_nodes, _Program
from autograd_lite.value import Value

#: The most computed (non-leaf) nodes ``jit`` compiles unless told otherwise
#: (``jit(fn, max_nodes=...)``, or ``None`` for no limit). Generated source grows
#: with the graph (about two lines per node), and tracing, generating and compiling
#: cost about 5 s of CPU per 100,000 nodes (flat per node; see
#: ``benchmarks/README.md``); past this, the dynamic engine (``fn(...).backward()``)
#: is usually the better tool. The trace counts nodes as ``fn`` makes them and stops
#: at the limit, so refusing a huge graph costs no more than the limit's worth.
MAX_NODES = 200_000


_tracing = 0


# Inlined expressions nest at most this deep (Python's compiler recurses on nesting).
_MAX_NESTING = 24


def is_tracing() -> bool:
    """True while ``jit`` is tracing a function (modules with randomness or
    batch coupling, such as ``nn.Dropout``, check it to refuse a frozen trace)."""
    return _tracing > 0


class JitError(RuntimeError):
    """A compiled function cannot reproduce the dynamic engine (see the message)."""


def _trace(
    fn: Callable[..., Any],
    args: Sequence[float],
    listed: Sequence[Value],
    aux: bool,
    names: Sequence[str],
    max_nodes: int | None = MAX_NODES,
) -> _Program:
    """Call ``fn`` on Values and record its graph as a ``_Program``.

    With ``max_nodes``, the nodes ``fn`` makes are counted as it makes them (through
    the core's ``_on_new_node`` hook), and the trace stops at the first one past the
    limit: refusing a graph of a million nodes costs the limit's worth, not the
    million's.
    """
    global _tracing
    arg_names = _argument_names(fn, len(args), names)
    inputs = [Value(a, label=name) for a, name in zip(args, arg_names)]
    budget = _Budget(max_nodes) if max_nodes is not None else None
    _tracing += 1
    try:
        with enable_grad(), graph_building(), _counting(budget):
            result = fn(*inputs)
    finally:
        _tracing -= 1
    if budget is not None and budget.exceeded:  # raised inside fn, which caught it
        raise ValueError(budget.message())
    out, aux_values = _output(result, aux)
    with graph_building():  # the collector would re-scan the graph and the program
        candidates, program = _record(out, aux_values, inputs, listed, arg_names, max_nodes)
    program.aux_single = aux and not isinstance(result[1], (list, tuple))
    del out, aux_values, inputs, result
    # A leaf nobody outside the graph can reach was made inside fn and can never
    # change: it is a constant. One still referenced from outside (a closure, a
    # model) is live: read at every call, like a param, so it is never stale.
    for i, ref in candidates:
        leaf = ref()
        if leaf is None:
            program.kinds[i] = "const"
        else:
            program.kinds[i] = "live"
            program.live_nodes.append(i)
            program.live.append(leaf)
    # Listed params first, in the order given, then the Values fn closed over.
    position = {id(p): k for k, p in enumerate(listed)}
    pairs = sorted(
        zip(program.live_nodes, program.live),
        key=lambda pair: (position.get(id(pair[1]), len(position)), pair[0]),
    )
    program.live_nodes = [i for i, _ in pairs]
    program.live = [v for _, v in pairs]
    _fold_constants(program)
    _name_nodes(program)
    return program


def _output(result: Any, aux: bool) -> tuple[Value, list[Value]]:
    if aux:
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(
                f"jit(has_aux=True): fn must return a pair (output, aux), got "
                f"{type(result).__name__}; without aux, leave has_aux out"
            )
        out, extra = result
        extra_values = list(extra) if isinstance(extra, (list, tuple)) else [extra]
    else:
        out, extra_values = result, []
    if not isinstance(out, Value):
        raise TypeError(
            f"jit: fn must return a Value (one scalar that depends on its arguments), got "
            f"{type(out).__name__}; reduce a list first (e.g. sum(...))"
        )
    for v in extra_values:
        if not isinstance(v, Value):
            raise TypeError(
                f"jit(has_aux=True): aux must be a Value or a list or tuple of Values, "
                f"got {type(v).__name__} (compute it from fn's arguments or params)"
            )
    return out, extra_values


def _record(
    out: Value,
    aux: list[Value],
    inputs: list[Value],
    listed: Sequence[Value],
    arg_names: list[str],
    max_nodes: int | None = MAX_NODES,
) -> tuple[list[tuple[int, weakref.ref[Value]]], _Program]:
    """The graph as indices, plus weak references to the leaves still to classify.

    Holds the nodes only while it runs, so that the caller can find out which
    leaves are alive without the graph.
    """
    root = out
    # aux nodes are computed too: one graph under a synthetic root
    nodes = topological_order(_joined(out, aux))[:-1] if aux else topological_order(root)
    computed = sum(1 for node in nodes if node.parents)
    if max_nodes is not None and computed > max_nodes:
        # fn made fewer, but its output also depends on a graph built before the trace
        raise ValueError(_too_many(f"the traced graph has {computed:,} computed nodes", max_nodes))
    index = {id(n): i for i, n in enumerate(nodes)}
    arg_at = {id(v): i for i, v in enumerate(inputs)}
    listed_ids = {id(p) for p in listed}
    n = len(nodes)
    program = _Program(
        names=[""] * n,
        kinds=[""] * n,
        ops=[n.op for n in nodes],
        parents=[tuple(index[id(p)] for p in node.parents) for node in nodes],
        attrs=[n.attr for n in nodes],
        data=[n.data for n in nodes],
        labels=[n.label for n in nodes],
        root=index[id(root)],
        backward_order=[index[id(n)] for n in reversed(_walk(root)[0])],
        arg_names=arg_names,
        arg_nodes=[index.get(id(v)) for v in inputs],
        live=[],
        live_nodes=[],
        aux=[index[id(v)] for v in aux],
    )
    candidates = []
    for i, node in enumerate(nodes):
        if node.parents:
            program.kinds[i] = "op"
        elif id(node) in arg_at:
            program.kinds[i] = "arg"
        elif id(node) in listed_ids:
            program.kinds[i] = "live"
            program.live_nodes.append(i)
            program.live.append(node)
        else:
            candidates.append((i, weakref.ref(node)))
    return candidates, program


def _joined(out: Value, aux: list[Value]) -> Value:
    """A node whose parents are ``out`` and the aux Values, only to walk them as one graph."""
    node = Value(0.0)
    node.parents = (out, *aux)
    return node


class _Budget:
    """A trace's node allowance: ``take`` raises at the first computed node past it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.exceeded = False

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            self.exceeded = True
            raise ValueError(self.message())

    def message(self) -> str:
        return _too_many(
            f"fn made more than {self.limit:,} computed nodes while being traced (the trace "
            "stopped there)",
            self.limit,
        )


class _ThisThread(threading.local):
    budget: _Budget | None = None  # the budget of the trace running in this thread


_this_thread = _ThisThread()


_hook_lock = threading.Lock()


_hook_users = 0  # traces running now, in all threads


_hook_previous: Callable[[Value], None] | None = None  # the hook set before ours


def _count_node(node: Value) -> None:
    """The core's ``_on_new_node`` hook while a trace runs: charge the node to the
    budget of the trace in this thread (another thread may build its own graph);
    a hook set before ours (``detect_anomaly``) still sees every node."""
    if _hook_previous is not None:
        _hook_previous(node)
    budget = _this_thread.budget
    if budget is not None and node.parents:
        budget.take()


@contextlib.contextmanager
def _counting(budget: _Budget | None) -> Iterator[None]:
    """Charge the nodes this thread makes inside the block to ``budget``."""
    global _hook_users, _hook_previous
    if budget is None:
        yield
        return
    outer, _this_thread.budget = _this_thread.budget, budget
    with _hook_lock:
        if _hook_users == 0:
            _hook_previous = _value._on_new_node
            _value._on_new_node = _count_node
        _hook_users += 1
    try:
        yield
    finally:
        _this_thread.budget = outer
        with _hook_lock:
            _hook_users -= 1
            if _hook_users == 0 and _value._on_new_node is _count_node:
                _value._on_new_node = _hook_previous


def _too_many(what: str, limit: int) -> str:
    return (
        f"jit: {what}; the compiled path takes up to max_nodes={limit:,} (its generated "
        "code, and the time to compile it, about 5 s per 100,000 nodes, grow with the "
        "graph). Use the dynamic engine for graphs this large, fn(...).backward(), or pass "
        "jit(fn, max_nodes=None) (or a larger number) to compile it anyway"
    )
