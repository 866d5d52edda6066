"""The backward ledger, the forward table and the forward-mode ledger: what each
pass did, step by step.

The ledger is recorded by the backward pass itself: ``trace`` and ``explain``
run ``autodiff.backpropagate`` with a ``record`` callback, which is called right
after each ``parent.grad += upstream * local``. So a ledger row is what the
engine did, not a second computation that could disagree with it; the fast
path (``backward()``) pays nothing for it.

``explain(root)`` leaves every ``.grad`` as it was; ``trace(root)`` is the one
that changes gradients, exactly as ``root.backward()`` does, and returns the
ledger. ``forward_ledger(root, {x: 1.0})`` is the forward-mode counterpart, recorded
the same way by ``forward.push_tangents``: one row per edge, from the inputs.
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from autograd_lite.autodiff import backpropagate, topological_order
from autograd_lite.forward import ForwardSweep, push_tangents
from autograd_lite.ops import OPS
from autograd_lite.text.notation import (
    as_operand,
    format_number,
    local_formula,
    node_expression,
    node_names,
    with_value,
)
from autograd_lite.text.tables import Table
from autograd_lite.value import Value, number_of

__all__ = [
    "ForwardRow",
    "ForwardTable",
    "Ledger",
    "LedgerRow",
    "TangentLedger",
    "TangentRow",
    "explain",
    "forward_ledger",
    "forward_table",
    "trace",
]


@dataclass(frozen=True)
class LedgerRow:
    """One accumulation of the backward pass: ``parent.grad += upstream * local``.

    Attributes:
        step: 1-based position in the pass.
        node: the node whose gradient is being passed back.
        parent: the operand receiving a share of it.
        index: which operand ``parent`` is (0 or 1; ``x * x`` has two rows for x).
        name, parent_name: their names (see ``node_names``).
        op: the op name of ``node``; symbol: its drawing symbol.
        upstream: d(root)/d(node), the gradient arriving at ``node``.
        formula: d(node)/d(parent) as the op table writes it, in the graph's names.
        local: its value, recorded in the forward pass.
        contribution: ``upstream * local``, what was added to ``parent.grad``.
        before, after: ``parent.grad`` before and after the addition.
        accumulated: True when ``parent`` had already received a contribution in
            this pass: a node used more than once, whose gradient is a sum.
    """

    step: int
    node: Value
    parent: Value
    index: int
    name: str
    parent_name: str
    op: str
    symbol: str
    upstream: float
    formula: str
    local: float
    contribution: float
    before: float
    after: float
    accumulated: bool

    def local_text(self, precision: int = 4) -> str:
        """``y = 3.0``, or just the number when the formula is a constant."""
        return with_value(self.formula, self.local, precision)

    def update_text(self, precision: int = 4) -> str:
        """``0.0 → 3.0``, or ``-0.4161 → -0.4161 + 3.0 = 2.5839`` when adding to a sum."""
        first = self.before == 0.0
        return _running_sum(self.before, self.contribution, self.after, first, precision)

    def sentence(self, precision: int = 4) -> str:
        """The step in words, used as a caption in step-through drawings."""
        p = precision
        node, parent = as_operand(self.name), as_operand(self.parent_name)
        return (
            f"{node} passes {format_number(self.upstream, p)} × "
            f"∂{node}/∂{parent} ({self.local_text(p)}) = "
            f"{format_number(self.contribution, p)} to {parent}; "
            f"{parent}.grad: {self.update_text(p)}"
        )


class Ledger(Table):
    """The steps of one backward pass, in the order they ran.

    ``rows`` holds one ``LedgerRow`` per accumulation. ``str(ledger)`` is an
    aligned text table; Jupyter shows HTML (rows that add to an existing sum are
    highlighted); ``to_markdown()`` and ``to_latex()`` give the same table for
    notes.

    Attributes:
        root: the node the pass started from; gradient: its gradient (1.0 usually).
        rows: the steps. names: the name of every node (see ``node_names``).
        precision: digits shown.
    """

    columns = (
        "step",
        "node",
        "op",
        "upstream",
        "parent",
        "∂node/∂parent",
        "contribution",
        "parent.grad",
    )
    align = "rllrllrl"

    def __init__(
        self,
        root: Value,
        gradient: float,
        rows: list[LedgerRow],
        names: dict[Value, str],
        precision: int = 4,
    ) -> None:
        self.root = root
        self.gradient = gradient
        self.rows = rows
        self.names = names
        self.precision = precision
        self.title = (
            f"backward pass from {names[root]} (gradient {format_number(gradient, precision)})"
        )
        # Indexes, so that look-ups stay linear on big graphs.
        self._by_parent: dict[Value, list[LedgerRow]] = {}
        self._by_edge: dict[tuple[Value, int], LedgerRow] = {}
        for row in rows:
            self._by_parent.setdefault(row.parent, []).append(row)
            self._by_edge[(row.node, row.index)] = row

    @property
    def seed(self) -> float:
        """Deprecated name of ``gradient``."""
        warnings.warn(
            "Ledger.seed is deprecated: use Ledger.gradient", DeprecationWarning, stacklevel=2
        )
        return self.gradient

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[LedgerRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> LedgerRow:
        return self.rows[index]

    def grad(self, node: Value) -> float:
        """The gradient ``node`` had at the end of the pass (``gradient`` for the root).

        Raises:
            KeyError: ``node`` is not in the graph.
        """
        if node is self.root:
            return self.gradient
        if node not in self.names:
            raise KeyError(f"{node!r} is not in the graph of {self.names[self.root]}")
        rows = self._by_parent.get(node)
        return rows[-1].after if rows else 0.0

    def contributions(self, node: Value) -> list[LedgerRow]:
        """The rows that added to ``node``'s gradient, in order."""
        return list(self._by_parent.get(node, ()))

    def row_for(self, node: Value, index: int) -> LedgerRow | None:
        """The row that followed the edge from ``node`` to its operand ``index``."""
        return self._by_edge.get((node, index))

    def _cells(self) -> list[list[str]]:
        p = self.precision
        return [
            [
                str(r.step),
                r.name,
                r.symbol,
                format_number(r.upstream, p),
                r.parent_name,
                r.local_text(p),
                format_number(r.contribution, p),
                r.update_text(p),
            ]
            for r in self.rows
        ]

    def _highlighted(self) -> list[bool]:
        return [r.accumulated for r in self.rows]

    def __repr__(self) -> str:
        return f"<Ledger of {self.names[self.root]}: {len(self.rows)} steps>"


