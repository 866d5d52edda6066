"""The ``autograd-lite`` command, in-process (``main(argv)``) and as a real subprocess.

In-process tests are fast and cover every branch; the subprocess tests run the
installed console script (and ``python -m autograd_lite``) to prove the command
a user types works end to end, including the canary test that shows a hostile
expression executes nothing.
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import io
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given

from autograd_lite import Value, gradcheck, hessian, value_and_grad
from autograd_lite.cli import EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR, main
from autograd_lite.gradcheck import GradcheckReport, GradcheckRow
from tests import learner_engines
from tests.test_expression import (
    DEEP,
    REFUSED,
    Tree,
    expressions,
    points,
    reference_value_and_gradient,
)

# -- helpers -----------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def installed_command() -> str:
    """The console script next to this interpreter (pip install -e . puts it there)."""
    found = shutil.which("autograd-lite", path=os.path.dirname(sys.executable)) or shutil.which(
        "autograd-lite"
    )
    if found is None:
        message = 'the autograd-lite command is not installed: pip install -e ".[dev]"'
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def command(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``autograd-lite`` as a subprocess."""
    return subprocess.run(
        [installed_command(), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def module(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m autograd_lite`` as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def grad_json(*argv: str) -> dict[str, Any]:
    status, out, err = run("grad", *argv, "--json")
    assert status == EXIT_OK, err
    result: dict[str, Any] = json.loads(out)
    return result


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
    monkeypatch.setattr("autograd_lite.cli.gradcheck", lambda *args, **kwargs: bad)
    status, out, err = run("grad", "x**2", "x=1", "--check")
    assert status == EXIT_RUNTIME_ERROR
    assert "FAILED" in out
    assert "the gradient check failed" in err


def test_json_is_standard_json_even_with_nan(monkeypatch: pytest.MonkeyPatch) -> None:
    odd = GradcheckReport((GradcheckRow("x", 1.0, 2.0, math.nan, math.nan, "MISMATCH", "n/a"),))
    monkeypatch.setattr("autograd_lite.cli.gradcheck", lambda *args, **kwargs: odd)
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
    from autograd_lite.ledger import explain, forward_table

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
    from autograd_lite.ledger import explain

    ledger = explain(_f_at_2_3())
    for style, render in (("markdown", ledger.to_markdown), ("latex", ledger.to_latex)):
        status, out, _ = run("grad", "x*y + sin(x)", "x=2", "y=3", "--explain-format", style)
        assert status == EXIT_OK
        assert render() in out


def test_explain_in_json_is_the_ledger() -> None:
    from autograd_lite.ledger import explain, forward_table

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
    done = command("grad", "x*x", "x=3", "--draw", str(picture), env=_without_dot(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    assert picture.read_text().startswith("digraph")
    assert grad_json("x*x", "x=3", "--draw", str(picture))["drawing"] == str(picture)


def test_draw_without_dot_is_a_runtime_error_with_a_hint(tmp_path: Path) -> None:
    done = command(
        "grad", "x*x", "x=3", "--draw", str(tmp_path / "g.svg"), env=_without_dot(tmp_path)
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
    text = " + ".join(f"sin(x*{k})" for k in range(1, 120))
    status, _, err = run("grad", text, "x=1", "--draw", str(tmp_path / "huge.dot"))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot draw this graph: it has 476 nodes, more than the 250" in err
    assert "max_nodes=None)" in err
    assert "pass max_nodes" not in err  # the command line has no such option
    assert err.count("\n") == 1
    assert not (tmp_path / "huge.dot").exists()


def _without_dot(tmp_path: Path) -> dict[str, str]:
    """The environment with a PATH (an empty folder) on which Graphviz's dot cannot be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return {**os.environ, "PATH": str(empty)}


# -- train --------------------------------------------------------------------------------


def test_train_xor_reaches_100_percent_through_the_installed_command() -> None:
    done = command("train", "xor")
    assert done.returncode == EXIT_OK, done.stderr
    assert "accuracy    100.0% (4 of 4 training samples)" in done.stdout
    result = json.loads(command("train", "xor", "--json").stdout)
    assert result["accuracy"] == 1.0
    assert result["epochs"] == 100
    assert result["model"]["layer_sizes"] == [8, 1]
    assert len(result["history"]["loss"]) == 100
    assert result["loss"] < result["history"]["loss"][0]


def test_train_is_reproducible_and_matches_the_library() -> None:
    from autograd_lite import datasets, nn, optim
    from autograd_lite.train import fit

    first = json.loads(
        run("train", "xor", "--hidden", "3", "--epochs", "20", "--seed", "4", "--json")[1]
    )
    second = json.loads(
        run("train", "xor", "--hidden", "3", "--epochs", "20", "--seed", "4", "--json")[1]
    )
    assert first["history"] == second["history"]
    X, y = datasets.xor()
    model = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    history = fit(model, X, y, loss="binary_cross_entropy_with_logits",
                  optimizer=optim.Adam(model.parameters(), lr=0.1), epochs=20, seed=4)  # fmt: skip
    assert first["history"]["loss"] == history.loss


def test_train_options_reach_the_model_and_optimizer() -> None:
    status, out, err = run(
        "train", "moons", "--samples", "12", "--hidden", "4,3", "--activation", "relu",
        "--optimizer", "sgd", "--lr", "0.2", "--epochs", "3", "--batch-size", "4",
        "--seed", "2", "--json",
    )  # fmt: skip
    assert status == EXIT_OK, err
    result = json.loads(out)
    assert result["samples"] == 12
    assert result["model"]["layer_sizes"] == [4, 3, 1]
    assert result["model"]["activation"] == "relu"
    assert (result["optimizer"], result["lr"], result["batch_size"], result["epochs"]) == (
        "sgd",
        0.2,
        4,
        3,
    )
    assert result["history"]["lr"] == [0.2, 0.2, 0.2]


def test_train_spirals_uses_cross_entropy_over_three_outputs() -> None:
    result = json.loads(run("train", "spirals", "--samples", "9", "--epochs", "2", "--json")[1])
    assert result["classes"] == 3
    assert result["loss_function"] == "cross_entropy"
    assert result["model"]["layer_sizes"] == [16, 16, 3]


def test_train_worked_example_starts_from_the_published_weights(tmp_path: Path) -> None:
    from autograd_lite import datasets, nn

    saved = tmp_path / "model.json"
    status, out, err = run("train", "worked-example", "--epochs", "200", "--save", str(saved))
    assert status == EXIT_OK, err
    assert "MLP 2-2-1, sigmoid hidden, sigmoid output, 9 parameters" in out
    assert "accuracy    100.0% (5 of 5 training samples)" in out
    model = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
    model.load(saved)
    # 0.15 is the published starting weight; 200 epochs of SGD moved it.
    assert model.parameters()[0].data != 0.15
    # One full-batch epoch: its loss is the first forward pass from the published weights,
    # recomputed here by hand. (The article's own table agrees for sample 1 only: its
    # predictions for samples 2-5 do not follow from its z values, e.g. sigmoid(1.1407)
    # is 0.7578, not the 0.7757 printed.)
    argv = ("train", "worked-example", "--epochs", "1", "--batch-size", "5", "--json")
    result = json.loads(run(*argv)[1])

    def sigmoid(z: float) -> float:
        return 1.0 / (1.0 + math.exp(-z))

    total = 0.0
    for (x1, x2), target in zip(*datasets.worked_example(), strict=True):
        h1 = sigmoid(0.15 * x1 + 0.25 * x2 + 0.35)
        h2 = sigmoid(0.20 * x1 + 0.30 * x2 + 0.35)
        p = sigmoid(0.40 * h1 + 0.45 * h2 + 0.60)
        total += -math.log(p) if target == 1 else -math.log(1.0 - p)
    assert result["history"]["loss"][0] == pytest.approx(total / 5, rel=1e-12)
    first = sigmoid(0.40 * sigmoid(0.415) + 0.45 * sigmoid(0.430) + 0.60)
    assert first == pytest.approx(0.7528, abs=1e-4)  # the article's sample 1


def test_train_plot_writes_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason='plots need matplotlib: pip install -e ".[plot]"')
    plot = tmp_path / "xor.png"
    status, out, err = run("train", "xor", "--epochs", "30", "--plot", str(plot))
    assert status == EXIT_OK, err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"plot        {plot}" in out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["train"], "the following arguments are required"),
        (["train", "mnist"], "invalid choice"),
        (["train", "xor", "--hidden", "16,x"], "whole numbers separated by commas"),
        (["train", "xor", "--hidden", "0"], "at least one neuron"),
        (["train", "xor", "--hidden", "5000"], "far too many"),
        (["train", "xor", "--lr", "0"], "must be a finite number > 0"),
        (["train", "xor", "--lr", "nan"], "must be a finite number > 0"),
        (["train", "xor", "--epochs", "0"], "must be at least 1"),
        (["train", "xor", "--epochs", "many"], "is not a whole number"),
        (["train", "xor", "--activation", "gelu"], "invalid choice"),
        (["train", "xor", "--optimizer", "lbfgs"], "invalid choice"),
        (["train", "xor", "--samples", "10"], "the xor data set is fixed"),
        (["train", "xor", "--plot", "out.gif"], "--plot out.gif: the file name must end in"),
        (
            ["train", "xor", "--save", "model.pkl"],
            "--save model.pkl: the file name must end in .json",
        ),
    ],
)
def test_train_usage_errors_exit_2(argv: list[str], fragment: str) -> None:
    status, out, err = run(*argv)
    assert status == EXIT_USAGE_ERROR
    assert out == ""
    assert fragment in err


def test_train_save_to_a_missing_folder_exits_1(tmp_path: Path) -> None:
    status, _, err = run("train", "xor", "--epochs", "1", "--save", str(tmp_path / "no" / "m.json"))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot write" in err


# -- demo -------------------------------------------------------------------------------------


def test_demo_runs_and_writes_its_pictures(tmp_path: Path) -> None:
    # No wall-clock threshold (it measured the machine, not the code): the demo's speed
    # is the "Done in ... s" it prints, a figure, not an assertion.
    import xml.etree.ElementTree as ET

    done = command("demo", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    folder = tmp_path / "autograd-lite-demo"
    names = sorted(p.name for p in folder.iterdir())
    if "expression.dot" in names:
        pytest.skip("Graphviz's dot program is not installed (the .dot fallback is tested below)")
    assert names == ["expression.svg", "network.svg", "training.png"]
    for svg in ("expression.svg", "network.svg"):
        assert ET.parse(folder / svg).getroot().tag.endswith("svg")
    assert (folder / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "accuracy    100.0% (4 of 4 training samples)" in done.stdout
    assert "2.5838531634528574" in done.stdout
    assert "autograd-lite-demo" in done.stdout


def test_demo_without_dot_writes_dot_files_with_a_one_line_hint(tmp_path: Path) -> None:
    done = command("demo", "--out", str(tmp_path / "tour"), env=_without_dot(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    folder = tmp_path / "tour"
    assert (folder / "expression.dot").read_text().startswith("digraph")
    assert (folder / "network.dot").read_text().startswith("digraph")
    assert not (folder / "expression.svg").exists()
    hints = [line for line in done.stdout.splitlines() if "note:" in line]
    assert len(hints) == 1
    assert "apt-get install graphviz" in hints[0]


def test_demo_into_a_file_path_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run("demo", "--out", str(blocker))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot create the folder" in err


@pytest.mark.parametrize("argv", [["train", "--help"], ["demo", "--help"]])
def test_every_subcommand_help_has_examples_and_exit_codes(argv: list[str]) -> None:
    status, out, _ = run(*argv)
    assert status == EXIT_OK
    assert "examples:" in out
    assert "exit status" in out


def test_train_progress_bar_on_request() -> None:
    pytest.importorskip("tqdm", reason='the progress bar needs tqdm: pip install -e ".[progress]"')
    status, _, err = run("train", "xor", "--epochs", "7", "--progress")
    assert status == EXIT_OK
    assert "7/7" in err
    assert "7/7" not in run("train", "xor", "--epochs", "7")[2]  # not a terminal: no bar


def test_a_closed_pipe_stops_quietly() -> None:
    # More output than a pipe buffers, and a reader that leaves after one line.
    text = "+".join(f"sin(x*{k})" for k in range(1, 190))
    with subprocess.Popen(
        [installed_command(), "grad", text, "x=1", "--explain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline().startswith("expression")
        process.stdout.close()
        err = process.stderr.read()
        status = process.wait(timeout=60)
    assert "Traceback" not in err
    assert status == EXIT_RUNTIME_ERROR


def test_demo_with_no_optional_package_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # graphviz (the Python package) and matplotlib both missing: .dot files and two hints.
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr("autograd_lite.cli._has_module", lambda name: name != "matplotlib")
    status, out, err = run("demo", "--out", str(tmp_path))
    assert (status, err) == (EXIT_OK, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expression.dot", "network.dot"]
    notes = [line for line in out.splitlines() if "note:" in line]
    assert len(notes) == 2
    assert any("pip install" in note and "[plot]" in note for note in notes)


def test_train_plot_without_matplotlib_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status, _, err = run("train", "xor", "--epochs", "2", "--plot", str(tmp_path / "p.png"))
    assert status == EXIT_RUNTIME_ERROR
    assert 'pip install "autograd-lite[plot]"' in err


# -- issue 19: nothing lost, nothing silent ----------------------------------------------------


def one_line_error(err: str) -> str:
    """The single line a runtime error prints (no traceback, no second line)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("autograd-lite: error: ")
    return lines[0]


@pytest.fixture
def huge_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let --lr 1e308 past the parser, as before the limit, to reach the training itself."""
    monkeypatch.setattr("autograd_lite.cli.MAX_LR", math.inf, raising=False)


@pytest.mark.usefixtures("huge_rates")
@pytest.mark.parametrize("optimizer", ["rmsprop", "sgd", "adam"])
def test_a_diverging_run_exits_1_in_one_line_and_keeps_the_saved_model(
    tmp_path: Path, optimizer: str
) -> None:
    # The issue: this printed a traceback and left good.json truncated at 242 bytes.
    good = tmp_path / "good.json"
    assert run("train", "xor", "--save", str(good))[0] == EXIT_OK
    before = good.read_bytes()
    status, out, err = run(
        "train", "xor", "--optimizer", optimizer, "--lr", "1e308", "--epochs", "3",
        "--save", str(good),
    )  # fmt: skip
    assert (status, out) == (EXIT_RUNTIME_ERROR, "")
    line = one_line_error(err)
    assert "training diverged in epoch " in line
    assert f"nothing was written ({good})" in line
    assert line.endswith("the xor default: adam --lr 0.1)")
    assert "try a smaller --lr" in line
    assert "nonfinite" not in line
    assert good.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.json"]  # no temporary file


@pytest.mark.usefixtures("huge_rates")
@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_diverging_run_without_save_is_not_reported_as_success(json_flag: list[str]) -> None:
    # The issue: "final loss nan" (--json: "loss": null) and exit status 0.
    argv = ["train", "xor", "--optimizer", "rmsprop", "--lr", "1e308", "--epochs", "1"]
    status, out, err = run(*argv, *json_flag)
    assert (status, out) == (EXIT_RUNTIME_ERROR, "")
    assert "training diverged in epoch 1 of 1" in one_line_error(err)


def _history(loss: list[float]) -> Any:
    from autograd_lite.train import History

    return History(loss=loss, accuracy=[0.5] * len(loss), lr=[0.1] * len(loss))


def test_the_cli_finds_a_non_finite_parameter_even_if_fit_carries_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A fit that says nothing (as before fit checked): the command line's own check
    # after every epoch stops it and names the parameter.
    def silent_fit(model: Any, *args: Any, callbacks: Any = (), **kwargs: Any) -> Any:
        history = _history([])
        for epoch in range(5):
            if epoch == 2:
                model.parameters()[3].data = math.nan
            history.loss.append(0.5)
            if any(callback(history) for callback in callbacks):
                break
        return history

    monkeypatch.setattr("autograd_lite.train.fit", silent_fit)
    saved = tmp_path / "m.json"
    status, _, err = run("train", "xor", "--save", str(saved))
    assert status == EXIT_RUNTIME_ERROR
    line = one_line_error(err)
    assert "training diverged in epoch 3 of 100: parameter 'layers.0.neurons.1.w.0' is nan" in line
    assert not saved.exists()


def test_the_cli_refuses_a_nan_final_loss_even_if_fit_returns_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def nan_fit(model: Any, *args: Any, **kwargs: Any) -> Any:
        for p in model.parameters():
            p.data = math.nan
        return _history([0.7, math.nan])  # callbacks never called

    monkeypatch.setattr("autograd_lite.train.fit", nan_fit)
    status, out, err = run("train", "xor", "--json")
    assert (status, out) == (EXIT_RUNTIME_ERROR, "")
    assert "training diverged" in one_line_error(err)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--lr", "1e308"], "'1e308': at most 100; a larger rate only overflows"),
        (["--lr", "101"], "at most 100"),
        (["--lr", "inf"], "must be a finite number > 0"),
        (["--lr", "-0.1"], "must be a finite number > 0"),
        (["--epochs", "100001"], "100,001 epochs: the command line takes at most 100,000"),
        (["--hidden", "600,600"], "1,200 neurons is far too many"),
    ],
)
def test_hyperparameters_are_checked_when_parsed(argv: list[str], fragment: str) -> None:
    status, out, err = run("train", "xor", *argv)
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert fragment in err
    assert "Traceback" not in err


def _no_work(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the work started before the limit was checked")


def test_a_billion_samples_are_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # The issue: nothing printed, and past 4.9 GB in 25 s.
    monkeypatch.setattr("autograd_lite.datasets.moons", _no_work)
    status, out, err = run("train", "moons", "--samples", "1000000000")
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert "1,000,000,000 samples: the command line takes at most 100,000" in err
    assert "datasets.moons(n)" in err  # the way past it


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["moons", "--samples", "100000"], "use --batch-size 2967 or smaller, or --compile"),
        (["xor", "--hidden", "500,500"], "through 252,501 parameters would hold about 0.6 GB"),
    ],
)
def test_a_step_too_big_for_memory_is_refused_before_training(
    monkeypatch: pytest.MonkeyPatch, argv: list[str], fragment: str
) -> None:
    monkeypatch.setattr("autograd_lite.train.fit", _no_work)
    status, out, err = run("train", *argv)
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert fragment in err
    assert "the limit is 1,000,000 samples x parameters per step" in err


def test_the_step_limit_leaves_mini_batches_and_the_compiled_path_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, Any]] = []

    def recording_fit(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs)
        raise ValueError("stopped by the test")

    monkeypatch.setattr("autograd_lite.train.fit", recording_fit)
    for extra in (["--batch-size", "2967"], ["--compile"]):
        status, _, err = run("train", "moons", "--samples", "100000", *extra)
        assert "training failed in epoch 1 of 50: stopped by the test" in one_line_error(err)
        assert status == EXIT_RUNTIME_ERROR
    assert [call["batch_size"] for call in calls] == [2967, None]


# -- every file whole or not at all ------------------------------------------------------------


def _disk_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every os.replace fails as on a full disk (the last stage of write_atomically)."""

    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)


def _fsync_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", failing)


@pytest.mark.parametrize("failure", [_disk_full, _fsync_fails])
@pytest.mark.parametrize(
    ("flag", "name"),
    [
        ("--save", "model.json"),
        ("--history", "history.csv"),
        ("--history", "history.json"),
        ("--plot", "plot.png"),
        ("--plot", "plot.svg"),
    ],
)
def test_a_failed_train_output_leaves_the_old_file_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Any, flag: str, name: str
) -> None:
    if flag == "--plot":
        pytest.importorskip("matplotlib", reason='plots need matplotlib: pip install -e ".[plot]"')
    path = tmp_path / name
    path.write_bytes(b"the old file\n")
    failure(monkeypatch)
    status, out, err = run("train", "xor", "--epochs", "2", flag, str(path))
    assert (status, out) == (EXIT_RUNTIME_ERROR, "")
    line = one_line_error(err)
    assert f"cannot write {str(path)!r}" in line
    assert path.read_bytes() == b"the old file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left


@pytest.mark.parametrize("failure", [_disk_full, _fsync_fails])
@pytest.mark.parametrize("name", ["graph.dot", "graph.svg"])
def test_a_failed_drawing_leaves_the_old_file_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: Any, name: str
) -> None:
    if name.endswith(".svg"):
        pytest.importorskip("graphviz")
        if shutil.which("dot") is None:
            pytest.skip("Graphviz's dot program is not installed")
    path = tmp_path / name
    path.write_bytes(b"the old drawing\n")
    failure(monkeypatch)
    status, _, err = run("grad", "x*y", "x=1", "y=2", "--draw", str(path))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot write" in one_line_error(err)
    assert path.read_bytes() == b"the old drawing\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_a_failed_demo_picture_is_one_line_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = tmp_path / "expression.dot"
    old.write_bytes(b"old")
    monkeypatch.setitem(sys.modules, "graphviz", None)  # the drawings become .dot files
    _disk_full(monkeypatch)
    status, _, err = run("demo", "--out", str(tmp_path))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot write" in one_line_error(err)
    assert old.read_bytes() == b"old"


def test_the_history_is_written_as_csv_or_json(tmp_path: Path) -> None:
    argv = ("train", "xor", "--epochs", "3", "--json")
    as_csv, as_json = tmp_path / "h.csv", tmp_path / "h.json"
    result = json.loads(run(*argv, "--history", str(as_csv))[1])
    assert result["history_file"] == str(as_csv)
    rows = as_csv.read_text().splitlines()
    assert rows[0] == "epoch,loss,accuracy,lr"
    assert [float(row.split(",")[1]) for row in rows[1:]] == result["history"]["loss"]
    run(*argv, "--history", str(as_json))
    assert json.loads(as_json.read_text())["loss"] == result["history"]["loss"]


# -- saved models: continue training, evaluate -------------------------------------------------


@pytest.fixture
def saved_moons(tmp_path: Path) -> Path:
    path = tmp_path / "moons.json"
    status, _, err = run("train", "moons", "--hidden", "4", "--epochs", "5", "--save", str(path))
    assert status == EXIT_OK, err
    return path


def test_evaluate_gives_the_librarys_loss_and_accuracy(saved_moons: Path) -> None:
    from autograd_lite import datasets, nn
    from autograd_lite.train import evaluate

    model = nn.MLP.load(saved_moons)
    X, y = datasets.moons(300, seed=1)
    loss, accuracy = evaluate(model, X, y, loss="binary_cross_entropy_with_logits")
    argv = ("evaluate", str(saved_moons), "moons", "--samples", "300", "--seed", "1")
    result = json.loads(run(*argv, "--json")[1])
    assert (result["loss"], result["accuracy"], result["samples"]) == (loss, accuracy, 300)
    status, out, _ = run(*argv)
    assert status == EXIT_OK
    assert f"{saved_moons}: an MLP 2-4-1, relu hidden, linear output, 17 parameters" in out
    assert f"accuracy    {accuracy:.1%} ({round(accuracy * 300)} of 300 samples)" in out


def test_train_from_a_saved_model_continues_where_it_stopped(saved_moons: Path) -> None:
    # A full-batch epoch's loss is the loss at the start of the epoch: the saved model's.
    saved_loss = json.loads(run("evaluate", str(saved_moons), "moons", "--json")[1])["loss"]
    argv = ("train", "moons", "--from", str(saved_moons), "--epochs", "3", "--json")
    status, out, err = run(*argv)
    assert status == EXIT_OK, err
    result = json.loads(out)
    assert result["history"]["loss"][0] == pytest.approx(saved_loss, rel=1e-12)
    assert result["from"] == str(saved_moons)
    assert result["model"]["layer_sizes"] == [4, 1]
    text = run(*argv[:-1])[1]
    assert f"from        {saved_moons} (training continued)" in text


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["evaluate", "{model}", "spirals"], "which has 1 output, but spirals has 3 classes, so"),
        (["train", "spirals", "--from", "{model}"], "the model needs 3 outputs (one per class)"),
        (["train", "moons", "--from", "{model}", "--hidden", "3"], "leave --hidden out"),
        (
            ["evaluate", "{wide}", "xor"],
            "which takes 3 inputs per sample, but xor's samples have 2",
        ),
        (["evaluate", "{sequential}", "xor"], "holds a Sequential; the command line trains"),
    ],
)
def test_a_model_that_does_not_fit_is_a_usage_error(
    saved_moons: Path, tmp_path: Path, argv: list[str], fragment: str
) -> None:
    from autograd_lite import nn

    nn.MLP(3, [2, 1]).save(tmp_path / "wide.json")
    nn.Sequential(nn.Layer(2, 1)).save(tmp_path / "sequential.json")
    names = {"model": saved_moons, "wide": tmp_path / "wide.json"}
    names["sequential"] = tmp_path / "sequential.json"
    status, out, err = run(*(item.format(**names) for item in argv))
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert fragment in err.splitlines()[0]


