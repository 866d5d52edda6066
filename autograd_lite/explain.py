"""Explanations of a computation: the backward ledger, the forward table,
step-through, why a gradient is what it is, paths, summaries, and where a NaN
or inf came from.

The ledger is recorded by the backward pass itself: ``explain`` runs
``autodiff.backpropagate`` with a ``record`` callback, which is called right
after each ``parent.grad += upstream * local``. So a ledger row is what the
engine did, not a second computation that could disagree with it; the fast
path (``backward()`` without ``trace``) pays nothing for it.

Everything here reads the graph and leaves it as it was: ``explain(root)``
restores every ``.grad`` it touched. ``root.backward(trace=True)`` is the one
that changes gradients, exactly as ``backward()`` does, and returns the ledger.

Formulas and symbols come from the op table (``ops.OPS``); this module knows
no op's math.
"""

from __future__ import annotations

import html
import itertools
import linecache
import math
import os
import re
import sys
import weakref
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from autograd_lite import autodiff as _autodiff
from autograd_lite import value as _value
from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.value import Value

if TYPE_CHECKING:
    from autograd_lite.viz import Graph

__all__ = [
    "Anomaly",
    "ForwardRow",
    "ForwardTable",
    "Ledger",
    "LedgerRow",
    "NonFiniteError",
    "Path",
    "Paths",
    "StepThrough",
    "Summary",
    "Why",
    "created_at",
    "detect_anomaly",
    "explain",
    "format_number",
    "forward_table",
    "node_names",
    "paths",
    "step_through",
    "steps",
    "summary",
    "traced_backward",
    "tree",
    "why",
]


# -- numbers and names ----------------------------------------------------------------


def format_number(number: float, precision: int = 4) -> str:
    """A number as drawings and ledgers show it: ``precision`` decimals, more for
    small numbers so that ``precision`` significant digits survive.

    Whole numbers keep one decimal (``3.0``) so they still read as floats;
    trailing zeros are dropped otherwise.

    Example:
        >>> [format_number(v) for v in (3, 0.909297, -0.4161468, 0.0072129, 5.9e-06, 2e7)]
        ['3.0', '0.9093', '-0.4161', '0.007213', '5.9e-06', '2e+07']
    """
    if isinstance(precision, bool) or not isinstance(precision, int) or precision < 1:
        raise ValueError(f"precision={precision!r}: use a whole number of digits >= 1")
    number = float(number)
    if number == 0.0:
        return "0.0"
    if not math.isfinite(number):
        return str(number)
    magnitude = math.floor(math.log10(abs(number)))
    if magnitude >= 6 or magnitude < -4:
        return f"{number:.{precision}g}"
    decimals = precision if magnitude >= -1 else precision - 1 - magnitude
    text = f"{number:.{decimals}f}".rstrip("0")
    if text.endswith("."):
        text += "0"
    return "0.0" if text in ("-0.0", "0.0") else text


_LONG_NAME = 24


def node_names(root: Value, precision: int = 4) -> dict[Value, str]:
    """A stable name for every node of ``root``'s graph.

    A node's label if it has one; a constant leaf is named by its value; an
    unlabelled result is named by its expression (``x * y``) while that stays
    short, else ``v<k>`` with ``k`` its position in topological order. A repeated
    label or expression gets ``#k`` appended (equal constants share their name).
    Names never depend on ``id()``, so drawings and ledgers are the same on every
    run.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> sorted(node_names(x * y + x.sin()).values())
        ['(x * y) + sin(x)', 'sin(x)', 'x', 'x * y', 'y']
    """
    names: dict[Value, str] = {}
    taken: set[str] = set()
    for index, node in enumerate(topological_order(root)):
        if node.label:
            name = node.label
        elif not node.parents:
            names[node] = format_number(node.data, precision)
            continue
        else:
            name = _expression(node, names, precision)
            if len(name) > _LONG_NAME:
                name = f"v{index}"
        if name in taken:
            name = f"{name}#{index}"
        taken.add(name)
        names[node] = name
    return names


