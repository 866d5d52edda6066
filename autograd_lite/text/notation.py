"""Notation: how nodes, numbers and local-derivative formulas are written.

Ledgers, tables, questions and drawings all name nodes and print numbers the
same way because they all call these functions. Names never depend on ``id()``,
so the same graph always reads the same. Formulas come from the op table
(``ops.OPS``); this module knows no op's math.
"""

from __future__ import annotations

import math
import re

from autograd_lite._helpers import is_whole
from autograd_lite.autodiff import topological_order
from autograd_lite.ops import OPS
from autograd_lite.value import Value

__all__ = [
    "as_operand",
    "format_number",
    "is_number",
    "local_formula",
    "node_expression",
    "node_names",
    "with_value",
]


def format_number(number: float, precision: int = 4) -> str:
    """A number as drawings and ledgers show it: ``precision`` decimals, more for
    small numbers so that ``precision`` significant digits survive.

    Whole numbers keep one decimal (``3.0``) so they still read as floats;
    trailing zeros are dropped otherwise.

    Example:
        >>> [format_number(v) for v in (3, 0.909297, -0.4161468, 0.0072129, 5.9e-06, 2e7)]
        ['3.0', '0.9093', '-0.4161', '0.007213', '5.9e-06', '2e+07']
    """
    if not is_whole(precision) or precision < 1:
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
            name = node_expression(node, names, precision)
            if len(name) > _LONG_NAME:
                name = f"v{index}"
        if name in taken:
            name = f"{name}#{index}"
        taken.add(name)
        names[node] = name
    return names


def as_operand(name: str) -> str:
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
        return name if alone or argument else as_operand(name)

    return pattern.sub(put, text)


_PLACEHOLDER = re.compile(r"\{(x|y|c)\}")
_VARIABLE = re.compile(r"\b(x|y|c|out)\b")


def node_expression(node: Value, names: dict[Value, str], precision: int) -> str:
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


def with_value(formula: str, number: float, precision: int = 4) -> str:
    """``y = 3.0``: a local-derivative formula and its value, or just the value
    when the formula is a constant (``1.0``, not ``1 = 1.0``)."""
    text = format_number(number, precision)
    return text if is_number(formula) else f"{formula} = {text}"


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