def test_an_unreadable_model_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    status, _, err = run("evaluate", str(missing), "xor")
    assert status == EXIT_RUNTIME_ERROR
    assert f"cannot read {missing}: No such file or directory" in one_line_error(err)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format":')
    status, _, err = run("train", "xor", "--from", str(broken))
    assert status == EXIT_RUNTIME_ERROR
    assert f"cannot use {broken}: " in one_line_error(err)


def test_a_model_that_overflows_on_the_data_is_refused_before_training(tmp_path: Path) -> None:
    from autograd_lite import nn

    model = nn.MLP(2, [4, 1], activation="relu")
    model.load_parameters([1e200] * len(model.parameters()))
    path = tmp_path / "huge.json"
    model.save(path)
    before = path.read_bytes()
    for argv in (["evaluate", str(path), "moons"], ["train", "moons", "--from", str(path)]):
        status, _, err = run(*argv, "--save", str(path)) if argv[0] == "train" else run(*argv)
        assert status == EXIT_RUNTIME_ERROR
        assert "gives a loss of nan on moons: its outputs overflow a float" in one_line_error(err)
    assert path.read_bytes() == before


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
    monkeypatch.setattr("autograd_lite.cli.shutil.which", lambda name: f"/usr/bin/{name}")
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
    monkeypatch.setattr("autograd_lite.cli.shutil.which", lambda name: None)
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


