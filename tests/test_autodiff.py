"""Backpropagation and the functional API: the classic bugs of scalar engines,
random expressions against PyTorch, accumulation semantics, no_grad, and
non-finite gradients."""

from __future__ import annotations

import math
import sys
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.value as value_module
from autograd_lite import (
    Value,
    enable_grad,
    grad,
    gradients,
    hessian,
    is_grad_enabled,
    no_grad,
    topological_order,
    value_and_grad,
    zero_grad,
)
from tests.ops_reference import ON_VALUES, in_torch

# -- the classic bugs, by name ------------------------------------------------------

#: Seconds a thread may take before a test calls it hung: a guard, not a speed limit.
HANG_GUARD = 180


def test_shared_node_z_times_z() -> None:
    x = Value(2.0)
    z = 3 * x
    y = z * z
    y.backward()
    assert x.grad == 36.0  # dy/dx = 18x, not 9x (micrograd's first version)
    assert z.grad == 12.0


def test_x_plus_x_times_x() -> None:
    x = Value(3.0)
    y = (x + x) * x
    y.backward()
    assert x.grad == 12.0  # d(2x^2)/dx = 4x


def test_a_plus_a() -> None:
    a = Value(-4.0)
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_diamond() -> None:
    x = Value(2.0)
    a = x * 3
    b = x.sin()
    y = a * b
    y.backward()
    assert x.grad == pytest.approx(3 * math.sin(2.0) + 6 * math.cos(2.0), rel=1e-15)


def test_million_node_chain_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.3)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == pytest.approx(1_000_000.3)


def test_deep_tanh_chain_matches_the_product_of_local_derivatives() -> None:
    x = Value(0.2)
    y = x
    expected = 1.0
    for _ in range(100_000):
        y = (0.9 * y + 0.1).tanh()
        expected *= 0.9 * (1 - y.data**2)
    y.backward()
    assert x.grad == pytest.approx(expected, rel=1e-9)


def test_sum_of_100000_terms() -> None:
    xs = [Value(float(i)) for i in range(100_000)]
    total = Value(0.0)
    for i, x in enumerate(xs):
        total = total + x * (i % 7)
    total.backward()
    assert all(x.grad == i % 7 for i, x in enumerate(xs))


def test_gradients_accumulate_exactly_at_shared_nodes() -> None:
    x = Value(0.1)
    terms = [x * 0.1 for _ in range(10)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    total.backward()
    expected = 0.0
    for _ in range(10):
        expected += 1.0 * 0.1
    assert x.grad == expected  # the same float additions, in the same order


def test_topological_order_puts_parents_first() -> None:
    x, y = Value(1.0), Value(2.0)
    z = (x * y + x).exp()
    order = topological_order(z)
    position = {id(n): i for i, n in enumerate(order)}
    assert order[-1] is z
    for node in order:
        for p in node.parents:
            assert position[id(p)] < position[id(node)]
    assert len(order) == len({id(n) for n in order})


# -- random expressions against PyTorch ----------------------------------------------

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos", "abs", "pow", "rpow"]
BINARY = ["add", "sub", "mul", "div", "vpow"]
POW_CONSTANTS = [2.0, 3.0, 0.5, -1.0, 1.5]
RPOW_CONSTANTS = [2.0, 0.5, 3.0]


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[Any, ...]]]:
    """Inputs and a list of steps; each step applies an op to earlier nodes (reuse
    of earlier nodes makes shared nodes), up to 8 levels deep."""
    n_inputs = draw(st.integers(1, 3))
    inputs = draw(st.lists(st.floats(-3, 3), min_size=n_inputs, max_size=n_inputs))
    steps = []
    depth = [0] * n_inputs
    for _ in range(draw(st.integers(1, 14))):
        n = len(depth)
        if draw(st.booleans()):
            name = draw(st.sampled_from(UNARY))
            i = draw(st.integers(0, n - 1))
            c = None
            if name == "pow":
                c = draw(st.sampled_from(POW_CONSTANTS))
            elif name == "rpow":
                c = draw(st.sampled_from(RPOW_CONSTANTS))
            steps.append((name, (i,), c))
            depth.append(depth[i] + 1)
        else:
            name = draw(st.sampled_from(BINARY))
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            steps.append((name, (i, j), None))
            depth.append(max(depth[i], depth[j]) + 1)
        if depth[-1] > 8:
            steps.pop()
            depth.pop()
    return inputs, steps


