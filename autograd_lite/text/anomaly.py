"""Anomaly detection: where a NaN or inf came from.

``detect_anomaly()`` plugs into the core's two hooks, ``value._on_new_node``
(every node an op makes) and ``autodiff._on_backward`` (every accumulation of a
backward pass), and takes them out again on exit: outside the block nothing is
checked and nothing costs anything.
"""

from __future__ import annotations

import linecache
import os
import sys
import weakref
from contextlib import ContextDecorator
from dataclasses import dataclass
from types import FrameType
from typing import Any, ClassVar, Literal

from autograd_lite import autodiff as _autodiff
from autograd_lite import value as _value
from autograd_lite.autodiff import Recorder
from autograd_lite.ops import OPS
from autograd_lite.text.notation import format_number
from autograd_lite.value import Value, number_of

__all__ = ["Anomaly", "NonFiniteError", "created_at", "detect_anomaly"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(_value.__file__)) + os.sep  # the whole package

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
    nothing is checked and nothing costs anything: the block sets the core's
    hooks (``value._on_new_node`` and ``autodiff._on_backward``) on entry and
    clears them on exit.

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

    _active: ClassVar[list[detect_anomaly]] = []

    def __init__(self, *, raise_error: bool = True) -> None:
        self.raise_error = raise_error
        #: the first anomaly seen in this block (only set when raise_error=False)
        self.first: Anomaly | None = None

    def __enter__(self) -> detect_anomaly:
        if not detect_anomaly._active:
            _value._on_new_node = _check_new_node
            _autodiff._on_backward = _gradient_checker
        detect_anomaly._active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        detect_anomaly._active.remove(self)
        if not detect_anomaly._active:
            _value._on_new_node = None
            _autodiff._on_backward = None


def _report(anomaly: Anomaly) -> None:
    checker = detect_anomaly._active[-1]
    if checker.raise_error:
        raise NonFiniteError(anomaly)
    if checker.first is None:
        checker.first = anomaly


def _finite(number: Any) -> bool:
    value = number_of(number)
    return value - value == 0.0  # false for inf and nan


def _check_new_node(node: Value) -> None:
    """The engine's new-node hook while detect_anomaly() is on."""
    _CREATED[node] = _user_site()
    if detect_anomaly._active[-1].first is not None:
        return
    if not _finite(node.data):
        _report(_forward_anomaly("value", node, node.data))
    elif not all(_finite(g) for g in node.local_grads):
        bad = next(number_of(g) for g in node.local_grads if not _finite(g))
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


def _gradient_checker(root: Value) -> Recorder:
    """The core's backward hook while detect_anomaly() is on: a recorder for this
    pass that reports the first gradient to become inf or NaN."""
    step = 0

    def check(node: Value, parent: Value, upstream: Any, local: Any, before: Any) -> None:
        nonlocal step
        step += 1
        if _finite(parent.grad) or detect_anomaly._active[-1].first is not None:
            return
        node_where, parent_where = created_at(node), created_at(parent)
        message = (
            f"non-finite gradient ({number_of(parent.grad)}) at backward step {step}: "
            f"{node.op} node {node.data!r} passed upstream {number_of(upstream)!r} × local "
            f"{number_of(local)!r} to an operand holding {parent.data!r} "
            f"(its grad was {number_of(before)!r})"
            + (f"\n  the {node.op} node was created at {node_where}" if node_where else "")
            + (f"\n  the operand was created at {parent_where}" if parent_where else "")
        )
        operands = tuple(p.data for p in node.parents)
        _report(
            Anomaly(
                "gradient", parent, node.op, operands, number_of(parent.grad), node_where, message
            )
        )

    return check
