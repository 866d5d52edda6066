"""Forward mode (``autograd_lite.forward``): jvp, vjp and both Jacobian modes against
``torch.func`` (and central differences where PyTorch is absent) on random programs of
every op; multiply-adds equal to edges per sweep; dual numbers keep no graph; and every
error a caller can make, named."""

from __future__ import annotations

import math
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, hessian, topological_order
from autograd_lite.forward import (
    Dual,
    graph_jacobian,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    linearize,
    push_tangents,
    vjp,
)
from autograd_lite.forward import hessian as forward_hessian
from autograd_lite.ops import OPS
from tests.ops_reference import IN_MATH, ON_VALUES, in_torch
from tests.test_autodiff import ridders_derivative

# -- random programs of every op ----------------------------------------------------------

POW_CONSTANTS = [2.0, 3.0, 0.5, -1.0, 1.5, 0.0]
RPOW_CONSTANTS = [2.0, 0.5, 3.0]
UNARY = sorted(name for name, op in OPS.items() if op.arity == 1)
BINARY = sorted(name for name, op in OPS.items() if op.arity == 2)

#: ops_reference's math, with tanh from ``math``: its exp-based formula overflows past x = 355,
#: and a program's tanh (the stand-in for an unsafe op) can receive exp(exp(2)) = 1618.
MATH = {**IN_MATH, "tanh": math.tanh}

#: One step of a program: (op name, indices of earlier nodes, constant or None).
Step = tuple[str, tuple[int, ...], "float | None"]
Program = tuple[list[float], list[Step], list[int]]


def test_the_programs_cover_every_op() -> None:
    # A new op row must show up in the random programs below.
    assert set(UNARY) | set(BINARY) == set(OPS)


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """Inputs, steps applying any op to earlier nodes (sharing them), and 1 to 3 outputs."""
    n_inputs = draw(st.integers(1, 3))
    inputs = draw(st.lists(st.floats(-2.5, 2.5), min_size=n_inputs, max_size=n_inputs))
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, 12))):
        n = n_inputs + len(steps)
        if draw(st.booleans()):
            name = draw(st.sampled_from(UNARY))
            c = None
            if name == "pow":
                c = draw(st.sampled_from(POW_CONSTANTS))
            elif name == "rpow":
                c = draw(st.sampled_from(RPOW_CONSTANTS))
            steps.append((name, (draw(st.integers(0, n - 1)),), c))
        else:
            name = draw(st.sampled_from(BINARY))
            pair = (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
            steps.append((name, pair, None))
    n = n_inputs + len(steps)
    outputs = draw(st.lists(st.integers(n_inputs, n - 1), min_size=1, max_size=3))
    return inputs, steps, outputs


def _safe(name: str, args: list[float], c: float | None) -> bool:
    """The drawn op is well inside its domain and away from its kinks here."""
    x = args[0]
    return {
        "log": x > 0.1,
        "sqrt": x > 0.1,
        "exp": x < 20,
        "div": len(args) > 1 and abs(args[1]) > 0.1,
        "vpow": x > 0.1 and abs(args[-1]) < 4 and x < 50,
        "pow": c is not None and (x > 0.1 if c != int(c) or c < 0 else True) and abs(x) < 1e3,
        "rpow": abs(x) < 20,
        "relu": abs(x) > 0.1,
        "abs": abs(x) > 0.1,
        "step": abs(x) > 0.1,
        "sign": abs(x) > 0.1,
    }.get(name, True)


def fix(program: Program) -> list[Step]:
    """The program's steps with each unsafe op replaced by tanh (defined everywhere), as
    decided on plain floats, so that every engine then runs the same program."""
    inputs, steps, _ = program
    nodes = list(inputs)
    fixed: list[Step] = []
    for name, idx, c in steps:
        args = [nodes[i] for i in idx]
        if not _safe(name, args, c):
            name, idx, c = "tanh", idx[:1], None
            args = args[:1]
        fixed.append((name, idx, c))
        call = MATH[name]
        nodes.append(call(*args, c) if c is not None else call(*args))
    return fixed


def as_function(program: Program, ops: dict[str, Callable[..., Any]]) -> Callable[..., Any]:
    """The program as f(*inputs) -> tuple of outputs, on whatever ``ops`` computes with."""
    outputs = program[2]
    steps = fix(program)

    def f(*args: Any) -> tuple[Any, ...]:
        nodes = list(args)
        for name, idx, c in steps:
            operands = [nodes[i] for i in idx]
            nodes.append(ops[name](*operands, c) if c is not None else ops[name](*operands))
        return tuple(nodes[i] for i in outputs)

    return f


def close(ours: float, theirs: float, scale: float) -> bool:
    """Equal to 1e-12 relative; ``scale`` (the largest entry compared) bounds the absolute
    error of a sum whose terms cancel."""
    return math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12 * max(1.0, scale))


