"""``autograd-lite grad``: values and partial derivatives, usage errors (exit 2) and
runtime errors (exit 1) in one line, help, the installed command, --explain and
--draw, and the messages."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given

from autograd_lite import Value, gradcheck, hessian, value_and_grad
from autograd_lite.cli import EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR
from autograd_lite.numerical import GradcheckReport, GradcheckRow
from tests.cli.running import (
    command,
    grad_json,
    module,
    one_line_error,
    run,
    without_dot,
)
from tests.expression.random_expressions import (
    Tree,
    expressions,
    points,
    reference_value_and_gradient,
)
from tests.expression.test_parser import DEEP, REFUSED

# -- grad: values and partials ------------------------------------------------------------


def test_grad_prints_the_value_and_every_partial() -> None:
    status, out, err = run("grad", "x*y + sin(x)", "x=2", "y=3")
    assert (status, err) == (EXIT_OK, "")
    value, (dx, dy) = value_and_grad(lambda x, y: x * y + x.sin(), (0, 1))(2.0, 3.0)
    assert out.splitlines() == [
        "expression  x*y + sin(x)",
        "at          x = 2.0, y = 3.0",
        f"value       {value!r}",
        f"df/dx       {dx!r}",
        f"df/dy       {dy!r}",
    ]


@pytest.mark.parametrize(
    ("text", "point", "fn"),
    [
        ("x*y + sin(x)", {"x": 2.0, "y": 3.0}, lambda x, y: x * y + x.sin()),
        ("exp(-x**2) / sqrt(2)", {"x": 0.7}, lambda x: (-(x**2)).exp() / Value(2.0).sqrt()),
        ("tanh(w*x + b)", {"w": -0.5, "x": 1.5, "b": 0.1}, lambda w, x, b: (w * x + b).tanh()),
        ("log(a) * a ** b - relu(b) + abs(a - 3)", {"a": 1.5, "b": 2.0},
         lambda a, b: a.log() * a**b - b.relu() + abs(a - 3)),
        ("sigmoid(x) * cos(y) / (1 + x**2)", {"x": -1.0, "y": 0.5},
         lambda x, y: x.sigmoid() * y.cos() / (1 + x**2)),
        ("2 ** x - x ** -2", {"x": -1.5}, lambda x: 2**x - x**-2),
    ],
)  # fmt: skip
def test_partials_equal_the_engine(text: str, point: dict[str, float], fn: Any) -> None:
    result = grad_json(text, *(f"{k}={v}" for k, v in point.items()))
    value, partials = value_and_grad(fn, tuple(range(len(point))))(*point.values())
    assert result["value"] == value
    assert result["gradient"] == dict(zip(point, partials, strict=True))
    assert result["at"] == point
    assert result["expression"] == text


def test_partials_follow_the_command_line_order() -> None:
    result = grad_json("x - y", "y=1", "x=5")
    assert list(result["gradient"].items()) == [("y", -1.0), ("x", 1.0)]


def test_assignments_may_come_after_options() -> None:
    result = grad_json("x*y", "x=2", "--hessian", "y=3")
    assert result["gradient"] == {"x": 3.0, "y": 2.0}


def test_an_expression_without_variables() -> None:
    status, out, _ = run("grad", "2 ** 10")
    assert status == EXIT_OK
    assert "value       1024.0" in out.splitlines()
    assert grad_json("2 ** 10")["gradient"] == {}


def test_an_expression_starting_with_minus_after_double_dash() -> None:
    status, out, _ = run("grad", "--json", "--", "-x**2", "x=3")  # after --, all are positional
    assert status == EXIT_OK
    assert json.loads(out)["gradient"] == {"x": -6.0}
    status, _, err = run("grad", "-x", "x=3")
    assert status == EXIT_USAGE_ERROR
    assert "needs -- before it" in err


def test_hessian_equals_the_engine() -> None:
    result = grad_json("x**2 * y + y**3 + sin(x*y)", "x=1", "y=2", "--hessian")
    expected = hessian(lambda x, y: x**2 * y + y**3 + (x * y).sin())(1.0, 2.0)
    assert result["hessian"] == {
        "x": {"x": expected[0][0], "y": expected[0][1]},
        "y": {"x": expected[1][0], "y": expected[1][1]},
    }
    status, out, _ = run("grad", "x**2 * y + y**3", "x=1", "y=2", "--hessian")
    assert status == EXIT_OK
    assert out.splitlines()[-3:] == ["     x    y", "  x  4.0  2.0", "  y  2.0  12.0"]


def test_check_prints_the_verdicts() -> None:
    status, out, _ = run("grad", "x*y + sin(x)", "x=2", "y=3", "--check")
    assert status == EXIT_OK
    expected = gradcheck(lambda x, y: x * y + x.sin(), Value(2.0, "x"), Value(3.0, "y"))
    assert out.endswith(str(expected) + "\n")
    check = grad_json("x*y + sin(x)", "x=2", "y=3", "--check")["check"]
    assert check["passed"] is True
    assert [(r["name"], r["verdict"]) for r in check["rows"]] == [("x", "ok"), ("y", "ok")]
    assert check["rows"][0]["analytic"] == expected.rows[0].analytic


def test_check_reports_a_kink_without_failing() -> None:
    status, out, _ = run("grad", "relu(x) + y", "x=0", "y=1", "--check")
    assert status == EXIT_OK
    assert "non-differentiable point" in out
    assert "PASSED" in out


def test_a_failed_check_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    bad = GradcheckReport((GradcheckRow("x", 1.0, 2.0, 3.0, 1.0, "MISMATCH"),))
    monkeypatch.setattr("autograd_lite.cli.derivatives.gradcheck", lambda *args, **kwargs: bad)
    status, out, err = run("grad", "x**2", "x=1", "--check")
    assert status == EXIT_RUNTIME_ERROR
    assert "FAILED" in out
    assert "the gradient check failed" in err


def test_json_is_standard_json_even_with_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = GradcheckReport((GradcheckRow("x", 1.0, 2.0, math.nan, math.nan, "MISMATCH", "n/a"),))
    monkeypatch.setattr("autograd_lite.cli.derivatives.gradcheck", lambda *args, **kwargs: odd)
    status, out, _ = run("grad", "x", "x=1", "--check", "--json")
    assert status == EXIT_RUNTIME_ERROR
    row = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-standard JSON: {c}"))["check"][
        "rows"
    ][0]
    assert row["numeric"] is None


@pytest.mark.parametrize("flag", ["--hessian", "--check"])
def test_second_derivatives_and_checks_need_a_variable(flag: str) -> None:
    status, _, err = run("grad", "2 * 3", flag)
    assert status == EXIT_USAGE_ERROR
    assert f"{flag} needs a variable" in err


@given(expressions(), points())
def test_random_expressions_through_the_cli_equal_the_library(
    tree: Tree, point: dict[str, float]
) -> None:
    expected = reference_value_and_gradient(tree, point)
    assume(expected is not None)
    assert expected is not None
    value, partials = expected
    status, out, err = run(
        "grad", tree.text(), *(f"{name}={point[name]!r}" for name in partials), "--json"
    )
    assert status == EXIT_OK, err
    result = json.loads(out)
    assert result["value"] == value
    assert result["gradient"] == partials


# -- usage errors: exit 2 with a message -----------------------------------------------------


@pytest.mark.parametrize(("text", "fragment", "part"), REFUSED)
def test_hostile_expressions_exit_2_with_a_caret(text: str, fragment: str, part: str) -> None:
    status, out, err = run("grad", "--", text, "x=1")
    assert status == EXIT_USAGE_ERROR
    assert out == ""
    assert fragment in err
    assert err.startswith("autograd-lite: error: ")
    assert "Traceback" not in err
    caret_line = err.splitlines()[-1]
    assert set(caret_line.strip()) == {"^"}


@pytest.mark.parametrize(("text", "fragment"), DEEP, ids=lambda v: str(v)[:12])
def test_deep_and_huge_expressions_exit_2(text: str, fragment: str) -> None:
    status, _, err = run("grad", "--", text, "x=1")
    assert status == EXIT_USAGE_ERROR
    assert fragment in err
    assert len(err) < 2_000


def test_a_1mb_expression_exits_2() -> None:
    status, _, err = run("grad", "x+" * 500_000 + "x", "x=1")
    assert status == EXIT_USAGE_ERROR
    assert "1,000,001 characters long; the limit is 10,000" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["x + y", "x=1"], "variable y has no value: give one, e.g. y=1.5"),
        (["x + y + z", "x=1"], "variables y, z have no values"),
        (["x", "x=1", "y=2"], "y=2 is given but not used by the expression (its variables: x)"),
        (["x", "x=1", "y=2", "z=3"], "y=2 z=3 are given but not used"),
        (["x", "x=1", "x=2"], "x is given twice (x=1 and x=2)"),
        (["x", "x"], "give each variable a value as NAME=VALUE"),
        (["x", "x=abc"], "'abc' is not a number"),
        (["x", "x="], "'' is not a number"),
        (["x", "x=1/2"], "'1/2' is not a number"),
        (["x", "x=1=2"], "'1=2' is not a number"),
        (["x", "x=__import__('os')"], "is not a number"),
        (["x", "x=inf"], "the value must be a finite number"),
        (["x", "x=nan"], "the value must be a finite number"),
        (["x", "x=1e999"], "the value must be a finite number"),
        (["x", "=1"], "is not a valid variable name"),
        (["x", "2x=1"], "is not a valid variable name"),
        (["x", "x.y=1"], "is not a valid variable name"),
        (["x", "sin=1"], "is a function name"),
        (["x", "lambda=1"], "is not a valid variable name"),
    ],
)
def test_bad_assignments_are_usage_errors(argv: list[str], fragment: str) -> None:
    status, out, err = run("grad", *argv)
    assert status == EXIT_USAGE_ERROR
    assert out == ""
    assert fragment in err
    assert "Traceback" not in err


def test_assignment_names_are_normalized_like_the_parser_does() -> None:
    assert grad_json("ﬁ * 2", "fi=1")["gradient"] == {"fi": 2.0}
    assert grad_json("fi * 2", "ﬁ=1")["gradient"] == {"fi": 2.0}


def test_spaces_around_the_value_are_fine() -> None:
    assert grad_json("x * 2", "x= 1.5 ")["at"] == {"x": 1.5}


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nonsense"],
        ["grad"],
        ["grad", "x", "x=1", "--no-such-option"],
        ["grad", "x", "x=1", "--hessian=yes"],
    ],
)
def test_bad_command_lines_exit_2(argv: list[str]) -> None:
    status, _, err = run(*argv)
    assert status == EXIT_USAGE_ERROR
    assert "usage:" in err


# -- runtime errors: exit 1, message naming the function and value, no traceback -----------


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["log(x)", "x=-1"], ["log(-1.0)", "x > 0", "log(x)\n  ^^^^^^"]),
        (["sqrt(x) + 1", "x=-4"], ["sqrt(-4.0)", "sqrt(x)"]),
        (["x / y", "x=1", "y=0"], ["1.0 / 0.0", "y != 0"]),
        (["exp(x)", "x=1000"], ["exp(1000.0)", "overflows"]),
        (["x * x", "x=1e200"], ["x * x overflows to inf"]),
        (["1 / x", "x=1e-200"], ["gradient became -inf"]),  # finite value, infinite slope
        (["x ** y", "x=-2", "y=2"], ["vpow is defined", "x > 0"]),
    ],
)
def test_domain_errors_exit_1_naming_the_function_and_value(
    argv: list[str], fragments: list[str]
) -> None:
    status, out, err = run("grad", *argv)
    assert status == EXIT_RUNTIME_ERROR
    assert out == ""
    for fragment in fragments:
        assert fragment in err
    assert "Traceback" not in err


def test_a_domain_error_in_the_second_derivatives_exits_1() -> None:
    # sqrt(x) at 1e-250: the first derivative is finite, the second overflows.
    status, _, err = run("grad", "sqrt(x)", "x=1e-250", "--hessian")
    assert status == EXIT_RUNTIME_ERROR
    assert "Traceback" not in err


# -- help --------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["grad", "--help"]])
def test_help_has_examples_and_exit_codes(argv: list[str]) -> None:
    status, out, _ = run(*argv)
    assert status == EXIT_OK
    assert "examples:" in out
    assert "exit status" in out
    assert "0  success" in out
    assert "1  runtime error" in out
    assert "2  usage error" in out


def test_grad_help_describes_the_expression_language() -> None:
    _, out, _ = run("grad", "--help")
    words = " ".join(out.split())
    assert "abs cos exp log relu sigmoid sign sin sqrt step tanh" in words
    assert "nothing is ever executed" in words


# -- the real command ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "point", "fn"),
    [
        ("x*y + sin(x)", {"x": 2.0, "y": 3.0}, lambda x, y: x * y + x.sin()),
        ("tanh(w*x + b)", {"w": -0.5, "x": 1.5, "b": 0.1}, lambda w, x, b: (w * x + b).tanh()),
        ("log(a) / sqrt(a + b)", {"a": 2.5, "b": 0.5}, lambda a, b: a.log() / (a + b).sqrt()),
    ],
)
def test_the_installed_command_gives_the_engines_partials(
    text: str, point: dict[str, float], fn: Any
) -> None:
    done = command("grad", text, *(f"{k}={v}" for k, v in point.items()), "--json")
    assert done.returncode == EXIT_OK, done.stderr
    result = json.loads(done.stdout)
    value, partials = value_and_grad(fn, tuple(range(len(point))))(*point.values())
    assert result["value"] == value
    assert result["gradient"] == dict(zip(point, partials, strict=True))


def test_python_dash_m_is_the_same_command() -> None:
    argv = ("grad", "x*y + sin(x)", "x=2", "y=3", "--hessian")
    assert module(*argv).stdout == command(*argv).stdout != ""
    done = module("grad", "log(x)", "x=-1")
    assert done.returncode == EXIT_RUNTIME_ERROR
    assert "log(-1.0)" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "__import__('os')", "x=1"],
        ["grad", "--", "-" * 9_999 + "x", "x=1"],
        ["grad", "(" * 10_000 + "x" + ")" * 10_000, "x=1"],
        ["grad", "1e999 + x", "x=1"],
        ["grad", "1j + x", "x=1"],
    ],
    ids=["import", "deep", "parens", "1e999", "complex"],
)
def test_the_installed_command_exits_2_on_hostile_input(argv: list[str]) -> None:
    done = command(*argv)
    assert done.returncode == EXIT_USAGE_ERROR
    assert done.stdout == ""
    assert "autograd-lite: error:" in done.stderr
    assert "Traceback" not in done.stderr
    assert "^" in done.stderr.splitlines()[-1]


def test_a_long_expression_through_the_installed_command() -> None:
    # Linux refuses a single argument over 128 KiB before any program starts, so 1 MB
    # is tested in-process above; 100 KB is what can reach the command.
    done = command("grad", "x*" * 50_000 + "x", "x=1")
    assert done.returncode == EXIT_USAGE_ERROR
    assert "100,001 characters long; the limit is 10,000" in done.stderr


def test_variables_given_but_not_used_through_the_installed_command() -> None:
    done = command("grad", "x", "x=1", "y=1")
    assert done.returncode == EXIT_USAGE_ERROR
    assert "y=1 is given but not used by the expression (its variables: x)" in done.stderr


CANARY_ATTEMPTS = [
    "__import__('os').system('touch canary')",
    "__import__('pathlib').Path('canary').touch()",
    "open('canary', 'w')",
    "exec(\"open('canary', 'w')\")",
    "eval(\"open('canary', 'w')\")",
    "[open('canary', 'w') for _ in 'a']",
    "(lambda: open('canary', 'w'))()",
    "f\"{open('canary', 'w')}\"",
    "x.__class__.__base__.__subclasses__()",
    "__builtins__.open('canary', 'w')",
    "(x := open('canary', 'w'))",
    "sin(open('canary', 'w'))",
    "x if open('canary', 'w') else x",
    "x + 0 * len(open('canary', 'w').name)",
    "breakpoint()",
]


def test_canary_nothing_in_a_hostile_expression_runs(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    # The canary works: the same payload run as Python does create the file.
    subprocess.run([sys.executable, "-c", CANARY_ATTEMPTS[0]], cwd=tmp_path, check=True)
    assert canary.exists()
    canary.unlink()
    for attempt in CANARY_ATTEMPTS:
        done = command("grad", attempt, "x=1", cwd=tmp_path)
        assert done.returncode == EXIT_USAGE_ERROR, (attempt, done.stderr)
        assert "Traceback" not in done.stderr
        assert not canary.exists(), f"{attempt!r} created the canary"
    # Values are numbers only: a payload in an assignment does not run either.
    done = command("grad", "x", f"x={CANARY_ATTEMPTS[0]}", cwd=tmp_path)
    assert done.returncode == EXIT_USAGE_ERROR
    assert not canary.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# -- grad --explain and --draw --------------------------------------------------------------


def _f_at_2_3() -> Value:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x.sin()
    f.label = "f"
    return f


def test_explain_prints_the_forward_table_and_the_ledger() -> None:
    from autograd_lite.text.ledger import explain, forward_table

    done = command("grad", "x*y + sin(x)", "x=2", "y=3", "--explain")
    assert done.returncode == EXIT_OK, done.stderr
    f = _f_at_2_3()
    forward, ledger = forward_table(f).to_text(), explain(f).to_text()
    assert forward in done.stdout
    assert ledger in done.stdout
    assert done.stdout.index(forward) < done.stdout.index(ledger)
    # The ledger's last word on each input is the partial the command printed.
    f.backward()
    assert [row.after for row in explain(f) if row.parent_name == "x"][-1] == 2.5838531634528574
    assert "df/dx       2.5838531634528574" in done.stdout


def test_explain_as_markdown_and_latex() -> None:
    from autograd_lite.text.ledger import explain

    ledger = explain(_f_at_2_3())
    for style, render in (("markdown", ledger.to_markdown), ("latex", ledger.to_latex)):
        status, out, _ = run("grad", "x*y + sin(x)", "x=2", "y=3", "--explain-format", style)
        assert status == EXIT_OK
        assert render() in out


def test_explain_in_json_is_the_ledger() -> None:
    from autograd_lite.text.ledger import explain, forward_table

    result = grad_json("x*y + sin(x)", "x=2", "y=3", "--explain")
    f = _f_at_2_3()
    expected = [
        (r.step, r.name, r.parent_name, r.local, r.contribution, r.after) for r in explain(f)
    ]
    keys = ("step", "node", "parent", "local", "contribution", "parent_grad_after")
    assert [tuple(r[k] for k in keys) for r in result["explain"]["backward"]] == expected
    forward = [(r["node"], r["value"]) for r in result["explain"]["forward"]]
    assert forward == [(r.name, r.value) for r in forward_table(f)]
    assert len(forward) == 5


def test_explain_names_the_root_f_but_keeps_a_bare_variable() -> None:
    result = grad_json("x", "x=2", "--explain")
    assert result["explain"]["forward"] == [
        {"step": 1, "node": "x", "op": "", "computes": "", "inputs": [], "value": 2.0}
    ]
    assert result["explain"]["backward"] == []


def test_draw_writes_a_valid_svg(tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    picture = tmp_path / "graph.svg"
    done = command("grad", "x*y + sin(x)", "x=2", "y=3", "--draw", str(picture))
    if done.returncode == EXIT_RUNTIME_ERROR and "dot program" in done.stderr:
        pytest.skip("Graphviz's dot program is not installed")
    assert done.returncode == EXIT_OK, done.stderr
    assert f"drawing     {picture}" in done.stdout
    root = ET.parse(picture).getroot()
    assert root.tag.endswith("svg")
    text = picture.read_text()
    for shown in ("x * y", "sin(x)", "2.5839", "cos(x)"):
        assert shown in text


def test_draw_writes_a_valid_png(tmp_path: Path) -> None:
    picture = tmp_path / "graph.png"
    status, _, err = run("grad", "tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "--draw", str(picture))
    if status == EXIT_RUNTIME_ERROR and "dot program" in err:
        pytest.skip("Graphviz's dot program is not installed")
    assert status == EXIT_OK, err
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_draw_dot_needs_nothing_installed(tmp_path: Path) -> None:
    picture = tmp_path / "graph.dot"
    done = command("grad", "x*x", "x=3", "--draw", str(picture), env=without_dot(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    assert picture.read_text().startswith("digraph")
    assert grad_json("x*x", "x=3", "--draw", str(picture))["drawing"] == str(picture)


def test_draw_without_dot_is_a_runtime_error_with_a_hint(tmp_path: Path) -> None:
    done = command(
        "grad", "x*x", "x=3", "--draw", str(tmp_path / "g.svg"), env=without_dot(tmp_path)
    )
    assert done.returncode == EXIT_RUNTIME_ERROR
    assert "install" in done.stderr
    assert ".dot" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "g.svg").exists()


def test_draw_checks_the_file_name_before_any_work(tmp_path: Path) -> None:
    status, out, err = run("grad", "log(x)", "x=-1", "--draw", str(tmp_path / "g.jpeg"))
    assert status == EXIT_USAGE_ERROR  # the name is wrong, before log(-1) is even tried
    assert out == ""
    assert ".svg .png .pdf .dot .gv" in err


def test_draw_into_a_missing_folder_exits_1(tmp_path: Path) -> None:
    status, _, err = run("grad", "x*x", "x=3", "--draw", str(tmp_path / "no" / "such" / "g.dot"))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot write" in err


def test_draw_refuses_a_huge_graph_with_a_message(tmp_path: Path) -> None:
    # 119 terms in three bracketed groups (a flat sum of 119 would pass MAX_DEPTH).
    spans = ((1, 41), (41, 81), (81, 120))
    text = " + ".join("(" + " + ".join(f"sin(x*{k})" for k in range(*span)) + ")" for span in spans)
    status, _, err = run("grad", text, "x=1", "--draw", str(tmp_path / "huge.dot"))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot draw this graph: it has 476 nodes, more than the 250" in err
    assert "max_nodes=None)" in err
    assert "pass max_nodes" not in err  # the command line has no such option
    assert err.count("\n") == 1
    assert not (tmp_path / "huge.dot").exists()


# -- messages -----------------------------------------------------------------------------


def test_an_overflowing_gradient_gives_advice_the_command_line_can_follow() -> None:
    # The issue: the error suggested nonfinite='warn', which the command line has no option for.
    status, _, err = run("grad", "x*1e308 + x*1.5e308 - x*1.6e308", "x=0.5")
    assert status == EXIT_RUNTIME_ERROR
    line = one_line_error(err)
    assert "nonfinite" not in line
    assert "backward()" not in line
    assert "the gradient became inf at leaf 'x'" in line
    assert line.endswith("try a point where the numbers are smaller")


def test_the_demo_names_the_missing_graphviz_package_when_dot_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue: with dot installed but not the graphviz package, the hint said apt-get.
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr("autograd_lite.cli.output.shutil.which", lambda name: f"/usr/bin/{name}")
    status, out, _ = run("demo", "--out", str(tmp_path))
    assert status == EXIT_OK
    [hint] = [line for line in out.splitlines() if "note:" in line and ".dot text" in line]
    assert 'the graphviz Python package (pip install "autograd-lite[viz]") is missing' in hint
    assert "apt-get" not in hint
    assert "`dot -Tsvg NAME.dot -o NAME.svg` renders them" in hint


def test_the_demo_names_both_when_both_are_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr("autograd_lite.cli.output.shutil.which", lambda name: None)
    _, out, _ = run("demo", "--out", str(tmp_path))
    [hint] = [line for line in out.splitlines() if "note:" in line and ".dot text" in line]
    assert "[viz]" in hint
    assert "apt-get install graphviz" in hint
    assert " are missing" in hint


def test_a_variable_that_only_looks_like_the_given_name_says_which_letter() -> None:
    # The issue: "x=3 is given but not used (its variables: х)", two names that look the same.
    status, _, err = run("grad", "\u0445*2", "x=3")
    assert status == EXIT_USAGE_ERROR
    assert (
        "x=3 is given but not used by the expression (its variables: \u0445); variable "
        "'\u0445' contains U+0445 CYRILLIC SMALL LETTER HA, which looks like Latin 'x'"
    ) in err


# -- grad --mode and jacobian: forward mode on the command line -----------------------------


def test_grad_mode_forward_gives_the_same_gradient_and_says_what_it_cost() -> None:
    status, out, err = run("grad", "x*y + sin(x)", "x=2", "y=3", "--mode", "forward")
    assert (status, err) == (EXIT_OK, "")
    assert "df/dx       2.5838531634528574\n" in out
    assert "df/dy       2.0\n" in out
    assert (
        "cost        forward mode: one sweep per input, 2 inputs x 5 edges = 10 multiply-adds"
        in out
    )
    _, reverse, _ = run("grad", "x*y + sin(x)", "x=2", "y=3", "--mode", "reverse")
    assert "cost        reverse mode: one sweep per output, 1 output x 5 edges = 5 " in reverse
    _, plain, _ = run("grad", "x*y + sin(x)", "x=2", "y=3")
    assert "cost" not in plain  # without --mode the output is as it always was


@given(expressions(), points())
def test_grad_mode_forward_agrees_with_reverse_on_random_expressions(
    tree: Tree, point: dict[str, float]
) -> None:
    expected = reference_value_and_gradient(tree, point)
    assume(expected is not None)
    assert expected is not None
    argv = [tree.text(), *(f"{name}={point[name]!r}" for name in expected[1]), "--json"]
    status, reverse, _ = run("grad", *argv, "--mode", "reverse")
    assume(status == EXIT_OK)  # a point where the gradient overflows is refused either way
    status, forward, err = run("grad", *argv, "--mode", "forward")
    assert status == EXIT_OK, err
    ours, theirs = json.loads(forward), json.loads(reverse)
    n = len(ours["gradient"])
    assert ours["cost"]["sweeps"] == n
    if n:  # a constant expression has no variable and takes no sweep
        assert ours["cost"]["multiply_adds"] == n * ours["cost"]["edges"]
        assert theirs["cost"]["multiply_adds"] == theirs["cost"]["edges"]
    scale = max([1.0] + [abs(g) for g in theirs["gradient"].values()])
    for name, g in theirs["gradient"].items():
        assert math.isclose(ours["gradient"][name], g, rel_tol=1e-12, abs_tol=1e-12 * scale)


def test_jacobian_prints_the_matrix_and_its_cost_either_way() -> None:
    status, out, err = run("jacobian", "x*y", "x + y", "sin(x)", "x=2", "y=3")
    assert (status, err) == (EXIT_OK, "")
    assert out.splitlines()[:3] == [
        "expressions  x*y, x + y, sin(x)",
        "at           x = 2.0, y = 3.0",
        "values       6.0, 5.0, 0.9092974268256817",
    ]
    assert "  sin(x)  -0.4161468365471424  0.0" in out
    assert "cost: reverse mode: one sweep per output, 3 outputs: 2 + 2 + 1 = 5" in out
    status, out, _ = run("jacobian", "x*y", "x + y", "sin(x)", "x=2", "y=3", "--mode", "forward")
    assert "cost: forward mode: one sweep per input, 2 inputs x 5 edges = 10" in out


def test_jacobian_json_holds_rows_by_variable() -> None:
    status, out, _ = run("jacobian", "x*y*z", "x - z", "x=1", "y=2", "z=3", "--json")
    assert status == EXIT_OK
    result = json.loads(out)
    assert result["jacobian"] == [{"x": 6.0, "y": 3.0, "z": 2.0}, {"x": 1.0, "y": 0.0, "z": -1.0}]
    assert result["cost"]["sweeps"] == 2
    assert result["cost"]["multiply_adds"] == 6  # 4 edges behind x*y*z, 2 behind x - z


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["x=2"], EXIT_USAGE_ERROR, "give the expressions first, then the values"),
        (["x*y", "x=2"], EXIT_USAGE_ERROR, "variable y has no value"),
        (["x*y", "sin(x)", "x=2", "y=3", "w=1"], EXIT_USAGE_ERROR, "not used by any of the"),
        (["2"], EXIT_USAGE_ERROR, "a Jacobian needs a variable"),
        (["log(x)", "x=-1"], EXIT_RUNTIME_ERROR, "log is defined"),
        (["x*y", "x=2", "y=3", "--mode", "sideways"], EXIT_USAGE_ERROR, "invalid choice"),
    ],
)
def test_jacobian_errors_are_one_line_with_the_right_status(
    argv: list[str], status: int, message: str
) -> None:
    got, out, err = run("jacobian", *argv)
    assert got == status
    assert out == ""
    assert message in err