# -- check: a learner's own engine, graded ---------------------------------------------------

ENGINE_HEADER = """\
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


"""


def engine_source(*objects: Any, extra: str = "") -> str:
    """A learner's file: the source of tests/learner_engines.py's classes and functions."""
    parts = [inspect.getsource(item) for item in objects]
    return ENGINE_HEADER + "\n\n".join(parts) + "\n\n" + extra


#: A correct micrograd-style engine whose class is named Value, with a topological sort.
CORRECT = engine_source(
    learner_engines.iterative_order,
    learner_engines.Closures,
    extra="class Value(Closures):\n    pass\n\n\ndef topological_sort(root):\n"
    "    return iterative_order(root)\n",
)


def learner_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, name: str) -> str:
    """Write ``source`` as ``tmp_path/name`` and work from ``tmp_path``; return ``name``."""
    (tmp_path / name).write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return name


def test_check_passes_a_correct_engine_and_says_first_that_it_runs_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, CORRECT, "my_engine.py")
    status, out, err = run("check", name)
    assert (status, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0].startswith(
        "running my_engine.py as Python, as `python my_engine.py` would: it is your code"
    )
    assert lines[1] == "class       Value"
    assert "✓ Value agrees with autograd_lite" in out
    assert "✓ topological_sort puts every node once" in out


