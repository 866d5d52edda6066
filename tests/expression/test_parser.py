"""expression.parse: what it accepts, hostile input refused with a message pointing
at the offending part, the limits on size and depth, and nothing ever executed."""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import sys
from typing import Any

import pytest
from hypothesis import assume, given

from autograd_lite import OPS, Value, grad, gradcheck, hessian, value_and_grad
from autograd_lite.expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    EvaluationError,
    ExpressionError,
    name_is_valid,
    normalize_name,
    parse,
)
from tests.expression.random_expressions import (
    Tree,
    expressions,
    points,
    reference_value_and_gradient,
)

# -- what the parser accepts -------------------------------------------------------------


def test_functions_are_exactly_the_function_rows_of_the_op_table() -> None:
    rows = {name for name, op in OPS.items() if op.template == f"{name}({{x}})"}
    assert set(FUNCTIONS) == rows
    for name in FUNCTIONS:
        out = FUNCTIONS[name](Value(0.5))
        assert out.op == name


def test_variables_in_order_of_first_appearance() -> None:
    assert parse("y*x + sin(y) + z").variables == ("y", "x", "z")
    assert parse("3 * 2").variables == ()


def test_value_and_partials_match_the_same_code_written_with_values() -> None:
    f = parse("x*y + sin(x)")
    x, y = Value(2.0, "x"), Value(3.0, "y")
    out = f.evaluate({"x": x, "y": y})
    out.backward()
    x2, y2 = Value(2.0), Value(3.0)
    expected = x2 * y2 + x2.sin()
    expected.backward()
    assert (out.data, x.grad, y.grad) == (expected.data, x2.grad, y2.grad)


def test_numbers_become_labelled_leaves() -> None:
    out = parse("x * y").evaluate({"x": 2, "y": 3.5})
    assert [p.label for p in out.parents] == ["x", "y"]
    assert [p.data for p in out.parents] == [2.0, 3.5]


def test_a_repeated_variable_is_one_leaf_with_two_edges() -> None:
    x = Value(3.0, "x")
    out = parse("x * x").evaluate({"x": x})
    assert out.parents == (x, x)
    out.backward()
    assert x.grad == 6.0


@pytest.mark.parametrize(
    ("text", "op", "attr"),
    [
        ("x ** 2", "pow", 2.0),
        ("x ** -2", "pow", -2.0),  # -2 is a number, so the exponent stays a constant
        ("x ** (1/2)", "pow", 0.5),  # constant parts are computed first
        ("2 ** x", "rpow", 2.0),
        ("x ** x", "vpow", None),
    ],
)
def test_powers_use_the_right_row(text: str, op: str, attr: float | None) -> None:
    out = parse(text).evaluate({"x": 1.5})
    assert (out.op, out.attr) == (op, attr)


def test_a_negative_base_with_a_constant_exponent() -> None:
    # With the exponent as a Value (vpow) this would be a domain error at x < 0.
    f = parse("x ** (2 * 1)")
    out = f.evaluate({"x": -3.0})
    assert out.data == 9.0
    assert grad(f.function())(-3.0) == -6.0


def test_constant_parts_are_folded_like_python_does() -> None:
    out = parse("2 * 3 * x").evaluate({"x": 1.0})
    assert out.op == "mul"
    assert [p.data for p in out.parents] == [6.0, 1.0]
    assert parse("-2 ** 2").evaluate({}).data == -4.0  # Python precedence


def test_an_expression_without_variables_is_a_leaf() -> None:
    out = parse("sin(0.5) * 2").evaluate({})
    assert out.op == ""
    assert out.data == math.sin(0.5) * 2


def test_unary_plus_and_spaces_and_leading_spaces() -> None:
    assert parse("   + x  ").evaluate({"x": 4.0}).data == 4.0


def test_unicode_names_are_normalized_like_python_does() -> None:
    f = parse("ﬁ + 1")  # the ligature is NFKC-normalized to "fi"
    assert f.variables == ("fi",)
    assert normalize_name("ﬁ") == "fi"


def test_name_is_valid() -> None:
    assert name_is_valid("w1")
    assert name_is_valid("α")
    for bad in ("1w", "sin", "lambda", "x.y", "", "x y"):
        assert not name_is_valid(bad), bad


def test_function_for_grad_hessian_and_gradcheck() -> None:
    f = parse("x**2 * y + y**3")
    assert value_and_grad(f.function(), (0, 1))(1.0, 2.0) == (10.0, (4.0, 13.0))
    assert hessian(f.function())(1.0, 2.0) == [[4.0, 2.0], [2.0, 12.0]]
    assert hessian(f.function(["y", "x"]))(2.0, 1.0) == [[12.0, 2.0], [2.0, 4.0]]
    report = gradcheck(f.function(), Value(1.0, "x"), Value(2.0, "y"))
    assert report.passed
    assert [row.name for row in report.rows] == ["x", "y"]


