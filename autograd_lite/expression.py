"""Expressions typed as text, parsed safely and built into Value graphs.

``parse("x*y + sin(x)")`` reads a formula with Python's own parser (``ast``)
and keeps it only if every part is on a short whitelist: numbers, variable
names, ``+ - * / **``, unary minus (and plus), parentheses, and one-argument
calls of the engine's functions (``exp log sqrt tanh sigmoid relu sin cos
abs step sign``). Nothing is ever executed: the text is parsed into a syntax tree, the
tree is checked node by node, and the accepted tree is copied into this
module's own small node type. ``Expression.evaluate`` then builds a Value graph
from that copy with Value operators, so an expression can only ever do what
those operators do.

Everything the parser rejects raises ``ExpressionError`` with a message and the
columns of the offending part, so a caller can print a caret under it:

    >>> try:
    ...     parse("x.__class__")
    ... except ExpressionError as error:
    ...     print(error)
    attribute access (.__class__) is not allowed: use a function call such as sin(x)
      x.__class__
       ^^^^^^^^^^

Limits keep hostile input cheap to refuse, and both are checked on the text
before Python's parser sees it: at most ``MAX_LENGTH`` characters and
``MAX_DEPTH`` levels of nesting, where every bracket and every operator adds a
level (an upper bound on the depth of the syntax tree). Python's own parser
gives up on deep input at a depth that differs between Python versions (3.11
and 3.12 raise ``RecursionError`` where 3.10 and 3.13 parse), so measuring first
makes the answer, and the message, the same on every version. The tree walks
here use explicit stacks, so they never recurse.
"""

from __future__ import annotations

import ast
import math
import operator
import unicodedata
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from keyword import iskeyword
from typing import Any

from autograd_lite.autodiff import no_grad
from autograd_lite.value import Value

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "lookalike_note",
    "name_is_valid",
    "normalize_name",
    "parse",
]

#: The longest expression accepted, in characters (checked before parsing).
MAX_LENGTH = 10_000

#: The deepest nesting accepted: brackets plus operators on the way in from the outermost
#: level (Python's own limit for parentheses alone is 200).
MAX_DEPTH = 200


def _abs(x: Value) -> Value:
    return abs(x)


#: The functions an expression may call, each the Value method of the same name.
#: ``tests/test_expression.py`` checks this matches the op table's function rows.
FUNCTIONS: dict[str, Callable[[Value], Value]] = {
    "abs": _abs,
    "cos": Value.cos,
    "exp": Value.exp,
    "log": Value.log,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "sign": Value.sign,
    "sin": Value.sin,
    "sqrt": Value.sqrt,
    "step": Value.step,
    "tanh": Value.tanh,
}

_ALLOWED = (
    "numbers, variable names, + - * / **, unary minus, parentheses and the functions "
    + " ".join(sorted(FUNCTIONS))
)

