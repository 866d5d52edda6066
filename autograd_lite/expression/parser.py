"""``parse``: text to an ``Expression`` through a whitelist over Python's ``ast``
(no ``eval``), with limits checked before ``ast`` sees the text.
"""

from __future__ import annotations

import ast
import math
import warnings

from autograd_lite.expression.errors import ExpressionError, _is_control
from autograd_lite.expression.grammar import (
    _ALLOWED,
    _BINARY,
    _CONSTRUCTS,
    _OTHER_OPERATORS,
    _UNARY,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    SYMBOLS,
)
from autograd_lite.expression.syntax import Expression, _Node


def parse(text: str) -> Expression:
    """Parse and check ``text``; raise ``ExpressionError`` pointing at anything not allowed.

    Example:
        >>> parse("exp(-x**2) / sqrt(2)").variables
        ('x',)
        >>> parse("__import__('os')")
        Traceback (most recent call last):
        ...
        autograd_lite.expression.ExpressionError: __import__ is not a function here; ...
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() takes the expression as a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}",
            text,
            MAX_LENGTH,
            len(text),
        )
    for column, char in enumerate(text):
        if char in SYMBOLS:
            raise ExpressionError(
                f"{char} is not an operator here: type {SYMBOLS[char]}", text, column
            )
        if _is_control(char):
            raise ExpressionError(
                f"control character U+{ord(char):04X} is not allowed: write the expression "
                "on one line with plain spaces",
                text,
                column,
            )
    stripped = text.lstrip()
    shift = len(text) - len(stripped)  # Python refuses leading spaces ("unexpected indent")
    if not stripped.strip():
        raise ExpressionError("the expression is empty", text, 0, max(1, len(text)))
    _check_nesting(text)
    tree = _python_parse(text, stripped, shift)
    root, variables = _convert(tree.body, text, _ByteColumns(stripped, shift))
    return Expression(text, tuple(variables), root)


def _python_parse(text: str, stripped: str, shift: int) -> ast.Expression:
    try:
        with warnings.catch_warnings():
            # Python warns about things like "1 is 1"; they are rejected anyway.
            warnings.simplefilter("ignore")
            return ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        offset = error.offset or 0
        start = shift + offset - 1 if offset > 0 else len(text)
        end_offset = error.end_offset or 0
        end = (
            shift + end_offset - 1 if (error.end_lineno or 1) == 1 and end_offset > offset else None
        )
        message = (error.msg or "invalid syntax").rstrip(".")
        if message.startswith("Exceeds the limit"):
            # Python's own advice (set_int_max_str_digits) does not apply here.
            start, end = _longest_digit_run(text)
            raise ExpressionError(
                f"the number is {end - start:,} digits long; "
                "write large numbers in scientific notation, e.g. 1.5e300",
                text,
                start,
                end,
            ) from None
        raise ExpressionError(f"syntax error: {message}", text, start, end) from None
    except (RecursionError, MemoryError):
        # Only constructs the whitelist refuses anyway (e.g. thousands of `not`) get here:
        # _check_nesting bounds the depth of everything it would accept.
        raise ExpressionError(
            "the expression is nested too deeply for Python's parser", text, 0, len(text)
        ) from None


#: Characters that make an operator token; a run of them nests (``x - - - y``).
_OPERATOR_CHARS = frozenset("+-*/%@~<>=!&|^")


def _check_nesting(text: str) -> None:
    """Refuse text nested more than ``MAX_DEPTH`` levels, before Python parses it.

    Brackets and operators each add a level: the depth reported for a bracket's
    content is its operators plus the deepest group inside it, and the whole
    expression's depth is the top level's. That bounds the syntax tree's depth from
    above (an operator adds at most one level), needs no parser, and is the same on
    every Python version. Numbers (``1e-5``) and names are skipped whole, so their
    signs and digits do not count.
    """
    # One [operators, deepest group] pair per open bracket, the top level first.
    levels: list[list[int]] = [[0, 0]]
    column, length, previous_operator = 0, len(text), False
    while column < length:
        char = text[column]
        if (
            char.isalpha()
            or char == "_"
            or char.isdigit()
            or (char == "." and text[column + 1 : column + 2].isdigit())
        ):
            column = _skip_word(text, column)
            previous_operator = False
            continue
        if char in "([{":
            levels.append([0, 0])
        elif char in ")]}" and len(levels) > 1:
            operators, deepest = levels.pop()
            levels[-1][1] = max(levels[-1][1], 1 + operators + deepest)
        elif char in _OPERATOR_CHARS:
            # `**` and `//` are one operator; `- -` is two.
            if not (previous_operator and char in "*/" and text[column - 1] == char):
                levels[-1][0] += 1
            previous_operator = True
            column += 1
            continue
        if not char.isspace():
            previous_operator = False
        column += 1
    # Brackets left open are Python's syntax error to report; count them as closed.
    while len(levels) > 1:
        operators, deepest = levels.pop()
        levels[-1][1] = max(levels[-1][1], 1 + operators + deepest)
    depth = sum(levels[0])
    if depth > MAX_DEPTH:
        start, end = _longest_operator_run(text)
        raise ExpressionError(
            f"the expression is nested more than {MAX_DEPTH} levels deep (it has {depth:,}: "
            "every bracket, call and operator adds a level); split it into smaller parts",
            text,
            start,
            end,
        )


def _skip_word(text: str, column: int) -> int:
    """The column after the name or number starting at ``column`` (with an exponent's sign)."""
    number = not (text[column].isalpha() or text[column] == "_")
    length = len(text)
    column += 1
    while column < length:
        char = text[column]
        if char.isalnum() or char in "._":
            if number and char in "eE" and text[column + 1 : column + 2] in ("+", "-"):
                column += 1  # the sign belongs to the exponent: 1e-5
            column += 1
        else:
            break
    return column


def _longest_operator_run(text: str) -> tuple[int, int]:
    """The longest stretch of operator characters (and spaces), to point at when too deep."""
    best = (0, len(text))
    run_start, count, best_count = 0, 0, 0
    for column, char in enumerate(text):
        if char in _OPERATOR_CHARS or (char == " " and count):
            if count == 0:
                run_start = column
            count += char != " "
            if count > best_count:
                best_count, best = count, (run_start, column + 1)
        else:
            count = 0
    return best if best_count > MAX_DEPTH else (0, len(text))


def _longest_digit_run(text: str) -> tuple[int, int]:
    best, start = (0, 0), None
    for column, char in enumerate(text + " "):
        if char.isdigit():
            start = column if start is None else start
        elif start is not None:
            if column - start > best[1] - best[0]:
                best = (start, column)
            start = None
    return best


class _ByteColumns:
    """Turns ``ast`` columns (UTF-8 byte offsets) into character columns of the full text."""

    def __init__(self, stripped: str, shift: int) -> None:
        self._stripped = stripped
        self._encoded = stripped.encode("utf-8")
        self._ascii = len(self._encoded) == len(stripped)
        self._shift = shift

    def __call__(self, byte_column: int | None) -> int:
        if byte_column is None:
            return self._shift
        if self._ascii:
            return self._shift + byte_column
        return self._shift + len(self._encoded[:byte_column].decode("utf-8", errors="replace"))


def _span(node: ast.AST, column: _ByteColumns) -> tuple[int, int]:
    return column(getattr(node, "col_offset", 0)), column(getattr(node, "end_col_offset", None))


def _convert(body: ast.expr, text: str, column: _ByteColumns) -> tuple[_Node, list[str]]:
    """Check every node of ``body`` against the whitelist and copy it into ``_Node``s.

    Pre-order (left to right), so the first offending part is the one reported;
    an explicit stack, so depth cannot exhaust Python's recursion limit.
    """
    variables: dict[str, None] = {}
    built: dict[int, _Node] = {}
    # No depth check here: _check_nesting has bounded the depth before parsing.
    stack: list[tuple[ast.expr, bool]] = [(body, False)]
    while stack:
        node, ready = stack.pop()
        start, end = _span(node, column)
        if ready:
            built[id(node)] = _build(node, start, end, built)
            continue
        children = _check(node, text, start, end, column)
        if isinstance(node, ast.Name) and node.id not in CONSTANTS:
            variables.setdefault(_checked_name(node.id, text, start, end))
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children))
    return built[id(body)], list(variables)