def test_function_checks_its_order_and_arguments() -> None:
    f = parse("x + y")
    with pytest.raises(ExpressionError, match="must name each variable"):
        f.function(["x"])
    with pytest.raises(TypeError, match="takes 2 argument"):
        f.function()(1.0)


def test_str_is_the_text() -> None:
    assert str(parse("x+1")) == "x+1"


def test_evaluation_of_a_deep_accepted_expression_does_not_recurse() -> None:
    # MAX_DEPTH (100) levels is the limit; 49 parentheses of sums (98 levels) evaluate
    # with explicit stacks.
    text = "(" * 49 + "x" + " + 1)" * 49
    assert parse(text).evaluate({"x": 0.0}).data == 49.0


@given(expressions(), points())
def test_random_expressions_evaluate_like_python_with_values(
    tree: Tree, point: dict[str, float]
) -> None:
    expected = reference_value_and_gradient(tree, point)
    assume(expected is not None)
    assert expected is not None
    f = parse(tree.text())
    env = {name: Value(point[name], label=name) for name in f.variables}
    out = f.evaluate(env)
    out.backward()
    assert out.data == expected[0]
    assert {name: leaf.grad for name, leaf in env.items()} == expected[1]


# -- hostile input: refused, with a message pointing at the offending part ---------------


REFUSED = [
    # (expression, a fragment of the message, the offending part the caret is under)
    ("x.__class__", "attribute access (.__class__)", ".__class__"),
    ("x.real + 1", "attribute access (.real)", ".real"),
    ("().__class__.__bases__", "attribute access", ".__bases__"),
    ("__import__('os')", "__import__ is not a function", "__import__"),
    ("__import__('os').system('ls')", "attribute access (.system)", ".system"),
    ("x.conjugate()", "attribute access (.conjugate)", ".conjugate"),
    ("open('f', 'w')", "open is not a function", "open"),
    ("eval('1')", "eval is not a function", "eval"),
    ("exec('x=1')", "exec is not a function", "exec"),
    ("print(x)", "print is not a function", "print"),
    ("x(2)", "x is not a function", "x"),
    ("sin(x)(2)", "can be called, by name", "sin(x)"),
    ("(lambda: 1)()", "can be called, by name", "lambda: 1"),
    ("x[0]", "a subscript", "x[0]"),
    ("x[1:2]", "a subscript", "x[1:2]"),
    ("lambda: 1", "a lambda", "lambda: 1"),
    ("'abc'", "strings are not allowed", "'abc'"),
    ("b'abc'", "strings are not allowed", "b'abc'"),
    ("sin('1')", "strings are not allowed", "'1'"),
    ("f'{x}'", "a string (f-string)", "f'{x}'"),
    ("[i for i in x]", "a comprehension", "[i for i in x]"),
    ("{i: 1 for i in x}", "a comprehension", "{i: 1 for i in x}"),
    ("(i for i in x)", "a generator expression", "(i for i in x)"),
    ("sin(x=1)", "keyword arguments", "x=1"),
    ("sin(**x)", "keyword arguments", "**x"),
    ("sin(*x)", "starred arguments", "*x"),
    ("(x := 3)", "assignment (:=)", "x := 3"),
    ("x < 1", "a comparison", "x < 1"),
    ("x == 1", "a comparison", "x == 1"),
    ("x and y", "and / or", "x and y"),
    ("x if y else 1", "a conditional expression", "x if y else 1"),
    ("x, y", "a tuple", "x, y"),
    ("[x]", "a list", "[x]"),
    ("{x}", "a set", "{x}"),
    ("{x: 1}", "a dict", "{x: 1}"),
    ("await x", "await", "await x"),
    ("x // 2", "the operator //", " // "),
    ("x % 2", "the operator %", " % "),
    ("x @ y", "the operator @", " @ "),
    ("x ^ 2", "write x ** 2", " ^ "),
    ("x << 1", "the operator <<", " << "),
    ("~x", "the operator ~", "~"),
    ("not x", "the operator not", "not "),
    ("1e999", "too large for a float", "1e999"),
    ("x * 1e999", "too large for a float", "1e999"),
    ("1j", "complex numbers", "1j"),
    ("x + 2.5j", "complex numbers", "2.5j"),
    ("True", "True is not a number", "True"),
    ("None", "None is not a number", "None"),
    ("...", "Ellipsis is not a number", "..."),
    ("sin + 1", "sin is a function: call it", "sin"),
    ("sin(x, y)", "sin takes exactly one argument (2 given)", "sin(x, y)"),
    ("exp()", "exp takes exactly one argument (0 given)", "exp()"),
    ("foo(x) + bar(y)", "foo is not a function", "foo"),
    ("x +", "syntax error", ""),  # the caret goes just past the end
    ("x y", "syntax error", "y"),
    ("x − 1", "− is not an operator here: type - (the ASCII minus", "−"),
    ("x ⊕ 1", "invalid character '⊕' (U+2295)", "⊕"),
    ("sin(x", "'(' was never closed", "("),
    ("x = 1", "syntax error", "="),
    ("import os", "syntax error", "import"),
    ("x\n+ 1", "control character U+000A", "\n"),
    ("x\x00", "control character U+0000", "\x00"),
    ("x\u200b+1", "control character U+200B", "\u200b"),
    ("x\u202e+1", "control character U+202E", "\u202e"),  # right-to-left override
    ("", "the expression is empty", ""),
    ("   ", "the expression is empty", "   "),
    ("1" * 5000, "5,000 digits long", "1" * 5000),
]