def _run_ledger(
    root: Value,
    gradient: float,
    create_graph: bool,
    nonfinite: Literal["raise", "warn"],
    precision: int,
) -> Ledger:
    """Run the real backward pass with a recorder and collect its rows."""
    if not isinstance(root, Value):
        raise TypeError(f"expected a Value as the root, got {type(root).__name__}")
    names = node_names(root, precision)
    rows: list[LedgerRow] = []
    seen: set[Value] = set()
    uses: Counter[Value] = Counter()

    def record(node: Value, parent: Value, upstream: Any, local: Any, before: Any) -> None:
        # The index of this parent among node's operands: x * x records twice.
        # backpropagate calls this once per operand, in argument order.
        index = uses[node]
        uses[node] += 1
        up, loc = number_of(upstream), number_of(local)
        rows.append(
            LedgerRow(
                step=len(rows) + 1,
                node=node,
                parent=parent,
                index=index,
                name=names[node],
                parent_name=names[parent],
                op=node.op,
                symbol=OPS[node.op].symbol,
                upstream=up,
                formula=local_formula(node, index, names, precision),
                local=loc,
                contribution=up * loc,
                before=number_of(before),
                after=number_of(parent.grad),
                accumulated=parent in seen,
            )
        )
        seen.add(parent)

    backpropagate(root, gradient, create_graph=create_graph, nonfinite=nonfinite, record=record)
    return Ledger(root, number_of(gradient), rows, names, precision)