def _check(node: ast.expr, text: str, start: int, end: int, column: _ByteColumns) -> list[ast.expr]:
    """Raise if ``node`` is not allowed; return its children to check next."""
    if isinstance(node, ast.Constant):
        _checked_number(node.value, text, start, end)
        return []
    if isinstance(node, ast.Name):
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            op_start = _span(node.left, column)[1]
            op_end = _span(node.right, column)[0]
            raise ExpressionError(
                f"the operator {_OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)} "
                "is not supported; use + - * / **",
                text,
                op_start,
                op_end,
            )
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if type(node.op) not in _UNARY:
            raise ExpressionError(
                f"the operator {_OTHER_OPERATORS.get(type(node.op), type(node.op).__name__)} "
                "is not supported; the only unary operators are - and +",
                text,
                start,
                _span(node.operand, column)[0],
            )
        return [node.operand]
    if isinstance(node, ast.Call):
        return [_checked_call(node, text, start, end, column)]
    if isinstance(node, ast.Attribute):
        value_end = _span(node.value, column)[1]
        raise ExpressionError(
            f"attribute access (.{node.attr}) is not allowed: use a function call such as sin(x)",
            text,
            value_end,
            end,
        )
    what = _CONSTRUCTS.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed; allowed: {_ALLOWED}", text, start, end)


