"""Drawings of a computation graph and of a network, as Graphviz DOT.

``draw(root)`` shows every Value as a box with its name, ``data`` and ``grad``,
every op as a circle with its symbol, and every edge with its local derivative
(formula from the op table, and number) and, after ``backward()``, the
gradient that flowed along it. A node used more than once carries a Σ row
listing the contributions that summed into its gradient. ``draw_network(mlp)``
shows the neuron-level picture: neurons as circles, weights as edges.
``steps(root)`` and ``step_through(root)`` draw the backward pass one ledger
row at a time.

The DOT text is built here as plain text, numbered by topological order (never
``id()``), so the same graph always gives the same text: ``Graph.source`` can be
snapshot-tested and ``Graph.save("g.dot")`` needs nothing installed. Rendering
to SVG/PNG/PDF uses the ``graphviz`` package (the ``viz`` extra) and Graphviz's
``dot`` program, both looked up only when a picture is asked for.
"""

from __future__ import annotations

import html
import importlib.util
import itertools
import math
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from autograd_lite._helpers import is_real, is_whole, number_of, write_atomically
from autograd_lite.autodiff import topological_order
from autograd_lite.ledger import Ledger, LedgerRow, explain
from autograd_lite.nn import Pointwise
from autograd_lite.notation import (
    as_operand,
    format_number,
    is_number,
    local_formula,
    node_names,
)
from autograd_lite.ops import OPS
from autograd_lite.value import Value

__all__ = [
    "MAX_NODES",
    "MAX_WEIGHTS",
    "Graph",
    "StepThrough",
    "draw",
    "draw_network",
    "step_through",
    "steps",
]

#: ``draw`` and ``steps`` refuse graphs with more Value nodes than this unless told
#: otherwise (``max_nodes=...``, or ``None`` for no limit): past it a drawing is
#: unreadable, and Graphviz's layout can take minutes.
MAX_NODES = 250

#: ``draw_network`` refuses networks with more weights than this unless told otherwise
#: (``max_weights=...``, or ``None``): each weight is an edge of the picture.
MAX_WEIGHTS = 2_000

# What rendering needs, and how to install it.
_DOT_PROGRAM = ("Graphviz's dot program", "`apt-get install graphviz` or `brew install graphviz`")
_PACKAGE = ("the graphviz Python package", '`pip install "autograd-lite[viz]"`')


def _missing_for_rendering(package_failed: bool = False) -> list[tuple[str, str]]:
    """What rendering a picture needs and is not installed: the graphviz Python
    package (the ``viz`` extra), Graphviz's ``dot`` program, both, or nothing.

    Both are looked up, so that a message names only what is really missing (with
    ``dot`` installed and the package not, the fix is the extra, not apt-get).
    ``package_failed``: importing the package has just failed, whatever
    ``find_spec`` says.
    """
    missing = []
    try:
        package = importlib.util.find_spec("graphviz") is not None
    except (ImportError, ValueError):  # a broken or blocked entry in sys.modules
        package = False
    if package_failed or not package:
        missing.append(_PACKAGE)
    if shutil.which("dot") is None:
        missing.append(_DOT_PROGRAM)
    return missing


def _install_hint(missing: Sequence[tuple[str, str]]) -> str:
    """``Graphviz's dot program is not installed (apt-get install graphviz ...)``:
    what is missing and the command that installs each part."""
    what = " and ".join(name for name, _ in missing)
    how = "; ".join(command for _, command in missing)
    return f"{what} {'is' if len(missing) == 1 else 'are'} not installed ({how})"


_FONT = "DejaVu Sans"
# Soft fills with a darker border of the same hue, one per kind of node.
_STYLE = {
    "leaf": ("#e8f1fc", "#4f7fc0"),
    "parameter": ("#fff3d6", "#c98a12"),
    "root": ("#e4f5e1", "#3b8a3e"),
    "inner": ("#ffffff", "#8c959f"),
}
_GREY = "#9aa1a9"
_INK = "#24292f"
_FLOW = "#b3261e"
_SIGMA_FILL = "#fff1bf"
_HIGHLIGHT = "#e36209"
_HIGHLIGHT_FILL = "#fff8c5"


def _esc(text: str) -> str:
    """Escape text for a Graphviz HTML-like label."""
    return html.escape(text, quote=True)