def _safe_step(name: str, args: list[float], c: float | None, margin: float) -> str:
    """The op to run at this step: the drawn one if its operands are at least
    ``margin`` inside its domain (and away from kinks), else tanh (defined
    everywhere), so that every engine runs the same program."""
    x = args[0]
    edge = max(margin, 1e-3)
    ok = {
        "log": x > edge,
        "sqrt": x > edge,
        "exp": x < 20,
        "div": len(args) > 1 and abs(args[-1]) > edge,
        "vpow": x > edge and len(args) > 1 and abs(args[-1]) < 4 and abs(x) < 50,
        "pow": c is not None and (x > edge if c != int(c) or c < 0 else True) and abs(x) < 1e3,
        "rpow": abs(x) < 20,
        "relu": abs(x) > margin,
        "abs": abs(x) > margin,
    }.get(name, True)
    return name if ok else "tanh"


def _run(
    program: tuple[list[float], list[tuple[Any, ...]]],
    apply: Callable[..., Any],
    leaf: Callable[[float], Any],
    data: Callable[[Any], float],
    margin: float = 1e-9,
    forced: list[str] | None = None,
) -> tuple[list[Any], Any, list[str]]:
    """Run the program; ``forced`` replays the op choices of an earlier run."""
    inputs, steps = program
    nodes = [leaf(v) for v in inputs]
    choices = []
    for k, (name, idx, c) in enumerate(steps):
        args = [nodes[i] for i in idx]
        if forced is not None:
            chosen = forced[k]
        else:
            chosen = _safe_step(name, [data(a) for a in args], c, margin)
        choices.append(chosen)
        if chosen != name:
            args = args[:1]
            c = None
        nodes.append(apply(chosen, args, c))
    # Sum every node into the root so all of them, and all sharing, matter.
    root = nodes[0]
    for n in nodes[1:]:
        root = root + n.tanh() if hasattr(n, "tanh") else root + n
    return nodes[: len(inputs)], root, choices


@given(programs())
def test_random_expressions_match_torch(torch, program) -> None:
    fns = in_torch(torch)

    def ours(name: str, args: list[Value], c: float | None) -> Value:
        return ON_VALUES[name](*args, c) if c is not None else ON_VALUES[name](*args)

    def theirs(name: str, args: list[Any], c: float | None) -> Any:
        return fns[name](*args, c) if c is not None else fns[name](*args)

    xs, root, choices = _run(program, ours, Value, lambda v: v.data)
    root.backward()
    ts, t_root, _ = _run(
        program,
        theirs,
        lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
        lambda t: t.item(),
        forced=choices,
    )
    t_root.backward()
    assert root.data == pytest.approx(t_root.item(), rel=1e-12)
    scale = max([1.0] + [abs(t.grad.item()) for t in ts])
    for x, t in zip(xs, ts):
        assert math.isclose(x.grad, t.grad.item(), rel_tol=1e-9, abs_tol=1e-12 * scale)


def ridders_derivative(f: Callable[[float], float], x: float) -> tuple[float, float]:
    """The derivative of ``f`` at ``x`` by Ridders' method, and an estimate of its error.

    One fixed step cannot serve every function: ``sin(exp(1/x))`` at x = 0.125
    oscillates on a scale of 3e-5, where a step of 1e-6 is already 0.6% off. So the
    extrapolation starts from steps 1e-2 ... 1e-6 and the estimate with the smallest
    error relative to its size wins (a step far larger than the function's scale of
    variation gives a small, wrong number with an error as large as itself).
    """
    results = []
    for k in range(2, 7):
        try:
            results.append(_ridders(f, x, 10.0**-k))
        except ValueError:
            continue  # this step leaves an op's domain; smaller ones may not
    if not results:
        raise ValueError(f"every step around {x} leaves an op's domain")
    return min(results, key=lambda result: result[1] / max(1.0, abs(result[0])))