@pytest.mark.parametrize(("text", "fragment", "part"), REFUSED)
def test_refused_with_a_message_pointing_at_the_offending_part(
    text: str, fragment: str, part: str
) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    error = caught.value
    assert not isinstance(error, EvaluationError)
    assert fragment in error.message
    if part:
        assert text[error.start : error.end] == part
    else:
        assert error.start == len(text)
    # The rendering shows the message, the expression and a caret line.
    lines = str(error).splitlines()
    assert lines[0] == error.message
    assert set(lines[2].strip()) == {"^"}


def test_the_caret_is_under_the_offending_part() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("x * y.z + 1")
    assert caught.value.pointer() == "  x * y.z + 1\n       ^^"


def test_the_caret_counts_characters_not_utf8_bytes() -> None:
    # ast reports byte columns; "αβγ" is 6 bytes but 3 characters.
    with pytest.raises(ExpressionError) as caught:
        parse("αβγ + x.real")
    assert caught.value.pointer() == "  αβγ + x.real\n         ^^^^^"


def test_the_first_offending_part_is_reported() -> None:
    with pytest.raises(ExpressionError, match="foo is not a function") as caught:
        parse("foo(x) + x.y")
    assert caught.value.start == 0


# -- size and depth -------------------------------------------------------------------------


def test_a_1mb_expression_is_refused_by_size_before_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_parsing(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ast.parse must not see an oversized expression")

    monkeypatch.setattr(ast, "parse", no_parsing)
    text = "x+" * 500_000 + "x"
    with pytest.raises(
        ExpressionError, match=r"1,000,001 characters long; the limit is 10,000"
    ) as caught:
        parse(text)
    assert caught.value.start == MAX_LENGTH
    # A long expression is shown as a window around the offending column.
    assert max(len(line) for line in str(caught.value).splitlines()) < 200


def test_the_longest_accepted_expression() -> None:
    text = "x" + " " * (MAX_LENGTH - 1)
    assert parse(text).variables == ("x",)
    with pytest.raises(ExpressionError, match="characters long"):
        parse(text + " ")


NESTED = f"nested more than {MAX_DEPTH} levels deep"

# Measured on the text before Python parses it, so every Python version refuses the same
# inputs with the same message (3.11 and 3.12's parsers raise RecursionError on some of
# these, 3.10 and 3.13 parse them).
DEEP = [
    ("(" * 10_000 + "x" + ")" * 10_000, "characters long"),  # 20,001 characters
    ("(" * 4_000 + "x" + ")" * 4_000, NESTED),
    ("(" * 201 + "x" + ")" * 201, NESTED),  # Python's tokenizer allows 200
    ("sin(" * 1_900 + "x" + ")" * 1_900, NESTED),
    ("-" * 9_999 + "x", NESTED),
    ("-" * 4_999 + "x", NESTED),
    ("+".join(["x"] * 4_000), NESTED),
    ("**".join(["x"] * 3_000), NESTED),
    ("-" * 201 + "x", NESTED),
    ("+".join(["x"] * 202), NESTED),
    ("sin(" * 150 + "x" + "+x" * 60 + ")" * 150, NESTED),
    ("(x+" * 101 + "x" + ")" * 101, NESTED),  # 101 brackets + 101 operators
]


@pytest.mark.parametrize(("text", "fragment"), DEEP, ids=lambda v: str(v)[:12])
def test_deep_nesting_is_refused_without_crashing(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError, match=fragment) as caught:
        parse(text)
    error = caught.value
    assert 0 <= error.start < error.end <= len(text) + 1
    assert len(str(error)) < 1_000


def test_a_deep_unary_chain_points_at_the_run_of_operators() -> None:
    text = "y + " + "-" * 5_000 + "x"
    with pytest.raises(ExpressionError, match="it has 5,001") as caught:
        parse(text)
    assert text[caught.value.start : caught.value.end] == "+ " + "-" * 5_000


def _nested_sin(x: float, times: int) -> float:
    for _ in range(times):
        x = math.sin(x)
    return x


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-" * MAX_DEPTH + "x", 1.0),
        ("+".join(["x"] * (MAX_DEPTH + 1)), MAX_DEPTH + 1.0),  # MAX_DEPTH operators
        ("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, 1.0),
        ("sin(" * 50 + "x" + "+x" * 49 + ")" * 50, _nested_sin(50.0, 50)),
        ("1e-5 + 2E+3 * x" + " - x" * (MAX_DEPTH - 2), 1e-5 + 2000 - (MAX_DEPTH - 2)),
        ("x ** 2" + " * x" * (MAX_DEPTH - 1), 1.0),  # ** is one operator
    ],
    ids=["unary", "sum", "parens", "calls", "exponents", "power"],
)
def test_nesting_up_to_the_limit_is_accepted(text: str, expected: float) -> None:
    assert parse(text).evaluate({"x": 1.0}).data == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("version_message", ["maximum recursion depth exceeded", "MemoryError"])