def test_check_names_equals_instead_of_plus_equals_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order, learner_engines.Closures, learner_engines.Assigns
    )
    name = learner_file(tmp_path, monkeypatch, source, "assigns.py")
    status, out, err = run("check", name, "--class", "Assigns")
    assert (status, err) == (EXIT_RUNTIME_ERROR, "")
    assert "class       Assigns" in out
    assert "✗ " in out
    assert "use +=" in out
    assert "no function named topological_sort, topo_sort or build_topo" in out


def test_check_json_has_each_check_and_keeps_the_learners_prints_off_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = CORRECT.replace(
        "import math\n", "import math\n\nprint('my engine loaded')\n", 1
    ) + engine_source(learner_engines.Assigns).removeprefix(ENGINE_HEADER)
    name = learner_file(tmp_path, monkeypatch, source, "engine.py")
    status, out, err = run("check", name, "--class", "Assigns", "--json")
    assert status == EXIT_RUNTIME_ERROR
    result = json.loads(out)  # nothing but the JSON object on stdout
    assert (result["file"], result["class"]) == ("engine.py", "Assigns")
    assert [c["check"] for c in result["checks"]] == [
        "check_engine",
        "check_topological_sort(topological_sort)",
    ]
    engine, sort = result["checks"]
    assert (engine["ok"], engine["mistake"]) == (False, "assign")
    assert "use +=" in engine["message"]
    assert (sort["ok"], sort["mistake"]) == (True, None)
    assert err.startswith("running engine.py as Python")
    assert "my engine loaded" in err