def _ridders(f: Callable[[float], float], x: float, h: float) -> tuple[float, float]:
    """Central differences at steps shrinking from ``h`` by a factor 1.4, extrapolated to
    step 0 (Richardson) in a table; the entry that changes least from its neighbours is
    the answer and that change its error estimate (Numerical Recipes, ``dfridr``).

    NOTE: neighbouring entries can agree exactly while both carry rounding error (the
    differences of nearly equal floats are quantised), so the estimate never goes below
    the rounding error of a difference at the smallest step the entry used.
    """
    shrink, safe, n = 1.4, 2.0, 10
    rounding = 100 * sys.float_info.epsilon * max(1.0, abs(f(x)))
    table: list[list[float]] = [[0.0] * n for _ in range(n)]
    table[0][0] = (f(x + h) - f(x - h)) / (2 * h)
    best, error = table[0][0], math.inf
    for i in range(1, n):
        h /= shrink
        table[0][i] = (f(x + h) - f(x - h)) / (2 * h)
        factor = shrink**2
        for j in range(1, i + 1):
            table[j][i] = (table[j - 1][i] * factor - table[j - 1][i - 1]) / (factor - 1)
            factor *= shrink**2
            change = max(abs(table[j][i] - table[j - 1][i]), abs(table[j][i] - table[j - 1][i - 1]))
            change = max(change, rounding / h)
            if change <= error:
                best, error = table[j][i], change
        if abs(table[i][i] - table[i - 1][i - 1]) >= safe * error:
            break  # higher orders only get worse from here (rounding error grows)
    return best, error


def test_ridders_handles_the_expression_that_broke_a_fixed_step() -> None:
    # f = sin(exp(1/x)) at 0.125: central differences with h = 1e-6 gave 149302 here,
    # 0.6% off the derivative, and made the random-expression test fail by chance.
    x0 = 0.125

    def f(x: float) -> float:
        return math.sin(math.exp(1 / x))

    exact = -math.cos(math.exp(1 / x0)) * math.exp(1 / x0) / x0**2
    assert abs((f(x0 + 1e-6) - f(x0 - 1e-6)) / 2e-6 - exact) > 1e-3 * abs(exact)
    estimate, error = ridders_derivative(f, x0)
    assert estimate == pytest.approx(exact, rel=1e-7)
    assert error < 1e-6 * abs(exact)


def test_ridders_does_not_trust_a_step_that_aliases_an_oscillation() -> None:
    # Found by exploring: at x = 1 this function's derivative is 432665.9, and the
    # extrapolation from a step of 1e-2 gives -95.5 with an error estimate of 95; the
    # estimate with the smallest error relative to its size is the right one.
    def f(x: float) -> float:
        e = math.exp(x)
        return math.sin((e**e * (x + e**e)) ** 2)

    e = math.e
    u = e**e * (1 + e**e)
    # exp(x) ** exp(x) = exp(x * exp(x)), whose derivative at 1 is e^e * 2e
    du = e**e * 2 * e * (1 + e**e) + e**e * (1 + e**e * 2 * e)
    exact = math.cos(u**2) * 2 * u * du
    estimate, _ = ridders_derivative(f, 1.0)
    assert estimate == pytest.approx(exact, rel=1e-6)