def _quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Graph:
    """A drawing: DOT text plus ways to show and save it.

    Attributes:
        source: the DOT text (deterministic for a given graph).
        caption: a one-line description (step-through drawings use it).

    Jupyter shows it as SVG; if Graphviz's ``dot`` program (or the ``graphviz``
    package) is missing it shows the DOT text and a one-line install hint
    instead of a traceback.
    """

    def __init__(self, source: str, caption: str = "") -> None:
        self.source = source
        self.caption = caption

    def pipe(self, format: str = "svg", dpi: int | None = None) -> bytes:
        """Render with Graphviz's ``dot`` and return the bytes (``svg``, ``png``, ``pdf``).

        Raises:
            ImportError: the ``graphviz`` package is missing (``pip install
                "autograd-lite[viz]"``); the message also says whether ``dot`` is.
            RuntimeError: the ``dot`` program is missing (the message says how to
                install it).
        """
        try:
            import graphviz  # type: ignore[import-untyped]
        except ImportError:
            missing = _missing_for_rendering(package_failed=True)
            raise ImportError(
                f"cannot render {format.upper()}: {_install_hint(missing)}; saving to .dot "
                "works without Graphviz"
            ) from None
        source = self.source
        if dpi is not None:
            # A graph attribute right after the opening line; it applies to PNG output.
            head, rest = source.split("\n", 1)
            source = f"{head}\n  graph [dpi={int(dpi)}];\n{rest}"
        try:
            data: bytes = graphviz.Source(source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(
                f"cannot render {format.upper()}: {_install_hint([_DOT_PROGRAM])}: it is "
                "not on PATH (the graphviz Python package is installed); saving to .dot works "
                "without Graphviz"
            ) from None
        return data

    def save(self, path: str | os.PathLike[str], dpi: int | None = None) -> str:
        """Write the drawing to ``path``; the suffix chooses the format.

        ``.dot``/``.gv`` write the DOT text and always work; ``.svg``, ``.png`` and
        ``.pdf`` need Graphviz. ``dpi`` sets the PNG resolution (96 by default).
        The picture is rendered in memory first and then written whole (a
        temporary file, then a rename), so a failure leaves a file already at
        ``path`` as it was. Returns the path written.
        """
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        if suffix in ("dot", "gv"):
            write_atomically(path, self.source)
            return path
        if suffix not in ("svg", "png", "pdf"):
            raise ValueError(f"cannot save {path!r}: use a .dot, .gv, .svg, .png or .pdf file name")
        write_atomically(path, self.pipe(suffix, dpi=dpi))
        return path

    def _svg_or_reason(self) -> tuple[str | None, str]:
        try:
            return self.pipe("svg").decode("utf-8"), ""
        except ImportError:
            missing = _missing_for_rendering(package_failed=True)
        except RuntimeError:
            missing = _missing_for_rendering() or [_DOT_PROGRAM]
        hint = _install_hint(missing)
        return None, f"{hint[0].upper()}{hint[1:]}, so this is the DOT text."

    def _repr_svg_(self) -> str | None:
        return self._svg_or_reason()[0]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg, reason = self._svg_or_reason()
        if svg is not None:
            return {"image/svg+xml": svg, "text/plain": repr(self)}
        return {
            "text/html": f"<p><i>{_esc(reason)}</i></p><pre>{_esc(self.source)}</pre>",
            "text/plain": f"{reason}\n{self.source}",
        }

    def _html_picture(self) -> str:
        """Inline SVG, or the DOT text with the install hint (for step-through)."""
        svg, reason = self._svg_or_reason()
        if svg is not None:
            return svg[svg.index("<svg") :]
        return f"<p><i>{_esc(reason)}</i></p><pre>{_esc(self.source)}</pre>"

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<Graph: {lines} lines of DOT{': ' + self.caption if self.caption else ''}>"


# -- the value graph --------------------------------------------------------------------


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
    current = look.current is not None and node is look.current.node
    if current:
        fill, outline = _HIGHLIGHT_FILL, _HIGHLIGHT
    grad_text, grad_colour = _grad_text(look, node)
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
        f"grad {_esc(grad_text)}</font></td>"
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


def _grad_width(look: _Look, node: Value) -> str:
    """In step frames, a minimum width for the grad cell that fits every frame's
    text, so that the layout does not jump from one step to the next."""
    if look.grads is None or look.ledger is None:
        return ""
    texts = [_fmt(look, r.after) for r in look.ledger.contributions(node)]
    longest = max((len(t) for t in texts), default=1) + len(" + …")
    return f' width="{8 * (longest + 5)}"'


def _grad_text(look: _Look, node: Value) -> tuple[str, str]:
    if look.grads is not None:  # a step-through frame
        text = look.grads.get(node, "?")
        return text, (_GREY if text == "?" else _INK)
    grad = number_of(node.grad)
    text = _fmt(look, grad)
    return text, (_GREY if grad == 0.0 and look.ledger is not None else _INK)


def _sigma_text(look: _Look, node: Value) -> str:
    """``Σ 3.0 + (-0.4161) = 2.5839`` for a node used more than once."""
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
        lines.append(f'<font color="{colour}">grad ← {_esc(flow)}</font>')
    return "<" + "<br/>".join(lines) + ">"


def _flow(look: _Look, node: Value, index: int) -> str | None:
    """The gradient that flowed along this edge, from the ledger ("?" in a step
    frame before it has flowed)."""
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
    if look.current is not None:
        current_edge = (look.current.node, look.current.index)
    boxes: list[list[str]] = [[] for _ in look.cluster_titles]  # node lines per cluster
    for node in look.order:
        if node not in visible:
            continue
        k = number[node]
        cluster = look.clusters.get(node)
        where = lines if cluster is None else boxes[cluster]
        where.append(f"  v{k} [shape=plain, label={_value_label(look, node)}];")
        if node.parents:
            active = look.current is not None and node is look.current.node
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
    if around is None:
        _refuse_past(root, max_nodes, "draw")  # before walking the whole graph
    order = topological_order(root)
    cluster_of, cluster_titles = _cluster_index(clusters, set(order))
    if around is not None:
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
        _ledger_for_drawing(root, flow, precision),
        caption=title,
        clusters=cluster_of,
        cluster_titles=cluster_titles,
        marked=_marked_edges(highlight, set(order)),
    )
    return Graph(_dot(look, visible), title)


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


