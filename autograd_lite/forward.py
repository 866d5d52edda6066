"""Forward mode beside reverse, on the same local derivatives: tangents, duals, Jacobians.

Reverse mode (``autodiff.py``) carries d(output)/d(node) from one output back to
every input: one sweep per *output*. Forward mode carries d(node)/d(input) from
one input direction to every output: one sweep per *input*. Both multiply the
same numbers, the local derivative on each edge, so this module reads only the
op table's rows and what ``Value`` stores: ``push_tangents`` pushes tangents
through a recorded graph along the stored ``local_grads``, counting one
multiply-add per edge; ``Dual`` (``dual.py``) computes value and tangent together
from the op rows and keeps no graph; ``jvp``, ``vjp``, ``linearize``, ``jacobian``
(``jacfwd``, ``jacrev``), ``graph_jacobian`` and ``hessian`` follow JAX's names
and report their sweeps and cost. Reverse sweeps are ``autodiff.backpropagate``
itself (the package's one gradient accumulation); this module seeds and reads them.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from autograd_lite.autodiff import (
    backpropagate,
    enable_grad,
    gradients,
    graph_building,
    topological_order,
)
from autograd_lite.dual import MIXED_WITH_VALUE, Dual, finite_real
from autograd_lite.value import Value

__all__ = [
    "Dual",
    "ForwardSweep",
    "Jacobian",
    "graph_jacobian",
    "hessian",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "linearize",
    "push_tangents",
    "vjp",
]

Mode = Literal["forward", "reverse"]
HessianMode = Literal["forward-over-reverse", "reverse-over-reverse"]

#: ``record(node, parent, tangent_in, local, node_tangent_before)``, called after each
#: multiply-add of a forward sweep when a ledger is being kept (the counterpart of
#: ``autodiff.Recorder``; the node's tangent is now ``before + local * tangent_in``).
TangentRecorder = Callable[[Value, Value, float, float, float], None]


# -- checking what callers pass ---------------------------------------------------------


def _as_sequence(items: Any, where: str, hint: str) -> tuple[Any, ...]:
    """``items`` as a tuple when it is a list or tuple, else a TypeError with ``hint``."""
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"{where} is {type(items).__name__} ({items!r}): pass a tuple; {hint}")
    return tuple(items)


def _numbers(given: Any, n: int, where: str, what: str, per: str) -> tuple[float, ...]:
    """``given`` as ``n`` finite floats (one ``what`` per ``per``), or a clear error."""
    example = tuple([1.0] + [0.0] * (n - 1))
    items = _as_sequence(given, where, f"one {what} per {per}, e.g. {example}")
    if len(items) != n:
        raise ValueError(
            f"{where}: {n} {per}(s) but {len(items)} {what}(s); pass one {what} per {per} "
            f"(the direction to move each), e.g. {example}"
        )
    return tuple(finite_real(v, f"{where}[{k}]", f"a {what}") for k, v in enumerate(items))


def _outputs_of(out: Any, kind: type, fn_name: str) -> tuple[tuple[Any, ...], bool]:
    """(f's outputs as a tuple, whether it returned a single one); each must be a ``kind``."""
    single = not isinstance(out, (list, tuple))
    outputs = (out,) if single else tuple(out)
    if not outputs:
        raise TypeError(
            f"{fn_name}: f returned an empty {type(out).__name__}; return a {kind.__name__}"
        )
    for k, item in enumerate(outputs):
        if isinstance(item, kind):
            continue
        if isinstance(item, numbers.Real) and not isinstance(item, bool):
            hint = (
                "A plain number carries no derivative, so its derivative would silently be 0: "
                "compute with the arguments' own operators and methods (x * y, x.sin(), never "
                f"math.sin(x.data)); if the output really is a constant, return {kind.__name__}"
                "(constant) or c + 0 * x"
            )
        elif kind is Dual and isinstance(item, Value):
            hint = MIXED_WITH_VALUE
        elif isinstance(item, (list, tuple)):
            hint = "Return a Value or a flat sequence of Values (this engine is scalar)"
        else:
            hint = f"Return a {kind.__name__} or a sequence of them"
        where = "f returned" if single else f"f's output {k} is"
        raise TypeError(
            f"{fn_name}: {where} {type(item).__name__} ({item!r}), not a {kind.__name__}. {hint}"
        )
    return outputs, single


def _graph_order(outputs: Sequence[Value]) -> list[Value]:
    """Every node the outputs depend on, parents before children, each once."""
    if len(outputs) == 1:
        return topological_order(outputs[0])
    seen: set[Value] = set()
    order: list[Value] = []
    for out in outputs:
        for node in topological_order(out):
            if node not in seen:  # an earlier output's order already placed it
                seen.add(node)
                order.append(node)
    return order


def _leaf(node: Any, where: str) -> Value:
    """``node`` when it is a leaf Value (an input), else a clear error."""
    if not isinstance(node, Value):
        raise TypeError(f"{where} is {type(node).__name__} ({node!r}), not a Value: use leaf "
                        "Values, e.g. {x: 1.0}")  # fmt: skip
    if node.parents:
        raise ValueError(f"{where} ({_describe(node)}) has parents; use leaves (the inputs): a "
                         "tangent flows into an inner node from its parents")  # fmt: skip
    return node


def _describe(node: Value) -> str:
    if node.label:
        return repr(node.label)
    if not node.parents:
        return f"the leaf holding {node.data!r}"
    return f"the {node.op} node (value {node.data!r})"


# -- (a) forward mode over a recorded graph ---------------------------------------------


@dataclass(frozen=True)
class ForwardSweep:
    """What one forward sweep computed, and what it cost.

    Attributes:
        tangents: d(output)/d(seed direction) for each output, in order.
        multiply_adds: tangent += local * parent_tangent operations done: one per
            edge of the graph behind the outputs.
        nodes: the nodes the sweep visited (leaves included).
        node_tangents: every visited node's tangent (what ``draw`` and the forward
            ledger show).
    """

    tangents: tuple[float, ...]
    multiply_adds: int
    nodes: int
    node_tangents: dict[Value, float] = field(repr=False, compare=False)

    def tangent(self, node: Value) -> float:
        """The tangent the sweep gave ``node`` (0.0 for a node it did not visit)."""
        return self.node_tangents.get(node, 0.0)


def push_tangents(
    outputs: Value | Sequence[Value],
    seeds: Mapping[Value, float],
    *,
    record: TangentRecorder | None = None,
) -> ForwardSweep:
    """Push tangents from leaves forward to ``outputs`` along the stored local derivatives.

    A leaf's tangent is its seed (0.0 when unseeded); every other node's tangent
    is the sum over its edges of ``local_grad * parent_tangent``, visited in
    topological order: one multiply-add per edge, counted. The numbers multiplied
    are the ``local_grads`` the forward pass stored, the same that ``backward()``
    uses, so the two modes cannot disagree about a derivative. Nothing changes
    any ``.grad``.

    Args:
        outputs: a Value or a sequence of Values (one sweep serves all of them).
        seeds: leaf -> tangent, the direction to differentiate in ({x: 1.0} for
            d/dx). A leaf the outputs do not depend on has no effect.
        record: called after each multiply-add (the forward ledger's slow path).

    Example:
        >>> from autograd_lite import Value
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> f = x * y + x.sin()
        >>> sweep = push_tangents(f, {x: 1.0})
        >>> round(sweep.tangents[0], 6), sweep.multiply_adds
        (2.583853, 5)
    """
    outs, _ = _outputs_of(outputs, Value, "push_tangents")
    if not isinstance(seeds, Mapping):
        raise TypeError(
            f"push_tangents(..., seeds={seeds!r}): seeds must be a dict from leaf to tangent, "
            "e.g. {x: 1.0}"
        )
    start = {
        _leaf(leaf, "push_tangents: a seed's key"): finite_real(
            tangent, f"push_tangents: the seed of {_describe(leaf)}"
        )
        for leaf, tangent in seeds.items()
    }
    with graph_building():
        order = _graph_order(outs)
        return _sweep(order, outs, start, record)


def _sweep(
    order: list[Value],
    outputs: Sequence[Value],
    seeds: Mapping[Value, float],
    record: TangentRecorder | None = None,
) -> ForwardSweep:
    """One forward sweep over ``order`` (a topological order of the outputs' graph)."""
    tangent_of: dict[Value, float] = {}
    seed_of = seeds.get
    count = 0
    checksum = 0.0  # finite unless some tangent is inf or nan
    for node in order:
        if not node.parents:
            tangent_of[node] = seed_of(node, 0.0)
            continue
        tangent = 0.0
        for parent, local in zip(node.parents, node.local_grads):
            upstream = tangent_of[parent]
            before = tangent
            tangent += local * upstream  # the forward sweep's one multiply-add
            count += 1
            if record is not None:
                record(node, parent, upstream, local, before)
        tangent_of[node] = tangent
        checksum += tangent
    if not math.isfinite(checksum):
        _tangent_not_finite(order, tangent_of)
    return ForwardSweep(tuple(tangent_of[out] for out in outputs), count, len(order), tangent_of)


def _tangent_not_finite(order: list[Value], tangent_of: dict[Value, float]) -> None:
    for node in order:
        if not math.isfinite(tangent_of[node]):
            raise FloatingPointError(
                f"forward mode: the tangent became {tangent_of[node]} at {_describe(node)} "
                f"(made by {node.op}); every node it flows into is affected. Check the inputs' "
                "range (an overflow such as 1e200 * 1e200) or the size of the seeds"
            )


# -- (c) the functional API -------------------------------------------------------------


def _primals(primals: Sequence[Any], fn_name: str) -> tuple[float, ...]:
    if not primals:
        raise TypeError(f"{fn_name}: f needs at least one primal (the point to differentiate at)")
    return tuple(
        finite_real(p, f"{fn_name}: primals[{k}]", "a primal (the point)")
        for k, p in enumerate(primals)
    )


def jvp(
    f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]
) -> tuple[Any, Any]:
    """f(*primals) and its derivative along ``tangents``, by forward mode with no graph.

    ``f`` is called once, on Duals (``Dual(primal, tangent)`` per argument), so
    it must compute with its arguments' operators and methods (``x * y``,
    ``x.sin()``). The result is ``(out, tangent_out)``: floats when ``f`` returns
    one value, tuples of floats when it returns a sequence. Cost: one evaluation
    of f, about twice the arithmetic; memory: no graph at all.

    Differs from ``jax.jvp``: the primals and tangents are flat tuples of numbers
    (one per argument; this engine is scalar), and outputs come back as floats.

    Example:
        >>> out, tangent = jvp(lambda x, y: x * y + x.sin(), (2.0, 3.0), (1.0, 0.0))
        >>> round(out, 6), round(tangent, 6)
        (6.909297, 2.583853)
    """
    points = _primals(
        _as_sequence(primals, "jvp: primals", "jvp(f, (2.0, 3.0), (1.0, 0.0))"), "jvp"
    )
    directions = _numbers(tangents, len(points), "jvp: tangents", "tangent", "primal")
    duals = [Dual(p, t) for p, t in zip(points, directions)]
    outputs, single = _outputs_of(f(*duals), Dual, "jvp")
    if single:
        return outputs[0].data, outputs[0].tangent
    return tuple(o.data for o in outputs), tuple(o.tangent for o in outputs)