@given(programs())
def test_random_expressions_match_central_differences(program) -> None:
    def ours(name: str, args: list[Value], c: float | None) -> Value:
        return ON_VALUES[name](*args, c) if c is not None else ON_VALUES[name](*args)

    # Kinks and domain edges are tested in test_ops; here operands stay well away
    # from them. The oracle extrapolates central differences to step 0 (Ridders), so
    # its own error is estimated, not assumed small.
    xs, root, choices = _run(program, ours, Value, lambda v: v.data, margin=0.1)
    root.backward()
    inputs = program[0]
    for i, x in enumerate(xs):

        def f(v: float, i: int = i) -> float:
            moved = list(inputs)
            moved[i] = v
            with no_grad():
                return float(_run((moved, program[1]), ours, Value, float, forced=choices)[1].data)

        try:
            numeric, error = ridders_derivative(f, inputs[i])
        except ValueError:
            continue  # a step left an op's domain; the torch test covers this point
        scale = max(1.0, abs(numeric))
        if error > 1e-4 * scale:
            continue  # no step resolves this point in floating point; torch checks it
        assert abs(x.grad - numeric) <= 1e-7 * scale + 10 * error, (x.grad, numeric, error)


# -- accumulation semantics across calls ---------------------------------------------


def test_leaves_accumulate_and_intermediates_are_recomputed() -> None:
    x = Value(3.0, label="x")
    z = x * 2
    y = z * x
    y.backward()
    assert (x.grad, z.grad) == (12.0, 3.0)
    y2 = z * 5
    y2.backward()  # another root sharing x: gradients add up, as for a mini-batch
    assert x.grad == 22.0
    assert z.grad == 5.0


def test_backward_twice_on_the_same_root_warns_with_the_consequence() -> None:
    x = Value(2.0, label="x")
    y = x * x + x
    y.backward()
    with pytest.warns(UserWarning, match=r"x\.grad now 10\.0, was 5\.0.*zero_grad"):
        y.backward()
    zero_grad(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y.backward()  # zeroed: no warning
    assert x.grad == 5.0


def test_zero_grad_clears_the_whole_graph() -> None:
    x = Value(1.5)
    y = (x * x).sin()
    y.backward()
    zero_grad(y)
    assert all(n.grad == 0.0 for n in topological_order(y))


def test_backward_with_a_gradient() -> None:
    x = Value(2.0)
    y = x * x
    y.backward(0.5)
    assert x.grad == 2.0
    zero_grad(y)
    y.backward(gradient=0.5)
    assert x.grad == 2.0


def test_backward_grad_keyword_is_a_deprecated_alias_of_gradient() -> None:
    x = Value(2.0)
    y = x * x
    with pytest.warns(DeprecationWarning, match=r"backward\(gradient=\.\.\.\)"):
        y.backward(grad=0.5)
    assert x.grad == 2.0


def test_backward_on_a_leaf() -> None:
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("gradient", ["1", None, True])
def test_backward_rejects_a_bad_gradient(gradient: object) -> None:
    with pytest.raises(TypeError, match="root's gradient must be a real number"):
        Value(1.0).backward(gradient)  # type: ignore[arg-type]


def test_backward_rejects_an_unknown_nonfinite_mode() -> None:
    with pytest.raises(ValueError, match="nonfinite='ignore'"):
        Value(1.0).backward(nonfinite="ignore")  # type: ignore[arg-type]


# -- non-finite values and gradients --------------------------------------------------


def test_non_finite_root_names_the_first_overflowing_node() -> None:
    a = Value(1e200, label="a")
    y = (a * a).tanh() * 0 + a * a
    with pytest.raises(FloatingPointError, match=r"root is inf.*mul: 1e\+200 \* 1e\+200 = inf"):
        y.backward()


def test_non_finite_gradient_is_an_error_naming_the_node() -> None:
    x = Value(1e-300, label="x")
    y = x.log() * 1e10  # finite, but dy/dx = 1e10 / 1e-300 overflows
    with pytest.raises(FloatingPointError, match=r"gradient became inf at leaf 'x'"):
        y.backward()


def test_a_saturated_overflow_is_not_an_error() -> None:
    a = Value(1e200)
    y = (a * a).tanh()  # tanh(inf) = 1 and its derivative 0: the limits are right
    y.backward()
    assert (y.data, a.grad) == (1.0, 0.0)


def test_non_finite_can_be_a_warning() -> None:
    x = Value(1e-300)
    y = x.log() * 1e10
    with pytest.warns(RuntimeWarning, match="gradient became inf"):
        y.backward(nonfinite="warn")
    assert x.grad == math.inf


# -- no_grad and detach ---------------------------------------------------------------


def test_no_grad_builds_no_graph_and_restores_the_mode() -> None:
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * x).tanh() + 1
    assert is_grad_enabled()
    assert (y.parents, y.local_grads, y.op) == ((), (), "")
    assert y.data == pytest.approx(math.tanh(4.0) + 1)