# -- step-through: one drawing per ledger row ---------------------------------------


def steps(root: Value, *, caption_in_picture: bool = True, **draw_options: Any) -> Iterator[Graph]:
    """One drawing per ledger step: the node being processed highlighted, the
    edge being followed in bold, gradients not yet known shown as ``?``.

    A gradient that has received some but not all of its contributions is shown
    as the running sum followed by ``+ …``. Each drawing's ``caption`` says what
    the step does; it is also drawn above the picture unless
    ``caption_in_picture=False`` (for a page that shows the caption itself, as
    ``step_through`` and the playground do, so it is not shown twice). Other
    keyword arguments go to ``viz.draw`` (``rankdir``, ``precision``,
    ``parameters``, ``max_nodes``: a graph with more nodes than ``viz.MAX_NODES``
    is refused before anything is computed, and ``max_nodes=None`` lifts the
    limit). The graph's gradients are not changed.

    Example:
        >>> x = Value(3.0, label="x")
        >>> [g.caption for g in steps(x * x)]  # doctest: +NORMALIZE_WHITESPACE
        ['step 1/2: (x * x) passes 1.0 × ∂(x * x)/∂x (x = 3.0) = 3.0 to x; x.grad: 0.0 → 3.0',
         'step 2/2: (x * x) passes 1.0 × ∂(x * x)/∂x (x = 3.0) = 3.0 to x;
          x.grad: 3.0 → 3.0 + 3.0 = 6.0']
    """
    _check_step_options(draw_options)
    max_nodes = draw_options.get("max_nodes", MAX_NODES)
    _check_max_nodes(max_nodes)
    _refuse_past(root, max_nodes, "steps")  # before the ledger, which walks all of it
    precision = int(draw_options.get("precision", 4))
    ledger = explain(root, precision=precision)
    total = len(ledger)
    pending: Counter[Value] = Counter(row.parent for row in ledger)
    shown: dict[Value, str] = {root: format_number(ledger.gradient, precision)}
    for row in ledger:
        pending[row.parent] -= 1
        after = format_number(row.after, precision)
        shown[row.parent] = after if pending[row.parent] == 0 else f"{after} + …"
        caption = f"step {row.step}/{total}: {row.sentence(precision)}"
        yield _draw_step(root, ledger, row, dict(shown), caption, caption_in_picture, draw_options)