def _record(
    f: Callable[..., Any], points: Sequence[float], fn_name: str
) -> tuple[list[Value], tuple[Value, ...], bool]:
    """Run ``f`` on fresh leaves (``arg0``, ``arg1``...), recording its graph."""
    inputs = [Value(p, label=f"arg{k}") for k, p in enumerate(points)]
    with enable_grad():
        out = f(*inputs)
    outputs, single = _outputs_of(out, Value, fn_name)
    return inputs, outputs, single


def linearize(f: Callable[..., Any], *primals: float) -> tuple[Any, Callable[..., Any]]:
    """f(*primals) and ``f_jvp``, its derivative at that point as a function of tangents.

    ``f`` is called once on Values and its graph kept; each ``f_jvp(*tangents)`` is
    one forward sweep over that graph (``push_tangents``), so many directions cost
    one evaluation plus one sweep each. ``f_jvp`` returns a float for one output,
    a tuple for several. As ``jax.linearize``, apart from the flat scalar arguments.

    Example:
        >>> out, f_jvp = linearize(lambda x, y: x * y + x.sin(), 2.0, 3.0)
        >>> round(f_jvp(1.0, 0.0), 6), f_jvp(0.0, 1.0)
        (2.583853, 2.0)
    """
    with graph_building():
        points = _primals(primals, "linearize")
        inputs, outputs, single = _record(f, points, "linearize")
        order = _graph_order(outputs)

    def f_jvp(*tangents: float) -> Any:
        given = _numbers(tangents, len(inputs), "f_jvp: tangents", "tangent", "input")
        seeds = dict(zip(inputs, given))
        with graph_building():
            result = _sweep(order, outputs, seeds).tangents
        return result[0] if single else result

    return (outputs[0].data if single else tuple(o.data for o in outputs)), f_jvp