def _tensor(torch: Any, v: float) -> Any:
    return torch.tensor(v, dtype=torch.float64)


# -- against torch.func --------------------------------------------------------------------


@given(programs(), st.data())
def test_jvp_matches_torch_func_jvp(torch, program: Program, data: st.DataObject) -> None:
    inputs = program[0]
    tangents = data.draw(st.lists(st.floats(-2, 2), min_size=len(inputs), max_size=len(inputs)))
    out, tangent_out = jvp(as_function(program, ON_VALUES), tuple(inputs), tuple(tangents))
    t_out, t_tangent = torch.func.jvp(
        as_function(program, in_torch(torch)),
        tuple(_tensor(torch, v) for v in inputs),
        tuple(_tensor(torch, t) for t in tangents),
    )
    scale = max(abs(t.item()) for t in t_tangent)
    for ours, theirs in zip(out, t_out):
        assert close(ours, theirs.item(), abs(theirs.item()))
    for ours, theirs in zip(tangent_out, t_tangent):
        assert close(ours, theirs.item(), scale), (ours, theirs.item())


@given(programs(), st.data())
def test_vjp_matches_torch_func_vjp(torch, program: Program, data: st.DataObject) -> None:
    inputs, _, outputs = program
    cotangent = data.draw(st.lists(st.floats(-2, 2), min_size=len(outputs), max_size=len(outputs)))
    _, vjp_fn = vjp(as_function(program, ON_VALUES), *inputs)
    ours = vjp_fn(tuple(cotangent))
    _, t_vjp = torch.func.vjp(
        as_function(program, in_torch(torch)), *(_tensor(torch, v) for v in inputs)
    )
    theirs = [t.item() for t in t_vjp(tuple(_tensor(torch, c) for c in cotangent))]
    assert len(ours) == len(inputs)
    scale = max(map(abs, theirs))
    for a, b in zip(ours, theirs):
        assert close(a, b, scale), (a, b)


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@given(program=programs())
def test_jacobian_matches_torch_jacfwd_and_jacrev(torch, mode: str, program: Program) -> None:
    inputs = program[0]
    ours = jacobian(as_function(program, ON_VALUES), mode=mode)(*inputs)  # type: ignore[arg-type]
    jac = torch.func.jacfwd if mode == "forward" else torch.func.jacrev
    theirs = jac(as_function(program, in_torch(torch)), argnums=tuple(range(len(inputs))))(
        *(_tensor(torch, v) for v in inputs)
    )
    matrix = [[t.item() for t in row] for row in theirs]
    scale = max(abs(v) for row in matrix for v in row)
    assert len(ours.matrix) == len(matrix)
    for row, t_row in zip(ours.matrix, matrix):
        for a, b in zip(row, t_row):
            assert close(a, b, scale), (a, b)