class StepThrough:
    """Self-contained HTML with previous/next buttons over the drawings of ``steps``.

    Pure HTML and CSS (radio buttons), no JavaScript: it works in a trusted or
    untrusted notebook and in a static HTML export. Each frame shows the drawing
    (SVG, or the DOT text when the ``dot`` program is missing) and the ledger
    row it illustrates.
    """

    _counter = itertools.count(1)

    def __init__(self, frames: list[tuple[str, str]], title: str) -> None:
        #: (caption, picture as HTML) per step
        self.frames = frames
        self.title = title
        self._uid = f"agl-steps-{next(StepThrough._counter)}"

    def to_html(self) -> str:
        """The whole widget as one HTML fragment."""
        uid, n = self._uid, len(self.frames)
        css = [
            f"#{uid} input{{display:none}}",
            f"#{uid} .frame{{display:none}}",
            f"#{uid} label.btn{{display:inline-block;padding:2px 10px;margin-right:4px;"
            "border:1px solid #8c959f;border-radius:4px;background:#f6f8fa;cursor:pointer;"
            "font:13px sans-serif;user-select:none}",
            f"#{uid} label.off{{opacity:.35;pointer-events:none}}",
            f"#{uid} .cap{{font:13px sans-serif;margin:6px 0}}",
            # A wide graph shrinks to the page instead of running off its right edge.
            f"#{uid} svg{{max-width:100%;height:auto}}",
        ]
        css += [f"#{uid}-{k}:checked ~ .f{k}{{display:block}}" for k in range(n)]
        parts = [f'<div id="{uid}"><style>{"".join(css)}</style>']
        parts.append(f'<div class="cap"><b>{html.escape(self.title)}</b></div>')
        for k in range(n):
            checked = " checked" if k == 0 else ""
            parts.append(f'<input type="radio" name="{uid}" id="{uid}-{k}"{checked}>')
        for k, (caption, picture) in enumerate(self.frames):
            prev_cls = "btn off" if k == 0 else "btn"
            next_cls = "btn off" if k == n - 1 else "btn"
            parts.append(
                f'<div class="frame f{k}">'
                f'<label class="{prev_cls}" for="{uid}-{max(k - 1, 0)}">◀ previous</label>'
                f'<label class="{next_cls}" for="{uid}-{min(k + 1, n - 1)}">next ▶</label>'
                f'<div class="cap">{html.escape(caption)}</div>{picture}</div>'
            )
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write a standalone HTML page, whole or not at all (a failed write leaves a
        file already at ``path`` as it was)."""
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head><body>{self.to_html()}</body></html>"
        )
        write_atomically(path, page)

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<StepThrough: {len(self.frames)} steps>"


def step_through(
    root: Value, *, widget: bool | None = None, **draw_options: Any
) -> StepThrough | Any:
    """Step through the backward pass in a notebook, one ledger row at a time.

    Args:
        root: the output to differentiate.
        widget: True for ipywidgets controls (needs the ``notebook`` extra), False
            for the self-contained HTML of ``StepThrough`` (which survives a static
            HTML export), None (default) for ipywidgets when installed.
        **draw_options: passed to ``viz.draw`` (``rankdir``, ``precision``...).

    Returns:
        An ipywidgets ``VBox``, or a ``StepThrough`` that Jupyter shows as HTML.
    """
    frames = [
        (g.caption, g._html_picture())
        for g in steps(root, caption_in_picture=False, **draw_options)
    ]
    title = f"backward pass from {node_names(root).get(root, 'root')}: {len(frames)} steps"
    if widget is None:
        try:
            import ipywidgets  # type: ignore[import-untyped]  # noqa: F401
        except ImportError:
            widget = False
        else:
            widget = True
    if not widget:
        return StepThrough(frames, title)
    return _step_widget(frames, title)


def _draw_step(
    root: Value,
    ledger: Ledger,
    row: LedgerRow,
    grads: dict[Value, str],
    caption: str,
    caption_in_picture: bool,
    options: dict[str, Any],
) -> Graph:
    """One step-through frame (see ``steps``, which checked the options and the size)."""
    rankdir = str(options.get("rankdir", "LR"))
    precision = int(options.get("precision", 4))
    _check_common(root, rankdir, precision)
    order = topological_order(root)
    look = _Look(
        root,
        order,
        ledger.names,
        precision,
        rankdir,
        _parameter_set(options.get("parameters")),
        ledger,
        grads=grads,
        current=row,
        caption=caption if caption_in_picture else "",
    )
    return Graph(_dot(look, set(order)), caption)


def _check_step_options(options: dict[str, Any]) -> None:
    allowed = {"rankdir", "precision", "parameters", "max_nodes"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"steps() got unexpected options {sorted(unknown)}; use {sorted(allowed)}")


def _step_widget(frames: list[tuple[str, str]], title: str) -> Any:
    """ipywidgets controls over step-through frames (see ``step_through``)."""
    try:
        import ipywidgets as widgets
    except ImportError:
        raise ImportError(
            'the step-through widget needs ipywidgets: pip install "autograd-lite[notebook]", '
            "or call step_through(root, widget=False) for plain HTML"
        ) from None
    position = {"k": 0}
    previous = widgets.Button(description="◀ previous", layout=widgets.Layout(width="110px"))
    following = widgets.Button(description="next ▶", layout=widgets.Layout(width="110px"))
    caption = widgets.HTML()
    picture = widgets.HTML()

    def show() -> None:
        k = position["k"]
        text, svg = frames[k]
        previous.disabled = k == 0
        following.disabled = k == len(frames) - 1
        caption.value = f"<b>{_esc(title)}</b><br/>{_esc(text)}"
        picture.value = svg

    def move(step: int) -> None:
        position["k"] = min(max(position["k"] + step, 0), len(frames) - 1)
        show()

    previous.on_click(lambda _: move(-1))
    following.on_click(lambda _: move(1))
    show()
    box = widgets.VBox([widgets.HBox([previous, following]), caption, picture])
    box.frames = frames  # for tests and for scripting the widget
    box.move = move
    return box


# -- networks ---------------------------------------------------------------------------


def _model_layers(model: Any) -> list[Any] | None:
    """``model.layers``, or for a composition without it (a ``Sequential``) its
    parts that have neurons, in order."""
    layers = getattr(model, "layers", None)
    if layers is None and callable(getattr(model, "modules", None)):
        layers = [m for m in model.modules() if getattr(m, "neurons", None)] or None
    return None if layers is None else list(layers)


def _layers(model: Any) -> list[list[Any]]:
    """The model's neurons, layer by layer, checked to have ``w`` and ``b``."""
    hint = (
        "expected a model with .layers, each with .neurons, each with .w (a list of "
        "Values) and .b (a Value), such as autograd_lite.nn.MLP"
    )
    layers = _model_layers(model)
    if layers is None:
        raise TypeError(f"{type(model).__name__} has no .layers: {hint}")
    result = []
    for i, layer in enumerate(layers):
        neurons = list(getattr(layer, "neurons", None) or [])
        if not neurons:
            raise TypeError(f"layer {i} has no .neurons: {hint}")
        for neuron in neurons:
            w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
            if not isinstance(b, Value) or not all(isinstance(v, Value) for v in w or [None]):
                raise TypeError(f"a neuron of layer {i} lacks .w/.b Values: {hint}")
        result.append(neurons)
    for i in range(1, len(result)):
        if any(len(n.w) != len(result[i - 1]) for n in result[i]):
            raise ValueError(
                f"layer {i}'s neurons do not take layer {i - 1}'s {len(result[i - 1])} outputs"
            )
    return result


