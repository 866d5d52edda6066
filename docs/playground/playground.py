"""The playground's Python side: what the page asks of autograd_lite, as JSON.

The browser page runs this module in Pyodide (CPython on WebAssembly) next to
the package's own source files; the same functions run under CPython in
``tests/test_playground.py``. Everything goes in and out as JSON text, so the
JavaScript side never touches a Python object and never evaluates anything:

- ``analyze(request)``: an expression and a point give the value, gradient,
  Hessian, the ``draw()`` DOT, the forward table, the backward ledger and the
  step-through's captions with the first step's DOT (``step(k)`` gives the others,
  when they are shown: a DOT per step up front cost seconds on a 200-step graph).
  The expression goes through ``autograd_lite.expression.parse`` (a whitelist over
  Python's ``ast``), so hostile text is refused with the command line's caret
  message and nothing in it runs.
- Limits, each checked before the work it bounds and named in its message:
  ``MAX_LENGTH`` characters and ``MAX_BRACKETS`` nested brackets before parsing
  (Python in the browser runs out of stack near 190 brackets, and that kills
  Pyodide for good), ``HESSIAN_MAX_NODES`` before second derivatives, and a
  drawing budget (``DRAW_MAX_NODES`` nodes, ``DRAW_MAX_SPAN`` edge length) before
  a graph is drawn: past it the drawing is cut to the output's neighbourhood and
  the page offers to draw more (Graphviz took 9 s on 41 nodes of ``x+x+...+x``
  and 520 s on 81: edges that skip many ranks are what cost).
- Network mode lives in ``network_mode`` (beside this file); its ``Trainer`` is
  re-exported here, the one module the worker imports.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

from network_mode import DATASETS, OPTIMIZERS, Trainer, parse_layer_sizes

from autograd_lite import (
    Value,
    draw,
    explain,
    forward_table,
    hessian,
    steps,
    topological_order,
)
from autograd_lite import expression as _expression
from autograd_lite._helpers import finite_or_none
from autograd_lite.expression import EvaluationError, ExpressionError, parse

__all__ = [
    "DATASETS",
    "DEFAULT_VALUE",
    "DRAW_MAX_NODES",
    "DRAW_MAX_SPAN",
    "HESSIAN_MAX_NODES",
    "MAX_BRACKETS",
    "MAX_LENGTH",
    "OPTIMIZERS",
    "Trainer",
    "analyze",
    "parse_layer_sizes",
    "step",
]

#: The value a newly typed variable starts at.
DEFAULT_VALUE = 1.0

#: The longest expression the page takes, in characters (the package's parser takes more:
#: a page answers as the learner types, so every answer must come back quickly).
MAX_LENGTH = min(1_000, _expression.MAX_LENGTH)

#: The deepest bracket nesting the page takes. Measured in Chromium's Web Worker under
#: Pyodide 314: 191 nested parentheses overflow the JavaScript stack inside ast.parse
#: ("Maximum call stack size exceeded"), which leaves Pyodide unusable; 190 answer. Unary
#: minus chains answer to 500 levels, ``x**x**...`` to 200, nested calls to 199.
MAX_BRACKETS = 100

#: Second derivatives build a graph of the gradient's graph: not past this many nodes.
HESSIAN_MAX_NODES = 300

#: The drawing budget: at most this many Value nodes ...
DRAW_MAX_NODES = 120
#: ... and this much edge length (each edge counts the ranks it skips, as Graphviz lays it
#: out: ``x+x+...+x`` with 40 terms is 820 and took Graphviz 9 s; a 100-op chain is 100).
DRAW_MAX_SPAN = 400

#: The drawing size and time the page sends with each drawing (it refuses past them).
RENDER_SECONDS = 10.0


# -- expression mode -------------------------------------------------------------------


def analyze(request: str) -> str:
    """Differentiate an expression at a point; JSON in, JSON out.

    ``request`` is ``{"expression": "x*y + sin(x)", "values": {"x": 2, "y": 3}}``.
    Values for names the expression does not use are dropped and new variables
    start at ``DEFAULT_VALUE``, so the page can keep its boxes while the
    learner types. The answer has ``ok``; when false, ``error`` holds the
    message and ``pointer`` the expression with carets under the offending
    part, exactly as ``autograd-lite grad`` prints them.

    Example:
        >>> answer = json.loads(analyze('{"expression": "x*y", "values": {"x": 2, "y": 3}}'))
        >>> answer["value"], answer["gradient"]
        (6.0, {'x': 3.0, 'y': 2.0})
        >>> print(json.loads(analyze('{"expression": "x.real", "values": {}}'))["pointer"])
          x.real
           ^^^^^
    """
    try:
        data = json.loads(request)
        text = data["expression"]
        given = data.get("values", {})
        radius = data.get("radius")
        if not isinstance(text, str) or not isinstance(given, dict):
            raise TypeError
        if radius is not None and (
            isinstance(radius, bool) or not isinstance(radius, int) or radius < 0
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _dump({"ok": False, "kind": "request", "error": "malformed request", "pointer": ""})
    _last.clear()
    try:
        return _dump(_analyze(text, given, radius))
    except ExpressionError as error:
        kind = "evaluation" if isinstance(error, EvaluationError) else "expression"
        return _dump(
            {
                "ok": False,
                "kind": kind,
                "error": error.message,
                "pointer": error.pointer(),
                "start": error.start,
                "end": error.end,
                # The boxes the page keeps: the variables of an expression that parsed
                # (its point is the problem), none for one that did not.
                "variables": list(_variables_or_empty(text)) if kind == "evaluation" else [],
            }
        )


def _variables_or_empty(text: str) -> tuple[str, ...]:
    try:
        return parse(text).variables
    except ExpressionError:
        return ()


def check_limits(text: str) -> None:
    """Refuse text past the page's length or bracket limits, before Python parses it.

    Example:
        >>> check_limits("(" * 101 + "x" + ")" * 101)
        Traceback (most recent call last):
        ...
        autograd_lite.expression.ExpressionError: the expression nests 101 brackets; ...
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the playground takes at most "
            f"{MAX_LENGTH:,} (the command line takes {_expression.MAX_LENGTH:,})",
            text,
            MAX_LENGTH,
            len(text),
        )
    depth, deepest, start = 0, 0, 0
    for column, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest, start = depth, column
        elif char in ")]}":
            depth = max(0, depth - 1)
    if deepest > MAX_BRACKETS:
        raise ExpressionError(
            f"the expression nests {deepest:,} brackets; the playground takes at most "
            f"{MAX_BRACKETS} (Python in the browser runs out of stack at about 190): "
            "split it into smaller parts",
            text,
            start - deepest + 1,
            start + 1,
        )