def trace(
    root: Value,
    gradient: float = 1.0,
    *,
    create_graph: bool = False,
    nonfinite: Literal["raise", "warn"] = "raise",
    precision: int = 4,
) -> Ledger:
    """``root.backward(gradient)`` that also returns its ledger.

    Gradients change exactly as with ``backward()``: leaves accumulate. Use
    ``explain`` for the same ledger with every ``.grad`` left as it was.

    Example:
        >>> x = Value(3.0, label="x")
        >>> ledger = trace(x * x)
        >>> x.grad, [row.after for row in ledger]
        (6.0, [3.0, 6.0])
    """
    return _run_ledger(root, gradient, create_graph, nonfinite, precision)


def explain(
    root: Value,
    gradient: float = 1.0,
    *,
    nonfinite: Literal["raise", "warn"] = "raise",
    precision: int = 4,
    seed: float | None = None,
) -> Ledger:
    """The ledger of a backward pass from ``root``, leaving every ``.grad`` as it was.

    The pass is the engine's own (``autodiff.backpropagate`` with a recorder),
    run from zeroed leaves, so the ledger shows the gradients of ``root`` alone;
    afterwards all gradients are put back. Use ``trace(root)`` to run backward
    for real and get the same ledger.

    Example:
        >>> x, y = Value(3.0, label="x"), Value(2.0, label="y")
        >>> f = x * x * y
        >>> f.label = "f"
        >>> print(explain(f))
        step  node   op  upstream  parent  ∂node/∂parent  contribution  parent.grad
           1  f      ×        1.0  x * x   y = 2.0                 2.0  0.0 → 2.0
           2  f      ×        1.0  y       x * x = 9.0             9.0  0.0 → 9.0
           3  x * x  ×        2.0  x       x = 3.0                 6.0  0.0 → 6.0
           4  x * x  ×        2.0  x       x = 3.0                 6.0  6.0 → 6.0 + 6.0 = 12.0
        >>> x.grad  # explain() changed nothing
        0.0
    """
    if seed is not None:
        warnings.warn(
            "explain(seed=...) is deprecated: the root's gradient is called gradient, as in "
            "backward(gradient=...); seed means a random seed everywhere else",
            DeprecationWarning,
            stacklevel=2,
        )
        gradient = seed
    if not isinstance(root, Value):
        raise TypeError(f"explain() needs a Value as the root, got {type(root).__name__}")
    order = topological_order(root)
    saved = [(node, node.grad) for node in order]
    for node in order:
        if not node.parents:
            node.grad = 0.0
    try:
        return _run_ledger(root, gradient, False, nonfinite, precision)
    finally:
        for node, grad in saved:
            node.grad = grad


# -- the forward table ------------------------------------------------------------------


@dataclass(frozen=True)
class ForwardRow:
    """One node of the forward pass: what it computed from which inputs."""

    step: int
    node: Value
    name: str
    op: str
    expression: str
    inputs: tuple[tuple[str, float], ...]
    value: float


class ForwardTable(Table):
    """The forward pass as a table: node, op, inputs, value (leaves first)."""

    columns = ("step", "node", "op", "computes", "inputs", "value")
    align = "rlllll"

    def __init__(self, root: Value, rows: list[ForwardRow], precision: int = 4) -> None:
        self.root = root
        self.rows = rows
        self.precision = precision
        self.title = f"forward pass to {rows[-1].name}"

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ForwardRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> ForwardRow:
        return self.rows[index]

    def _cells(self) -> list[list[str]]:
        p = self.precision
        return [
            [
                str(r.step),
                r.name,
                OPS[r.op].symbol if r.op else "leaf",
                r.expression,
                ", ".join(f"{n} = {format_number(v, p)}" for n, v in r.inputs),
                format_number(r.value, p),
            ]
            for r in self.rows
        ]

    def __repr__(self) -> str:
        return f"<ForwardTable of {self.rows[-1].name}: {len(self.rows)} nodes>"


