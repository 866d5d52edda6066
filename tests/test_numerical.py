"""gradcheck: verdicts for correct gradients, kinks, domain edges and a broken rule."""

from __future__ import annotations

import math

import pytest

from autograd_lite import OPS, Value, gradcheck
from autograd_lite.ops import Op
from autograd_lite.value import _unary_method


def test_passes_on_a_smooth_function_with_one_row_per_input() -> None:
    report = gradcheck(lambda x, y: x * y + x.sin(), 2.0, 3.0)
    assert report
    assert [r.name for r in report.rows] == ["arg0", "arg1"]
    row = report.rows[0]
    assert row.analytic == pytest.approx(3 + math.cos(2.0))
    assert row.numeric == pytest.approx(row.analytic, rel=1e-8)
    assert row.verdict == "ok"
    assert row.error < 1e-8


def test_uses_the_labels_of_value_arguments() -> None:
    report = gradcheck(lambda a, b: a / b, Value(1.0, label="a"), Value(4.0, label="b"))
    assert [r.name for r in report.rows] == ["a", "b"]
    assert report.rows[1].analytic == -1 / 16


@pytest.mark.parametrize(("fn", "left", "right"), [(Value.relu, 0.0, 1.0), (abs, -1.0, 1.0)])
def test_recognises_a_non_differentiable_point(fn, left: float, right: float) -> None:
    report = gradcheck(fn, 0.0)
    assert report, "a valid subgradient at a kink is not a bug"
    row = report.rows[0]
    assert row.verdict == "non-differentiable point"
    assert f"left slope {left:.6g}, right slope {right:.6g}" in row.note


def test_flags_a_wrong_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = Op("sin", "sin", 1, math.sin, lambda m, x, out: (-m.cos(x),), ("-cos(x)",), "sin({x})")
    monkeypatch.setitem(OPS, "sin", wrong)
    monkeypatch.setattr(Value, "sin", _unary_method(wrong))
    report = gradcheck(lambda x: x.sin(), 0.5)
    assert not report
    assert report.rows[0].verdict == "MISMATCH"
    assert "FAILED" in str(report)


def test_one_sided_near_a_domain_edge() -> None:
    report = gradcheck(lambda x: x.log(), 5e-7, eps=1e-6)
    assert report.rows[0].note.startswith("right-sided")


def test_renders_as_text_and_html() -> None:
    report = gradcheck(lambda x: x * x, 3.0)
    text = str(report)
    assert "analytic" in text
    assert "PASSED" in text
    assert text.splitlines()[0].split() == [
        "input",
        "at",
        "analytic",
        "numeric",
        "error",
        "verdict",
    ]
    assert "<table" in report._repr_html_()
    assert "PASSED" in report._repr_html_()
    assert report.to_markdown().startswith("| input | at |")


def test_bad_calls() -> None:
    with pytest.raises(TypeError, match="at least one argument"):
        gradcheck(lambda: Value(1.0))
    with pytest.raises(ValueError, match="step must be positive"):
        gradcheck(lambda x: x, 1.0, eps=0.0)
