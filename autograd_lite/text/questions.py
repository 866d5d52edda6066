"""Questions about a graph: why a gradient is what it is, the paths it flows
along (and how many there are, ``count_paths``), a summary of the graph, and the
graph as a text tree.

Each answer is computed from the engine's own backward pass (``ledger.explain``)
or read from the graph; nothing here changes a ``.grad``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from autograd_lite._helpers import is_whole, number_of
from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.text.ledger import Ledger, LedgerRow, explain
from autograd_lite.text.notation import (
    as_operand,
    format_number,
    local_formula,
    node_names,
    with_value,
)
from autograd_lite.value import Value

__all__ = [
    "MAX_EDGES",
    "Path",
    "Paths",
    "Summary",
    "Why",
    "count_paths",
    "paths",
    "summary",
    "tree",
    "why",
]

WhyReason = Literal[
    "root",
    "nonzero",
    "unreachable",
    "detached",
    "blocked",
    "cancelled",
    "underflow",
]


@dataclass(frozen=True)
class Why:
    """Why ``x.grad`` is what it is: a ``reason`` code and the explanation ``text``.

    Reasons: ``"root"`` (x is the root), ``"nonzero"`` (the contributions are
    listed), ``"unreachable"`` (x does not reach the root), ``"detached"`` (the
    root uses a detached copy of x), ``"blocked"`` (every path crosses a zero
    local derivative, such as a ReLU with input <= 0; ``blockers`` names them),
    ``"cancelled"`` (contributions sum to zero; listed), ``"underflow"`` (the
    product of local derivatives is too small for a float).
    """

    reason: WhyReason
    text: str
    grad: float
    contributions: tuple[LedgerRow, ...] = ()
    blockers: tuple[tuple[Value, Value], ...] = field(default=())

    def __str__(self) -> str:
        return self.text


def why(x: Value, root: Value, precision: int = 4) -> Why:
    """Explain ``x.grad`` as a backward pass from ``root`` computes it.

    The gradient is explained from a fresh pass (``explain``), so it helps even
    before ``backward()`` has run; if ``x.grad`` currently differs (backward not
    run yet, or gradients added up over several calls) the text says so.

    Example:
        >>> x, y = Value(-1.0, label="x"), Value(2.0, label="y")
        >>> h = (x * y).relu()
        >>> h.label = "h"
        >>> print(why(x, h + y))
        x.grad is 0.0: every path from x to (h + y) crosses a zero local derivative:
        ReLU h has input -2.0 <= 0, so it passes no gradient.
    """
    p = precision
    names = node_names(root, p)
    if x not in names:
        return _why_not_in_graph(x, root, names)
    ledger = explain(root, precision=p)
    grad = ledger.grad(x)
    name = names[x]
    note = ""
    if number_of(x.grad) != grad:
        now = format_number(number_of(x.grad), p)
        note = (
            f" ({name}.grad itself is {now}: backward() has not run from this root yet)"
            if number_of(x.grad) == 0.0
            else f" ({name}.grad itself is {now}, added up over other backward() calls)"
        )
    if x is root:
        return Why(
            "root", f"{name} is the root: its gradient is 1.0 (d{name}/d{name}){note}.", grad
        )
    rows = tuple(ledger.contributions(x))
    if grad != 0.0:
        parts = [
            f"{format_number(r.contribution, p)} via {r.name} (its grad "
            f"{format_number(r.upstream, p)} × the local derivative {r.local_text(p)})"
            for r in rows
        ]
        if len(parts) == 1:
            listed = f"one contribution, {parts[0]}"
        else:
            listed = f"the sum of {len(parts)} contributions: " + ", ".join(parts[:-1])
            listed += f" and {parts[-1]}"
        return Why(
            "nonzero", f"{name}.grad = {format_number(grad, p)}{note}, {listed}.", grad, rows
        )
    blockers = _blocking_edges(x, root)
    head = f"{name}.grad is 0.0{note}: "
    if blockers:
        reasons = [_blocker_text(node, parent, names, p) for node, parent in blockers]
        return Why(
            "blocked",
            head + f"every path from {name} to {as_operand(names[root])} crosses a zero local "
            "derivative: " + "; ".join(reasons) + ".",
            grad,
            rows,
            tuple(blockers),
        )
    cancelling = _cancellation(x, ledger)
    if cancelling is not None:
        node, cancelled = cancelling
        listed = " + ".join(
            f"{_signed(format_number(r.contribution, p))} from {r.name}" for r in cancelled
        )
        where = "its contributions" if node is x else f"the contributions to {names[node]}"
        return Why("cancelled", head + f"{where} cancel: {listed} = 0.0.", grad, tuple(cancelled))
    return Why(
        "underflow",
        head + "every local derivative on some path is nonzero, but their product is "
        "too small for a float (a vanishing gradient).",
        grad,
        rows,
    )


def _signed(number: str) -> str:
    return f"({number})" if number.startswith("-") else number


def _why_not_in_graph(x: Value, root: Value, names: dict[Value, str]) -> Why:
    name = x.label or format_number(x.data)
    twins = [n for n in names if not n.parents and n.label == x.label and n.data == x.data]
    if x.label and twins:
        text = (
            f"{name}.grad gets nothing from {as_operand(names[root])}: {name} itself is not in its "
            f"graph, but a leaf with the same label and value is: the path was detached "
            f"(x.detach(), or the value was computed under no_grad()), so no gradient "
            f"flows back to the original {name}."
        )
        return Why("detached", text, 0.0)
    text = (
        f"{name}.grad gets nothing from {as_operand(names[root])}: {name} does not reach it "
        f"(it is not among the {len(names)} nodes {as_operand(names[root])} was computed from)."
    )
    return Why("unreachable", text, 0.0)


def _depends_on(x: Value, order: list[Value]) -> set[Value]:
    """The nodes of ``order`` (topological) that x reaches, x included."""
    reached = {x}
    for node in order:
        if any(p in reached for p in node.parents):
            reached.add(node)
    return reached


def _blocking_edges(x: Value, root: Value) -> list[tuple[Value, Value]]:
    """Zero-derivative edges that cut every path from x to root (empty if none do)."""
    order = topological_order(root)
    from_x = _depends_on(x, order)
    # Nodes the root reaches through nonzero local derivatives only.
    live = {root}
    for node in reversed(order):
        if node in live:
            for parent, local in zip(node.parents, node.local_grads):
                if number_of(local) != 0.0:
                    live.add(parent)
    if x in live:
        return []
    edges: dict[tuple[Value, Value], None] = {}  # ordered and without repeats
    for node in order:
        if node in live and node in from_x:
            for parent, local in zip(node.parents, node.local_grads):
                if number_of(local) == 0.0 and parent in from_x:
                    edges[(node, parent)] = None
    return list(edges)


def _blocker_text(node: Value, parent: Value, names: dict[Value, str], p: int) -> str:
    if node.op == "relu":
        return (
            f"ReLU {names[node]} has input {format_number(parent.data, p)} <= 0, "
            "so it passes no gradient"
        )
    index = next(i for i, q in enumerate(node.parents) if q is parent)
    formula = local_formula(node, index, names, p)
    return (
        f"∂{as_operand(names[node])}/∂{as_operand(names[parent])} = {formula} = 0.0 "
        f"(op {node.op} at {names[parent]} = {format_number(parent.data, p)})"
    )


def _cancellation(x: Value, ledger: Ledger) -> tuple[Value, list[LedgerRow]] | None:
    """The node nearest x whose nonzero contributions sum to exactly zero."""
    order = topological_order(ledger.root)
    from_x = _depends_on(x, order)
    for node in order:
        if node in from_x:
            parts = ledger.contributions(node)
            if len(parts) > 1 and ledger.grad(node) == 0.0 and any(r.contribution for r in parts):
                return node, parts
    return None


@dataclass(frozen=True)
class Path:
    """One path from x to the root: the nodes, the local derivative of each edge,
    and their product (this path's share of ``x.grad``)."""

    nodes: tuple[Value, ...]
    names: tuple[str, ...]
    formulas: tuple[str, ...]
    locals: tuple[float, ...]
    product: float


class Paths:
    """Every path from x to the root, whose products add up to ``x.grad``.

    Attributes:
        paths: the paths found (at most ``limit``).
        count: how many paths there are in all.
        total: the sum of the products over all paths (equals ``x.grad`` up to
            rounding), or None when there were too many paths to list.
    """

    def __init__(
        self, x_name: str, root_name: str, paths: list[Path], count: int, precision: int
    ) -> None:
        self.x_name = x_name
        self.root_name = root_name
        self.paths = paths
        self.count = count
        self.precision = precision
        self.total: float | None = (
            math.fsum(q.product for q in paths) if count == len(paths) else None
        )

    @property
    def truncated(self) -> bool:
        """True when there were more paths than the limit."""
        return self.count > len(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    def __str__(self) -> str:
        p = self.precision
        plural = "path" if self.count == 1 else "paths"
        lines = [f"{self.count} {plural} from {self.x_name} to {self.root_name}:"]
        for q in self.paths:
            hops = "".join(
                f" →[{with_value(f, v, p)}] {n}"
                for f, v, n in zip(q.formulas, q.locals, q.names[1:])
            )
            factors = " × ".join(format_number(v, p) for v in q.locals)
            lines.append(f"  {q.names[0]}{hops}   {factors} = {format_number(q.product, p)}")
        if self.total is None:
            lines.append(
                f"  … {self.count - len(self.paths)} more not listed; sum not shown "
                "(raise limit= to see them all, or use explain() for the per-node sums)"
            )
        else:
            lines.append(f"sum = {format_number(self.total, p)} = {self.x_name}.grad")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Paths from {self.x_name} to {self.root_name}: {self.count}>"


#: ``paths`` refuses to list paths with more edges than this in all (their nodes,
#: formulas and factors), unless told otherwise with ``max_edges=``.
MAX_EDGES = 1_000_000


def paths(
    root: Value,
    x: Value,
    *,
    limit: int = 100,
    precision: int = 4,
    max_edges: int | None = MAX_EDGES,
) -> Paths:
    """Every path from ``x`` up to ``root``, each with the product of its local
    derivatives; the products sum to ``x.grad`` (the chain rule, path by path).

    The number of paths can grow exponentially with depth (ten stages of
    ``v = v.sin() + v.cos()`` make 1,024), so at most ``limit`` are listed;
    ``count`` still says how many there are, counted first (one pass over the
    graph). The work is linear in the graph's size plus the size of what is listed.

    Args:
        root: the output.
        x: the node whose paths to ``root`` are listed.
        limit: the most paths listed.
        precision: decimals shown.
        max_edges: refuse up front, with a ValueError, when the paths to list have
            more edges than this in all (each edge is a node, a formula and a
            factor in the answer): a smaller ``limit`` or a larger ``max_edges``
            (``None``: no limit) gets past it.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> f = x * y + x.sin()
        >>> f.label = "f"
        >>> print(paths(f, x))
        2 paths from x to f:
          x →[y = 3.0] x * y →[1.0] f   3.0 × 1.0 = 3.0
          x →[cos(x) = -0.4161] sin(x) →[1.0] f   -0.4161 × 1.0 = -0.4161
        sum = 2.5839 = x.grad
    """
    if not is_whole(limit) or limit < 1:
        raise ValueError(f"limit={limit!r}: use a whole number >= 1")
    if max_edges is not None and (not is_whole(max_edges) or max_edges < 1):
        raise ValueError(f"max_edges={max_edges!r}: use a whole number >= 1, or None")
    names = node_names(root, precision)
    if x not in names:
        return Paths(x.label or format_number(x.data), names[root], [], 0, precision)
    order = topological_order(root)
    from_x = _depends_on(x, order)
    # By dynamic programming over the graph, before listing anything: how many paths
    # lead from x to each node, how many edges they have in all, and the longest.
    count: dict[Value, int] = {x: 1}
    edges: dict[Value, int] = {x: 0}
    longest: dict[Value, int] = {x: 0}
    for node in order:
        if node in from_x and node is not x:
            below = [p for p in node.parents if p in from_x]
            count[node] = sum(count[p] for p in below)
            edges[node] = sum(edges[p] + count[p] for p in below)
            longest[node] = 1 + max(longest[p] for p in below)
    listed = count[root] if count[root] <= limit else None
    size = edges[root] if listed is not None else limit * longest[root]
    if max_edges is not None and size > max_edges:
        what = (
            f"all {count[root]:,} of them have {size:,} edges"
            if listed is not None
            else f"the {limit:,} listed (of {count[root]:,}) have up to {size:,} edges"
        )
        raise ValueError(
            f"paths(): from {names[x]} to {names[root]}, {what}, more than "
            f"max_edges={max_edges:,}. List fewer with limit=, pass max_edges=None (or a "
            "larger number) to list them anyway, or use explain() for the per-node sums"
        )
    return Paths(names[x], names[root], _listed_paths(root, x, from_x, names, limit, precision),
                 count[root], precision)  # fmt: skip


def _listed_paths(
    root: Value,
    x: Value,
    from_x: set[Value],
    names: dict[Value, str],
    limit: int,
    precision: int,
) -> list[Path]:
    """The first ``limit`` paths from ``x`` to ``root``, depth-first from the root
    (first operands first).

    One shared trail of edges, extended and cut back as the walk goes (a copy per
    step would make a chain of n nodes cost n**2): every step down leads to x,
    since only nodes that depend on x are entered, so the work is the size of the
    paths listed.
    """
    found: list[Path] = []
    trail: list[tuple[Value, int]] = []  # (node, operand index), from the root down
    # Frames: a node and the next operand index to try.
    stack: list[list[Any]] = [[root, 0]]
    while stack and len(found) < limit:
        frame = stack[-1]
        node, i = frame
        if node is x and i == 0:
            edges = trail[::-1]
            nodes = (x, *(n for n, _ in edges))
            formulas = tuple(local_formula(n, k, names, precision) for n, k in edges)
            factors = tuple(number_of(n.local_grads[k]) for n, k in edges)
            product = 1.0
            for factor in factors:
                product *= factor
            found.append(Path(nodes, tuple(names[n] for n in nodes), formulas, factors, product))
            frame[1] = len(node.parents)  # x's own parents do not lead to x again
        parents = node.parents
        while frame[1] < len(parents) and parents[frame[1]] not in from_x:
            frame[1] += 1
        if frame[1] < len(parents):
            k = frame[1]
            frame[1] += 1
            trail.append((node, k))
            stack.append([parents[k], 0])
        else:
            stack.pop()
            if trail:
                trail.pop()
    return found


@dataclass(frozen=True)
class Summary:
    """Counts that describe a graph (see ``summary``)."""

    root: str
    nodes: int
    edges: int
    depth: int
    leaves: tuple[str, ...]
    shared: tuple[tuple[str, int], ...]
    ops: tuple[tuple[str, int], ...]

    def __str__(self) -> str:
        def listing(items: Sequence[str], most: int = 12) -> str:
            more = f", … ({len(items) - most} more)" if len(items) > most else ""
            return ", ".join(items[:most]) + more

        n_ops = self.nodes - len(self.leaves)
        lines = [
            f"graph of {self.root}: {self.nodes} nodes ({len(self.leaves)} leaves, {n_ops} ops), "
            f"{self.edges} edges, depth {self.depth}",
            f"leaves: {listing(self.leaves)}",
            "shared (used more than once): "
            + (listing([f"{n} ({k} uses)" for n, k in self.shared]) if self.shared else "none"),
            "ops: " + (", ".join(f"{op} {k}" for op, k in self.ops) or "none"),
        ]
        return "\n".join(lines)


def summary(root: Value) -> Summary:
    """Node and edge counts, depth, leaves, shared nodes and an op histogram.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> print(summary(x * y + x.sin()))
        graph of (x * y) + sin(x): 5 nodes (2 leaves, 3 ops), 5 edges, depth 2
        leaves: x, y
        shared (used more than once): x (2 uses)
        ops: add 1, mul 1, sin 1
    """
    order = topological_order(root)
    names = node_names(root)
    uses: Counter[Value] = Counter(p for node in order for p in node.parents)
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    return Summary(
        root=names[root],
        nodes=len(order),
        edges=sum(len(node.parents) for node in order),
        depth=depth[root],
        leaves=tuple(sorted(names[n] for n in order if not n.parents)),
        shared=tuple((names[n], k) for n in order if (k := uses[n]) > 1),
        ops=tuple(sorted(Counter(n.op for n in order if n.op).items())),
    )


def tree(root: Value, precision: int = 4, max_lines: int = 200) -> str:
    """The graph as an indented text tree (root first); a shared node is expanded
    once and later marked ``↑``.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> f = x * y + x.sin()
        >>> f.label = "f"
        >>> f.backward()
        >>> print(tree(f))
        f = 6.9093  grad 1.0  [+]
        ├── x * y = 6.0  grad 1.0  [×]
        │   ├── x = 2.0  grad 2.5839  (used 2×)
        │   └── y = 3.0  grad 2.0
        └── sin(x) = 0.9093  grad 1.0  [sin]
            └── x ↑
    """
    names = node_names(root, precision)
    uses: Counter[Value] = Counter(p for node in names for p in node.parents)
    lines: list[str] = []
    expanded: set[Value] = set()
    stack: list[tuple[Value, str, str]] = [(root, "", "")]
    while stack:
        node, lead, indent = stack.pop()
        if len(lines) >= max_lines:
            lines.append(f"… (more; raise max_lines={max_lines} to see the rest)")
            break
        if node in expanded:
            lines.append(f"{lead}{names[node]} ↑")
            continue
        expanded.add(node)
        text = (
            f"{lead}{names[node]} = {format_number(node.data, precision)}  "
            f"grad {format_number(number_of(node.grad), precision)}"
        )
        if node.op:
            text += f"  [{OPS[node.op].symbol}]"
        if uses[node] > 1:
            text += f"  (used {uses[node]}×)"
        lines.append(text)
        operands = node.parents
        for i in reversed(range(len(operands))):
            last = i == len(operands) - 1
            stack.append(
                (
                    operands[i],
                    indent + ("└── " if last else "├── "),
                    indent + ("    " if last else "│   "),
                )
            )
    return "\n".join(lines)


def count_paths(root: Value, x: Value) -> int:
    """How many paths lead from ``x`` up to ``root``, counted without listing them.

    One pass over the graph in topological order: a node's count is the sum of
    its parents' counts (an operand used twice, as in ``x * x``, counts twice:
    two edges), starting from 1 at ``x``. The work is linear in the graph's
    size however many paths there are, and the answer is an exact integer
    (ten stages of ``v = v.sin() + v.cos()`` have 1,024 paths, eighty have
    2**80). The chain rule, read literally, sums a product over each of these
    paths; ``backward()`` and forward mode merge them at every node instead, one
    multiply-add per edge. 0 when ``root`` does not depend on ``x``.

    Example:
        >>> x = Value(0.5, label="x")
        >>> v = x
        >>> for _ in range(10):
        ...     v = v.sin() + v.cos()
        >>> count_paths(v, x), len(explain(v))
        (1024, 40)
    """
    for name, node in (("root", root), ("x", x)):
        if not isinstance(node, Value):
            raise TypeError(f"count_paths(root, x): {name} is {type(node).__name__}, not a Value")
    count: dict[Value, int] = {x: 1}
    get = count.get
    for node in topological_order(root):
        if node is not x and node.parents:
            paths_in = sum(get(parent, 0) for parent in node.parents)
            if paths_in:
                count[node] = paths_in
    return get(root, 0)