def _wrap(name: str) -> str:
    """Parenthesise a name that is itself an expression, for use as an operand.

    ``x * y``, ``(a) + (b)`` and ``-x`` are wrapped (``-x ** 2`` would read as
    ``-(x ** 2)``); ``x``, ``sin(x * y)`` and ``(a + b)`` are whole already.
    """
    if name.startswith("-") or (" " in name and not _enclosed(name)):
        return f"({name})"
    return name


def _enclosed(name: str) -> bool:
    """True if the last ``)`` closes a ``(`` that opens the name or a call at its start."""
    if not name.endswith(")"):
        return False
    depth = 0
    for i in range(len(name) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(name[i], 0)
        if depth == 0:
            head = name[:i]
            return head == "" or head.replace("_", "a").replace(".", "a").isalnum()
    return False


def _fill(text: str, pattern: re.Pattern[str], words: dict[str, str]) -> str:
    """Put names into a template or formula, parenthesised only where needed: not
    when the name stands alone or is already a function's argument (``sin(x)``)."""

    def put(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in words:
            return match.group(0)
        name = words[key]
        alone = match.start() == 0 and match.end() == len(text)
        argument = text[match.start() - 1 : match.start()] == "(" and (
            text[match.end() : match.end() + 1] == ")"
        )
        return name if alone or argument else _wrap(name)

    return pattern.sub(put, text)


_PLACEHOLDER = re.compile(r"\{(x|y|c)\}")
_VARIABLE = re.compile(r"\b(x|y|c|out)\b")


def _expression(node: Value, names: dict[Value, str], precision: int) -> str:
    """What ``node`` computes, written with its operands' names (``x * y``)."""
    words = dict(zip("xy", (names[p] for p in node.parents)))
    if node.attr is not None:
        words["c"] = format_number(node.attr, precision)
    return _fill(OPS[node.op].template, _PLACEHOLDER, words)


def local_formula(node: Value, index: int, names: dict[Value, str], precision: int = 4) -> str:
    """The op table's formula for d(node)/d(parent ``index``), in the graph's names.

    Example:
        >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
        >>> z = x * y
        >>> local_formula(z, 0, node_names(z)), local_formula(z, 1, node_names(z))
        ('y', 'x')
        >>> t = (x * y).tanh()
        >>> local_formula(t, 0, node_names(t))
        '1 - tanh(x * y)^2'
    """
    words = {"out": names.get(node, "out")}
    for letter, parent in zip("xy", node.parents):
        words[letter] = names.get(parent, letter)
    if node.attr is not None:
        words["c"] = format_number(node.attr, precision)
    return _fill(OPS[node.op].formulas[index], _VARIABLE, words)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# -- tables: one class renders text, Markdown, LaTeX and HTML -------------------------

_LATEX_SYMBOLS = {
    "∂": r"$\partial$",
    "→": r"$\to$",
    "×": r"$\times$",
    "÷": r"$\div$",
    "−": "-",
    "√": r"$\surd$",
    "σ": r"$\sigma$",
    "Σ": r"$\Sigma$",
    "…": r"\ldots{}",
    "↑": r"$\uparrow$",
}
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}


def _latex(text: str) -> str:
    out = []
    for char in text:
        if char in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[char])
        elif char in _LATEX_SYMBOLS:
            out.append(_LATEX_SYMBOLS[char])
        elif ord(char) < 128:
            out.append(char)
        else:
            out.append(f"\\symbol{{{ord(char)}}}")
    return "".join(out)


_TABLE_CSS = (
    "border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px"
)
_CELL_CSS = "border:1px solid #d0d7de;padding:2px 8px;text-align:{align};white-space:nowrap"