def test_check_grades_a_wrong_topological_sort_by_any_of_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order,
        learner_engines.Closures,
        extra="def topo_sort(root):\n    return iterative_order(root)[::-1]  # root first\n",
    )
    name = learner_file(tmp_path, monkeypatch, source, "engine.py")
    status, out, _ = run("check", name, "--json")
    result = json.loads(out)
    assert status == EXIT_RUNTIME_ERROR
    assert result["class"] == "Closures"  # the only class that looks like a Value
    engine, sort = result["checks"]
    assert engine["ok"]
    assert sort["check"] == "check_topological_sort(topo_sort)"
    assert not sort["ok"]
    assert sort["mistake"]


def test_check_asks_for_class_when_several_classes_look_like_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order, learner_engines.Closures, learner_engines.Assigns
    )
    name = learner_file(tmp_path, monkeypatch, source, "two.py")
    status, _out, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "2 classes that look like a Value (Closures, Assigns)" in err
    assert "--class NAME" in err
    status, _, err = run("check", name, "--class", "Nope")
    assert status == EXIT_USAGE_ERROR
    assert "no class named Nope" in err
    assert "Closures, Assigns" in err


def test_check_says_which_classes_it_found_when_none_looks_like_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "class Point:\n    pass\n\n\nclass Node:\n    def __init__(self):\n        pass\n"
    name = learner_file(tmp_path, monkeypatch, source, "none.py")
    status, _, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "none that looks like one" in err
    assert "Point, Node" in err
    assert "--class" in err