#: The last expression's graph, kept so ``step(k)`` can draw step k when it is shown.
_last: dict[str, Any] = {}


def _analyze(text: str, given: dict[str, Any], radius: int | None = None) -> dict[str, Any]:
    check_limits(text)
    expression = parse(text)
    point: dict[str, float] = {}
    for name in expression.variables:
        number = given.get(name, DEFAULT_VALUE)
        if (
            isinstance(number, bool)
            or not isinstance(number, (int, float))
            or not math.isfinite(number)
        ):
            raise ExpressionError(
                f"the value of {name} must be a finite number, got {number!r}", text, 0, len(text)
            )
        point[name] = float(number)
    leaves = {name: Value(number, label=name) for name, number in point.items()}
    root = expression.evaluate(leaves)
    if root.parents and not root.label:
        root.label = "f" if "f" not in point else "result"
    table = forward_table(root)
    try:
        ledger = explain(root)
        root.backward()
    except FloatingPointError as error:  # a gradient overflows, as the command line says
        return {"ok": False, "kind": "evaluation", "error": str(error), "pointer": ""}
    order = topological_order(root)
    answer: dict[str, Any] = {
        "ok": True,
        "expression": text,
        "variables": list(expression.variables),
        "values": point,
        "value": root.data,
        "gradient": {name: leaf.grad for name, leaf in leaves.items()},
        # The numbers as Python prints them (2.0, not JavaScript's 2), as the ledger does.
        "value_text": _text(root.data),
        "gradient_text": {name: _text(leaf.grad) for name, leaf in leaves.items()},
        "hessian": None,
        "hessian_text": None,
        "hessian_error": "",
        "nodes": len(order),
        "dot": "",
        "draw_error": "",
        "drawing": {},
        "forward": {"columns": list(table.columns), "rows": table._cells()},
        "ledger": {
            "columns": list(ledger.columns),
            "rows": ledger._cells(),
            "accumulated": [row.accumulated for row in ledger],
        },
        # Every caption now (the ledger has them); each step's DOT when it is shown.
        "steps": [
            {"caption": f"step {row.step}/{len(ledger)}: {row.sentence(4)}", "dot": ""}
            for row in ledger
        ],
        "step_drawings": False,
    }
    if point and len(order) > HESSIAN_MAX_NODES:
        answer["hessian_error"] = (
            f"second derivatives: not computed for a graph of {len(order):,} nodes "
            f"(the playground's limit is {HESSIAN_MAX_NODES:,})"
        )
    elif point:
        try:
            fn = expression.function(list(point))
            second = hessian(fn)(*(Value(v, label=n) for n, v in point.items()))
            answer["hessian"] = second
            answer["hessian_text"] = [[_text(h) for h in row] for row in second]
        except (ValueError, ArithmeticError) as error:
            answer["hessian_error"] = f"second derivatives: {error}"
    answer["drawing"] = drawing = _drawing(root, order, radius)
    drawing["description"] = _describe(order, answer["forward"]["rows"], drawing)
    if drawing["error"]:
        answer["draw_error"] = drawing["error"]
        return answer
    answer["dot"] = drawing["dot"]
    if drawing["complete"] and answer["steps"]:
        # The step-through draws the whole graph at every step: only for a complete drawing.
        _last["steps"] = steps(root, caption_in_picture=False, max_nodes=None)
        _last["dots"] = []
        answer["steps"][0]["dot"] = _step_dot(0)
        answer["step_drawings"] = True
    return answer