def vjp(f: Callable[..., Any], *primals: float) -> tuple[Any, Callable[[Any], tuple[float, ...]]]:
    """f(*primals) and ``vjp_fn``: cotangent -> (d/d primal_k of sum(cotangent * f)).

    ``f`` is called once on Values and its graph kept; ``vjp_fn(cotangent)`` runs
    the engine's own backward pass (``backpropagate``) from each output whose
    cotangent is nonzero, seeded with that cotangent, and returns one number per
    primal (always a tuple, as JAX does). A single output takes a float
    cotangent; several take a sequence of one float per output. No ``.grad`` the
    caller can see is changed.

    Differs from ``jax.vjp``: flat scalar arguments, float outputs.

    Example:
        >>> out, vjp_fn = vjp(lambda x, y: x * y + x.sin(), 2.0, 3.0)
        >>> [round(g, 6) for g in vjp_fn(1.0)]
        [2.583853, 2.0]
    """
    with graph_building():
        points = _primals(primals, "vjp")
        inputs, outputs, single = _record(f, points, "vjp")

    def vjp_fn(cotangent: Any) -> tuple[float, ...]:
        if single:
            cotangents: tuple[float, ...] = (
                finite_real(cotangent, "vjp_fn: the cotangent", "a cotangent"),
            )
        else:
            cotangents = _numbers(
                cotangent, len(outputs), "vjp_fn: cotangent", "cotangent", "output"
            )
        rows, _ = _reverse_sweeps(outputs, inputs, cotangents, count=False)
        return tuple(sum(row[k] for row in rows) for k in range(len(inputs)))

    return (outputs[0].data if single else tuple(o.data for o in outputs)), vjp_fn