class _Table(ABC):
    """Rows of text cells that render as text, Markdown, LaTeX and HTML."""

    columns: tuple[str, ...] = ()
    #: "l" or "r" per column
    align: str = ""
    title: str = ""

    @abstractmethod
    def _cells(self) -> list[list[str]]:
        """The table's rows as text cells, one list per row."""

    def _highlighted(self) -> list[bool]:
        return [False] * len(self._cells())

    def to_text(self) -> str:
        """An aligned plain-text table, for terminals and doctests."""
        cells = self._cells()
        widths = [len(c) for c in self.columns]
        for row in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, row)]

        def line(row: Sequence[str]) -> str:
            parts = [
                c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, self.align)
            ]
            return "  ".join(parts).rstrip()

        return "\n".join([line(self.columns), *(line(row) for row in cells)])

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (names and formulas in backticks)."""

        def cell(text: str, column: int) -> str:
            text = text.replace("|", "\\|")
            return text if self.align[column] == "r" or not text else f"`{text}`"

        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join("---:" if a == "r" else "---" for a in self.align) + "|"
        body = [
            "| " + " | ".join(cell(c, i) for i, c in enumerate(row)) + " |" for row in self._cells()
        ]
        return "\n".join([head, rule, *body])

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` (plain ASCII; no packages needed) to paste into notes."""
        lines = [
            f"\\begin{{tabular}}{{{self.align}}}",
            "\\hline",
            " & ".join(_latex(c) for c in self.columns) + r" \\",
            "\\hline",
        ]
        lines += [" & ".join(_latex(c) for c in row) + r" \\" for row in self._cells()]
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML table (what Jupyter shows)."""
        parts = [f'<table style="{_TABLE_CSS}">']
        if self.title:
            parts.append(
                f'<caption style="text-align:left;font-weight:bold">{html.escape(self.title)}'
                "</caption>"
            )
        head = "".join(
            f'<th style="{_CELL_CSS.format(align="center")};background:#f6f8fa">'
            f"{html.escape(c)}</th>"
            for c in self.columns
        )
        parts.append(f"<tr>{head}</tr>")
        for row, marked in zip(self._cells(), self._highlighted()):
            background = ";background:#fff4ce" if marked else ""
            tds = "".join(
                f'<td style="{_CELL_CSS.format(align="right" if a == "r" else "left")}'
                f'{background}">{html.escape(c)}</td>'
                for c, a in zip(row, self.align)
            )
            parts.append(f"<tr>{tds}</tr>")
        parts.append("</table>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()


# -- the backward ledger ----------------------------------------------------------------


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
        number = format_number(self.local, precision)
        return number if _is_number(self.formula) else f"{self.formula} = {number}"

    def update_text(self, precision: int = 4) -> str:
        """``0.0 → 3.0``, or ``-0.4161 → -0.4161 + 3.0 = 2.5839`` when adding to a sum."""
        before = format_number(self.before, precision)
        after = format_number(self.after, precision)
        if self.before == 0.0:
            return f"{before} → {after}"
        added = format_number(self.contribution, precision)
        sign = "- " + added[1:] if added.startswith("-") else "+ " + added
        return f"{before} → {before} {sign} = {after}"

    def sentence(self, precision: int = 4) -> str:
        """The step in words, used as a caption in step-through drawings."""
        p = precision
        node, parent = _wrap(self.name), _wrap(self.parent_name)
        return (
            f"{node} passes {format_number(self.upstream, p)} × "
            f"∂{node}/∂{parent} ({self.local_text(p)}) = "
            f"{format_number(self.contribution, p)} to {parent}; "
            f"{parent}.grad: {self.update_text(p)}"
        )


class Ledger(_Table):
    """The steps of one backward pass, in the order they ran.

    ``rows`` holds one ``LedgerRow`` per accumulation. ``str(ledger)`` is an
    aligned text table; Jupyter shows HTML (rows that add to an existing sum are
    highlighted); ``to_markdown()`` and ``to_latex()`` give the same table for
    notes.

    Attributes:
        root: the node the pass started from; seed: its gradient (1.0 usually).
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
        seed: float,
        rows: list[LedgerRow],
        names: dict[Value, str],
        precision: int = 4,
    ) -> None:
        self.root = root
        self.seed = seed
        self.rows = rows
        self.names = names
        self.precision = precision
        self.title = f"backward pass from {names[root]} (seed {format_number(seed, precision)})"
        # Indexes, so that look-ups stay linear on big graphs.
        self._by_parent: dict[Value, list[LedgerRow]] = {}
        self._by_edge: dict[tuple[Value, int], LedgerRow] = {}
        for row in rows:
            self._by_parent.setdefault(row.parent, []).append(row)
            self._by_edge[(row.node, row.index)] = row

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[LedgerRow]:
        return iter(self.rows)

    def __getitem__(self, index: int) -> LedgerRow:
        return self.rows[index]

    def grad(self, node: Value) -> float:
        """The gradient ``node`` had at the end of the pass (the seed for the root).

        Raises:
            KeyError: ``node`` is not in the graph.
        """
        if node is self.root:
            return self.seed
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
    seed: float,
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
        up, loc = float(upstream), float(local)
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
                before=float(before),
                after=float(parent.grad),
                accumulated=parent in seen,
            )
        )
        seen.add(parent)

    # Looked up at call time so that detect_anomaly() can check the pass too.
    _autodiff.backpropagate(
        root, seed, create_graph=create_graph, nonfinite=nonfinite, record=record
    )
    return Ledger(root, float(seed), rows, names, precision)


