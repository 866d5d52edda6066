"""Reverse-mode differentiation: topological order, backpropagation, and the
functional API (grad, value_and_grad, hessian) built on it.

``backpropagate`` holds the package's one gradient accumulation, ``parent.grad
+= upstream * local``. Everything that computes gradients (``Value.backward``,
``grad``, ``hessian``, the ledger in ``explain.py``) goes through it, so they
cannot disagree.
"""

from __future__ import annotations

import gc
import math
import numbers
import operator
import threading
import warnings
import weakref
from collections.abc import Callable, Sequence
from contextlib import ContextDecorator, nullcontext
from typing import Any, Literal, NoReturn, overload

from autograd_lite import value as _value
from autograd_lite.ops import OPS
from autograd_lite.value import VALUE_MATH, Value, number_of

__all__ = [
    "backpropagate",
    "enable_grad",
    "grad",
    "gradients",
    "graph_building",
    "hessian",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "value_and_grad",
    "zero_grad",
]

#: ``record(node, parent, upstream, local, parent_grad_before)``, called after each
#: accumulation when a ledger is being kept.
Recorder = Callable[[Value, Value, Any, Any, Any], None]

#: What backward() does when the root or a gradient is inf or NaN.
NonFinite = Literal["raise", "warn"]

#: The core's backward hook, when set: called with the root at the start of every
#: backward pass, it returns a recorder to call after each accumulation (or None).
#: ``anomaly.detect_anomaly()`` plugs in here to check every gradient.
_on_backward: Callable[[Value], Recorder | None] | None = None


class _LastRoot(threading.local):
    """The last root this thread's backward() ran from, to warn when it runs
    again unzeroed (per thread, like grad mode)."""

    ref: weakref.ref[Value] | None = None


_last_root = _LastRoot()


# graph_building()'s state, shared by every thread: the collector's setting when the
# outermost context was entered, and how many contexts are open. A count rather than
# a per-context saved flag, so that contexts opened and closed in different orders by
# different threads still restore the user's setting when the last one closes.
_building_lock = threading.Lock()
_building_depth = 0
_collector_was_enabled = False