def test_no_grad_as_a_decorator_and_restored_after_an_exception() -> None:
    @no_grad()
    def f(v: Value) -> Value:
        return v * 3

    assert f(Value(1.0)).parents == ()
    with pytest.raises(ValueError, match="log"), no_grad():
        Value(-1.0).log()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    # While this thread sits in no_grad(), another thread still records its graph
    # (PyTorch's grad mode is per thread too), and the other way round.
    entered, done = threading.Event(), threading.Event()
    seen: dict[str, Any] = {}

    def other() -> None:
        entered.wait(HANG_GUARD)
        y = Value(2.0) * 3
        seen["parents"], seen["enabled"] = len(y.parents), is_grad_enabled()
        with no_grad():
            done.set()
            seen["inner"] = (Value(2.0) * 3).parents
            time.sleep(0.05)

    thread = threading.Thread(target=other)
    thread.start()
    with no_grad():
        entered.set()
        assert done.wait(HANG_GUARD)
        assert (Value(2.0) * 3).parents == ()
        assert not is_grad_enabled()
    # Back to recording here, while the other thread may still be in no_grad().
    assert len((Value(2.0) * 3).parents) == 2
    thread.join(HANG_GUARD)
    assert not thread.is_alive()
    assert seen == {"parents": 2, "enabled": True, "inner": ()}
    assert value_module._grad_enabled
    assert value_module._threads_without_grad == 0


def test_a_recursive_no_grad_function_restores_the_mode() -> None:
    @no_grad()
    def countdown(n: int) -> Value:
        return Value(float(n)) * 2 if n == 0 else countdown(n - 1)

    assert countdown(3).parents == ()
    assert is_grad_enabled()


def test_backward_twice_warning_is_per_thread() -> None:
    x = Value(2.0)
    y = x * x
    y.backward()
    warnings_in_thread: list[str] = []

    def other() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            z = Value(1.0) * Value(2.0)
            z.backward()
            warnings_in_thread.extend(str(w.message) for w in caught)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join(HANG_GUARD)
    assert not thread.is_alive()
    assert warnings_in_thread == []
    with pytest.warns(UserWarning, match="without zeroing"):
        y.backward()  # this thread's last root is still y


def test_no_grad_skips_the_derivative_rules() -> None:
    # Why no_grad() is cheaper, counted rather than timed (a timing races the machine):
    # the forward pass under it calls no local-derivative rule at all.
    def work() -> Value:
        y = Value(0.5)
        for _ in range(100):
            y = (y * 0.9 + 0.1).tanh()
        return y

    def python_calls(run: Callable[[], Value]) -> int:
        calls = 0

        def count(frame: Any, event: str, arg: Any) -> None:
            nonlocal calls
            calls += event == "call"

        sys.setprofile(count)
        try:
            run()
        finally:
            sys.setprofile(None)
        return calls

    def without() -> Value:
        with no_grad():
            return work()

    # Every op's rule is a Python function: 300 ops, 300 rule calls fewer, less the
    # few calls that entering and leaving no_grad() itself makes.
    assert python_calls(work) - python_calls(without) >= 290