def traced_backward(
    root: Value,
    grad: float = 1.0,
    *,
    create_graph: bool = False,
    nonfinite: Literal["raise", "warn"] = "raise",
    precision: int = 4,
) -> Ledger:
    """``root.backward(grad)`` that also returns its ledger (``backward(trace=True)``).

    Gradients change exactly as with ``backward()``: leaves accumulate.

    Example:
        >>> x = Value(3.0, label="x")
        >>> ledger = traced_backward(x * x)
        >>> x.grad, [row.after for row in ledger]
        (6.0, [3.0, 6.0])
    """
    return _run_ledger(root, grad, create_graph, nonfinite, precision)


def explain(
    root: Value,
    seed: float = 1.0,
    *,
    nonfinite: Literal["raise", "warn"] = "raise",
    precision: int = 4,
) -> Ledger:
    """The ledger of a backward pass from ``root``, leaving every ``.grad`` as it was.

    The pass is the engine's own (``autodiff.backpropagate`` with a recorder),
    run from zeroed leaves, so the ledger shows the gradients of ``root`` alone;
    afterwards all gradients are put back. Use ``root.backward(trace=True)`` to
    run backward for real and get the same ledger.

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
    if not isinstance(root, Value):
        raise TypeError(f"explain() needs a Value as the root, got {type(root).__name__}")
    order = topological_order(root)
    saved = [(node, node.grad) for node in order]
    for node in order:
        if not node.parents:
            node.grad = 0.0
    try:
        return _run_ledger(root, seed, False, nonfinite, precision)
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


class ForwardTable(_Table):
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
        expression = _expression(node, names, precision) if node.parents else ""
        inputs = tuple((names[p], p.data) for p in dict.fromkeys(node.parents))
        rows.append(ForwardRow(step, node, names[node], node.op, expression, inputs, node.data))
    return ForwardTable(root, rows, precision)


# -- step-through -----------------------------------------------------------------------


def steps(root: Value, **draw_options: Any) -> Iterator[Graph]:
    """One drawing per ledger step: the node being processed highlighted, the
    edge being followed in bold, gradients not yet known shown as ``?``.

    A gradient that has received some but not all of its contributions is shown
    as the running sum followed by ``+ …``. Keyword arguments go to ``viz.draw``
    (``rankdir``, ``precision``, ``parameters``). The graph's gradients are not
    changed.

    Example:
        >>> x = Value(3.0, label="x")
        >>> [g.caption for g in steps(x * x)]  # doctest: +NORMALIZE_WHITESPACE
        ['step 1/2: (x * x) passes 1.0 × ∂(x * x)/∂x (x = 3.0) = 3.0 to x; x.grad: 0.0 → 3.0',
         'step 2/2: (x * x) passes 1.0 × ∂(x * x)/∂x (x = 3.0) = 3.0 to x;
          x.grad: 3.0 → 3.0 + 3.0 = 6.0']
    """
    from autograd_lite import viz

    precision = int(draw_options.get("precision", 4))
    ledger = explain(root, precision=precision)
    total = len(ledger)
    pending: Counter[Value] = Counter(row.parent for row in ledger)
    shown: dict[Value, str] = {root: format_number(ledger.seed, precision)}
    for row in ledger:
        pending[row.parent] -= 1
        after = format_number(row.after, precision)
        shown[row.parent] = after if pending[row.parent] == 0 else f"{after} + …"
        caption = f"step {row.step}/{total}: {row.sentence(precision)}"
        yield viz._draw_step(root, ledger, row, dict(shown), caption, draw_options)


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
        """Write a standalone HTML page."""
        page = (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head><body>{self.to_html()}</body></html>"
        )
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(page)

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
    from autograd_lite import viz

    frames = [(g.caption, g._html_picture()) for g in steps(root, **draw_options)]
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
    return viz._step_widget(frames, title)


# -- why, paths, summary, tree ----------------------------------------------------------


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
    if float(x.grad) != grad:
        now = format_number(float(x.grad), p)
        note = (
            f" ({name}.grad itself is {now}: backward() has not run from this root yet)"
            if float(x.grad) == 0.0
            else f" ({name}.grad itself is {now}, added up over other backward() calls)"
        )
    if x is root:
        return Why("root", f"{name} is the root: its gradient is the seed, 1.0{note}.", grad)
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
            head + f"every path from {name} to {_wrap(names[root])} crosses a zero local "
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
            f"{name}.grad gets nothing from {_wrap(names[root])}: {name} itself is not in its "
            f"graph, but a leaf with the same label and value is: the path was detached "
            f"(x.detach(), or the value was computed under no_grad()), so no gradient "
            f"flows back to the original {name}."
        )
        return Why("detached", text, 0.0)
    text = (
        f"{name}.grad gets nothing from {_wrap(names[root])}: {name} does not reach it "
        f"(it is not among the {len(names)} nodes {_wrap(names[root])} was computed from)."
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
                if float(local) != 0.0:
                    live.add(parent)
    if x in live:
        return []
    edges: dict[tuple[Value, Value], None] = {}  # ordered and without repeats
    for node in order:
        if node in live and node in from_x:
            for parent, local in zip(node.parents, node.local_grads):
                if float(local) == 0.0 and parent in from_x:
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
        f"∂{_wrap(names[node])}/∂{_wrap(names[parent])} = {formula} = 0.0 "
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
                f" →[{_short(f, v, p)}] {n}" for f, v, n in zip(q.formulas, q.locals, q.names[1:])
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


def _short(formula: str, number: float, p: int) -> str:
    text = format_number(number, p)
    return text if _is_number(formula) else f"{formula} = {text}"


def paths(root: Value, x: Value, *, limit: int = 100, precision: int = 4) -> Paths:
    """Every path from ``x`` up to ``root``, each with the product of its local
    derivatives; the products sum to ``x.grad`` (the chain rule, path by path).

    The number of paths can grow exponentially with depth, so at most ``limit``
    are listed; ``count`` still says how many there are.

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
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit={limit!r}: use a whole number >= 1")
    names = node_names(root, precision)
    if x not in names:
        return Paths(x.label or format_number(x.data), names[root], [], 0, precision)
    order = topological_order(root)
    from_x = _depends_on(x, order)
    # Path counts from x to each node, to know the total without listing them.
    count: dict[Value, int] = {x: 1}
    for node in order:
        if node in from_x and node is not x:
            count[node] = sum(count.get(p, 0) for p in node.parents)
    found: list[Path] = []
    # Depth-first from the root down to x, on an explicit stack (graphs can be deep).
    stack: list[tuple[Value, list[tuple[Value, int]]]] = [(root, [])]
    while stack and len(found) < limit:
        node, trail = stack.pop()
        if node is x:
            edges = list(reversed(trail))
            nodes = (x, *(n for n, _ in edges))
            formulas = tuple(local_formula(n, i, names, precision) for n, i in edges)
            factors = tuple(float(n.local_grads[i]) for n, i in edges)
            product = 1.0
            for factor in factors:
                product *= factor
            found.append(Path(nodes, tuple(names[n] for n in nodes), formulas, factors, product))
            continue
        for i in reversed(range(len(node.parents))):
            parent = node.parents[i]
            if parent in from_x:
                stack.append((parent, [*trail, (node, i)]))
    return Paths(names[x], names[root], found, count[root], precision)


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
            f"grad {format_number(float(node.grad), precision)}"
        )
        if node.op:
            text += f"  [{OPS[node.op].symbol}]"
        if uses[node] > 1:
            text += f"  (used {uses[node]}×)"
        lines.append(text)
        children = node.parents
        for i in reversed(range(len(children))):
            last = i == len(children) - 1
            stack.append(
                (
                    children[i],
                    indent + ("└── " if last else "├── "),
                    indent + ("    " if last else "│   "),
                )
            )
    return "\n".join(lines)


