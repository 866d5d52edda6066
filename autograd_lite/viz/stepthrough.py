"""The step-through: the backward pass one ledger row at a time, each step a
drawing with that row's node and edge highlighted (``steps``, ``step_through``,
and a slider widget in Jupyter); with ``mode="forward"``, a forward-mode sweep one
forward-ledger row at a time.
"""

from __future__ import annotations

import html
import itertools
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from autograd_lite._helpers import write_atomically
from autograd_lite.autodiff import topological_order
from autograd_lite.text.ledger import Ledger, LedgerRow, explain, forward_ledger
from autograd_lite.text.notation import (
    format_number,
    node_names,
)
from autograd_lite.value import Value
from autograd_lite.viz.dot import Graph, _esc
from autograd_lite.viz.graphs import (
    MAX_NODES,
    _check_common,
    _check_max_nodes,
    _chosen_nodes,
    _dot,
    _Look,
    _parameter_set,
    _refuse_past,
)


def steps(
    root: Value,
    *,
    caption_in_picture: bool = True,
    mode: Literal["reverse", "forward"] = "reverse",
    tangents: Mapping[Value, float] | None = None,
    **draw_options: Any,
) -> Iterator[Graph]:
    """One drawing per ledger step: the node being processed highlighted, the
    edge being followed in bold, gradients not yet known shown as ``?``.

    ``mode="forward"`` with ``tangents={leaf: tangent}`` plays forward mode
    instead: one drawing per row of ``forward_ledger`` (per edge, from the
    inputs), each node's tangent filling in as its operands' shares arrive.

    A gradient that has received some but not all of its contributions is shown
    as the running sum followed by ``+ …``. Each drawing's ``caption`` says what
    the step does; it is also drawn above the picture unless
    ``caption_in_picture=False`` (for a page that shows the caption itself, as
    ``step_through`` and the playground do, so it is not shown twice). Other
    keyword arguments go to ``viz.draw`` (``rankdir``, ``precision``,
    ``parameters``, ``nodes``: only the steps along edges between those nodes,
    each frame drawing only them, ``max_nodes``:
    a graph with more nodes than ``viz.MAX_NODES`` is refused before anything is
    computed, and ``max_nodes=None`` lifts the limit). The graph's gradients are not changed.

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
    if _forward_mode(mode, tangents, "steps"):
        yield from _forward_steps(root, tangents or {}, precision, caption_in_picture, draw_options)
        return
    ledger = explain(root, precision=precision)
    total = len(ledger)
    pending: Counter[Value] = Counter(row.parent for row in ledger)
    shown: dict[Value, str] = {root: format_number(ledger.gradient, precision)}
    drawn = draw_options.get("nodes")
    inside = None if drawn is None else _chosen_nodes(drawn, set(ledger.names), None)
    for row in ledger:
        pending[row.parent] -= 1
        after = format_number(row.after, precision)
        shown[row.parent] = after if pending[row.parent] == 0 else f"{after} + …"
        if inside is not None and not (row.node in inside and row.parent in inside):
            continue  # an edge not drawn: no frame (the running sums still count it)
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
    root: Value,
    *,
    widget: bool | None = None,
    mode: Literal["reverse", "forward"] = "reverse",
    tangents: Mapping[Value, float] | None = None,
    **draw_options: Any,
) -> StepThrough | Any:
    """Step through the backward pass in a notebook, one ledger row at a time
    (or forward mode, one forward-ledger row at a time: see ``steps``).

    Args:
        root: the output to differentiate.
        widget: True for ipywidgets controls (needs the ``notebook`` extra), False
            for the self-contained HTML of ``StepThrough`` (which survives a static
            HTML export), None (default) for ipywidgets when installed.
        mode, tangents: ``mode="forward"`` with ``tangents={x: 1.0}`` plays the
            forward sweep seeded with those tangents.
        **draw_options: passed to ``viz.draw`` (``rankdir``, ``precision``...).

    Returns:
        An ipywidgets ``VBox``, or a ``StepThrough`` that Jupyter shows as HTML.
    """
    forward = _forward_mode(mode, tangents, "step_through")
    frames = [
        (g.caption, g._html_picture())
        for g in steps(root, caption_in_picture=False, mode=mode, tangents=tangents, **draw_options)
    ]
    name = node_names(root).get(root, "root")
    title = (
        f"forward sweep to {name}: {len(frames)} steps"
        if forward
        else f"backward pass from {name}: {len(frames)} steps"
    )
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
    visible = _visible(options, order)
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
    return Graph(_dot(look, visible), caption)


def _forward_mode(mode: Any, tangents: Mapping[Value, float] | None, where: str) -> bool:
    """True for a forward-mode step-through, after checking ``mode`` and ``tangents`` agree."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f"{where}(mode={mode!r}): use 'reverse' (the backward pass) or 'forward'")
    if mode == "forward" and tangents is None:
        raise TypeError(
            f"{where}(mode='forward') needs tangents={{leaf: tangent}}, the direction to push, "
            "e.g. tangents={x: 1.0} for d/dx"
        )
    if mode == "reverse" and tangents is not None:
        raise TypeError(f"{where}(tangents=...) plays forward mode: pass mode='forward' too")
    return bool(mode == "forward")


def _forward_steps(
    root: Value,
    tangents: Mapping[Value, float],
    precision: int,
    caption_in_picture: bool,
    options: dict[str, Any],
) -> Iterator[Graph]:
    """The frames of a forward-mode step-through (see ``steps``)."""
    ledger = forward_ledger(root, tangents, precision)
    order = topological_order(root)
    shown = {n: format_number(ledger.tangent(n), precision) for n in order if not n.parents}
    pending: Counter[Value] = Counter(row.node for row in ledger)
    rankdir = str(options.get("rankdir", "LR"))
    _check_common(root, rankdir, precision)
    visible = _visible(options, order)
    for row in ledger:
        pending[row.node] -= 1
        after = format_number(row.after, precision)
        shown[row.node] = after if pending[row.node] == 0 else f"{after} + …"
        if not (row.node in visible and row.parent in visible):
            continue  # an edge not drawn (nodes=): no frame
        caption = f"step {row.step}/{len(ledger)}: {row.sentence(precision)}"
        look = _Look(
            root,
            order,
            ledger.names,
            precision,
            rankdir,
            _parameter_set(options.get("parameters")),
            None,
            grads=dict(shown),
            caption=caption if caption_in_picture else "",
            tangents=ledger,
            current_tangent=row,
        )
        yield Graph(_dot(look, visible), caption)


def _check_step_options(options: dict[str, Any]) -> None:
    allowed = {"rankdir", "precision", "parameters", "max_nodes", "nodes"}
    unknown = set(options) - allowed
    if unknown:
        raise TypeError(f"steps() got unexpected options {sorted(unknown)}; use {sorted(allowed)}")
    if options.get("nodes") is not None:  # read once: every frame draws the same nodes
        nodes = options["nodes"]
        if isinstance(nodes, Value) or not isinstance(nodes, Iterable):
            raise TypeError(f"nodes= takes an iterable of Values, got {type(nodes).__name__}")
        options["nodes"] = list(nodes)


def _visible(options: dict[str, Any], order: list[Value]) -> set[Value]:
    """The nodes each frame draws: ``nodes=`` (checked) or the whole graph."""
    nodes = options.get("nodes")
    return set(order) if nodes is None else _chosen_nodes(nodes, set(order), None)


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
