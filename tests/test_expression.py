"""The expression parser: what it accepts and builds, and the hostile input it refuses.

Every refusal is checked for its message and for the columns it points at
(``error.start``/``error.end``), so the caret a user sees lands on the part that
was wrong. ``expressions()`` (random valid expressions, kept in domain, with a
reference evaluator) is shared with ``test_cli.py``.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import math
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd_lite import OPS, Value, grad, gradcheck, hessian, value_and_grad
from autograd_lite.expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    EvaluationError,
    ExpressionError,
    lookalike_note,
    name_is_valid,
    normalize_name,
    parse,
)

# -- random valid expressions and a reference evaluator ---------------------------------

VARIABLES = ("x", "y", "z")


@dataclass(frozen=True)
class Tree:
    """A random expression: ``kind`` is var, num, neg, bin (``op`` + - * / **) or call."""

    kind: str
    op: str = ""
    children: tuple[Tree, ...] = ()
    name: str = ""
    number: float = 0.0

    def text(self) -> str:
        """Fully parenthesized source text."""
        if self.kind == "var":
            return self.name
        if self.kind == "num":
            return repr(self.number)
        if self.kind == "neg":
            return f"(-{self.children[0].text()})"
        if self.kind == "bin":
            left, right = self.children
            return f"({left.text()} {self.op} {right.text()})"
        return f"{self.op}({self.children[0].text()})"


def reference(tree: Tree, env: dict[str, Value]) -> float | Value:
    """What Python computes for the expression with Values for variables.

    Independent of the parser: plain recursion on the generated tree, with the
    documented rule that parts without variables are computed on floats.
    """
    if tree.kind == "var":
        return env[tree.name]
    if tree.kind == "num":
        return tree.number
    args = [reference(child, env) for child in tree.children]
    if tree.kind == "neg":
        (a,) = args
        return -a if isinstance(a, Value) else (-Value(a)).data
    if tree.kind == "bin":
        a, b = args
        fn = {
            "+": lambda p, q: p + q,
            "-": lambda p, q: p - q,
            "*": lambda p, q: p * q,
            "/": lambda p, q: p / q,
            "**": lambda p, q: p**q,
        }[tree.op]
        if isinstance(a, Value) or isinstance(b, Value):
            return fn(a, b)
        return fn(Value(a), b).data
    (a,) = args
    method = abs if tree.op == "abs" else getattr(Value, tree.op)
    return method(a) if isinstance(a, Value) else method(Value(a)).data


def _var() -> st.SearchStrategy[Tree]:
    return st.sampled_from(VARIABLES).map(lambda name: Tree("var", name=name))


def _num() -> st.SearchStrategy[Tree]:
    return st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25, 1.5]).map(lambda n: Tree("num", number=n))


def _grow(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    """One more level: every form stays inside its op's domain for any finite input."""

    def positive(t: Tree) -> Tree:  # 1 + t**2 > 0
        square = Tree("bin", "**", (t, Tree("num", number=2.0)))
        return Tree("bin", "+", (Tree("num", number=1.0), square))

    bounded = st.sampled_from(["sin", "cos", "tanh", "sigmoid"])
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children).map(
            lambda t: Tree("bin", t[0], (t[1], t[2]))
        ),
        st.tuples(children, children).map(lambda t: Tree("bin", "/", (t[0], positive(t[1])))),
        st.tuples(children, st.sampled_from([2.0, 3.0, -1.0])).map(
            lambda t: Tree("bin", "**", (positive(t[0]), Tree("num", number=t[1])))
        ),
        st.tuples(children, children).map(
            lambda t: Tree("bin", "**", (positive(t[0]), Tree("call", "tanh", (t[1],))))
        ),
        children.map(
            lambda t: Tree("bin", "**", (Tree("num", number=2.0), Tree("call", "sin", (t,))))
        ),
        st.tuples(bounded, children).map(lambda t: Tree("call", t[0], (t[1],))),
        st.tuples(st.sampled_from(["relu", "abs"]), children).map(
            lambda t: Tree("call", t[0], (t[1],))
        ),
        children.map(lambda t: Tree("call", "exp", (Tree("call", "tanh", (t,)),))),
        st.tuples(st.sampled_from(["log", "sqrt"]), children).map(
            lambda t: Tree("call", t[0], (positive(t[1]),))
        ),
        children.map(lambda t: Tree("neg", children=(t,))),
    )


