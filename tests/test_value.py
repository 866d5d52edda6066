"""Value: construction, operators with numbers on either side, bad input,
identity semantics and memory behaviour."""

from __future__ import annotations

import gc
import math
import sys
import weakref
from fractions import Fraction

import pytest

from autograd_lite import Value


def test_leaf_attributes() -> None:
    x = Value(2, label="x")
    assert (x.data, x.grad, x.label, x.op, x.parents, x.local_grads, x.attr) == (
        2.0, 0.0, "x", "", (), (), None,
    )  # fmt: skip
    assert type(x.data) is float
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert f"{x:.3f}" == "2.000"
    assert f"{x}" == repr(x)


def test_slots_and_no_dict() -> None:
    x = Value(1.0)
    assert not hasattr(x, "__dict__")
    with pytest.raises(AttributeError):
        x.colour = "red"  # type: ignore[attr-defined]


@pytest.mark.parametrize("number", [3, 2.5, Fraction(1, 4)])
def test_accepts_any_real_number(number: float) -> None:
    assert Value(number).data == float(number)


def test_accepts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy", reason="numpy not installed")
    assert Value(np.float64(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0
    assert (Value(1.0) + np.float32(0.5)).data == 1.5


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("3", "got str; convert it first, e.g. float('3')"),
        (None, "got NoneType"),
        ([1], "got list"),
        (1 + 2j, "complex numbers are not supported"),
        (True, "bool is refused"),
        (Value(1.0), "already a Value"),
    ],
)
def test_rejects_non_numbers_with_a_type_error(bad: object, words: str) -> None:
    with pytest.raises(TypeError, match="expected a real number") as info:
        Value(bad)  # type: ignore[arg-type]
    assert words in str(info.value)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), 10**400])
def test_rejects_non_finite_and_huge_numbers(bad: float) -> None:
    with pytest.raises(ValueError, match=r"finite|too large"):
        Value(bad)


def test_rejects_a_non_string_label() -> None:
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_numbers_on_either_side() -> None:
    x = Value(4.0)
    cases = {
        "x+1": (x + 1, 5.0), "1+x": (1 + x, 5.0), "x-1": (x - 1, 3.0), "1-x": (1 - x, -3.0),
        "x*2": (x * 2, 8.0), "2*x": (2 * x, 8.0), "x/2": (x / 2, 2.0), "2/x": (2 / x, 0.5),
        "x**2": (x**2, 16.0), "2**x": (2**x, 16.0), "x**x": (x**x, 256.0), "-x": (-x, -4.0),
        "abs": (abs(-x), 4.0), "+x": (+x, 4.0),
    }  # fmt: skip
    for name, (v, expected) in cases.items():
        assert v.data == expected, name


def test_constants_become_leaves_in_argument_order() -> None:
    x = Value(3.0)
    y = 2 - x
    assert y.op == "sub"
    assert y.parents[1] is x
    assert y.parents[0].data == 2.0
    assert y.parents[0].op == ""


@pytest.mark.parametrize("other", ["3", None, [1.0], True, 1j])
def test_arithmetic_with_a_non_number_is_a_type_error(other: object) -> None:
    x = Value(1.0)
    with pytest.raises(
        TypeError, match=r"Value arithmetic takes a Value or a real number|expected"
    ):
        x + other  # type: ignore[operator]
    with pytest.raises(TypeError):
        x * other  # type: ignore[operator]
    with pytest.raises(TypeError):
        x**other  # type: ignore[operator]


def test_parents_keep_duplicates_in_order() -> None:
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    assert y.local_grads == (3.0, 3.0)


def test_identity_semantics() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert len({a, b}) == 2