def _activation(neuron: Any, layer: Any = None) -> str:
    """The neuron's activation as an op name ("relu", "tanh", ...) or "" for linear."""
    for owner in (neuron, layer):
        if owner is None:
            continue
        act = getattr(owner, "activation", None)
        if isinstance(act, str):
            return "" if act in ("linear", "identity", "none", "") else act
        if act is not None and not isinstance(act, str):
            name = getattr(act, "__name__", "")
            return "" if name in ("linear", "identity") else name
        nonlin = getattr(owner, "nonlin", None)
        if isinstance(nonlin, bool):  # micrograd: True means ReLU
            return "relu" if nonlin else ""
    return ""


def _applied_activations(model: Any, layers: list[list[Any]]) -> list[list[str]]:
    """The activation each neuron's output goes through, read from the model's
    composition: the neuron's own, or (when the neuron is linear) the activation
    module that follows its layer before the next layer, e.g. after a batch norm.
    So the picture shows what the network computes, however it is composed."""
    model_layers = _model_layers(model) or []
    applied = [
        [_activation(n, model_layers[i]) for n in neurons] for i, neurons in enumerate(layers)
    ]
    modules = getattr(model, "modules", None)
    if not callable(modules):
        return applied
    index = {id(layer): i for i, layer in enumerate(model_layers)}
    current = None
    for module in modules():
        if id(module) in index:
            current = index[id(module)]
        elif isinstance(module, Pointwise) and current is not None:
            applied[current] = [act or module.activation for act in applied[current]]
            current = None  # one activation per layer
    return applied


def _symbol(activation: str) -> str:
    if not activation:
        return "linear"
    return OPS[activation].symbol if activation in OPS else activation


def _dead_neurons(model: Any, inputs: Sequence[Sequence[float]]) -> set[tuple[int, int]]:
    """ReLU neurons whose output is 0 on every input: they pass no gradient."""
    from autograd_lite.autodiff import no_grad

    layers = _layers(model)
    model_layers = _model_layers(model) or []
    always_zero: dict[tuple[int, int], bool] = {}
    with no_grad():
        for sample in inputs:
            x: list[Any] = [Value(v) if not isinstance(v, Value) else v for v in sample]
            for i, layer in enumerate(model_layers):
                out = layer(x)
                outs = list(out) if isinstance(out, (list, tuple)) else [out]
                for j, value in enumerate(outs):
                    zero = float(value.data if isinstance(value, Value) else value) == 0.0
                    always_zero[(i, j)] = always_zero.get((i, j), True) and zero
                x = outs
    return {
        key
        for key, zero in always_zero.items()
        if zero and _activation(layers[key[0]][key[1]], model_layers[key[0]]) == "relu"
    }