def forward_table(root: Value, precision: int = 4) -> ForwardTable:
    """The forward pass that built ``root``, one row per node in topological order.

    Example:
        >>> x = Value(2.0, label="x")
        >>> print(forward_table((x * x).sin()))
        step  node        op    computes    inputs       value
           1  x           leaf                           2.0
           2  x * x       ×     x * x       x = 2.0      4.0
           3  sin(x * x)  sin   sin(x * x)  x * x = 4.0  -0.7568
    """
    names = node_names(root, precision)
    rows = []
    for step, node in enumerate(topological_order(root), 1):
        expression = node_expression(node, names, precision) if node.parents else ""
        inputs = tuple((names[p], p.data) for p in dict.fromkeys(node.parents))
        rows.append(ForwardRow(step, node, names[node], node.op, expression, inputs, node.data))
    return ForwardTable(root, rows, precision)


# -- the forward-mode ledger --------------------------------------------------------------


@dataclass(frozen=True)
class TangentRow:
    """One multiply-add of a forward sweep: ``tangent(node) += local * tangent(parent)``.

    Attributes:
        step: 1-based position in the sweep.
        node: the node whose tangent is being built; parent: the operand it reads.
        index: which operand ``parent`` is (``x * x`` has two rows, 0 and 1).
        name, parent_name: their names (see ``node_names``).
        op: the op name of ``node``; symbol: its drawing symbol.
        tangent_in: the parent's tangent, arriving along the edge.
        formula: d(node)/d(parent) as the op table writes it; local: its value,
            recorded in the forward pass (the number ``backward()`` uses too).
        contribution: ``local * tangent_in``, added to the node's tangent.
        before, after: the node's tangent before and after the addition.
    """

    step: int
    node: Value
    parent: Value
    index: int
    name: str
    parent_name: str
    op: str
    symbol: str
    tangent_in: float
    formula: str
    local: float
    contribution: float
    before: float
    after: float

    def local_text(self, precision: int = 4) -> str:
        """``y = 3.0``, or just the number when the formula is a constant."""
        return with_value(self.formula, self.local, precision)

    def update_text(self, precision: int = 4) -> str:
        """``0.0 → 3.0``, or ``3.0 → 3.0 - 0.4161 = 2.5839`` when adding to a sum."""
        first = self.index == 0
        return _running_sum(self.before, self.contribution, self.after, first, precision)

    def sentence(self, precision: int = 4) -> str:
        """The step in words, used as a caption in forward step-through drawings."""
        p = precision
        node, parent = as_operand(self.name), as_operand(self.parent_name)
        return (
            f"{parent} carries tangent {format_number(self.tangent_in, p)} × "
            f"∂{node}/∂{parent} ({self.local_text(p)}) = "
            f"{format_number(self.contribution, p)} into {node}; "
            f"{node}'s tangent: {self.update_text(p)}"
        )


