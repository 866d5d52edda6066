"""``Expression``: a parsed expression as a small tree of nodes, evaluated on
Values at given variable values (building a graph) or on floats.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from autograd_lite.expression.errors import EvaluationError, ExpressionError
from autograd_lite.expression.grammar import (
    _BINARY_BY_SYMBOL,
    _UNARY_BY_SYMBOL,
    FUNCTIONS,
    _call,
    _fold_or_apply,
)
from autograd_lite.expression.names import lookalike_note
from autograd_lite.value import Value


@dataclass(frozen=True, slots=True)
class _Node:
    """One node of an accepted expression: ``kind`` is number, variable, unary, binary or call."""

    kind: str
    symbol: str  # the operator ("+", "**") or the function's name; "" otherwise
    children: tuple[_Node, ...]
    start: int
    end: int
    number: float = 0.0
    name: str = ""


@dataclass(frozen=True)
class Expression:
    """A parsed, checked expression; build it with ``parse``.

    Attributes:
        text: the expression as typed.
        variables: the variable names, in order of first appearance.

    Example:
        >>> from autograd_lite.expression import parse
        >>> f = parse("x*y + sin(x)")
        >>> f.variables
        ('x', 'y')
        >>> out = f.evaluate({"x": 2.0, "y": 3.0})
        >>> out.backward()
        >>> round(out.data, 6)
        6.909297
    """

    text: str
    variables: tuple[str, ...]
    _root: _Node = field(repr=False)

    def evaluate(self, values: Mapping[str, float | Value]) -> Value:
        """Build the expression's Value graph at ``values`` and return its root.

        Args:
            values: a value for every variable, exactly: a number becomes a leaf
                Value labelled with the variable's name; a Value is used as is
                (so its ``.grad`` fills in after ``backward()``).

        Raises:
            ExpressionError: a variable has no value, or a value is given for a
                name the expression does not use, or a value is not a finite number.
            EvaluationError: the expression is undefined there (``log`` of a
                negative number) or overflows; the message names the function and
                the values.

        NOTE: parts without variables are computed once, on floats (as Python
        does), so ``2 * 3 * x`` draws as ``6.0 * x``. The engine computes them,
        so their domain errors read the same as everywhere else.
        """
        leaves = self._leaves(values)
        results: dict[int, float | Value] = {}
        stack: list[tuple[_Node, bool]] = [(self._root, False)]
        while stack:
            node, ready = stack.pop()
            if not ready and node.children:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
                continue
            args = [results.pop(id(child)) for child in node.children]
            results[id(node)] = self._compute(node, args, leaves)
        out = results[id(self._root)]
        return out if isinstance(out, Value) else Value(out)

    def function(self, order: Sequence[str] | None = None) -> Callable[..., Value]:
        """The expression as a function of its variables, for ``grad``/``hessian``/``gradcheck``.

        Args:
            order: the variables in argument order; defaults to ``variables``.

        Example:
            >>> from autograd_lite import grad
            >>> from autograd_lite.expression import parse
            >>> grad(parse("x ** 3").function())(2.0)
            12.0
        """
        names = tuple(self.variables if order is None else order)
        if sorted(names) != sorted(self.variables):
            raise ExpressionError(
                f"order={list(names)!r} must name each variable of the expression once: "
                f"{', '.join(self.variables) or '(none)'}",
                self.text,
                0,
                len(self.text),
            )

        def f(*args: float | Value) -> Value:
            if len(args) != len(names):
                raise TypeError(
                    f"{self.text!r} takes {len(names)} argument(s) ({', '.join(names)}), "
                    f"got {len(args)}"
                )
            return self.evaluate(dict(zip(names, args, strict=True)))

        return f

    def __str__(self) -> str:
        return self.text

    # -- evaluation helpers ---------------------------------------------------------

    def _leaves(self, values: Mapping[str, float | Value]) -> dict[str, Value]:
        unused = [name for name in values if name not in self.variables]
        if unused:
            notes = "".join(
                f"; {note}"
                for note in (lookalike_note(name, self.variables) for name in unused)
                if note
            )
            raise ExpressionError(
                f"a value is given for {', '.join(unused)}, which the expression does not use "
                f"(its variables: {', '.join(self.variables) or 'none'}){notes}",
                self.text,
                0,
                len(self.text),
            )
        missing = [name for name in self.variables if name not in values]
        if missing:
            first = _first_use(self._root, missing[0])
            example = " ".join(f"{name}=1.5" for name in missing)
            if len(missing) == 1:
                message = f"variable {missing[0]} has no value: give one, e.g. {example}"
            else:
                message = (
                    f"variables {', '.join(missing)} have no values: give them, e.g. {example}"
                )
            raise ExpressionError(
                message,
                self.text,
                first.start,
                first.end,
            )
        leaves: dict[str, Value] = {}
        for name in self.variables:
            given = values[name]
            if isinstance(given, Value):
                leaves[name] = given
                continue
            try:
                leaves[name] = Value(given, label=name)
            except (TypeError, ValueError) as error:
                first = _first_use(self._root, name)
                raise ExpressionError(
                    f"the value of {name} is not usable: {error}", self.text, first.start, first.end
                ) from None
        return leaves

    def _compute(
        self, node: _Node, args: list[float | Value], leaves: dict[str, Value]
    ) -> float | Value:
        if node.kind == "number":
            return node.number
        if node.kind == "variable":
            return leaves[node.name]
        try:
            if node.kind == "unary":
                result = _fold_or_apply(_UNARY_BY_SYMBOL[node.symbol], args)
            elif node.kind == "binary":
                result = _fold_or_apply(_BINARY_BY_SYMBOL[node.symbol], args)
            else:
                result = _fold_or_apply(_call(FUNCTIONS[node.symbol]), args)
        except ValueError as error:
            # The engine's message names the op and its operands; add where it happened.
            raise EvaluationError(str(error), self.text, node.start, node.end) from None
        data = result.data if isinstance(result, Value) else result
        if not math.isfinite(data):
            raise EvaluationError(
                f"{self.text[node.start : node.end]} overflows to {data} here "
                "(the largest float is about 1.8e308)",
                self.text,
                node.start,
                node.end,
            )
        return result


def _first_use(root: _Node, name: str) -> _Node:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == "variable" and node.name == name:
            return node
        stack.extend(reversed(node.children))
    raise LookupError(name)  # pragma: no cover - only called for names the expression uses