# -- NaN/inf provenance -----------------------------------------------------------------

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

#: node -> (file, line, function) of the user code that created it, recorded while
#: ``detect_anomaly`` is on. Weak keys: the table never keeps a graph alive.
_CREATED: weakref.WeakKeyDictionary[Value, tuple[str, int, str]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Anomaly:
    """The first inf or NaN found while ``detect_anomaly`` was on.

    Attributes:
        kind: ``"value"`` (a forward result), ``"local gradient"`` (a local
            derivative recorded in the forward pass) or ``"gradient"`` (a
            ``.grad`` during backward).
        node: the node concerned (for ``"gradient"``, the node whose ``.grad``
            became non-finite).
        op: the op that made ``node`` (for ``"gradient"``, the op that passed it
            the non-finite share).
        operands: the data of that op's operands.
        number: the non-finite number.
        where: ``file:line (function): code`` of the user code that created the
            node, or "" when unknown.
        message: the whole report.
    """

    kind: Literal["value", "local gradient", "gradient"]
    node: Value
    op: str
    operands: tuple[float, ...]
    number: float
    where: str
    message: str


class NonFiniteError(FloatingPointError):
    """Raised by ``detect_anomaly`` at the first inf or NaN; ``.anomaly`` has details."""

    def __init__(self, anomaly: Anomaly) -> None:
        super().__init__(anomaly.message)
        self.anomaly = anomaly


def created_at(node: Value) -> str:
    """Where ``node`` was created (``file:line (function): code``), if it was created
    while ``detect_anomaly`` was on; else "".

    Example:
        >>> with detect_anomaly():
        ...     z = Value(2.0) * 3
        >>> created_at(z).startswith("<doctest")
        True
    """
    site = _CREATED.get(node)
    if site is None:
        return ""
    filename, lineno, function = site
    code = linecache.getline(filename, lineno).strip()
    text = f"{filename}:{lineno} ({function})"
    return f"{text}: {code}" if code else text


def _user_site() -> tuple[str, int, str]:
    """The innermost frame outside this package: the line of user code."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return ("<unknown>", 0, "")
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


class detect_anomaly(ContextDecorator):  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Check every new node and every gradient for inf and NaN, and remember the
    line of user code that created each node.

    Inside the block, the first non-finite forward value, local derivative or
    gradient raises ``NonFiniteError`` naming the node, its op, the operands and
    the line that created it (with ``raise_error=False`` it is stored in
    ``.first`` instead and the computation carries on). Outside the block
    nothing is checked and nothing costs anything: the engine's node factory
    ``value._on_new_node`` hook is set and ``autodiff.backpropagate`` is swapped for checking
    versions on entry and put back on exit.

    NOTE: Python float arithmetic overflows to inf silently (``1e200 * 1e200``),
    and ``inf - inf`` is NaN; these are what this catches. Domain errors such as
    ``log(-1)`` already raise ValueError without it.

    Example:
        >>> x = Value(1e200, label="x")
        >>> with detect_anomaly(raise_error=False) as check:
        ...     y = x * x
        >>> check.first.kind, check.first.op, check.first.number
        ('value', 'mul', inf)
    """

    _depth: ClassVar[int] = 0
    _original_backpropagate: ClassVar[Callable[..., list[Value]] | None] = None
    _active: ClassVar[list[detect_anomaly]] = []

    def __init__(self, *, raise_error: bool = True) -> None:
        self.raise_error = raise_error
        #: the first anomaly seen in this block (only set when raise_error=False)
        self.first: Anomaly | None = None

    def __enter__(self) -> detect_anomaly:
        cls = detect_anomaly
        if cls._depth == 0:
            cls._original_backpropagate = _autodiff.backpropagate
            _value._on_new_node = _check_new_node
            _autodiff.backpropagate = _checked_backpropagate
        cls._depth += 1
        cls._active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        cls = detect_anomaly
        cls._active.remove(self)
        cls._depth -= 1
        if cls._depth == 0:
            assert cls._original_backpropagate is not None
            _value._on_new_node = None
            _autodiff.backpropagate = cls._original_backpropagate
            cls._original_backpropagate = None


def _report(anomaly: Anomaly) -> None:
    checker = detect_anomaly._active[-1]
    if checker.raise_error:
        raise NonFiniteError(anomaly)
    if checker.first is None:
        checker.first = anomaly


def _finite(number: Any) -> bool:
    value = float(number)
    return value - value == 0.0  # false for inf and nan


def _check_new_node(node: Value) -> None:
    """The engine's new-node hook while detect_anomaly() is on."""
    _CREATED[node] = _user_site()
    if detect_anomaly._active[-1].first is not None:
        return
    if not _finite(node.data):
        _report(_forward_anomaly("value", node, node.data))
    elif not all(_finite(g) for g in node.local_grads):
        bad = next(float(g) for g in node.local_grads if not _finite(g))
        _report(_forward_anomaly("local gradient", node, bad))


def _forward_anomaly(
    kind: Literal["value", "local gradient"], node: Value, number: float
) -> Anomaly:
    operands = tuple(p.data for p in node.parents)
    where = created_at(node)
    if node.op:
        op = OPS[node.op]
        args = [format_number(v, 6) for v in operands] + ["", ""]
        constant = format_number(node.attr, 6) if node.attr is not None else ""
        expr = op.describe(args[0], args[1], constant)
        what = f"{node.op}: {expr} = {format_number(node.data, 6)}"
        if kind == "local gradient":
            formulas = ", ".join(op.formulas)
            what += f", whose local derivative(s) [{formulas}] give {number}"
    else:
        what = f"a value computed under no_grad() is {number}"
    message = (
        f"non-finite {kind} ({number}) made by {what}"
        + (f"\n  created at {where}" if where else "")
        + "\n  Check the operands' range (overflow such as 1e200 * 1e200, or inf - inf)."
    )
    return Anomaly(kind, node, node.op, operands, number, where, message)


def _checked_backpropagate(
    root: Value,
    seed: float = 1.0,
    *,
    create_graph: bool = False,
    nonfinite: Literal["raise", "warn"] = "raise",
    record: Callable[[Value, Value, Any, Any, Any], None] | None = None,
) -> list[Value]:
    original = detect_anomaly._original_backpropagate
    assert original is not None
    step = itertools.count(1)

    def check(node: Value, parent: Value, upstream: Any, local: Any, before: Any) -> None:
        if record is not None:
            record(node, parent, upstream, local, before)
        k = next(step)
        if _finite(parent.grad) or detect_anomaly._active[-1].first is not None:
            return
        node_where, parent_where = created_at(node), created_at(parent)
        message = (
            f"non-finite gradient ({float(parent.grad)}) at backward step {k}: "
            f"{node.op} node {node.data!r} passed upstream {float(upstream)!r} × local "
            f"{float(local)!r} to an operand holding {parent.data!r} "
            f"(its grad was {float(before)!r})"
            + (f"\n  the {node.op} node was created at {node_where}" if node_where else "")
            + (f"\n  the operand was created at {parent_where}" if parent_where else "")
        )
        operands = tuple(p.data for p in node.parents)
        _report(
            Anomaly("gradient", parent, node.op, operands, float(parent.grad), node_where, message)
        )

    return original(root, seed, create_graph=create_graph, nonfinite=nonfinite, record=check)