def test_hessian_both_ways_matches_torch_func_hessian_and_reverse_over_reverse(torch) -> None:
    def f(x: Any, y: Any, z: Any) -> Any:
        return (x * y).sin() + z.exp() * x - (y / z) ** 2

    point = (0.3, -1.2, 0.8)
    args = tuple(_tensor(torch, v) for v in point)
    theirs = torch.func.hessian(
        lambda x, y, z: torch.sin(x * y) + torch.exp(z) * x - (y / z) ** 2, argnums=(0, 1, 2)
    )(*args)
    expected = [[t.item() for t in row] for row in theirs]
    before = hessian(f)(*point)  # autodiff's reverse-over-reverse
    for mode in ("forward-over-reverse", "reverse-over-reverse"):
        report = forward_hessian(f, mode=mode)(*point)  # type: ignore[arg-type]
        assert report.sweeps == 3
        for row, t_row in zip(report.matrix, expected):
            for a, b in zip(row, t_row):
                assert close(a, b, 10.0)
    # reverse-over-reverse is autodiff.hessian's algorithm: the same floats, bit for bit
    assert forward_hessian(f, mode="reverse-over-reverse")(*point).matrix == before


# -- against central differences, where PyTorch is absent --------------------------------


@given(programs())
def test_jvp_and_jacobians_match_central_differences(program: Program) -> None:
    inputs = program[0]
    f_values = as_function(program, ON_VALUES)
    f_math = as_function(program, MATH)
    forward = jacfwd(f_values)(*inputs)
    reverse = jacrev(f_values)(*inputs)
    for j in range(len(inputs)):
        direction = tuple(1.0 if k == j else 0.0 for k in range(len(inputs)))
        _, tangents = jvp(f_values, tuple(inputs), direction)
        for i in range(len(program[2])):

            def g(v: float, i: int = i, j: int = j) -> float:
                moved = list(inputs)
                moved[j] = v
                return float(f_math(*moved)[i])

            try:
                numeric, error = ridders_derivative(g, inputs[j])
            except ValueError:
                continue  # a step left an op's domain; the torch test covers this point
            scale = max(1.0, abs(numeric))
            if error > 1e-4 * scale:
                continue  # no step resolves this point in floating point; torch checks it
            for ours in (tangents[i], forward.matrix[i][j], reverse.matrix[i][j]):
                assert abs(ours - numeric) <= 1e-7 * scale + 10 * error, (ours, numeric)


# -- costs: one multiply-add per edge per sweep ------------------------------------------


def _edges(*outputs: Value) -> int:
    """Edges of the graph behind ``outputs``, counted from the nodes' parents."""
    seen: set[Value] = set()
    for out in outputs:
        seen.update(topological_order(out))
    return sum(len(node.parents) for node in seen)


@given(programs())
def test_multiply_adds_equal_edges_per_sweep_on_random_graphs(program: Program) -> None:
    inputs = [Value(v) for v in program[0]]
    outputs = as_function(program, ON_VALUES)(*inputs)
    edges = _edges(*outputs)
    recorded: list[tuple[Value, Value]] = []
    sweep = push_tangents(
        list(outputs), {inputs[0]: 1.0}, record=lambda n, p, *_: recorded.append((n, p))
    )
    assert sweep.multiply_adds == edges == len(recorded)
    # every edge exactly once: each (node, k-th parent) pair
    assert len(recorded) == sum(len(n.parents) for n in {n for n, _ in recorded})
    forward = graph_jacobian(list(outputs), inputs, mode="forward")
    assert forward.sweeps == len(inputs)
    assert forward.multiply_adds == len(inputs) * edges
    reverse = graph_jacobian(list(outputs), inputs, mode="reverse")
    assert reverse.sweeps == len(outputs)
    assert reverse.multiply_adds == sum(_edges(out) for out in outputs)


def test_the_counts_are_what_each_mode_costs_on_a_wide_and_a_tall_function() -> None:
    # f: 1 input -> 4 outputs (forward wins); g: 4 inputs -> 1 output (reverse wins)
    wide = jacobian(lambda x: (x.sin(), x.cos(), x.exp(), x * x), mode="forward")(0.5)
    wide_reverse = jacobian(lambda x: (x.sin(), x.cos(), x.exp(), x * x), mode="reverse")(0.5)
    assert (wide.sweeps, wide.multiply_adds) == (1, 5)
    assert (wide_reverse.sweeps, wide_reverse.multiply_adds) == (4, 5)
    tall = jacobian(lambda a, b, c, d: a * b + c * d, mode="forward")(1.0, 2.0, 3.0, 4.0)
    tall_reverse = jacobian(lambda a, b, c, d: a * b + c * d, mode="reverse")(1.0, 2.0, 3.0, 4.0)
    assert (tall.sweeps, tall.multiply_adds) == (4, 24)
    assert (tall_reverse.sweeps, tall_reverse.multiply_adds) == (1, 6)
    assert tall.matrix == tall_reverse.matrix == [[2.0, 1.0, 4.0, 3.0]]
    assert "one sweep per input, 4 inputs x 6 edges = 24 multiply-adds" in tall.why