def test_a_parser_giving_up_is_still_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, version_message: str
) -> None:
    # Whatever the nesting check lets through and Python's parser still cannot handle
    # (only constructs refused anyway) is a usage error, not a crash.
    error = RecursionError if "recursion" in version_message else MemoryError

    def give_up(*args: object, **kwargs: object) -> ast.Expression:
        raise error(version_message)

    monkeypatch.setattr(ast, "parse", give_up)
    with pytest.raises(ExpressionError, match="nested too deeply for Python's parser"):
        parse("not " * 10 + "x")


def test_the_walkers_do_not_recurse(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the recursion limit just above the current stack, checking and evaluating a
    # 100-level expression still works: only ast.parse (given a ready tree here) recurses.
    text = "-" * (MAX_DEPTH - 2) + "x"  # an even number of minuses
    tree = ast.parse(text, mode="eval")
    monkeypatch.setattr(ast, "parse", lambda *args, **kwargs: tree)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 40)
    try:
        out = parse(text).evaluate({"x": 2.0})
    finally:
        sys.setrecursionlimit(limit)
    assert out.data == 2.0


# -- nothing is executed ------------------------------------------------------------------


def test_compile_is_only_ever_asked_for_a_syntax_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    real_compile = builtins.compile
    calls: list[int] = []

    def only_ast(
        source: Any, filename: Any, mode: str, flags: int = 0, *args: Any, **kw: Any
    ) -> Any:
        calls.append(flags)
        assert flags & ast.PyCF_ONLY_AST, "the parser must never compile to code"
        return real_compile(source, filename, mode, flags, *args, **kw)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("eval/exec must never be called")

    monkeypatch.setattr(builtins, "compile", only_ast)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    for text, _, _ in REFUSED:
        with pytest.raises(ExpressionError):
            parse(text)
    out = parse("x*y + sin(x)").evaluate({"x": 2.0, "y": 3.0})
    assert out.data == 2.0 * 3.0 + math.sin(2.0)
    assert calls  # the check above really watched ast.parse


# -- symbols of written mathematics (issue 24) ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "advice"),
    [
        ("x·y", 1, "type * (as in x*y)"),  # was one variable named "x·y"
        ("x⋅y", 1, "type * (as in x*y)"),
        ("2×x", 1, "type * (as in x*y)"),
        ("x÷2", 1, "type / (as in x/y)"),
        ("x − y", 2, "type - (the ASCII minus"),
        ("√x", 0, "type sqrt(...) (as in sqrt(x))"),
        ("x² + 1", 1, "type **2 (as in x**2)"),
        ("x³", 1, "type **3"),
    ],
)
def test_a_math_symbol_is_refused_with_the_ascii_to_type(
    text: str, column: int, advice: str
) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert f"{text[column]} is not an operator here: {advice}" in str(info.value)
    assert (info.value.start, info.value.end) == (column, column + 1)


def test_pi_is_the_constant_not_a_variable_set_to_one() -> None:
    # The playground made π a variable (set to 1 unless given): sin(π/2) is 1.
    expression = parse("sin(π/2) + π*x")
    assert expression.variables == ("x",)
    assert expression.evaluate({"x": 2.0}).data == math.sin(math.pi / 2) + math.pi * 2.0
    assert parse("pi * x").variables == ("pi", "x")  # the ASCII name stays a name


def test_the_nesting_limit_is_one_pyodide_survives() -> None:
    # Under Pyodide 191 parentheses overflowed the browser's stack in ast.parse; the limit
    # is 100 on every Python, so the playground and the command line agree.
    assert MAX_DEPTH == 100
    assert parse("(" * 99 + "x" + ")" * 99).variables == ("x",)
    with pytest.raises(ExpressionError, match="nest"):
        parse("(" * 101 + "x" + ")" * 101)