def _reverse_sweeps(
    outputs: Sequence[Value | float],
    inputs: Sequence[Value],
    cotangents: Sequence[float],
    count: bool = True,
) -> tuple[list[list[float]], list[int]]:
    """One reverse sweep (``backpropagate``) per output with a nonzero cotangent:
    (the rows cotangent * d(output)/d(input), the multiply-adds of each sweep).

    Every leaf's ``.grad`` is restored and every inner node's left at 0.0
    afterwards, as ``autodiff.gradients`` leaves them."""
    rows: list[list[float]] = []
    costs: list[int] = []
    nodes = _graph_order([o for o in outputs if isinstance(o, Value)] or list(inputs))
    saved = [(n, n.grad) for n in nodes if not n.parents]
    present = set(nodes)  # an input outside the graph keeps its .grad and gets 0.0
    done = 0

    def counter(*_: Any) -> None:
        nonlocal done
        done += 1

    try:
        for out, cotangent in zip(outputs, cotangents):
            if not isinstance(out, Value) or cotangent == 0.0:
                rows.append([0.0] * len(inputs))  # a constant output, or nothing asked of it
                costs.append(0)
                continue
            for n, _ in saved:
                n.grad = 0.0
            done = 0
            backpropagate(out, cotangent, record=counter if count else None)
            rows.append([x.grad if x in present else 0.0 for x in inputs])
            costs.append(done)
    finally:
        for n, g in saved:
            n.grad = g
        for n in nodes:
            if n.parents:
                n.grad = 0.0
    return rows, costs


@dataclass(frozen=True)
class Jacobian:
    """A Jacobian matrix and what it cost to compute.

    Attributes:
        matrix: ``matrix[i][j]`` = d(output i)/d(input j), as nested lists.
        value: the outputs' values.
        mode: ``"forward"`` (one sweep per input) or ``"reverse"`` (one per output).
        sweeps: the sweeps run.
        multiply_adds: the multiply-adds they did in all, counted as they ran.
        edges: the edges of the graph behind the outputs (one sweep's work in
            forward mode).
        why: the count explained in one sentence.
    """

    matrix: list[list[float]]
    value: tuple[float, ...]
    mode: Mode
    sweeps: int
    multiply_adds: int
    edges: int
    why: str

    @property
    def n_inputs(self) -> int:
        """Columns of the matrix."""
        return len(self.matrix[0]) if self.matrix else 0

    @property
    def n_outputs(self) -> int:
        """Rows of the matrix."""
        return len(self.matrix)

    def __str__(self) -> str:
        rows = "\n".join("  [" + ", ".join(f"{v: .6g}" for v in row) + "]" for row in self.matrix)
        return f"Jacobian ({self.n_outputs}x{self.n_inputs}), {self.why}\n{rows}"


def _check_mode(mode: Any, fn_name: str) -> Mode:
    if mode not in ("forward", "reverse"):
        raise ValueError(
            f"{fn_name}: mode={mode!r}; use 'forward' (one sweep per input) or "
            "'reverse' (one sweep per output)"
        )
    return mode  # type: ignore[no-any-return]