def test_push_tangents_uses_the_stored_local_derivatives() -> None:
    # The sweep multiplies node.local_grads, nothing recomputed: planting a wrong stored
    # local derivative changes the tangent, exactly as it changes backward()'s gradient.
    x = Value(2.0, label="x")
    y = x.sin()
    assert push_tangents(y, {x: 1.0}).tangents == (math.cos(2.0),)
    y.local_grads = (10.0,)
    assert push_tangents(y, {x: 1.0}).tangents == (10.0,)
    y.backward()
    assert x.grad == 10.0


def test_shared_node_and_diamond_tangents() -> None:
    # the classic reverse-mode bugs, forward: z = 3x used twice; a diamond
    x = Value(2.0)
    z = 3 * x
    assert push_tangents(z * z, {x: 1.0}).tangents == (36.0,)
    a, b = x * 3, x.sin()
    sweep = push_tangents(a * b, {x: 1.0})
    assert sweep.tangents[0] == pytest.approx(3 * math.sin(2.0) + 6 * math.cos(2.0), rel=1e-15)
    assert sweep.tangent(a) == 3.0
    assert sweep.tangent(x) == 1.0


def test_a_deep_chain_pushes_without_recursion() -> None:
    x = Value(0.2)
    y = x
    for k in range(100_000):
        y = y * (1.0 + 1e-6 * (k % 3 - 1)) + 0.5  # a tangent that neither vanishes nor blows up
    sweep = push_tangents(y, {x: 1.0})
    y.backward()
    assert sweep.tangents[0] == pytest.approx(x.grad, rel=1e-12)
    assert 0.5 < sweep.tangents[0] < 2.0
    assert sweep.multiply_adds == 400_000  # a mul and an add per step, two edges each


def test_nothing_changes_a_grad_the_caller_can_see() -> None:
    x, y = Value(2.0), Value(3.0)
    f = x * y + x.sin()
    x.grad, y.grad = 5.0, 7.0
    other = Value(1.0)
    other.grad = 9.0
    reverse = graph_jacobian([f, f * f], [x, y, other], mode="reverse")
    forward = graph_jacobian([f, f * f], [x, y, other], mode="forward")
    # an input the outputs do not use has derivative 0, not the .grad it held before
    assert [row[2] for row in reverse.matrix] == [row[2] for row in forward.matrix] == [0.0, 0.0]
    push_tangents(f, {x: 1.0})
    assert (x.grad, y.grad, other.grad, f.grad) == (5.0, 7.0, 9.0, 0.0)


def test_vjp_of_one_output_and_of_an_output_that_ignores_an_input() -> None:
    out, vjp_fn = vjp(lambda x, y: x * 3.0, 2.0, 5.0)
    assert out == 6.0
    assert vjp_fn(2.0) == (6.0, 0.0)
    assert vjp_fn(1.0) == (3.0, 0.0)  # again, nothing accumulated in between


def test_linearize_is_one_sweep_per_direction() -> None:
    out, f_jvp = linearize(lambda x, y: (x * y, x + y), 2.0, 3.0)
    assert out == (6.0, 5.0)
    assert f_jvp(1.0, 0.0) == (3.0, 1.0)
    assert f_jvp(0.0, 1.0) == (2.0, 1.0)


