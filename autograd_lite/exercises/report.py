"""``Report``: a check's verdict, the first mistake in words, and a drawing with
the wrong node marked; and how the grader formats numbers.
"""

from __future__ import annotations

import html
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from autograd_lite.autodiff import topological_order
from autograd_lite.value import Value

if TYPE_CHECKING:
    from autograd_lite.viz import Graph


#: Relative tolerance for values and gradients (the learner's tanh may be
#: written with exp, which rounds differently from math.tanh).
RTOL = 1e-8


@dataclass(frozen=True)
class Report:
    """What a check found.

    Attributes:
        ok: True when the learner's code agrees with autograd_lite everywhere
            the check looked.
        mistake: a short key naming the mistake (``"assign"``, ``"order"``,
            ``"recursion"``, ``"local_derivative"``, ``"wrong_sign"``,
            ``"missing_reflected"``, ``"not_zeroed"``, ...), None when ok.
        message: what was checked or what is wrong, and what to change.
        notes: further lines, such as the ops the check could not run because the
            class does not have them.
    """

    ok: bool
    mistake: str | None
    message: str
    notes: tuple[str, ...] = field(default=())
    graph: Value | None = field(default=None, repr=False, compare=False)
    node: Value | None = field(default=None, repr=False, compare=False)
    mark: str = field(default="", repr=False, compare=False)

    def draw(self, radius: int = 2) -> Graph:
        """Draw autograd_lite's version of the graph around the node at fault,
        ``radius`` edges each way; a box titled ✗ and your number marks that node
        (its label, and the formulas on its edges, keep its name), and the edges
        its gradient came back along (or, for a wrong value, the edges of the op
        that made it) are drawn thick in the highlight colour.

        Raises:
            ValueError: the report points at no node (it passed, or the mistake
                is not about one node, such as a missing op).
        """
        if self.graph is None or self.node is None:
            raise ValueError(
                "this report points at no node to draw: only a wrong value or gradient does"
            )
        from autograd_lite.viz import draw  # drawing needs graphviz only when asked for

        node = self.node
        if self.mistake == "forward":  # its value is wrong: the edges of the op that made it
            edges = [(parent, node) for parent in node.parents]
        else:  # its gradient is wrong: the edges its contributions came back along
            edges = [(node, user) for user in topological_order(self.graph) if node in user.parents]
        return draw(
            self.graph,
            around=node,
            radius=radius,
            title=self.message.split("\n")[0],
            clusters={self.mark or "✗": [node]},
            highlight=edges,
        )

    def __str__(self) -> str:
        return "\n".join((self.message, *self.notes))

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        style = f"border-left: 4px solid {colour}; padding-left: 8px"
        return f'<pre style="{style}">{html.escape(str(self))}</pre>'


class _Stop(Exception):  # noqa: N818 - control flow, not an error shown to users
    """Carries the failing Report out of a nested check."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.message)
        self.report = report


def _fail(
    mistake: str,
    message: str,
    graph: Value | None = None,
    node: Value | None = None,
    mark: str = "",
) -> _Stop:
    return _Stop(Report(False, mistake, "✗ " + message, graph=graph, node=node, mark=mark))


def _close(a: float, b: float, rtol: float = RTOL) -> bool:
    return abs(a - b) <= rtol * max(1.0, abs(a), abs(b))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _number(node: Any, attribute: str) -> float:
    """``node.<attribute>`` as a float, or a clear message saying what is missing."""
    if not hasattr(node, attribute):
        raise _fail(
            "unreadable",
            f"cannot read {type(node).__name__} objects: they have no .{attribute}. The grader "
            "needs .data (the number) and .grad (its gradient, 0.0 on a new node).",
        )
    x = getattr(node, attribute)
    if isinstance(x, Value):  # a learner who wraps our Value
        return x.data
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise _fail(
            "unreadable",
            f"{type(node).__name__}.{attribute} is {x!r} ({type(x).__name__}), not a number: "
            f"store a float in .{attribute}.",
        )
    return float(x)