class graph_building(ContextDecorator):  # noqa: N801 - a context, named like no_grad
    """Build graphs (or run a decorated function) at a flat cost per node.

    Python's cycle collector runs every few hundred allocations and, now and
    then, re-scans every live object: on a growing graph that makes each new
    node cost more than the last (over three times as much per node at 100,000
    chain steps as at 1,000). Inside this context the collector is paused, and
    the Python work per node stays flat with graph size (what still grows is the
    operating system's cost of fresh memory pages for a big graph; see
    ``benchmarks/README.md``). Every library
    call that builds or walks a graph (models, losses, ``fit``, ``grad``,
    ``backward()``, the CLI) already uses it; wrap your own training loop in it
    to get the same speed. Contexts nest and work across threads.

    Why it is safe: our graphs hold no reference cycles (a node points only at
    its parents), so reference counting alone frees a dropped graph; the
    collector has nothing of ours to find. On leaving the outermost context the
    collector is set back on (or off) as it was, even when an exception
    escapes, and cycles your own code made inside are collected at its next
    run, as they would have been. Its thresholds and frozen objects are never
    touched.

    NOTE: while paused, cyclic garbage your code makes is not freed; keep the
    context around graph work, not around a whole program.

    Example:
        >>> import gc
        >>> from autograd_lite import Value, graph_building
        >>> with graph_building():
        ...     x = Value(0.5)
        ...     for _ in range(10_000):
        ...         x = (0.9 * x + 0.1).tanh()
        ...     gc.isenabled()
        False
        >>> gc.isenabled(), round(x.data, 4)
        (True, 0.5016)
        >>> @graph_building()
        ... def deep(n):
        ...     x = Value(0.5)
        ...     for _ in range(n):
        ...         x = (0.9 * x + 0.1).tanh()
        ...     return x
        >>> round(deep(10_000).data, 4)
        0.5016
    """

    # The mechanism was chosen by measurement (a 100,000-step chain, counting
    # the young collection that runs over a graph still alive on leaving):
    # pausing cost 373 ns per node, raising only the oldest threshold
    # (700, 10, 10**9) 551 (young collections still scan each node twice), the
    # defaults 1,224. gc.freeze() was ruled out: it would move the user's own
    # objects into, and unfreeze() out of, the permanent generation.

    def __enter__(self) -> graph_building:
        global _building_depth, _collector_was_enabled
        with _building_lock:
            if _building_depth == 0:
                _collector_was_enabled = gc.isenabled()
                gc.disable()
            _building_depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _building_depth
        with _building_lock:
            _building_depth -= 1
            if _building_depth == 0:
                (gc.enable if _collector_was_enabled else gc.disable)()


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, each after all of its parents; root last.

    Leaves come first, in the order a left-to-right reading of the expression
    meets them; then the other nodes in the order they are computed. Iterative,
    so a graph of any depth works at Python's default recursion limit.

    Example:
        >>> from autograd_lite import Value
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> [n.label or n.op for n in topological_order(x * y + x.sin())]
        ['x', 'y', 'mul', 'sin', 'add']
    """
    with graph_building():
        return _topological_order(root)


def _topological_order(root: Value) -> list[Value]:
    interior, leaves = _walk(root, natural=True)
    return leaves + interior


def _walk(root: Value, natural: bool = False) -> tuple[list[Value], list[Value]]:
    """(interior nodes in topological order, root last; leaves, each once).

    Depth-first, with an explicit stack: a node is pushed, then a None marker,
    then its parents; when the marker comes back off the stack every parent has
    been placed, so the node is placed next. A node met again while its parents
    are pending would mean a cycle, which a graph built forward cannot have.
    Leaves are only collected: backpropagation reaches them as parents and never
    needs to visit them. ``natural`` visits each node's first operand first (the
    order people read), at some cost; backward() does not need it.
    """
    order: list[Value] = []
    leaves: list[Value] = []
    place, place_leaf = order.append, leaves.append
    seen: set[Value] = set()
    mark = seen.add
    stack: list[Value | None] = [root]
    push, extend, pop = stack.append, stack.extend, stack.pop
    while stack:
        node = pop()
        if node is None:
            place(pop())  # type: ignore[arg-type]
        elif node not in seen:
            mark(node)
            if node.parents:
                push(node)
                push(None)
                extend(reversed(node.parents) if natural else node.parents)
            else:
                place_leaf(node)
    return order, leaves


def backpropagate(
    root: Value,
    gradient: float = 1.0,
    *,
    create_graph: bool = False,
    nonfinite: NonFinite = "raise",
    record: Recorder | None = None,
) -> list[Value]:
    """Apply the chain rule from ``root``, whose gradient is ``gradient``, back to its
    leaves; return the order used.

    Leaves accumulate into their ``.grad``; every other node's ``.grad`` is reset
    and recomputed. With ``create_graph`` the local derivatives are rebuilt as
    Values from the op table and every ``.grad`` becomes a Value, so the result
    can be differentiated again. ``record`` is called after each accumulation
    (the ledger's slow path); ``backward()`` passes None and pays nothing for it.
    The ``_on_backward`` hook, when set, adds its own recorder after ``record``.
    """
    if nonfinite not in ("raise", "warn"):
        raise ValueError(f"nonfinite={nonfinite!r}: use 'raise' or 'warn'")
    if isinstance(gradient, bool) or not isinstance(gradient, (int, float)):
        raise TypeError(
            f"backward(gradient={gradient!r}): the root's gradient must be a real number"
        )
    if not _is_number(root.data):  # name the leaf it came from, if a leaf's was assigned
        _bad_data(next((n for n in _topological_order(root) if not _is_number(n.data)), root))
    if not math.isfinite(root.data):
        _nonfinite(f"the root is {root.data}: {_first_nonfinite_value(root)}", nonfinite)
    if _on_backward is not None:
        record = _both(record, _on_backward(root))

    with graph_building():
        return _backpropagate(root, gradient, create_graph, nonfinite, record)


def _backpropagate(
    root: Value, gradient: float, create_graph: bool, nonfinite: NonFinite, record: Recorder | None
) -> list[Value]:
    order, leaves = _walk(root)
    # A leaf's .data can be assigned anything (a check on every assignment would
    # cost every op); one C-level sum over the leaves finds a string, None or nan
    # put there before any gradient moves. Its slow path runs only on failure.
    try:
        data_sum = sum(map(_data_of, leaves))
    except TypeError:
        data_sum = math.nan
    if data_sum.__class__ is not float or data_sum - data_sum != 0.0:  # slow path: look
        _check_leaf_data(leaves, nonfinite)
    leftover = None
    last = _last_root.ref
    if last is not None and last() is root:
        # Name a labelled leaf (x) where one kept a gradient, not a constant's leaf.
        kept = [leaf for leaf in leaves if leaf.grad]
        leftover = next((leaf for leaf in kept if leaf.label), kept[0] if kept else None)
        was = leftover.grad if leftover is not None else 0.0
    _last_root.ref = weakref.ref(root)

    for node in order:
        node.grad = 0.0
    root.grad = gradient if root.parents else root.grad + gradient
    if create_graph:
        root.grad = Value(root.grad)  # type: ignore[assignment]  # grads are Values in this mode

    checksum = 0.0  # a sum of every gradient: finite unless one of them is inf or nan
    for node in reversed(order):
        upstream = node.grad
        if create_graph:
            local_grads = _local_grads_as_values(node)
            checksum += number_of(upstream)
        else:
            local_grads = node.local_grads
            checksum += upstream
        for parent, local in zip(node.parents, local_grads):
            before = parent.grad
            parent.grad += upstream * local  # the one gradient accumulation
            if record is not None:
                record(node, parent, upstream, local, before)
    if create_graph:
        checksum += sum(map(number_of, map(_grad_of, leaves)))
    else:
        checksum += sum(map(_grad_of, leaves))

    if not math.isfinite(checksum):
        _check_finite(root, nonfinite)
    if leftover is not None:
        warnings.warn(
            f"backward() ran again from the same root without zeroing gradients, so they "
            f"were added up: {_name(leftover)}.grad now {number_of(leftover.grad)}, was "
            f"{number_of(was)}. Call autograd_lite.zero_grad(root) (or model.zero_grad()) before "
            "each backward() if you want fresh gradients.",
            UserWarning,
            stacklevel=4,  # _backpropagate, backpropagate, Value.backward, the caller
        )
    return order


_grad_of = operator.attrgetter("grad")
_data_of = operator.attrgetter("data")


def _is_number(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _bad_data(node: Value) -> NoReturn:
    """Raise the TypeError for a node whose ``.data`` was assigned a non-number."""
    kind = "a leaf" if not node.parents else f"the {node.op} node"
    where = f"{node.label}.data" if node.label else f"{kind}'s .data"
    raise TypeError(
        f"backward(): {where} is {node.data!r} ({type(node.data).__name__}), assigned after "
        "the Value was made; a Value holds one finite real number: assign a float "
        f"({node.label or 'x'}.data = 1.0), or make a new Value"
    )


def _check_leaf_data(leaves: list[Value], nonfinite: NonFinite) -> None:
    """Name the first leaf whose ``.data`` is not a finite real number."""
    for leaf in leaves:
        if not _is_number(leaf.data):
            _bad_data(leaf)
    for leaf in leaves:
        if not math.isfinite(leaf.data):
            name = repr(leaf.label) if leaf.label else "a leaf"
            _nonfinite(
                f"{name} holds {leaf.data!r}: its .data was set to a non-finite number, "
                "which makes every gradient that touches it meaningless",
                nonfinite,
                "Assign it a finite float",
            )
            return


def _both(first: Recorder | None, second: Recorder | None) -> Recorder | None:
    """One recorder calling ``first`` then ``second`` (either may be None)."""
    if first is None or second is None:
        return first or second

    def record(node: Value, parent: Value, upstream: Any, local: Any, before: Any) -> None:
        first(node, parent, upstream, local, before)
        second(node, parent, upstream, local, before)

    return record


def _check_finite(root: Value, nonfinite: NonFinite) -> None:
    """Name the first node, in backward order, whose gradient is inf or NaN."""
    for node in reversed(_topological_order(root)):
        if not math.isfinite(number_of(node.grad)):
            _nonfinite(
                f"the gradient became {number_of(node.grad)} at {_describe(node)}; "
                "every node it flows into is affected",
                nonfinite,
            )
            return


def _local_grads_as_values(node: Value) -> tuple[Any, ...]:
    """The node's local derivatives rebuilt as Values, so they can be differentiated."""
    if not node.parents:
        return ()
    op = OPS[node.op]
    if op.has_constant:
        return op.rule(VALUE_MATH, *node.parents, node, node.attr)
    return op.rule(VALUE_MATH, *node.parents, node)


def _nonfinite(
    message: str,
    mode: NonFinite,
    advice: str = "Check the inputs' range (an overflow such as 1e200 * 1e200)",
) -> None:
    text = f"backward(): {message}. {advice}, or call backward(nonfinite='warn') to carry on."
    if mode == "raise":
        raise FloatingPointError(text)
    warnings.warn(text, RuntimeWarning, stacklevel=4)


def _first_nonfinite_value(root: Value) -> str:
    for node in topological_order(root):
        if not math.isfinite(node.data):
            return f"the first non-finite value appears at {_describe(node)}"
    return "no node is non-finite"  # pragma: no cover - root itself is non-finite


def _name(node: Value) -> str:
    return node.label or (f"the leaf holding {node.data!r}" if not node.parents else node.op)


def _describe(node: Value) -> str:
    if not node.parents:
        return f"leaf {_name(node)!r} (data={node.data!r})"
    op = OPS[node.op]
    args = [repr(p.data) for p in node.parents] + ["", ""]
    expr = op.describe(args[0], args[1], repr(node.attr))
    label = f" {node.label!r}" if node.label else ""
    return f"node{label} made by {node.op}: {expr} = {node.data!r}"


def zero_grad(*roots: Value) -> None:
    """Set ``.grad`` to 0.0 on every node of the graphs behind ``roots``."""
    for root in roots:
        for node in topological_order(root):
            node.grad = 0.0


class no_grad(ContextDecorator):  # noqa: N801 - named like torch.no_grad, which users know
    """Within this block (or decorated function) ops build no graph.

    New Values are leaves with no parents and no local derivatives: cheaper, and
    nothing is kept alive. Use it for evaluation and for optimizer updates.

    Example:
        >>> from autograd_lite import Value, no_grad
        >>> with no_grad():
        ...     y = Value(2.0) * 3
        >>> y.parents
        ()
    """

    def _recreate_cm(self) -> no_grad:
        # A fresh block per call of a decorated function, so recursive and
        # concurrent calls each restore their own previous mode.
        return no_grad()

    def __enter__(self) -> no_grad:
        self._previous = _value._set_grad_enabled(False)
        return self

    def __exit__(self, *exc: object) -> None:
        _value._set_grad_enabled(self._previous)


def is_grad_enabled() -> bool:
    """True unless this thread is inside ``no_grad()`` (grad mode is per thread)."""
    return _value._grad_mode.enabled


# -- functional API -------------------------------------------------------------------


@graph_building()
def gradients(out: Any, inputs: Sequence[Value], *, create_graph: bool = False) -> list[Any]:
    """d(out)/d(input) for each input, leaving every existing ``.grad`` as it was.

    Like ``torch.autograd.grad``: the gradients are returned, not stored. With
    ``create_graph`` they are Values recording how they were computed, so they
    can be differentiated again (Hessian-vector products, ``grad(grad(f))``).
    An input ``out`` does not depend on gets 0.0.

    Example:
        >>> from autograd_lite import Value
        >>> x, y = Value(2.0), Value(3.0)
        >>> gradients(x * y + x, [x, y])
        [4.0, 2.0]
        >>> x.grad
        0.0
    """
    if not isinstance(out, Value):
        if isinstance(out, (int, float)) and not isinstance(out, bool):
            return [0.0] * len(inputs)  # out does not depend on the inputs
        raise TypeError(
            f"the function must return a scalar (a Value or a number), got "
            f"{type(out).__name__}; reduce it first, e.g. sum(...)"
        )
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"gradients(): inputs[{i}] is {type(x).__name__}, not a Value")
    with enable_grad() if create_graph else nullcontext():
        order = topological_order(out)
        saved = [(n, n.grad) for n in order if not n.parents]
        for n, _ in saved:
            n.grad = 0.0
        present = set(order)
        try:
            backpropagate(out, create_graph=create_graph)
            result = [x.grad if x in present else 0.0 for x in inputs]
        finally:
            for n, g in saved:
                n.grad = g
            for n in order:
                if n.parents:
                    n.grad = 0.0
    return result