def graph_jacobian(
    outputs: Value | Sequence[Value | float],
    inputs: Sequence[Value],
    *,
    mode: Mode = "reverse",
) -> Jacobian:
    """The Jacobian of recorded ``outputs`` with respect to leaf ``inputs``, and its cost.

    ``"forward"`` runs one ``push_tangents`` sweep per input, seeded with 1.0 on
    that input; each sweep fills a column and visits every edge once.
    ``"reverse"`` runs one backward pass per output; each fills a row and visits
    the edges behind that output. Use it for a graph you built yourself, such as
    a model's loss and its parameters. An output may be a plain number (a
    constant, as ``autodiff.gradients`` returns for an input a gradient does not
    depend on): its row is zeros and costs nothing.

    Example:
        >>> from autograd_lite import Value
        >>> x, y = Value(2.0), Value(3.0)
        >>> f = x * y + x.sin()
        >>> graph_jacobian(f, [x, y], mode="forward").why
        'forward mode: one sweep per input, 2 inputs x 5 edges = 10 multiply-adds (reverse mode would take 1 sweep, one per output)'
    """  # noqa: E501 - a doctest's output is one line
    chosen = _check_mode(mode, "graph_jacobian")
    if isinstance(outputs, (Value, numbers.Real)) and not isinstance(outputs, bool):
        outputs = [outputs]
    if not isinstance(outputs, (list, tuple)) or not outputs:
        raise TypeError(
            f"graph_jacobian: outputs is {type(outputs).__name__}; pass a Value or "
            "a non-empty sequence of Values"
        )
    for k, out in enumerate(outputs):
        if not isinstance(out, Value):
            finite_real(out, f"graph_jacobian: output {k}", "an output (a Value or a constant)")
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise TypeError(
            f"graph_jacobian: inputs is {type(inputs).__name__}; pass a non-empty "
            "list of leaf Values"
        )
    for k, x in enumerate(inputs):
        _leaf(x, f"graph_jacobian: inputs[{k}]")
    with graph_building():
        recorded = [o for o in outputs if isinstance(o, Value)]
        order = _graph_order(recorded) if recorded else []
        edges = sum(len(n.parents) for n in order)
        values = tuple(o.data if isinstance(o, Value) else float(o) for o in outputs)
        n, m = len(inputs), len(outputs)
        if chosen == "forward":
            columns = []
            total = 0
            for x in inputs:
                if recorded:
                    sweep = _sweep(order, recorded, {x: 1.0})
                    column = iter(sweep.tangents)
                    columns.append([next(column) if isinstance(o, Value) else 0.0 for o in outputs])
                    total += sweep.multiply_adds
                else:
                    columns.append([0.0] * m)
            sweeps = n if recorded else 0
            matrix = [[columns[j][i] for j in range(n)] for i in range(m)]
            why = (
                f"forward mode: one sweep per input, {_count(n, 'input')} x {_count(edges, 'edge')}"
                f" = {total:,} multiply-adds (reverse mode would take "
                f"{_count(len(recorded), 'sweep')}, one per output)"
            )
        else:
            matrix, costs = _reverse_sweeps(outputs, inputs, [1.0] * m)
            total = sum(costs)
            sweeps = len(recorded)
            per_sweep = (
                f" x {_count(costs[0], 'edge')}"
                if len(set(costs)) == 1
                else (": " + " + ".join(f"{c:,}" for c in costs) if m <= 6 else "")
            )
            why = (
                f"reverse mode: one sweep per output, {_count(sweeps, 'output')}{per_sweep} = "
                f"{total:,} multiply-adds, each sweep over the edges behind its output (forward "
                f"mode would take {_count(n, 'sweep')}, one per input)"
            )
    return Jacobian(matrix, values, chosen, sweeps, total, edges, why)


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}{'s' * (n != 1)}"


def _argnums(argnums: int | Sequence[int] | None, n_args: int, fn_name: str) -> list[int]:
    if argnums is None:
        return list(range(n_args))
    nums = [argnums] if isinstance(argnums, int) else argnums
    if (
        isinstance(argnums, bool)
        or not isinstance(nums, (list, tuple))
        or not nums
        or any(isinstance(i, bool) or not isinstance(i, int) for i in nums)
    ):
        raise TypeError(
            f"{fn_name}: argnums={argnums!r}; use an int, a non-empty tuple of ints, "
            "or None for every argument"
        )
    for i in nums:
        if not -n_args <= i < n_args:
            raise ValueError(
                f"{fn_name}: argnums={argnums!r}, but f was called with {n_args} "
                f"argument(s); use numbers in range({n_args})"
            )
    return [i % n_args for i in nums]