def test_jacobian_argnums() -> None:
    report = jacobian(lambda x, y: x * y, mode="forward", argnums=1)(2.0, 3.0)
    assert report.matrix == [[2.0]]
    assert report.sweeps == 1
    assert jacrev(lambda x, y: x * y, argnums=(1, 0))(2.0, 3.0).matrix == [[2.0, 3.0]]


def test_duals_compute_every_op_as_the_op_table_does() -> None:
    # value and tangent from the same row as Value's: equal to the recorded node's
    for name, op in OPS.items():
        x0, y0, c = 0.7, 1.3, 2.0
        args_v = [Value(x0), Value(y0)][: op.arity]
        args_d = [Dual(x0, 1.0), Dual(y0, 0.5)][: op.arity]
        call = ON_VALUES[name]
        v = call(*args_v, c) if op.has_constant else call(*args_v)
        d = call(*args_d, c) if op.has_constant else call(*args_d)
        tangent = sum(g * t for g, t in zip(v.local_grads, (1.0, 0.5)))
        assert d.data == v.data, name
        assert d.tangent == tangent, name


# -- no graph kept -------------------------------------------------------------------------


def test_jvp_keeps_no_graph_on_a_long_chain() -> None:
    # A recorded chain of 20,000 steps holds 60,000 Values; jvp's Duals hold one step's.
    steps = 20_000

    def chain(x: Any) -> Any:
        for _ in range(steps):
            x = (0.9 * x + 0.1).tanh()
        return x

    tracemalloc.start()
    try:
        out, tangent = jvp(chain, (0.2,), (1.0,))
        _, dual_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        x = Value(0.2)
        recorded = chain(x)
        graph_bytes = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert graph_bytes > 3_000_000  # ~60,000 Values
    assert dual_peak < 50_000, f"jvp held {dual_peak} bytes at its peak"
    assert out == recorded.data
    # the same multiplications in the same order as a sweep over the recorded graph
    assert tangent == push_tangents(recorded, {x: 1.0}).tangents[0]


# -- errors, each named ----------------------------------------------------------------------


def test_tangents_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match=r"2 primal\(s\) but 3 tangent\(s\); pass one tangent"):
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0, 0.0, 0.0))


