"""expression.Expression: values at a point, gradients, and evaluation errors."""

from __future__ import annotations

import pytest

from autograd_lite.expression import (
    ExpressionError,
    parse,
)

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