class enable_grad(ContextDecorator):  # noqa: N801 - named like torch.enable_grad
    """Record graphs inside this block, even within ``no_grad()``."""

    def _recreate_cm(self) -> enable_grad:
        return enable_grad()  # a fresh block per call (see no_grad)

    def __enter__(self) -> enable_grad:
        self._previous = _value._set_grad_enabled(True)
        return self

    def __exit__(self, *exc: object) -> None:
        _value._set_grad_enabled(self._previous)


def _as_argnums(argnums: int | tuple[int, ...], n_args: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums or any(isinstance(i, bool) or not isinstance(i, int) for i in nums):
        raise TypeError(f"argnums={argnums!r}: use an int or a non-empty tuple of ints")
    for i in nums:
        if not -n_args <= i < n_args:
            raise ValueError(
                f"argnums={argnums!r}: the function was called with {n_args} "
                f"argument(s), so argnums must be in range({n_args})"
            )
    return tuple(i % n_args for i in nums)


def _call(
    fn: Callable[..., Any], args: tuple[Any, ...], nums: tuple[int, ...]
) -> tuple[Any, list[Value], bool]:
    """Call ``fn`` with its number arguments as Values; return (out, inputs, nested).

    Arguments not being differentiated are Values too (constants), so ``fn`` can
    use Value methods on every argument; other objects pass through untouched.
    """
    nested = any(isinstance(args[i], Value) for i in nums)
    values = [
        Value(a, label=f"arg{i}") if isinstance(a, numbers.Real) and not isinstance(a, bool) else a
        for i, a in enumerate(args)
    ]
    for i in nums:
        if not isinstance(values[i], Value):
            raise TypeError(
                f"argument {i} is {type(args[i]).__name__} ({args[i]!r}): only real numbers "
                "(or Values) can be differentiated"
            )
    inputs = [values[i] for i in nums]
    if nested:
        return fn(*values), inputs, nested
    with enable_grad():
        return fn(*values), inputs, nested


@overload
def value_and_grad(
    fn: Callable[..., Any], argnums: int = 0
) -> Callable[..., tuple[float, float]]: ...
@overload
def value_and_grad(
    fn: Callable[..., Any], argnums: tuple[int, ...]
) -> Callable[..., tuple[float, tuple[float, ...]]]: ...
def value_and_grad(
    fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0
) -> Callable[..., Any]:
    """Turn ``fn`` into a function returning ``(fn(*args), gradient)``.

    ``fn`` takes numbers and returns a scalar; inside it, the differentiated
    arguments are Values, so use operators and Value methods (``x.sin()``). With
    an int ``argnums`` the gradient is a float; with a tuple, a tuple of floats
    (as in JAX). Calls nest: called with Values (inside another ``grad``), it
    returns Values, so ``grad(grad(f))`` is the second derivative.

    Example:
        >>> from autograd_lite import value_and_grad
        >>> value_and_grad(lambda x, y: x * y + x.sin(), argnums=(0, 1))(2.0, 3.0)
        (6.909297426825682, (2.5838531634528574, 2.0))
    """

    @graph_building()
    def wrapped(*args: Any) -> Any:
        nums = _as_argnums(argnums, len(args))
        out, inputs, nested = _call(fn, args, nums)
        grads = gradients(out, inputs, create_graph=nested)
        if not nested:
            out = number_of(out)
            grads = [number_of(g) for g in grads]
        return out, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return wrapped


@overload
def grad(fn: Callable[..., Any], argnums: int = 0) -> Callable[..., float]: ...
@overload
def grad(fn: Callable[..., Any], argnums: tuple[int, ...]) -> Callable[..., tuple[float, ...]]: ...
def grad(fn: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """Turn ``fn`` into a function returning its gradient (see ``value_and_grad``).

    Example:
        >>> from autograd_lite import grad
        >>> grad(lambda x: x ** 3)(2.0)
        12.0
        >>> grad(grad(lambda x: x ** 3))(2.0)
        12.0
    """
    vg: Callable[..., Any] = value_and_grad(fn, argnums)

    @graph_building()
    def wrapped(*args: Any) -> Any:
        return vg(*args)[1]

    return wrapped


def hessian(fn: Callable[..., Any]) -> Callable[..., list[list[float]]]:
    """Turn ``fn`` into a function returning the matrix of its second partials.

    ``hessian(f)(x, y)[i][j]`` is d²f/(d arg_i d arg_j), as nested lists.

    Example:
        >>> from autograd_lite import hessian
        >>> hessian(lambda x, y: x ** 2 * y + y ** 3)(1.0, 2.0)
        [[4.0, 2.0], [2.0, 12.0]]
    """

    @graph_building()
    def wrapped(*args: Any) -> list[list[float]]:
        if not args:
            raise TypeError("hessian(fn)(...) needs at least one argument")
        nums = tuple(range(len(args)))
        out, inputs, nested = _call(fn, args, nums)
        first = gradients(out, inputs, create_graph=True)
        rows = []
        for g in first:
            if isinstance(g, Value):
                rows.append(gradients(g, inputs, create_graph=nested))
            else:
                rows.append([0.0] * len(inputs))
        return [[number_of(h) for h in row] for row in rows]

    return wrapped


_value._backpropagate = backpropagate  # Value.backward() runs this (see value.py)
