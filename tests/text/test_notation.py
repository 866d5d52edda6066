"""Notation (notation.py): how numbers and node names are written."""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value
from autograd_lite.text.notation import format_number, node_names

# -- names and numbers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (3, "3.0"), (-0.0, "0.0"), (0.0, "0.0"), (2.5838531634528574, "2.5839"),
        (0.0072128754, "0.007213"), (1e-7, "1e-07"), (123456.7, "123456.7"),
        (2.5e6, "2.5e+06"), (float("inf"), "inf"), (float("nan"), "nan"), (-0.00004, "-4e-05"),
    ],
)  # fmt: skip
def test_format_number(number: float, text: str) -> None:
    assert format_number(number) == text


def test_format_number_rejects_a_bad_precision() -> None:
    with pytest.raises(ValueError, match="precision"):
        format_number(1.0, 0)


def test_names_are_stable_unique_and_parenthesised_where_needed() -> None:
    x = Value(2.0, label="x")
    a = x * 3
    b = x * 3  # the same expression twice
    c = -x
    root = (a - b) + c**2 + (a * (x + 1)).tanh()
    names = node_names(root)
    assert names[x] == "x"
    assert sorted([names[a], names[b]])[0] == "x * 3.0"
    assert re.fullmatch(r"x \* 3\.0#\d+", sorted([names[a], names[b]])[1])
    assert names[c] == "-x"
    squares = [n for n in names if n.op == "pow"]
    assert [names[s] for s in squares] == ["(-x) ** 2.0"]
    assert node_names(root) == names  # the same on every call
    long_names = [v for v in names.values() if re.fullmatch(r"v\d+", v)]
    assert long_names  # long expressions are numbered, not spelled out