def test_detach_makes_a_new_leaf() -> None:
    x = Value(2.0, label="x")
    y = (x * 3).detach()
    assert (y.data, y.op, y.parents) == (6.0, "", ())
    (y * y).backward()
    assert x.grad == 0.0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Value(-2.0).log(),
            "log(-2.0): log is defined (with a finite derivative) for x > 0",
        ),
        (lambda: Value(0.0).log(), "log(0.0)"),
        # The domain is in the op table's letters; the message says which number each is
        # (1 / x at x = 0 said "for y != 0" to a learner whose expression has no y).
        (
            lambda: 1.0 / Value(0.0, label="x"),
            "1.0 / 0.0: div is defined (with a finite derivative) for y != 0; "
            "here x / y has x = 1.0, y = 0.0",
        ),
        (lambda: (-2.0) ** Value(0.5), "for c > 0; here c ** x has c = -2.0, x = 0.5"),
        (lambda: Value(-1.0).sqrt(), "sqrt(-1.0)"),
        (lambda: Value(0.0).sqrt(), "at x = 0 the derivative is infinite"),
        (lambda: Value(0.0) ** -1, "0.0 ** (-1.0)"),
        (lambda: Value(-8.0) ** (1 / 3), "(-8.0) ** 0.3333"),
        (lambda: Value(0.0) ** 0.5, "0.0 ** 0.5"),
        (lambda: Value(800.0).exp(), "exp(800.0): the result overflows a float"),
        (lambda: Value(1.0) / 0, "1.0 / 0.0"),
        (lambda: (-2.0) ** Value(0.5), "(-2.0) ** 0.5"),
        (lambda: 0.0 ** Value(2.0), "0.0 ** 2.0"),
        (lambda: Value(-2.0) ** Value(2.0), "(-2.0) ** 2.0"),
        (lambda: Value(1e300) ** 2, "1e+300 ** 2.0: the result overflows"),
    ],
)
def test_domain_errors_name_the_op_and_value(make, message: str) -> None:
    with pytest.raises(ValueError, match=r"is defined|overflows") as info:
        make()
    assert message in str(info.value)


def test_no_complex_and_no_nan_silently() -> None:
    for make in (lambda: Value(-1.0) ** 0.5, lambda: Value(-1.0).log()):
        with pytest.raises(ValueError, match="is defined"):
            make()


def test_a_dropped_graph_is_freed_by_reference_counting_alone() -> None:
    gc.disable()
    try:
        x = Value(2.0)
        y = x
        for _ in range(100):
            y = (y * 1.01 + 0.5).tanh() * x
        y.backward()
        probes = [weakref.ref(y), weakref.ref(y.parents[0])]
        del y
        assert all(p() is None for p in probes)
    finally:
        gc.enable()


def test_node_memory_is_small() -> None:
    x = Value(0.5)
    y = x * 2.0
    size = sys.getsizeof(y) + sys.getsizeof(y.parents) + sys.getsizeof(y.local_grads)
    assert size < 250


def test_float_int_round_and_math_functions_refuse_a_value_instead_of_dropping_its_gradient() -> (
    None
):
    # The bug: math.sin(x) took float(x) and x.grad stayed 0.0 (true: 2·cos 1).
    x, y = Value(1.0, label="x"), Value(2.0)
    for call in (float, int, round, math.sin, math.exp, math.floor):
        with pytest.raises(TypeError, match=r"drop its gradient.*x\.sin\(\).*x\.data"):
            call(x)
    (x.sin() * y).backward()  # what the message says to write
    assert x.grad == 2 * math.cos(1.0)
    assert f"{x:.3f}" == "1.000"  # formatting keeps working


def test_numpy_functions_on_a_value_keep_the_gradient_or_refuse() -> None:
    np = pytest.importorskip("numpy")
    x = Value(0.5, label="x")
    out = np.sin(x)  # NumPy calls x.sin() on an object: the gradient is intact
    assert isinstance(out, Value)
    out.backward()
    assert x.grad == math.cos(0.5)
    with pytest.raises(TypeError, match="drop its gradient"):
        np.float64(x)