def expressions() -> st.SearchStrategy[Tree]:
    """Random valid expressions over every whitelisted construct."""
    return st.recursive(st.one_of(_var(), _num()), _grow, max_leaves=10)


def points() -> st.SearchStrategy[dict[str, float]]:
    """Values for x, y and z."""
    coordinate = st.floats(-3.0, 3.0, allow_nan=False).map(lambda v: round(v, 3))
    return st.fixed_dictionaries({name: coordinate for name in VARIABLES})


def reference_value_and_gradient(
    tree: Tree, point: dict[str, float]
) -> tuple[float, dict[str, float]] | None:
    """The reference's value and partials at ``point`` (only the variables used), or None."""
    env = {name: Value(v, label=name) for name, v in point.items()}
    out = reference(tree, env)
    if not isinstance(out, Value):
        out = Value(out)
    if not math.isfinite(out.data):
        return None
    try:
        out.backward()
    except FloatingPointError:
        return None
    used = parse(tree.text()).variables
    return out.data, {name: env[name].grad for name in used}


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
    # 200 levels is the limit; 199 nested parentheses of sums evaluate with explicit stacks.
    text = "(" * 99 + "x" + " + 1)" * 99
    assert parse(text).evaluate({"x": 0.0}).data == 99.0


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
    ("x − 1", "invalid character '−' (U+2212)", "−"),
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
        ("+".join(["x"] * (MAX_DEPTH + 1)), MAX_DEPTH + 1.0),  # 200 operators
        ("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, 1.0),
        ("sin(" * 100 + "x" + "+x" * 99 + ")" * 100, _nested_sin(100.0, 100)),
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
    # 151-level expression still works: only ast.parse (given a ready tree here) recurses.
    text = "-" * 150 + "x"
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


# -- values and evaluation errors --------------------------------------------------------


def test_a_missing_variable_points_at_its_first_use() -> None:
    with pytest.raises(
        ExpressionError, match=r"variable y has no value: give one, e.g. y=1.5"
    ) as caught:
        parse("x + 2*y + y").evaluate({"x": 1.0})
    assert (caught.value.start, caught.value.end) == (6, 7)


def test_several_missing_variables_are_listed() -> None:
    with pytest.raises(ExpressionError, match="variables y, z have no values"):
        parse("x + y + z").evaluate({"x": 1.0})


def test_a_value_for_an_unused_name_is_an_error() -> None:
    with pytest.raises(
        ExpressionError, match="a value is given for y, which the expression does not use"
    ):
        parse("x").evaluate({"x": 1.0, "y": 2.0})


# -- letters that look alike (issue 19: "x=3 is given but not used (its variables: х)") -----

CYRILLIC_HA = "\u0445"  # х
GREEK_OMICRON = "\u03bf"  # ο
CYRILLIC_O = "\u043e"  # о


@pytest.mark.parametrize(
    ("text", "given", "fragment"),
    [
        (
            f"{CYRILLIC_HA}*2",
            "x",
            f"variable '{CYRILLIC_HA}' contains U+0445 CYRILLIC SMALL LETTER HA, which looks "
            "like Latin 'x'",
        ),
        (
            f"{GREEK_OMICRON} + 1",
            "o",
            f"variable '{GREEK_OMICRON}' contains U+03BF GREEK SMALL LETTER OMICRON, which "
            "looks like Latin 'o'",
        ),
        (
            "x*2",
            CYRILLIC_HA,
            f"the given name '{CYRILLIC_HA}' contains U+0445 CYRILLIC SMALL LETTER HA",
        ),
        (
            f"w{CYRILLIC_O}rd + 1",
            f"w{GREEK_OMICRON}rd",
            "U+043E CYRILLIC SMALL LETTER O, which looks like Latin 'o'; the given name "
            f"'w{GREEK_OMICRON}rd' contains U+03BF GREEK SMALL LETTER OMICRON",
        ),
    ],
)
def test_an_unused_name_that_looks_like_a_variable_says_which_letter_differs(
    text: str, given: str, fragment: str
) -> None:
    with pytest.raises(ExpressionError, match="does not use") as caught:
        parse(text).evaluate({given: 3.0})
    assert fragment in caught.value.message
    assert caught.value.message.endswith("type the same letters in both places")


@pytest.mark.parametrize("text", ["\uff58*2", "\U0001d465*2"])  # fullwidth x, mathematical x
def test_fullwidth_and_mathematical_letters_are_the_latin_variable(text: str) -> None:
    # Python's parser folds them (NFKC) into plain x, so they are no riddle: x=3 fits.
    f = parse(text)
    assert f.variables == ("x",)
    assert f.evaluate({"x": 3.0}).data == 6.0
    assert f.evaluate({normalize_name("\uff58"): 3.0}).data == 6.0


def test_names_that_do_not_look_alike_get_no_note() -> None:
    assert lookalike_note("x", ["y", "\u0436"]) == ""  # ж looks like no Latin letter
    assert lookalike_note("x", ["x"]) == ""
    with pytest.raises(ExpressionError) as caught:
        parse("y").evaluate({"x": 1.0})
    assert caught.value.message.endswith("(its variables: y)")


@pytest.mark.parametrize("bad", [math.nan, math.inf, "2", None, True])
def test_a_value_must_be_a_finite_number(bad: object) -> None:
    with pytest.raises(ExpressionError, match="the value of x is not usable") as caught:
        parse("1 + x").evaluate({"x": bad})  # type: ignore[dict-item]
    assert not isinstance(caught.value, EvaluationError)
    assert caught.value.start == 4


@pytest.mark.parametrize(
    ("text", "point", "fragment", "part"),
    [
        ("log(x) + 1", {"x": -1.0}, "log(-1.0)", "log(x)"),
        ("2 * sqrt(x - 1)", {"x": 0.0}, "sqrt(-1.0)", "sqrt(x - 1)"),
        ("x / (y - 1)", {"x": 1.0, "y": 1.0}, "1.0 / 0.0", "x / (y - 1)"),
        ("x ** 0.5", {"x": -4.0}, "pow is defined", "x ** 0.5"),
        ("x ** y", {"x": -2.0, "y": 2.0}, "vpow is defined", "x ** y"),
        ("exp(x)", {"x": 1000.0}, "exp(1000.0)", "exp(x)"),
        ("x * x", {"x": 1e200}, "overflows to inf", "x * x"),
        ("10 ** 400 + x", {"x": 1.0}, "overflows a float", "10 ** 400"),
        ("log(0) + x", {"x": 1.0}, "log(0.0)", "log(0)"),
        # Numbers are floats, so a tower of powers overflows at once instead of
        # computing a billion-digit integer.
        ("9**9**9**9 * x", {"x": 1.0}, "9.0 ** 387420489.0", "9**9**9"),
        ("1e308 * 10 + x", {"x": 1.0}, "overflows to inf", "1e308 * 10"),
    ],
)
def test_domain_errors_name_the_function_and_value_and_point_at_it(
    text: str, point: dict[str, float], fragment: str, part: str
) -> None:
    with pytest.raises(EvaluationError) as caught:
        parse(text).evaluate(point)
    error = caught.value
    assert fragment in error.message
    assert text[error.start : error.end] == part


def test_pointer_windows_and_control_characters() -> None:
    text = "a" * 150 + "XY" + "b" * 148
    first, second = ExpressionError("m", text, 150, 152).pointer(indent="").splitlines()
    assert first.startswith("...")
    assert first.endswith("...")
    assert len(first) < 90
    assert first[second.index("^") :].startswith("XY")
    assert second.strip() == "^^"
    assert ExpressionError("m", "x\ty", 1).pointer(indent="") == "x?y\n ^"