def test_check_does_not_grade_autograd_lites_own_value_as_the_learners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, "from autograd_lite import Value\n", "ours.py")
    status, out, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "autograd_lite's own" in err
    assert "✓" not in out


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing.py", "does not exist"), ("engine.txt", "is not a .py file")],
)
def test_check_refuses_what_is_not_an_existing_py_file_without_running_it(
    name: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = tmp_path / "ran"
    (tmp_path / "engine.txt").write_text(f"open({str(canary)!r}, 'w')\n", encoding="utf-8")
    (tmp_path / "folder.py").mkdir()
    monkeypatch.chdir(tmp_path)
    status, out, err = run("check", name)
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert f"{name} {problem}" in err
    assert not canary.exists()
    status, _, err = run("check", "folder.py")
    assert status == EXIT_USAGE_ERROR
    assert "folder.py is not a file" in err


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import math\n\n\ndef helper():\n    return math.sqrt(-1)\n\n\nhelper()\n",
            "raises.py raised ValueError when imported (at raises.py:5): math domain error",
        ),
        (
            "class Value:\n    def f(:\n        pass\n",
            "raises.py does not parse: SyntaxError: invalid syntax (raises.py:2)",
        ),
        (
            "import sys\n\nsys.exit(3)\n",
            "raises.py called sys.exit(3) when imported (at raises.py:3): move the script part",
        ),
        (
            "def f():\n    return f()\n\n\nf()\n",
            "raises.py raised RecursionError when imported (at raises.py:2): maximum recursion",
        ),
    ],
    ids=["exception", "syntax", "sys.exit", "recursion"],
)
def test_a_file_that_raises_on_import_is_one_line_with_type_message_and_line(
    source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, source, "raises.py")
    path_before, modules_before = list(sys.path), set(sys.modules)
    status, out, err = run("check", name)
    assert status == EXIT_RUNTIME_ERROR
    assert out.startswith("running raises.py as Python")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"autograd-lite: error: {expected}")
    assert sys.path == path_before  # the file's folder is on sys.path only while it runs
    assert set(sys.modules) - modules_before == set()


