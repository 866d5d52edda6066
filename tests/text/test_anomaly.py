"""Anomaly detection (anomaly.py): where a NaN or inf came from, through the
core's hooks."""

from __future__ import annotations

import math

import pytest

import autograd_lite.autodiff as autodiff
import autograd_lite.value as value_module
from autograd_lite import Value
from autograd_lite.text.anomaly import NonFiniteError, created_at, detect_anomaly
from autograd_lite.text.ledger import explain
from tests.graphs import COS2, example

# -- NaN/inf provenance -----------------------------------------------------------------


def test_detect_anomaly_reports_the_first_nonfinite_value_and_its_line() -> None:
    x = Value(1e200, label="x")
    with detect_anomaly(), pytest.raises(NonFiniteError) as info:
        x * x  # the line the report must name
    anomaly = info.value.anomaly
    assert (anomaly.kind, anomaly.op, anomaly.operands, anomaly.number) == (
        "value", "mul", (1e200, 1e200), math.inf,
    )  # fmt: skip
    assert __file__ in anomaly.where
    assert "x * x  # the line the report must name" in anomaly.where
    assert "mul: 1e+200 * 1e+200 = inf" in str(info.value)
    assert isinstance(info.value, FloatingPointError)


def test_detect_anomaly_reports_a_nonfinite_local_derivative() -> None:
    with detect_anomaly(raise_error=False) as check:
        q = Value(1.0) / Value(1e-200)  # finite result, derivative -out/y overflows
    assert q.data == 1e200
    assert check.first is not None
    assert (check.first.kind, check.first.op, check.first.number) == (
        "local gradient", "div", -math.inf,
    )  # fmt: skip


def test_detect_anomaly_reports_the_first_nonfinite_gradient() -> None:
    x = Value(1e-300, label="x")
    with detect_anomaly():
        a = x.log()  # local derivative 1/x = 1e300
        b = a * 1e10  # finite value; the gradient 1e10 * 1e300 overflows
        with pytest.raises(NonFiniteError) as info:
            b.backward()
    anomaly = info.value.anomaly
    assert anomaly.kind == "gradient"
    assert anomaly.node is x
    assert anomaly.op == "log"
    assert "a = x.log()" in str(info.value)
    assert "backward step" in str(info.value)


def test_detect_anomaly_plugs_into_the_core_hooks_and_clears_them_on_exit() -> None:
    backpropagate = autodiff.backpropagate
    assert value_module._on_new_node is None
    assert autodiff._on_backward is None
    with detect_anomaly():
        assert value_module._on_new_node is not None
        assert autodiff._on_backward is not None
        with detect_anomaly():  # nesting keeps the outer block's check on
            pass
        assert value_module._on_new_node is not None
        assert autodiff._on_backward is not None
    assert value_module._on_new_node is None
    assert autodiff._on_backward is None
    assert autodiff.backpropagate is backpropagate  # hooks, never a swapped function
    with pytest.raises(ZeroDivisionError), detect_anomaly():
        1 / 0
    assert value_module._on_new_node is None


def test_created_at_and_normal_values_pass() -> None:
    with detect_anomaly():
        z = Value(2.0) * Value(3.0)
        f, _, _ = example()
        f.backward()
    assert "z = Value(2.0) * Value(3.0)" in created_at(z)
    assert created_at(f).endswith("f = x * y + x.sin()")
    assert created_at(Value(1.0) + 1) == ""


def test_explain_inside_detect_anomaly_still_records() -> None:
    with detect_anomaly():
        f, x, _ = example()
        assert explain(f).grad(x) == 3.0 + COS2