def test_primals_or_tangents_not_a_tuple() -> None:
    with pytest.raises(TypeError, match=r"jvp: primals is float .*pass a tuple"):
        jvp(lambda x: x, 1.0, (1.0,))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"jvp: tangents is float .*one tangent per primal"):
        jvp(lambda x: x, (1.0,), 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("tangent", "error", "message"),
    [
        ("1", TypeError, r"tangents\[0\] is str .*must be a real number"),
        (True, TypeError, r"bool is refused"),
        ([1.0], TypeError, r"one number per input, not a sequence"),
        (Value(1.0), TypeError, r"pass its number \(Value.data\)"),
        (math.inf, ValueError, r"tangents\[0\] is inf: a tangent must be finite"),
        (math.nan, ValueError, r"tangents\[0\] is nan: a tangent must be finite"),
    ],
)
def test_tangents_of_the_wrong_type_or_not_finite(tangent: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        jvp(lambda x: x.sin(), (1.0,), (tangent,))


def test_non_finite_primal_and_seed() -> None:
    with pytest.raises(ValueError, match=r"primals\[0\] is nan: a primal \(the point\) must be"):
        vjp(lambda x: x, math.nan)
    x = Value(1.0, label="x")
    with pytest.raises(ValueError, match=r"the seed of 'x' is inf"):
        push_tangents(x * 2, {x: math.inf})


@pytest.mark.parametrize(
    ("f", "message"),
    [
        (lambda x: math.sin(x.data), r"f returned float .*not a Dual\. A plain number carries"),
        (lambda x: None, r"f returned NoneType \(None\), not a Dual"),
        (lambda x: (x, "y"), r"f's output 1 is str .*not a Dual"),
        (lambda x: [[x]], r"f's output 0 is list .*flat sequence"),
        (lambda x: (), r"f returned an empty tuple"),
    ],
)
def test_f_returning_a_non_value_in_jvp(f: Callable[..., Any], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        jvp(f, (1.0,), (1.0,))


def test_f_returning_a_non_value_when_recorded() -> None:
    for wrapped in (jacfwd, jacrev):
        with pytest.raises(TypeError, match=r"jacobian: f returned float .*not a Value"):
            wrapped(lambda x: x.data * 2)(1.0)
    with pytest.raises(TypeError, match=r"vjp: f's output 1 is int"):
        vjp(lambda x: (x, 3), 1.0)
    with pytest.raises(TypeError, match=r"linearize: f returned str"):
        linearize(lambda x: "x", 1.0)


def test_a_value_inside_a_dual_computation() -> None:
    w = Value(2.0)
    with pytest.raises(TypeError, match=r"a Value cannot join a Dual computation.*linearize"):
        jvp(lambda x: x * w, (1.0,), (1.0,))
    with pytest.raises(TypeError, match=r"f returned Value .*jvp runs f on Duals"):
        jvp(lambda x: w, (1.0,), (1.0,))


def test_outside_an_ops_domain_on_duals() -> None:
    with pytest.raises(ValueError, match=r"log\(-1.0\) \(on Duals\): log is defined.* for x > 0"):
        jvp(lambda x: x.log(), (-1.0,), (1.0,))
    with pytest.raises(FloatingPointError, match=r"the tangent became inf at mul"):
        jvp(lambda x: x * 1e300, (1.0,), (1e300,))


def test_a_tangent_that_overflows_on_a_graph_is_located() -> None:
    x = Value(1.0, label="x")
    y = x * 1e300
    y.label = "y"
    with pytest.raises(FloatingPointError, match=r"the tangent became inf at 'y' \(made by mul\)"):
        push_tangents(y + 1.0, {x: 1e300})


def test_cotangents_of_the_wrong_shape() -> None:
    _, one = vjp(lambda x: x * x, 2.0)
    with pytest.raises(TypeError, match=r"vjp_fn: the cotangent is str"):
        one("1")
    _, two = vjp(lambda x: (x, x * x), 2.0)
    with pytest.raises(ValueError, match=r"2 output\(s\) but 3 cotangent\(s\); pass one cotangent"):
        two((1.0, 1.0, 1.0))
    with pytest.raises(TypeError, match=r"cotangent is float .*one cotangent per output"):
        two(1.0)


def test_push_tangents_bad_seeds_and_outputs() -> None:
    x = Value(1.0, label="x")
    y = x * 2
    with pytest.raises(TypeError, match=r"seeds must be a dict from leaf to tangent"):
        push_tangents(y, [x])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"a seed's key is str \('x'\), not a Value"):
        push_tangents(y, {"x": 1.0})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"has parents; use leaves \(the inputs\)"):
        push_tangents(y, {y: 1.0})
    with pytest.raises(TypeError, match=r"push_tangents: f's output 1 is float"):
        push_tangents([y, 2.0], {x: 1.0})  # type: ignore[list-item]


def test_bad_modes_argnums_and_inputs() -> None:
    with pytest.raises(ValueError, match=r"mode='sideways'; use 'forward'"):
        jacobian(lambda x: x, mode="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"mode='forward'; use 'forward-over-reverse'"):
        forward_hessian(lambda x: x, mode="forward")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"argnums=2, but f was called with 2 argument"):
        jacobian(lambda x, y: x, argnums=2)(1.0, 2.0)
    with pytest.raises(TypeError, match=r"argnums='0'"):
        jacobian(lambda x: x, argnums="0")(1.0)  # type: ignore[arg-type]
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"inputs\[0\] .* has parents"):
        graph_jacobian(x * 2, [x * 3])
    with pytest.raises(TypeError, match=r"hessian: f returned 2 outputs"):
        forward_hessian(lambda x: (x, x))(1.0)


def test_float_of_a_dual_refuses_to_drop_the_tangent() -> None:
    for call in (float, int, round):
        with pytest.raises(TypeError, match=r"would hand out the bare number and drop its tangent"):
            call(Dual(1.0, 1.0))
    assert f"{Dual(1.25, 1.0):.1f}" == "1.2"
