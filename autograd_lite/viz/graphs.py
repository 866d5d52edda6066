"""``draw``: a computational graph with forward values on its nodes and
gradients on its edges, cut to the output's neighbourhood past ``max_nodes``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from autograd_lite._helpers import is_whole, number_of
from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.text.ledger import (
    Ledger,
    LedgerRow,
    TangentLedger,
    TangentRow,
    explain,
    forward_ledger,
)
from autograd_lite.text.notation import (
    as_operand,
    format_number,
    is_number,
    local_formula,
    node_names,
)
from autograd_lite.value import Value
from autograd_lite.viz.dot import (
    _FLOW,
    _FONT,
    _GREY,
    _HIGHLIGHT,
    _HIGHLIGHT_FILL,
    _INK,
    _SIGMA_FILL,
    _STYLE,
    Graph,
    _esc,
    _quote,
)
from autograd_lite.viz.networks import _draw_neurons

#: ``draw`` and ``steps`` refuse graphs with more Value nodes than this unless told
#: otherwise (``max_nodes=...``, or ``None`` for no limit): past it a drawing is
#: unreadable, and Graphviz's layout can take minutes.
MAX_NODES = 250


class _Look:
    """Everything that decides how one drawing of a value graph looks."""

    def __init__(
        self,
        root: Value,
        order: list[Value],
        names: dict[Value, str],
        precision: int,
        rankdir: str,
        parameters: set[Value],
        ledger: Ledger | None,
        grads: dict[Value, str] | None = None,
        current: LedgerRow | None = None,
        caption: str = "",
        clusters: dict[Value, int] | None = None,
        cluster_titles: list[str] | None = None,
        marked: frozenset[tuple[Value, int]] = frozenset(),
        tangents: TangentLedger | None = None,
        current_tangent: TangentRow | None = None,
    ) -> None:
        self.root = root
        self.order = order
        self.number = {node: k for k, node in enumerate(order)}
        self.names = names
        self.precision = precision
        self.rankdir = rankdir
        self.parameters = parameters
        self.ledger = ledger
        self.grads = grads
        self.current = current
        self.caption = caption
        self.clusters = clusters or {}
        self.cluster_titles = cluster_titles or []
        self.marked = marked  # edges (node, parent index) drawn in the highlight colour
        # Forward mode: the sweep's ledger (tangents instead of gradients) and, in a
        # step frame, the row being drawn.
        self.tangents = tangents
        self.current_tangent = current_tangent
        self.uses: Counter[Value] = Counter(p for node in order for p in node.parents)


def _fmt(look: _Look, number: float) -> str:
    return format_number(number, look.precision)


def _kind(look: _Look, node: Value) -> str:
    if node is look.root:
        return "root"
    if node in look.parameters:
        return "parameter"
    return "leaf" if not node.parents else "inner"


def _value_label(look: _Look, node: Value) -> str:
    fill, border = _STYLE[_kind(look, node)]
    outline = border
    row = _current_row(look)
    current = row is not None and node is row.node
    if current:
        fill, outline = _HIGHLIGHT_FILL, _HIGHLIGHT
    grad_text, grad_colour = _grad_text(look, node)
    quantity = "tangent" if look.tangents is not None else "grad"
    name = _esc(look.names[node])
    tag = ""
    if node in look.parameters:
        tag = '<font point-size="8" color="#8a5a00"> param</font>'
    # Cells carry their own border colour so that the table's outline can change
    # (root, current step) without changing the cells.
    cell = f'bgcolor="{fill}" color="{border}"'
    cells = (
        f"<td {cell}><b>{name}</b>{tag}</td>"
        f"<td {cell}>data {_esc(_fmt(look, node.data))}</td>"
        f'<td {cell}{_grad_width(look, node)}><font color="{grad_colour}">'
        f"{quantity} {_esc(grad_text)}</font></td>"
    )
    rows = [f"<tr>{cells}</tr>"]
    sigma = _sigma_text(look, node)
    if sigma:
        rows.append(
            f'<tr><td colspan="3" bgcolor="{_SIGMA_FILL}" color="{border}" align="left">'
            f'<font point-size="9">{_esc(sigma)}</font></td></tr>'
        )
    # Step frames give every box the same outline width (white when not current),
    # so that highlighting a node does not move the layout.
    if node is look.root or current:
        width = 2
    elif look.grads is not None:
        width, outline = 2, "white"
    else:
        width = 0
    return (
        f'<<table border="{width}" cellborder="1" cellspacing="0" cellpadding="4" '
        f'color="{outline}">{"".join(rows)}</table>>'
    )


def _current_row(look: _Look) -> LedgerRow | TangentRow | None:
    return look.current_tangent if look.tangents is not None else look.current


def _grad_width(look: _Look, node: Value) -> str:
    """In step frames, a minimum width for the grad cell that fits every frame's
    text, so that the layout does not jump from one step to the next."""
    if look.grads is None:
        return ""
    if look.tangents is not None:
        texts = [_fmt(look, r.after) for r in look.tangents if r.node is node]
        texts.append(look.grads.get(node, "?"))
    elif look.ledger is None:
        return ""
    else:
        texts = [_fmt(look, r.after) for r in look.ledger.contributions(node)]
    longest = max((len(t) for t in texts), default=1) + len(" + …")
    return f' width="{8 * (longest + 5)}"'


def _grad_text(look: _Look, node: Value) -> tuple[str, str]:
    if look.grads is not None:  # a step-through frame
        text = look.grads.get(node, "?")
        return text, (_GREY if text == "?" else _INK)
    if look.tangents is not None:
        tangent = look.tangents.tangent(node)
        return _fmt(look, tangent), (_GREY if tangent == 0.0 else _INK)
    grad = number_of(node.grad)
    text = _fmt(look, grad)
    return text, (_GREY if grad == 0.0 and look.ledger is not None else _INK)


def _sigma_text(look: _Look, node: Value) -> str:
    """``Σ 3.0 + (-0.4161) = 2.5839`` for a node used more than once (backward), or
    made from more than one operand (forward: there its tangent is the sum)."""
    if look.tangents is not None:
        return _tangent_sum_text(look, node)
    if look.uses[node] < 2:
        return ""
    if look.ledger is None:
        return f"Σ used {look.uses[node]}×: its grad is a sum"
    rows = look.ledger.contributions(node)
    if look.current is not None:
        rows = [r for r in rows if r.step <= look.current.step]
    if not rows:
        return f"Σ used {look.uses[node]}×: its grad will be a sum"
    parts = [_fmt(look, r.contribution) for r in rows]
    shown = " + ".join(f"({p})" if p.startswith("-") else p for p in parts)
    pending = look.uses[node] - len(rows)
    if pending:
        return f"Σ {shown} + …"
    text = f"Σ {shown} = {_fmt(look, rows[-1].after)}"
    if look.grads is None and rows[-1].after != number_of(node.grad):
        # A leaf that backward() reached several times holds the sum of the passes.
        text += " per pass"
    return text


def _tangent_sum_text(look: _Look, node: Value) -> str:
    """Forward mode: ``Σ 3.0 + (-0.4161) = 2.5839``, the tangent a node with two
    operands adds up (in a step frame, as far as the sweep has got)."""
    if len(node.parents) < 2 or look.tangents is None:
        return ""
    rows = [r for r in look.tangents if r.node is node]
    current = look.current_tangent
    if current is not None:
        rows = [r for r in rows if r.step <= current.step]
    if not rows:
        return ""
    parts = [_fmt(look, r.contribution) for r in rows]
    shown = " + ".join(f"({p})" if p.startswith("-") else p for p in parts)
    if len(rows) < len(node.parents):
        return f"Σ {shown} + …"
    return f"Σ {shown} = {_fmt(look, rows[-1].after)}"


def _edge_label(look: _Look, node: Value, index: int) -> str:
    parent = node.parents[index]
    formula = local_formula(node, index, look.names, look.precision)
    number = _fmt(look, number_of(node.local_grads[index]))
    child = as_operand(look.names[node])
    derivative = f"∂{child}/∂{as_operand(look.names[parent])} = "
    derivative += number if is_number(formula) else f"{formula} = {number}"
    lines = [f'<font color="#57606a">{_esc(derivative)}</font>']
    flow = _flow(look, node, index)
    if flow is not None:
        colour = _GREY if flow == "?" else _FLOW
        arrow = "tangent →" if look.tangents is not None else "grad ←"
        lines.append(f'<font color="{colour}">{arrow} {_esc(flow)}</font>')
    return "<" + "<br/>".join(lines) + ">"


def _flow(look: _Look, node: Value, index: int) -> str | None:
    """The gradient that flowed along this edge, from the ledger ("?" in a step
    frame before it has flowed); in forward mode the tangent that flowed forward."""
    if look.tangents is not None:
        forward_row = look.tangents.row_for(node, index)
        if forward_row is None:
            return None
        current = look.current_tangent
        if current is not None and forward_row.step > current.step:
            return "?"
        return _fmt(look, forward_row.contribution)
    if look.ledger is None:
        return None
    row = look.ledger.row_for(node, index)
    if row is None:
        return None
    if look.current is not None and row.step > look.current.step:
        return "?"
    return _fmt(look, row.contribution)


def _dot(look: _Look, visible: set[Value]) -> str:
    number = look.number
    lines = [
        "digraph autograd {",
        f'  graph [rankdir={look.rankdir}, fontname="{_FONT}", fontsize=12, bgcolor="white", '
        "nodesep=0.25, ranksep=0.4, pad=0.2];",
        f'  node [fontname="{_FONT}", fontsize=11, color="#8c959f", fontcolor="{_INK}"];',
        f'  edge [fontname="{_FONT}", fontsize=9, color="#6e7781", arrowsize=0.7];',
    ]
    if look.caption:
        lines.append(f"  labelloc=t; label={_quote(look.caption)};")
    current_edge = None
    row = _current_row(look)
    if row is not None:
        current_edge = (row.node, row.index)
    boxes: list[list[str]] = [[] for _ in look.cluster_titles]  # node lines per cluster
    for node in look.order:
        if node not in visible:
            continue
        k = number[node]
        cluster = look.clusters.get(node)
        where = lines if cluster is None else boxes[cluster]
        where.append(f"  v{k} [shape=plain, label={_value_label(look, node)}];")
        if node.parents:
            active = row is not None and node is row.node
            style = (
                f', color="{_HIGHLIGHT}", penwidth=2, fillcolor="{_HIGHLIGHT_FILL}"'
                if active
                else ', fillcolor="#f6f8fa"'
            )
            symbol = OPS[node.op].symbol
            where.append(
                f"  v{k}op [shape=circle, style=filled, width=0.45, fixedsize=true, "
                f"fontsize={12 if len(symbol) < 3 else 9}, label={_quote(symbol)}{style}];"
            )
            lines.append(f"  v{k}op -> v{k};")
            hidden = 0
            for index, parent in enumerate(node.parents):
                if parent not in visible:
                    hidden += 1
                    continue
                attrs = f"label={_edge_label(look, node, index)}"
                if current_edge == (node, index) or (node, index) in look.marked:
                    attrs += f', color="{_HIGHLIGHT}", penwidth=2.5'
                lines.append(f"  v{number[parent]} -> v{k}op [{attrs}];")
            if hidden:
                lines.append(
                    f'  v{k}in [shape=plaintext, fontcolor="{_GREY}", '
                    f'label="{hidden} more input{"s" if hidden > 1 else ""} …"];'
                )
                lines.append(f'  v{k}in -> v{k}op [style=dashed, color="{_GREY}"];')
    for index, (title, members) in enumerate(zip(look.cluster_titles, boxes)):
        lines.append(
            f"  subgraph cluster_{index} {{ label={_quote(title)}; labeljust=l; style=dashed; "
            f'color="{_GREY}"; fontcolor="{_GREY}";'
        )
        lines += ["  " + line for line in members]
        lines.append("  }")
    lines += _cluster_sequence(look, visible)
    lines += _stubs_for_hidden_consumers(look, visible)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _cluster_sequence(look: _Look, visible: set[Value]) -> list[str]:
    """Invisible edges that lay ``draw(clusters=...)``'s groups out one after another.

    Each group's leaves (e.g. a time step's input) are placed after the last node
    of the group before, so the boxes follow each other along ``rankdir`` instead
    of standing side by side.
    """
    last: dict[int, Value] = {}
    for node in look.order:
        if node in visible and node in look.clusters:
            last[look.clusters[node]] = node
    lines = []
    for node in look.order:
        group = look.clusters.get(node)
        if node in visible and group and not node.parents and group - 1 in last:
            before = look.number[last[group - 1]]
            lines.append(f"  v{before} -> v{look.number[node]} [style=invis];")
    return lines


def _stubs_for_hidden_consumers(look: _Look, visible: set[Value]) -> list[str]:
    """A dashed ``… used by n more`` stub for visible nodes whose users are hidden."""
    hidden_users: Counter[Value] = Counter()
    for node in look.order:
        if node not in visible:
            for parent in node.parents:
                if parent in visible:
                    hidden_users[parent] += 1
    lines = []
    for node in look.order:
        count = hidden_users[node]
        if count:
            k = look.number[node]
            lines.append(
                f'  v{k}out [shape=plaintext, fontcolor="{_GREY}", label="used by {count} more …"];'
            )
            lines.append(f'  v{k} -> v{k}out [style=dashed, color="{_GREY}"];')
    return lines


def _neighbourhood(center: Value, order: list[Value], radius: int) -> set[Value]:
    """Nodes within ``radius`` edges of ``center``, following edges either way."""
    users: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            users[parent].append(node)
    seen = {center}
    frontier = [center]
    for _ in range(radius):
        step = []
        for node in frontier:
            for other in (*node.parents, *users[node]):
                if other not in seen:
                    seen.add(other)
                    step.append(other)
        frontier = step
    return seen


def _check_common(root: Value, rankdir: str, precision: int) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw() needs a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir={rankdir!r}: use 'LR' (left to right) or 'TB' (top to bottom)")
    if not is_whole(precision) or precision < 1:
        raise ValueError(f"precision={precision!r}: use a whole number of digits >= 1")


def _check_max_nodes(max_nodes: Any) -> None:
    if max_nodes is not None and (not is_whole(max_nodes) or max_nodes < 1):
        raise ValueError(f"max_nodes={max_nodes!r}: use a whole number >= 1, or None for no limit")


def _count_up_to(root: Value, limit: float) -> int:
    """The number of nodes in ``root``'s graph, counting no further than ``limit + 1``:
    enough to refuse a graph too big to draw without walking all of it."""
    seen = {root}
    stack = [root]
    while stack and len(seen) <= limit:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return len(seen)


def _refuse_past(root: Value, max_nodes: int | None, where: str) -> None:
    """A ValueError naming the size, the limit and the ways past it, when ``root``'s
    graph has more than ``max_nodes`` nodes."""
    if max_nodes is None or _count_up_to(root, max_nodes) <= max_nodes:
        return
    total = _count_up_to(root, math.inf)  # for the message: one pass, no drawing
    if where == "draw":
        ways = (
            "Draw part of it with draw(root, around=node, radius=2), collapse a network to "
            "one box per neuron with draw(root, collapse=model) or draw_network(model), look "
            "at summary(root), or pass max_nodes=None (or a larger number) to draw it anyway"
        )
    else:
        ways = (
            "step through a smaller expression, or pass max_nodes=None (or a larger number) "
            "to draw it anyway"
        )
    raise ValueError(
        f"{where}: the graph has {total:,} nodes, more than max_nodes={max_nodes:,}: a drawing "
        f"that large is unreadable, and Graphviz can take minutes to lay it out. {ways}."
    )


def _parameter_set(parameters: Iterable[Value] | None) -> set[Value]:
    if parameters is None:
        return set()
    result = set()
    for item in parameters:
        if not isinstance(item, Value):
            raise TypeError(
                f"parameters= must hold Values (e.g. model.parameters()), got {type(item).__name__}"
            )
        result.add(item)
    return result


def _ledger_for_drawing(root: Value, flow: bool, precision: int) -> Ledger | None:
    """The ledger of the pass backward() ran, if it ran (the root has a gradient)."""
    gradient = number_of(root.grad)
    if not flow or not root.parents or gradient == 0.0:
        return None
    return explain(root, gradient, nonfinite="warn", precision=precision)


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    precision: int = 4,
    flow: bool = True,
    parameters: Iterable[Value] | None = None,
    around: Value | None = None,
    radius: int = 2,
    collapse: Any = None,
    max_nodes: int | None = MAX_NODES,
    title: str = "",
    clusters: Mapping[str, Iterable[Value]] | None = None,
    label_parameters: bool = False,
    highlight: Iterable[tuple[Value, Value]] = (),
    tangents: Mapping[Value, float] | None = None,
    nodes: Iterable[Value] | None = None,
) -> Graph:
    """Draw the computation graph behind ``root``.

    Each Value is a box (name, data, grad), each op a circle with its symbol, and
    each edge carries the local derivative, ``∂/∂x = y = 3.0``. After
    ``backward()`` edges also show the gradient that flowed along them
    (``grad ← 3.0``) and a node used more than once gets a Σ row with the
    contributions that summed into its gradient. Leaves are blue, parameters
    amber, the root green with a thick border, and zero gradients grey.

    Args:
        root: the output.
        rankdir: ``"LR"`` (left to right, default) or ``"TB"`` (top to bottom).
        precision: decimals shown (more for small numbers).
        flow: show gradient flows and Σ sums once ``backward()`` has run.
        parameters: Values to mark as parameters (e.g. ``model.parameters()``).
        around, radius: draw only the nodes within ``radius`` edges of
            ``around`` (for big graphs); cut edges end in dashed stubs.
        collapse: a model with ``.layers[i].neurons[j].w/.b`` to draw one box per
            neuron with its weights' data and gradients instead of every op.
        max_nodes: refuse graphs with more Value nodes than this (the default is
            ``viz.MAX_NODES``); a huge drawing is unreadable and Graphviz can take
            minutes to lay it out. ``None``: no limit. Without ``around``, the
            count stops at the limit, so refusing a huge graph costs little.
        title: a caption above the drawing.
        clusters: ``{title: nodes}``: draw each group of nodes (with their op
            circles) in a dashed, titled box, e.g. the nodes of one time step of
            an unrolled recurrent network, so that a long graph reads as a
            sequence of repeated blocks. A node may be in one group only.
        label_parameters: with ``collapse``, name each weight and bias by its
            own ``label`` (e.g. a worked example's ``w5``) instead of by its
            place in its neuron (``w1``, ``w2``, ``b``).
        highlight: edges ``(parent, node)`` to draw thick in the highlight
            colour, e.g. the edges whose gradients a grader found wrong; every
            edge from ``parent`` into ``node`` is marked.
        tangents: ``{leaf: tangent}`` seeds of a forward-mode sweep
            (``forward.push_tangents``): each box then shows its node's tangent
            instead of its gradient, each edge the tangent that flowed forward
            along it (``tangent → 3.0``), and a node made from two operands the Σ
            of their shares. Nothing changes any ``.grad``.
        nodes: draw only these nodes of the graph (with their op circles), e.g.
            the nodes on the paths from a weight to the loss; an input not drawn
            ends in a dashed ``n more inputs …`` stub, a user not drawn in a
            ``used by n more …`` one. Not with ``around``.

    Raises:
        ValueError: the graph is bigger than ``max_nodes`` (the message says how
            to draw part of it), or an argument is invalid.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> g = draw(x * y)
        >>> "∂(x * y)/∂x = y = 3.0" in g.source
        True
        >>> g.save("/tmp/xy.dot")
        '/tmp/xy.dot'
    """
    _check_common(root, rankdir, precision)
    _check_max_nodes(max_nodes)
    if collapse is not None:
        return _draw_neurons(root, collapse, rankdir, precision, title, label_parameters)
    if around is None and nodes is None:
        _refuse_past(root, max_nodes, "draw")  # before walking the whole graph
    order = topological_order(root)
    cluster_of, cluster_titles = _cluster_index(clusters, set(order))
    if nodes is not None:
        if around is not None:
            raise ValueError("draw: give nodes= or around=, not both")
        visible = _chosen_nodes(nodes, set(order), max_nodes)
    elif around is not None:
        if not isinstance(around, Value):
            raise TypeError(f"around= must be a Value in the graph, got {type(around).__name__}")
        if around not in set(order):
            raise ValueError("around= must be a node of root's graph")
        if not is_whole(radius) or radius < 0:
            raise ValueError(f"radius={radius!r}: use a whole number of edges >= 0")
        visible = _neighbourhood(around, order, radius)
        if max_nodes is not None and len(visible) > max_nodes:
            raise ValueError(
                f"draw: this neighbourhood has {len(visible):,} nodes, more than "
                f"max_nodes={max_nodes:,}, which would be an unreadable drawing. Use a smaller "
                f"radius= (now {radius}), or pass max_nodes=None to draw it anyway."
            )
    else:
        visible = set(order)
    names = node_names(root, precision)
    look = _Look(
        root,
        order,
        names,
        precision,
        rankdir,
        _parameter_set(parameters),
        None if tangents is not None else _ledger_for_drawing(root, flow, precision),
        caption=title,
        clusters=cluster_of,
        cluster_titles=cluster_titles,
        marked=_marked_edges(highlight, set(order)),
        tangents=None if tangents is None else forward_ledger(root, tangents, precision),
    )
    return Graph(_dot(look, visible), title)


def _chosen_nodes(nodes: Any, in_graph: set[Value], max_nodes: int | None) -> set[Value]:
    """``draw(nodes=...)`` checked: Values of root's graph, within ``max_nodes``."""
    if isinstance(nodes, Value) or not isinstance(nodes, Iterable):
        raise TypeError(f"nodes= takes an iterable of Values, got {type(nodes).__name__}")
    chosen = set()
    for node in nodes:
        if not isinstance(node, Value):
            raise TypeError(f"nodes= takes Values, got {type(node).__name__}")
        if node not in in_graph:
            raise ValueError(f"nodes=: {node!r} is not a node of root's graph")
        chosen.add(node)
    if max_nodes is not None and len(chosen) > max_nodes:
        raise ValueError(
            f"draw: nodes= holds {len(chosen):,} nodes, more than max_nodes={max_nodes:,}, "
            "which would be an unreadable drawing; pass max_nodes=None to draw it anyway"
        )
    return chosen


def _marked_edges(
    highlight: Iterable[tuple[Value, Value]], in_graph: set[Value]
) -> frozenset[tuple[Value, int]]:
    """``draw(highlight=...)`` checked: each (parent, node) pair as (node, index) edges."""
    marked: set[tuple[Value, int]] = set()
    for pair in highlight:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"highlight= takes (parent, node) pairs of Values, got {pair!r}")
        parent, node = pair
        if node not in in_graph or parent not in node.parents:
            raise ValueError(
                f"highlight=: {parent!r} -> {node!r} is not an edge of root's graph "
                "(pairs are (parent, node), node made from parent)"
            )
        marked.update((node, i) for i, p in enumerate(node.parents) if p is parent)
    return frozenset(marked)


def _cluster_index(
    clusters: Mapping[str, Iterable[Value]] | None, in_graph: set[Value]
) -> tuple[dict[Value, int], list[str]]:
    """``draw(clusters=...)`` checked: each node's group number, and the titles."""
    if clusters is None:
        return {}, []
    if not isinstance(clusters, Mapping):
        raise TypeError(
            f"clusters= must be a mapping {{title: nodes}}, got {type(clusters).__name__}"
        )
    index: dict[Value, int] = {}
    titles = []
    for number, (title, nodes) in enumerate(clusters.items()):
        titles.append(str(title))
        for node in nodes:
            if not isinstance(node, Value) or node not in in_graph:
                raise ValueError(
                    f"clusters[{title!r}] holds {node!r}, which is not a node of root's graph"
                )
            if node in index:
                raise ValueError(
                    f"clusters: {node!r} is in both {titles[index[node]]!r} and {title!r}; "
                    "put each node in one group"
                )
            index[node] = number
    return index, titles