def _samples(inputs: Any, n_inputs: int) -> list[list[Any]]:
    """``draw_network(inputs=...)`` as a list of samples of ``n_inputs`` numbers each.

    A flat list of ``n_inputs`` numbers is one sample (``inputs=[0.5, -0.3]`` for a
    two-input network: what a user writing it means); for a one-input network a
    flat list is one number per sample. Anything else gets a message saying what
    ``inputs`` must be.
    """
    shape = (
        f"inputs= must be a list of samples, each a list of {n_inputs} numbers (one per "
        f"input), e.g. inputs=[[{', '.join(['0.5'] * n_inputs)}]]"
    )

    def is_number(v: Any) -> bool:
        return isinstance(v, Value) or is_real(v)

    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(f"{shape}; got {type(inputs).__name__}")
    listed = list(inputs)
    if listed and all(is_number(v) for v in listed):
        if len(listed) == n_inputs:
            return [listed]  # one sample
        if n_inputs == 1:
            return [[v] for v in listed]  # one number per sample
        raise ValueError(
            f"{shape}; got a flat list of {len(listed)} numbers, which is neither one sample "
            f"({n_inputs} numbers) nor a list of samples"
        )
    samples = []
    for k, sample in enumerate(listed):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Iterable):
            raise TypeError(f"{shape}; inputs[{k}] is {type(sample).__name__} ({sample!r})")
        numbers = list(sample)
        if len(numbers) != n_inputs or not all(is_number(v) for v in numbers):
            raise ValueError(f"{shape}; inputs[{k}] is {sample!r}")
        samples.append(numbers)
    return samples