# -- functional API and higher derivatives -------------------------------------------


def test_grad_of_a_function_of_numbers() -> None:
    assert grad(lambda x, y: x * y + x.sin())(2.0, 3.0) == pytest.approx(3 + math.cos(2.0))
    assert grad(lambda x, y: x * y + x.sin(), argnums=1)(2.0, 3.0) == 2.0
    gx, gy = grad(lambda x, y: x * y + x.sin(), argnums=(0, 1))(2.0, 3.0)
    assert (gx, gy) == (pytest.approx(3 + math.cos(2.0)), 2.0)


def test_value_and_grad() -> None:
    v, g = value_and_grad(lambda x: x**2)(3.0)
    assert (v, g) == (9.0, 6.0)
    assert isinstance(v, float)


@pytest.mark.parametrize(
    ("f", "x", "second"),
    [
        (lambda x: x**3, 2.0, 12.0),
        (lambda x: x.sin(), 0.7, -math.sin(0.7)),
        (lambda x: x.tanh(), 0.3, -2 * math.tanh(0.3) * (1 - math.tanh(0.3) ** 2)),
        (lambda x: x.exp() * x, 1.0, 3 * math.e),
        (lambda x: x.sigmoid(), 0.4, None),
    ],
)
def test_second_derivatives(f, x: float, second: float | None) -> None:
    ours = grad(grad(f))(x)
    if second is None:
        s = 1 / (1 + math.exp(-x))
        second = s * (1 - s) * (1 - 2 * s)
    assert ours == pytest.approx(second, rel=1e-12)


def test_third_derivative() -> None:
    assert grad(grad(grad(lambda x: x**4)))(2.0) == pytest.approx(48.0)


def test_hessian_of_x2y_plus_y3() -> None:
    h = hessian(lambda x, y: x**2 * y + y**3)(1.5, -2.0)
    assert h == [[2 * -2.0, 2 * 1.5], [2 * 1.5, 6 * -2.0]]


def test_hessian_matches_torch(torch) -> None:
    def f(x, y, z):
        return (x * y).sin() + z.exp() * x - (y / z) ** 2

    ours = hessian(f)(0.3, -1.2, 0.8)
    args = tuple(torch.tensor(v) for v in (0.3, -1.2, 0.8))
    theirs = torch.autograd.functional.hessian(
        lambda x, y, z: torch.sin(x * y) + torch.exp(z) * x - (y / z) ** 2, args
    )
    for i in range(3):
        for j in range(3):
            assert ours[i][j] == pytest.approx(theirs[i][j].item(), rel=1e-12)


def test_functional_api_leaves_existing_grads_alone() -> None:
    x = Value(2.0)
    (x * x).backward()
    assert grad(lambda v: v * 10)(x) is not None
    assert x.grad == 4.0


def test_grad_of_a_constant_function_is_zero() -> None:
    assert grad(lambda x: 5.0)(1.0) == 0.0
    assert grad(lambda x, y: y * 2)(1.0, 3.0) == 0.0
    assert hessian(lambda x, y: x + y)(1.0, 2.0) == [[0.0, 0.0], [0.0, 0.0]]


def test_grad_works_inside_no_grad() -> None:
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0


@pytest.mark.parametrize(
    ("argnums", "error"), [(2, ValueError), ((), TypeError), ("0", TypeError), ((0, 5), ValueError)]
)
def test_bad_argnums(argnums: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="argnums"):
        grad(lambda x, y: x * y, argnums=argnums)(1.0, 2.0)


def test_grad_needs_a_scalar_result() -> None:
    with pytest.raises(TypeError, match="must return a scalar"):
        grad(lambda x: [x, x])(1.0)


def test_backward_create_graph_gives_differentiable_grads() -> None:
    x = Value(1.5)
    y = x**3
    y.backward(create_graph=True)
    dydx = x.grad
    assert isinstance(dydx, Value)
    assert dydx.data == pytest.approx(3 * 1.5**2)
    x.grad = 0.0
    dydx.backward()
    assert x.grad == pytest.approx(6 * 1.5)