class TangentLedger(Table):
    """The steps of one forward sweep (forward mode), in the order they ran.

    The counterpart of ``Ledger``: one row per edge, but from the inputs forward,
    each row the tangent coming in along the edge, the edge's local derivative
    and the node's tangent after adding that share. Recorded by
    ``forward.push_tangents`` itself (its ``record`` callback), so a row is what
    the sweep did.

    Attributes:
        outputs: the sweep's outputs; seeds: the leaves' tangents.
        rows: the steps; sweep: the ``ForwardSweep`` (tangents and counts).
        names: the name of every node. precision: digits shown.
    """

    columns = (
        "step",
        "node",
        "op",
        "parent",
        "tangent in",
        "∂node/∂parent",
        "contribution",
        "node tangent",
    )
    align = "rlllrlrl"

    def __init__(
        self,
        outputs: tuple[Value, ...],
        seeds: dict[Value, float],
        rows: list[TangentRow],
        sweep: ForwardSweep,
        names: dict[Value, str],
        precision: int = 4,
    ) -> None:
        self.outputs = outputs
        self.seeds = seeds
        self.rows = rows
        self.sweep = sweep
        self.names = names
        self.precision = precision
        seeded = ", ".join(
            f"{names.get(leaf, format_number(leaf.data, precision))} = "
            f"{format_number(t, precision)}"
            for leaf, t in seeds.items()
        )
        targets = ", ".join(names[out] for out in outputs)
        self.title = f"forward sweep to {targets}, seeded {seeded or 'nowhere'}"
        self._by_edge = {(row.node, row.index): row for row in rows}

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[TangentRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> TangentRow:
        return self.rows[index]

    def tangent(self, node: Value) -> float:
        """The tangent ``node`` had at the end of the sweep (its seed for a leaf)."""
        return self.sweep.tangent(node)

    def row_for(self, node: Value, index: int) -> TangentRow | None:
        """The row that followed the edge from operand ``index`` into ``node``."""
        return self._by_edge.get((node, index))

    def _cells(self) -> list[list[str]]:
        p = self.precision
        return [
            [
                str(r.step),
                r.name,
                r.symbol,
                r.parent_name,
                format_number(r.tangent_in, p),
                r.local_text(p),
                format_number(r.contribution, p),
                r.update_text(p),
            ]
            for r in self.rows
        ]

    def __repr__(self) -> str:
        return f"<TangentLedger: {len(self.rows)} steps>"


def forward_ledger(
    outputs: Value | Sequence[Value], seeds: Mapping[Value, float], precision: int = 4
) -> TangentLedger:
    """The ledger of a forward sweep (``forward.push_tangents``): one row per edge.

    Each row is one multiply-add the sweep did, in its order (topological, from
    the inputs): the tangent arriving from the parent, the edge's local
    derivative, and the node's tangent after the addition. Nothing changes any
    ``.grad``. ``explain(root)`` is the backward counterpart, over the same edges
    and local derivatives in the opposite order.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> f = x * y + x.sin()
        >>> f.label = "f"
        >>> print(forward_ledger(f, {x: 1.0}))
        step  node    op   parent  tangent in  ∂node/∂parent     contribution  node tangent
           1  x * y   ×    x              1.0  y = 3.0                    3.0  0.0 → 3.0
           2  x * y   ×    y              0.0  x = 2.0                    0.0  3.0 → 3.0 + 0.0 = 3.0
           3  sin(x)  sin  x              1.0  cos(x) = -0.4161       -0.4161  0.0 → -0.4161
           4  f       +    x * y          3.0  1.0                        3.0  0.0 → 3.0
           5  f       +    sin(x)     -0.4161  1.0                    -0.4161  3.0 → 3.0 - 0.4161 = 2.5839
    """  # noqa: E501 - a doctest's table row is one line
    outs = (outputs,) if isinstance(outputs, Value) else outputs
    if (
        not isinstance(outs, (list, tuple))
        or not outs
        or not all(isinstance(o, Value) for o in outs)
    ):
        raise TypeError(
            f"forward_ledger() needs a Value or a sequence of Values as the outputs, got "
            f"{type(outputs).__name__}"
        )
    names: dict[Value, str] = {}
    for out in outs:
        for node, name in node_names(out, precision).items():
            names.setdefault(node, name)
    rows: list[TangentRow] = []
    uses: Counter[Value] = Counter()

    def record(node: Value, parent: Value, tangent_in: float, local: float, before: float) -> None:
        index = uses[node]  # push_tangents calls this once per operand, in argument order
        uses[node] += 1
        contribution = local * tangent_in
        rows.append(
            TangentRow(
                step=len(rows) + 1,
                node=node,
                parent=parent,
                index=index,
                name=names[node],
                parent_name=names[parent],
                op=node.op,
                symbol=OPS[node.op].symbol,
                tangent_in=tangent_in,
                formula=local_formula(node, index, names, precision),
                local=local,
                contribution=contribution,
                before=before,
                after=before + contribution,
            )
        )

    sweep = push_tangents(list(outs), seeds, record=record)
    return TangentLedger(tuple(outs), dict(seeds), rows, sweep, names, precision)


def _running_sum(before: float, added: float, after: float, first: bool, precision: int) -> str:
    """One step of a sum as the ledgers write it: ``0.0 → 3.0`` for its first term,
    ``-0.4161 → -0.4161 + 3.0 = 2.5839`` after (a gradient or a tangent adding up)."""
    old, new = format_number(before, precision), format_number(after, precision)
    if first:
        return f"{old} → {new}"
    term = format_number(added, precision)
    sign = "- " + term[1:] if term.startswith("-") else "+ " + term
    return f"{old} → {old} {sign} = {new}"