def step(k: int) -> str:
    """The DOT of step ``k`` (0-based) of the last expression's step-through, as JSON.

    Steps are drawn in order and kept, so stepping forward draws one step; the page
    asks for a step only when it shows it.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        return _dump({"ok": False, "error": f"step must be a whole number >= 0, got {k!r}"})
    if "steps" not in _last:
        return _dump({"ok": False, "error": "no step-through drawing for this expression"})
    try:
        return _dump({"ok": True, "step": k, "dot": _step_dot(k)})
    except IndexError:
        return _dump({"ok": False, "error": f"there is no step {k + 1}"})


def _step_dot(k: int) -> str:
    dots: list[str] = _last["dots"]
    generator: Iterator[Any] = _last["steps"]
    while len(dots) <= k:
        following = next(generator, None)
        if following is None:
            raise IndexError(k)
        dots.append(following.source)
    return dots[k]


def _spans(order: Sequence[Value], visible: set[Value] | None = None) -> int:
    """The total length of the edges among ``visible`` (all by default), in ranks."""
    rank: dict[Value, int] = {}
    total = 0
    for node in order:  # parents first
        rank[node] = 1 + max((rank[p] for p in node.parents), default=-1)
        for parent in node.parents:
            if visible is None or (node in visible and parent in visible):
                total += rank[node] - rank[parent]
    return total


def _drawing(root: Value, order: list[Value], radius: int | None) -> dict[str, Any]:
    """The ``draw()`` DOT within the drawing budget, cut to the output's neighbourhood
    when the whole graph is past it; ``radius`` (from "draw more") asks for a bigger cut.
    """
    whole = {"nodes": len(order), "span": _spans(order)}
    fits = whole["nodes"] <= DRAW_MAX_NODES and whole["span"] <= DRAW_MAX_SPAN
    budget = (
        f"{DRAW_MAX_NODES} nodes and {DRAW_MAX_SPAN} in edge length (each edge counts the "
        "ranks it skips)"
    )
    info: dict[str, Any] = {
        **whole,
        "budget": budget,
        "render_seconds": RENDER_SECONDS,
        "complete": True,
        "radius": None,
        "more": None,
        "error": "",
        "dot": "",
        "shown": len(order),
    }
    if fits and radius is None:
        info["dot"] = draw(root, max_nodes=None).source
        return info
    # The biggest neighbourhood of the output within the budget (or the radius asked for).
    cut, size = 0, 1
    for r in range(1, len(order) + 1):
        ring = _neighbourhood(root, order, r)
        within = len(ring) <= DRAW_MAX_NODES and _spans(order, ring) <= DRAW_MAX_SPAN
        if (radius is None and not within) or (radius is not None and r > radius):
            break
        cut, size = r, len(ring)
        if len(ring) == len(order):
            break
    info["radius"] = cut
    info["shown"] = size
    info["complete"] = size == len(order)
    if not info["complete"]:
        info["more"] = cut + 1
    if size <= 1 and not info["complete"]:
        info["error"] = (
            f"Not drawn: the graph has {len(order):,} nodes, past the playground's drawing "
            f"budget of {budget}. The value, gradient and ledger above are complete."
        )
        return info
    info["dot"] = draw(root, around=root, radius=cut, max_nodes=None).source
    return info


def _neighbourhood(center: Value, order: Sequence[Value], radius: int) -> set[Value]:
    """Nodes within ``radius`` edges of ``center`` either way, as ``draw(around=)`` takes."""
    users: dict[Value, list[Value]] = {node: [] for node in order}
    for node in order:
        for parent in node.parents:
            users[parent].append(node)
    seen, frontier = {center}, [center]
    for _ in range(radius):
        following = []
        for node in frontier:
            for other in (*node.parents, *users[node]):
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    return seen


#: The text alternative of a drawing names at most this many nodes.
DESCRIBE_NODES = 24


def _describe(order: Sequence[Value], rows: list[list[str]], drawing: dict[str, Any]) -> str:
    """The drawing in words, for a screen reader: what it shows and each node's numbers."""
    names = [row[1] for row in rows] if len(rows) == len(order) else [""] * len(order)
    ops = sum(1 for node in order if node.parents)
    if drawing["error"]:
        head = f"Not drawn: a graph of {len(order):,} nodes ({ops:,} ops)."
    elif drawing["complete"]:
        head = f"The graph of {names[-1] or 'the output'}: {len(order):,} nodes ({ops:,} ops)."
    else:
        head = (
            f"Part of the graph: the {drawing['shown']:,} nodes within {drawing['radius']} "
            f"edge{'s' if drawing['radius'] != 1 else ''} of the output, of {len(order):,}."
        )
    parts = [
        f"{name or node.op}: value {_text(node.data)}, gradient {_text(node.grad)}"
        for name, node in zip(names[::-1], order[::-1])  # the output first
    ]
    more = len(parts) - DESCRIBE_NODES
    listed = "; ".join(parts[:DESCRIBE_NODES]) + (f"; and {more:,} more" if more > 0 else "")
    return f"{head} {listed}."


def _text(number: float) -> str:
    """A number as Python's repr prints it, or "n/a (not finite)" (JSON has no inf or nan)."""
    return repr(number) if math.isfinite(number) else "n/a (not finite)"


def _dump(answer: dict[str, Any]) -> str:
    # JSON has no inf or nan: send them as null, which the page shows as "n/a".
    return json.dumps(finite_or_none(answer), allow_nan=False)