def draw_network(
    model: Any,
    *,
    inputs: Sequence[Sequence[float]] | Sequence[float] | None = None,
    input_names: Sequence[str] | None = None,
    labels: bool | None = None,
    precision: int = 3,
    rankdir: str = "LR",
    title: str = "",
    max_weights: int | None = MAX_WEIGHTS,
) -> Graph:
    """The neuron-level picture of a multilayer perceptron.

    Neurons are circles showing their activation (σ, ReLU, tanh, id) and bias;
    weights are edges whose width grows with ``|w|`` and whose colour is the
    sign of ``w.grad`` (red: positive, so gradient descent will decrease w;
    blue: negative; grey: zero). With ``inputs`` (a list of samples), ReLU
    neurons that output 0 on every sample are marked dead (grey, dashed).

    Args:
        model: anything with ``.layers[i].neurons[j].w`` (list of Values) and
            ``.b`` (a Value), such as ``autograd_lite.nn.MLP``.
        inputs: samples to run through the model (layer by layer) to find dead
            ReLUs: a list of samples, each a list of one number per input (a
            single sample may be given as it is, ``inputs=[0.5, -0.3]``).
        input_names: names of the inputs (default ``x1, x2, ...``).
        labels: print ``w`` and its gradient on every edge; the default does so
            when there are at most 24 weights and no layer (the inputs included)
            is wider than 4, past which the labels of the edges fanning out of one
            node overlap. Every edge's tooltip shows them either way.
        precision: decimals in labels.
        rankdir: ``"LR"`` or ``"TB"``.
        title: a caption above the drawing.
        max_weights: refuse networks with more weights (edges) than this (the
            default is ``viz.MAX_WEIGHTS``); ``None``: no limit.

    Example:
        >>> from autograd_lite.nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> draw_network(model, inputs=[0.5, -0.3]).source.startswith("digraph network")
        True
    """
    layers = _layers(model)
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir={rankdir!r}: use 'LR' (left to right) or 'TB' (top to bottom)")
    n_inputs = len(layers[0][0].w)
    names = list(input_names) if input_names is not None else [f"x{i + 1}" for i in range(n_inputs)]
    if len(names) != n_inputs:
        raise ValueError(f"input_names has {len(names)} names for {n_inputs} inputs")
    n_weights = sum(len(n.w) for layer in layers for n in layer)
    if max_weights is not None and (not is_whole(max_weights) or max_weights < 1):
        raise ValueError(f"max_weights={max_weights!r}: use a whole number >= 1, or None")
    if max_weights is not None and n_weights > max_weights:
        raise ValueError(
            f"draw_network: the network has {n_weights:,} weights, more than "
            f"max_weights={max_weights:,}: one edge each would be an unreadable drawing, and "
            "Graphviz can take minutes to lay it out. Draw a smaller network, or pass "
            "max_weights=None (or a larger number) to draw it anyway."
        )
    dead = _dead_neurons(model, _samples(inputs, n_inputs)) if inputs is not None else set()
    if labels is None:
        widest = max(n_inputs, *(len(layer) for layer in layers))
        labels = n_weights <= 24 and widest <= 4
    biggest = max((abs(v.data) for layer in layers for n in layer for v in n.w), default=1.0)
    biggest = biggest or 1.0

    def fmt(number: float) -> str:
        return format_number(number, precision)

    ranksep = 3.0 if labels else 1.4
    lines = [
        "digraph network {",
        f'  graph [rankdir={rankdir}, fontname="{_FONT}", fontsize=11, bgcolor="white", '
        f"nodesep={0.6 if labels else 0.15}, ranksep={ranksep}, pad=0.25, "
        "splines=line];",
        f'  node [fontname="{_FONT}", fontsize=10, fontcolor="{_INK}"];',
        f'  edge [fontname="{_FONT}", fontsize=8, arrowhead=none];',
    ]
    lines.append("  subgraph inputs { rank=same;")
    fill, border = _STYLE["leaf"]
    for i, name in enumerate(names):
        lines.append(
            f'    i{i} [shape=circle, style=filled, fillcolor="{fill}", color="{border}", '
            f"width=0.6, fixedsize=true, label={_quote(name)}];"
        )
    lines.append("  }")
    last = len(layers) - 1
    applied = _applied_activations(model, layers)
    for li, layer in enumerate(layers):
        lines.append(f"  subgraph layer{li} {{ rank=same;")
        for ni, neuron in enumerate(layer):
            activation = applied[li][ni]
            fill, border = _STYLE["root"] if li == last else ("#ffffff", "#57606a")
            style = "filled"
            symbol = _esc(_symbol(activation))
            extra = ""
            if (li, ni) in dead:
                fill, border, style = "#e6e6e6", _GREY, "filled,dashed"
                symbol = "ReLU ✕"
                extra = '<br/><font point-size="7">dead</font>'
            label = (
                f'<{symbol}<br/><font point-size="7" color="#57606a">b {_esc(fmt(neuron.b.data))}'
                f"</font>{extra}>"
            )
            tooltip = (
                f"layer {li + 1} neuron {ni + 1}: b = {fmt(neuron.b.data)}, "
                f"∂L/∂b = {fmt(number_of(neuron.b.grad))}"
            )
            lines.append(
                f'    n{li}_{ni} [shape=circle, style="{style}", fillcolor="{fill}", '
                f'color="{border}", penwidth=1.4, width=0.75, fixedsize=true, '
                f"label={label}, tooltip={_quote(tooltip)}];"
            )
        lines.append("  }")
    for li, layer in enumerate(layers):
        sources = (
            [f"i{i}" for i in range(n_inputs)]
            if li == 0
            else [f"n{li - 1}_{k}" for k in range(len(layers[li - 1]))]
        )
        for ni, neuron in enumerate(layer):
            for wi, w in enumerate(neuron.w):
                grad = number_of(w.grad)
                colour = _FLOW if grad > 0 else ("#1f6feb" if grad < 0 else "#b8bec6")
                width = 0.6 + 4.4 * abs(w.data) / biggest
                attrs = f'color="{colour}", penwidth={width:.2f}'
                text = f"w {fmt(w.data)}, ∂L/∂w {fmt(grad)}"
                attrs += f", tooltip={_quote(text)}"
                if labels:
                    # On the edge itself, on a white ground, at a fraction of its
                    # length that is different for every edge leaving one node and
                    # for every edge reaching one neuron (a Latin square), so
                    # labels of edges that meet or cross do not pile up.
                    k = max(len(sources), len(layer))
                    along = ((wi - ni) % k + 0.5) / k * ranksep * 72 / 10
                    attrs += (
                        ', taillabel=<<table border="0" cellborder="0" cellpadding="1" '
                        f'bgcolor="white"><tr><td>w {_esc(fmt(w.data))}</td></tr><tr><td>'
                        f'<font color="{colour}">grad {_esc(fmt(grad))}</font></td></tr>'
                        f"</table>>, labeldistance={along:.2f}, labelangle=0"
                    )
                lines.append(f"  {sources[wi]} -> n{li}_{ni} [{attrs}];")
    lines.append(f"  labelloc={'t' if title else 'b'}; label={_network_legend(title, bool(dead))};")
    lines.append("}")
    return Graph("\n".join(lines) + "\n", title)