_BINARY: dict[type[ast.operator], tuple[str, Callable[..., Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}

_UNARY: dict[type[ast.unaryop], tuple[str, Callable[..., Any]]] = {
    ast.USub: ("-", operator.neg),
    ast.UAdd: ("+", operator.pos),
}

# Operators Python knows but this language does not, by the symbol users typed.
_OTHER_OPERATORS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^ (in Python ^ is not a power: write x ** 2)",
    ast.BitAnd: "&",
    ast.Invert: "~",
    ast.Not: "not",
}

# What to call the constructs users most often try, for the error message.
_CONSTRUCTS: dict[type[ast.AST], str] = {
    ast.Subscript: "a subscript ([...])",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "and / or",
    ast.NamedExpr: "assignment (:=)",
    ast.IfExp: "a conditional expression (... if ... else ...)",
    ast.Tuple: "a tuple (a comma outside a function call)",
    ast.List: "a list",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.Starred: "a starred expression (*x)",
    ast.JoinedStr: "a string (f-string)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class ExpressionError(ValueError):
    """An expression that cannot be used, with the columns of the offending part.

    ``str(error)`` is the message followed by the expression (or a window of it,
    when it is long) and a line of carets under ``text[start:end]``.

    Attributes:
        message: what is wrong and how to fix it, one line.
        text: the expression.
        start, end: the offending part, ``text[start:end]`` (character columns;
            ``start == len(text)`` points just past the end).
    """

    def __init__(self, message: str, text: str, start: int, end: int | None = None) -> None:
        start = max(0, min(start, len(text)))
        end = start + 1 if end is None or end <= start else end
        self.message = message
        self.text = text
        self.start = start
        self.end = end
        super().__init__(message)

    def pointer(self, indent: str = "  ", width: int = 76) -> str:
        """The expression (a window of it, if long) and a caret line under the offending part.

        Example:
            >>> print(ExpressionError("here", "x + y", 4).pointer())
              x + y
                  ^
        """
        text, start, end = self.text, self.start, self.end
        lo, hi = 0, len(text)
        if hi > width:
            # Centre a window on the start of the offending part.
            lo = max(0, min(start - width // 2, hi - width))
            hi = min(len(text), lo + width)
        # Control characters would break the line or the caret's alignment.
        shown = "".join("?" if _is_control(c) else c for c in text[lo:hi])
        prefix = "..." if lo > 0 else ""
        suffix = "..." if hi < len(text) else ""
        caret_start = len(prefix) + start - lo
        caret_count = max(1, min(end, hi + 1) - start)
        carets = " " * caret_start + "^" * caret_count
        return f"{indent}{prefix}{shown}{suffix}\n{indent}{carets}"

    def __str__(self) -> str:
        return f"{self.message}\n{self.pointer()}"


class EvaluationError(ExpressionError):
    """An expression that parsed but cannot be computed at the given point.

    Raised for a domain error (``log(x)`` at x = -1) or an overflow, with the
    engine's message and the columns of the part of the expression that failed.
    """


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


_BINARY_BY_SYMBOL = {symbol: fn for symbol, fn in _BINARY.values()}
_UNARY_BY_SYMBOL = {symbol: fn for symbol, fn in _UNARY.values()}


def _call(function: Callable[[Value], Value]) -> Callable[[object], object]:
    def apply(x: object) -> object:
        return function(x if isinstance(x, Value) else Value(x))  # type: ignore[arg-type]

    return apply


def _fold_or_apply(fn: Callable[..., object], args: list[float | Value]) -> float | Value:
    """Apply ``fn``; when no argument is a Value, compute it with the engine on floats."""
    if any(isinstance(a, Value) for a in args):
        result = fn(*args)
        assert isinstance(result, Value)
        return result
    with no_grad():
        # Through a Value, so that a domain error reads exactly as the engine's does.
        folded = fn(Value(float(args[0])), *args[1:])
    assert isinstance(folded, Value)
    return folded.data


def _first_use(root: _Node, name: str) -> _Node:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.kind == "variable" and node.name == name:
            return node
        stack.extend(reversed(node.children))
    raise LookupError(name)  # pragma: no cover - only called for names the expression uses


# -- parsing --------------------------------------------------------------------------


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


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


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
        if isinstance(node, ast.Name):
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


def name_is_valid(name: str) -> bool:
    """True when ``name`` can be a variable: an identifier, not a keyword or a function.

    Example:
        >>> name_is_valid("x1"), name_is_valid("sin"), name_is_valid("2x")
        (True, False, False)
    """
    return name.isidentifier() and not iskeyword(name) and name not in FUNCTIONS


def normalize_name(name: str) -> str:
    """The form Python's parser gives an identifier (NFKC), so ``ﬁ`` and ``fi`` match."""
    return unicodedata.normalize("NFKC", name)


# Letters of other scripts that look like Latin ones in most fonts, each with its Latin
# look-alike. Python's NFKC normalisation already folds fullwidth and mathematical letters
# (``ｘ``, ``𝑥``) into ASCII, but not these: they are letters of their own scripts, so
# ``х`` (Cyrillic) and ``x`` are two different variables that print the same.
_LOOKALIKES = dict(
    zip(
        "аАВсСеЕһНіІјЈКМоОрРѕЅТхХуУԁԛԝӏ"  # Cyrillic
        "αΑΒΕΖΗιΙκΚΜΝνοΟρΡΤυΥχΧ"  # Greek
        "օսı",  # Armenian oh and seh, Turkish dotless i
        "aABcCeEhHiIjJKMoOpPsSTxXyYdqwlaABEZHiIkKMNvoOpPTuYxXoui",
        strict=True,
    )
)


def _skeleton(name: str) -> str:
    """``name`` as it looks: NFKC-normalised, then every look-alike letter made Latin."""
    return "".join(_LOOKALIKES.get(c, c) for c in unicodedata.normalize("NFKC", name))


def lookalike_note(name: str, names: Sequence[str]) -> str:
    """Why ``name`` is none of ``names`` although it looks like one of them ("" if it does not).

    Letters of other scripts can look exactly like Latin ones: with a Cyrillic
    ``х`` in the expression and ``x=3`` given, "x is not used (its variables: х)"
    would be a riddle. The note says which character differs.

    Example:
        >>> note = lookalike_note("x", ["\u0445", "y"])  # a Cyrillic ha, then y
        >>> print(note.replace(": ", ":\\n"))
        variable 'х' contains U+0445 CYRILLIC SMALL LETTER HA, which looks like Latin 'x':
        type the same letters in both places
        >>> lookalike_note("x", ["y"])
        ''
    """
    shape = _skeleton(name)
    for other in names:
        if other == name or _skeleton(other) != shape:
            continue
        parts = [
            f"{role} {text!r} contains {_foreign_letters(text)}"
            for role, text in (("variable", other), ("the given name", name))
            if _foreign_letters(text)
        ]
        return "; ".join(parts) + ": type the same letters in both places"
    return ""


def _foreign_letters(text: str) -> str:
    """The look-alike letters in ``text``, each with its code point, name and Latin twin."""
    found = [c for c in dict.fromkeys(text) if c in _LOOKALIKES]
    described = [f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in found]
    if len(found) == 1:
        return f"{described[0]}, which looks like Latin {_LOOKALIKES[found[0]]!r}"
    return ", ".join(
        f"{what} (like Latin {_LOOKALIKES[c]!r})" for c, what in zip(found, described, strict=True)
    )