def _checked_number(value: object, text: str, start: int, end: int) -> None:
    if isinstance(value, bool) or value is None or value is Ellipsis:
        raise ExpressionError(f"{value!r} is not a number; allowed: {_ALLOWED}", text, start, end)
    if isinstance(value, complex):
        raise ExpressionError(
            "complex numbers are not supported: autograd_lite works on real numbers",
            text,
            start,
            end,
        )
    if isinstance(value, (str, bytes)):
        raise ExpressionError(f"strings are not allowed; allowed: {_ALLOWED}", text, start, end)
    if not isinstance(value, (int, float)):
        raise ExpressionError(f"{value!r} is not a number", text, start, end)  # pragma: no cover
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExpressionError(
            f"the number {text[start:end]} is too large for a float (the largest is about 1.8e308)",
            text,
            start,
            end,
        )


def _checked_name(name: str, text: str, start: int, end: int) -> str:
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} is a function: call it, as in {name}(x)", text, start, end)
    return name


def _checked_call(
    node: ast.Call, text: str, start: int, end: int, column: _ByteColumns
) -> ast.expr:
    func = node.func
    if isinstance(func, ast.Attribute):
        # x.f(...): the attribute is the offending part, as for x.f alone.
        _check(func, text, *_span(func, column), column)
    if not isinstance(func, ast.Name):
        f_start, f_end = _span(func, column)
        raise ExpressionError(
            f"only the functions {' '.join(sorted(FUNCTIONS))} can be called, by name",
            text,
            f_start,
            f_end,
        )
    f_start, f_end = _span(func, column)
    if func.id not in FUNCTIONS:
        raise ExpressionError(
            f"{func.id} is not a function here; the functions are {' '.join(sorted(FUNCTIONS))}",
            text,
            f_start,
            f_end,
        )
    if node.keywords:
        k_start, k_end = _span(node.keywords[0], column)
        raise ExpressionError(
            f"keyword arguments are not allowed: write {func.id}(x)", text, k_start, k_end
        )
    starred = next((arg for arg in node.args if isinstance(arg, ast.Starred)), None)
    if starred is not None:
        s_start, s_end = _span(starred, column)
        raise ExpressionError(
            f"starred arguments (*args) are not allowed: write {func.id}(x)", text, s_start, s_end
        )
    if len(node.args) != 1:
        raise ExpressionError(
            f"{func.id} takes exactly one argument ({len(node.args)} given)", text, start, end
        )
    return node.args[0]


def _build(node: ast.expr, start: int, end: int, built: dict[int, _Node]) -> _Node:
    """Copy a checked ``ast`` node (whose children are already built) into a ``_Node``."""
    if isinstance(node, ast.Constant):
        assert isinstance(node.value, (int, float))
        return _Node("number", "", (), start, end, number=float(node.value))
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:  # π is the number, not a variable
            return _Node("number", "", (), start, end, number=CONSTANTS[node.id])
        return _Node("variable", "", (), start, end, name=node.id)
    if isinstance(node, ast.UnaryOp):
        operand = built.pop(id(node.operand))
        if operand.kind == "number" and isinstance(node.op, ast.USub):
            # -2 is a number, not a negation node: x ** -2 then keeps a constant exponent.
            return _Node("number", "", (), start, end, number=-operand.number)
        return _Node("unary", _UNARY[type(node.op)][0], (operand,), start, end)
    if isinstance(node, ast.BinOp):
        left, right = built.pop(id(node.left)), built.pop(id(node.right))
        return _Node("binary", _BINARY[type(node.op)][0], (left, right), start, end)
    assert isinstance(node, ast.Call)
    assert isinstance(node.func, ast.Name)
    return _Node("call", node.func.id, (built.pop(id(node.args[0])),), start, end)