def _network_legend(title: str, dead: bool) -> str:
    """``draw_network``'s caption: the title (if any) above a one-line legend.

    NOTE: the items are separated by no-break spaces (``&#160;``), never by
    ordinary ones: Graphviz lays out ordinary spaces next to a tag unreliably
    (some versions drop them, which glued "grey: 0" to "dashed grey: dead
    ReLU"), and SVG viewers strip a text run's leading spaces.
    """
    items = [
        "edge width ∝ |w|",
        f'<font color="{_FLOW}">red: ∂L/∂w &gt; 0</font>',
        '<font color="#1f6feb">blue: ∂L/∂w &lt; 0</font>',
        '<font color="#8c959f">grey: 0</font>',
    ]
    if dead:
        items.append("dashed grey: dead ReLU")
    legend = '<font point-size="9">' + ("&#160;" * 4).join(items) + "</font>"
    return f"<<b>{_esc(title)}</b><br/>{legend}>" if title else f"<{legend}>"


def _draw_neurons(
    root: Value, model: Any, rankdir: str, precision: int, title: str, own_labels: bool = False
) -> Graph:
    """``draw(root, collapse=model)``: one box per neuron with its weights' grads."""
    layers = _layers(model)
    in_graph = set(topological_order(root))
    params = [v for layer in layers for n in layer for v in (*n.w, n.b)]
    if not any(v in in_graph for v in params):
        raise ValueError(
            "collapse=model: none of the model's parameters is in root's graph; "
            "pass the model whose output root was computed from"
        )

    def fmt(number: float) -> str:
        return format_number(number, precision)

    n_inputs = len(layers[0][0].w)
    lines = [
        "digraph neurons {",
        f'  graph [rankdir={rankdir}, fontname="{_FONT}", fontsize=11, bgcolor="white", '
        "nodesep=0.2, ranksep=0.6, pad=0.2];",
        f'  node [fontname="{_FONT}", fontsize=9, shape=plain, fontcolor="{_INK}"];',
        '  edge [color="#8c959f", arrowsize=0.6];',
    ]
    if title:
        lines.append(f"  labelloc=t; label={_quote(title)};")
    fill, border = _STYLE["leaf"]
    for i in range(n_inputs):
        lines.append(
            f'  i{i} [shape=circle, style=filled, fillcolor="{fill}", color="{border}", '
            f'label="x{i + 1}"];'
        )
    pfill, pborder = _STYLE["parameter"]
    applied = _applied_activations(model, layers)
    for li, layer in enumerate(layers):
        for ni, neuron in enumerate(layer):
            act = _esc(_symbol(applied[li][ni]))
            rows = [
                f'<tr><td colspan="3" bgcolor="{pfill}"><b>layer {li + 1} · neuron {ni + 1}'
                f"</b> ({act})</td></tr>",
                "<tr><td><i>param</i></td><td><i>data</i></td><td><i>grad</i></td></tr>",
            ]
            for wi, w in enumerate(neuron.w):
                colour = _GREY if number_of(w.grad) == 0.0 else _INK
                name = _esc(w.label) if own_labels and w.label else f"w{wi + 1}"
                rows.append(
                    f"<tr><td>{name}</td><td>{_esc(fmt(w.data))}</td>"
                    f'<td><font color="{colour}">{_esc(fmt(number_of(w.grad)))}</font></td></tr>'
                )
            colour = _GREY if number_of(neuron.b.grad) == 0.0 else _INK
            name = _esc(neuron.b.label) if own_labels and neuron.b.label else "b"
            rows.append(
                f"<tr><td>{name}</td><td>{_esc(fmt(neuron.b.data))}</td>"
                f'<td><font color="{colour}">{_esc(fmt(number_of(neuron.b.grad)))}</font></td></tr>'
            )
            lines.append(
                f'  n{li}_{ni} [label=<<table border="1" cellborder="0" cellspacing="0" '
                f'cellpadding="2" color="{pborder}">{"".join(rows)}</table>>];'
            )
            sources = (
                [f"i{k}" for k in range(n_inputs)]
                if li == 0
                else [f"n{li - 1}_{k}" for k in range(len(layers[li - 1]))]
            )
            for source in sources:
                lines.append(f"  {source} -> n{li}_{ni};")
    rfill, rborder = _STYLE["root"]
    name = _esc(root.label or "output")
    lines.append(
        f'  root [label=<<table border="2" cellborder="1" cellspacing="0" cellpadding="4" '
        f'color="{rborder}"><tr><td bgcolor="{rfill}"><b>{name}</b></td>'
        f'<td bgcolor="{rfill}">data {_esc(fmt(root.data))}</td></tr></table>>];'
    )
    for ni in range(len(layers[-1])):
        lines.append(f'  n{len(layers) - 1}_{ni} -> root [style=dashed, label=" … "];')
    lines.append("}")
    return Graph("\n".join(lines) + "\n", title)