def test_ctrl_c_while_the_file_is_imported_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, "raise KeyboardInterrupt\n", "slow.py")
    status, _, err = run("check", name)
    assert status == 130
    assert "interrupted" in err


def test_the_learners_file_can_import_its_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "engine_parts.py").write_text(CORRECT, encoding="utf-8")
    name = learner_file(tmp_path, monkeypatch, "from engine_parts import Value\n", "main.py")
    monkeypatch.chdir(tmp_path.parent)  # not from the file's folder: its own imports still work
    status, out, err = run("check", str(Path(tmp_path.name) / name))
    assert (status, err) == (EXIT_OK, ""), err
    assert "✓ Value agrees with autograd_lite" in out
    sys.modules.pop("engine_parts", None)


def test_check_runs_from_the_installed_command(tmp_path: Path) -> None:
    (tmp_path / "my_engine.py").write_text(CORRECT, encoding="utf-8")
    done = command("check", "my_engine.py", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.startswith("running my_engine.py as Python")


def test_the_check_session_on_the_cli_page_is_what_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page's block is ```text (test_docs replays only ```bash, with no files):
    # replay it here, on the engine it describes, micrograd's with = for += in +.
    page = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text("utf-8")
    session = page.split("```text\n$ autograd-lite check my_engine.py\n", 1)[1]
    shown = session.split("```", 1)[0].rstrip("\n")
    buggy = CORRECT.replace("self.grad += out.grad", "self.grad = out.grad", 1)
    assert buggy != CORRECT
    name = learner_file(tmp_path, monkeypatch, buggy, "my_engine.py")
    status, out, err = run("check", name)
    assert (status, err) == (EXIT_RUNTIME_ERROR, "")
    assert out.rstrip("\n") == shown