def jacobian(
    f: Callable[..., Any],
    mode: Mode = "reverse",
    argnums: int | Sequence[int] | None = None,
) -> Callable[..., Jacobian]:
    """Turn ``f`` into a function returning its ``Jacobian`` (matrix, sweeps, cost).

    ``f`` takes numbers and returns a Value or a sequence of Values; it is run
    once on Values, then ``graph_jacobian`` sweeps its graph: ``mode="forward"``
    once per input (``jacfwd``), ``"reverse"`` once per output (``jacrev``). Both
    give the same matrix; the report says which took fewer multiply-adds.

    Differs from JAX's ``jacobian``/``jacfwd``/``jacrev``: ``argnums=None`` (the
    default) differentiates every argument, each a scalar, and the result is a
    ``Jacobian`` report whose ``.matrix`` is the nested list.

    Example:
        >>> J = jacobian(lambda x, y: (x * y, x + y, x.sin()), mode="forward")(2.0, 3.0)
        >>> J.matrix[0], J.sweeps, J.multiply_adds
        ([3.0, 2.0], 2, 10)
        >>> jacobian(lambda x, y: (x * y, x + y, x.sin()), mode="reverse")(2.0, 3.0).sweeps
        3
    """
    chosen = _check_mode(mode, "jacobian")

    def wrapped(*args: float) -> Jacobian:
        with graph_building():
            nums = _argnums(argnums, len(args), "jacobian")
            points = _primals(args, "jacobian")
            inputs, outputs, _ = _record(f, points, "jacobian")
            return graph_jacobian(list(outputs), [inputs[i] for i in nums], mode=chosen)

    return wrapped


def jacfwd(
    f: Callable[..., Any], argnums: int | Sequence[int] | None = None
) -> Callable[..., Jacobian]:
    """``jacobian(f, mode="forward", argnums)``: one forward sweep per input."""
    return jacobian(f, "forward", argnums)


def jacrev(
    f: Callable[..., Any], argnums: int | Sequence[int] | None = None
) -> Callable[..., Jacobian]:
    """``jacobian(f, mode="reverse", argnums)``: one reverse sweep per output."""
    return jacobian(f, "reverse", argnums)


def hessian(
    f: Callable[..., Any],
    mode: HessianMode = "forward-over-reverse",
) -> Callable[..., Jacobian]:
    """Turn scalar ``f`` into a function returning its Hessian as a ``Jacobian`` report.

    The gradient is computed once by reverse mode with ``create_graph=True``, so
    the backward pass is itself a recorded graph; the Hessian is the Jacobian of
    that gradient. ``"forward-over-reverse"`` (JAX's ``hessian``: ``jacfwd(jacrev)``)
    sweeps it forward once per input, each sweep giving a whole column (so one
    sweep seeded with v gives the Hessian-vector product Hv);
    ``"reverse-over-reverse"`` (``autograd_lite.hessian``'s way) runs a backward
    pass from each gradient entry, each giving a row.

    Differs from ``autograd_lite.hessian`` (nested lists) and ``jax.hessian``: the
    result is a ``Jacobian`` report; its ``.matrix`` is the nested list.

    Example:
        >>> H = hessian(lambda x, y: x ** 2 * y + y ** 3)(1.0, 2.0)
        >>> H.matrix, H.sweeps
        ([[4.0, 2.0], [2.0, 12.0]], 2)
    """
    if mode not in ("forward-over-reverse", "reverse-over-reverse"):
        raise ValueError(
            f"hessian: mode={mode!r}; use 'forward-over-reverse' (a forward sweep per input "
            "over the recorded gradient) or 'reverse-over-reverse' (a backward pass per "
            "gradient entry)"
        )
    inner: Mode = "forward" if mode == "forward-over-reverse" else "reverse"

    def wrapped(*args: float) -> Jacobian:
        with graph_building():
            points = _primals(args, "hessian")
            inputs, outputs, single = _record(f, points, "hessian")
            if not single and len(outputs) != 1:
                raise TypeError(
                    f"hessian: f returned {len(outputs)} outputs; a Hessian is of "
                    "one scalar output (return one Value)"
                )
            first = gradients(outputs[0], inputs, create_graph=True)
            return graph_jacobian(first, inputs, mode=inner)

    return wrapped
