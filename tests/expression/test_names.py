"""expression.names: variable names, and letters that only look alike."""

from __future__ import annotations

import math

import pytest

from autograd_lite.expression import (
    EvaluationError,
    ExpressionError,
    lookalike_note,
    normalize_name,
    parse,
)

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