def test_gradients_returns_without_touching_grad() -> None:
    x, y = Value(2.0), Value(3.0)
    x.grad = 5.0
    z = x * y + x * x
    assert gradients(z, [x, y]) == [7.0, 2.0]
    assert (x.grad, y.grad) == (5.0, 0.0)
    unrelated = Value(1.0)
    assert gradients(z, [unrelated]) == [0.0]


def test_gradients_with_create_graph_are_differentiable() -> None:
    x = Value(1.5)
    (dx,) = gradients(x**3, [x], create_graph=True)
    assert isinstance(dx, Value)
    assert gradients(dx, [x]) == [pytest.approx(9.0)]


def test_gradients_rejects_non_values() -> None:
    with pytest.raises(TypeError, match=r"inputs\[0\] is float"):
        gradients(Value(1.0) * 2, [1.0])  # type: ignore[list-item]


def test_enable_grad_inside_no_grad() -> None:
    x = Value(2.0)
    with no_grad():
        with enable_grad():
            y = x * x
        z = x * x
    assert y.parents == (x, x)
    assert z.parents == ()


# -- .data assigned after the Value was made -----------------------------------------


@pytest.mark.parametrize("bad", ["a", None, [1.0]])
def test_data_assigned_a_non_number_is_named_at_the_next_op_that_fails(bad: Any) -> None:
    # The bug: x.data = "a" failed later with "can't multiply sequence by non-int of type 'float'".
    x = Value(1.0, label="x")
    x.data = bad
    for op in (lambda: x * 2.5, lambda: 2 - x, lambda: x.sin(), lambda: x**2, lambda: x / 3):
        with pytest.raises(TypeError, match=r"x\.data is .*assigned after.*x\.data = 1\.0"):
            op()


@pytest.mark.parametrize("bad", ["a", None, [1.0], 1j])
def test_data_assigned_a_non_number_is_named_by_backward(bad: Any) -> None:
    # Some ops go through with a non-number ("a" + "a", 2j * 2.0): backward() names it,
    # before any gradient moves. (A check on every assignment would cost every op.)
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    y = x * w
    w.data = bad
    with pytest.raises(TypeError, match=r"backward\(\): w\.data is .*assign a float"):
        y.backward()
    assert (x.grad, w.grad) == (0.0, 0.0)
    w.data = 2.0
    x.data = bad
    with pytest.raises(TypeError, match=r"x\.data is "):  # at the op, or at backward()
        (x + x).backward()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_data_assigned_a_non_finite_number_is_named_by_backward(bad: float) -> None:
    # relu swallows nan (nan > 0 is False), so the root is finite: only the leaf check sees it.
    x, w = Value(1.0, label="x"), Value(2.0, label="w")
    y = (x * w).relu() + x
    w.data = bad
    with pytest.raises(FloatingPointError, match=r"'w' holds .*\.data was set to a non-finite"):
        y.backward()
    assert (x.grad, w.grad) == (0.0, 0.0)
    with pytest.warns(RuntimeWarning, match="'w' holds"):
        y.backward(nonfinite="warn")


def test_leaves_whose_sum_overflows_are_not_a_false_alarm() -> None:
    x, y = Value(1e308, label="x"), Value(1e308, label="y")
    f = x * 1e-300 + y * 1e-300
    f.backward()
    assert (x.grad, y.grad) == (1e-300, 1e-300)


def test_the_second_backward_warning_names_the_labelled_leaf_not_a_constant() -> None:
    # The bug: it named "the leaf holding 3.0" (the constant), not x.
    x = Value(2.0, label="x")
    f = 3.0 * x
    f.backward()
    with pytest.warns(UserWarning, match=r"x\.grad now 6\.0, was 3\.0") as caught:
        f.backward()
    assert caught[0].filename == __file__  # points at the caller's line
