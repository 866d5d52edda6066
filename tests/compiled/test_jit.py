"""The compiled path (``jit``): same numbers as the dynamic engine, safe generated code,
clear errors, and the training fast path."""

from __future__ import annotations

import ast
import importlib
import math
import random
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import OPS, Value, datasets, gradients, hessian, jit, nn, optim
from autograd_lite import value as value_module
from autograd_lite.compiled import MAX_NODES, Compiled, CompiledWithAux, JitError
from autograd_lite.ops import CODE_FUNCTIONS, FLOAT_MATH
from autograd_lite.text.anomaly import detect_anomaly
from autograd_lite.train import fit
from tests.ops_reference import ON_VALUES
from tests.strategies import OP_DOMAINS
from tests.test_autodiff import _run, programs

# Where the source is emitted and compiled (its part size, its call of compile).
emit_module = importlib.import_module("autograd_lite.compiled.emit")

# -- the op table's code strings are the op table's functions ---------------------------------


def _evaluate(template: str, **names: float) -> float:
    filled = template.format(**{k: f"_{k}" for k in ("x", "y", "c", "out")})
    namespace = {**CODE_FUNCTIONS, **{f"_{k}": v for k, v in names.items()}}
    return eval(filled, {"__builtins__": {}}, namespace)  # our own table, not user text


@pytest.mark.parametrize("name", sorted(OPS))
@given(data=st.data())
def test_each_rows_code_computes_its_forward_and_rule_bit_for_bit(name: str, data: Any) -> None:
    op = OPS[name]
    args, c = data.draw(OP_DOMAINS[name])
    assert len(op.code) == 1 + op.arity
    out = op.forward(*args, c) if op.has_constant else op.forward(*args)
    names = dict(zip("xy", args))
    if c is not None:
        names["c"] = c
    assert _evaluate(op.code[0], **names) == out
    local = (
        op.rule(FLOAT_MATH, *args, out, c) if op.has_constant else op.rule(FLOAT_MATH, *args, out)
    )
    for template, expected in zip(op.code[1:], local):
        assert _evaluate(template, **names, out=out) == expected


# -- same numbers as the dynamic engine ---------------------------------------------------------


def _apply(name: str, args: list[Value], c: float | None) -> Value:
    return ON_VALUES[name](*args, c) if c is not None else ON_VALUES[name](*args)


def _dynamic(program: Any, choices: list[str], point: list[float]) -> tuple[float, list[float]]:
    xs, root, _ = _run((point, program[1]), _apply, Value, lambda v: v.data, forced=choices)
    root.backward()
    return root.data, [x.grad for x in xs]


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


@given(programs(), st.lists(st.floats(-0.5, 0.5), min_size=3, max_size=3))
def test_random_programs_match_the_dynamic_engine_at_several_points(program, shift) -> None:
    inputs = program[0]
    _, _, choices = _run(program, _apply, Value, lambda v: v.data)

    def fn(*xs: Value) -> Value:
        return _run((list(xs), program[1]), _apply, lambda v: v, lambda v: v.data, forced=choices)[
            1
        ]

    compiled = jit(fn)
    points = [inputs, [v + s for v, s in zip(inputs, shift)], [v * 0.5 for v in inputs]]
    for point in points:
        try:
            expected, expected_grads = _dynamic(program, choices, point)
        except ValueError as error:  # this point leaves an op's domain: the same error
            message = str(error)
            with pytest.raises(ValueError, match=re.escape(message)):
                compiled.value_and_grad(*point)
            continue
        except FloatingPointError:
            continue
        value, grads = compiled.value_and_grad(*point)
        assert _close(value, expected)
        assert compiled(*point) == value
        for g, e in zip(grads, expected_grads):
            assert _close(g, e)


def test_f_x_y_is_exact_and_the_source_is_the_ledgers_chain_rule() -> None:
    f = jit(lambda x, y: x * y + x.sin())
    x, y = Value(2.0), Value(3.0)
    out = x * y + x.sin()
    out.backward()
    assert f.value_and_grad(2.0, 3.0) == (out.data, (x.grad, y.grad))
    source = f.source
    assert "g_x += g_v3 * cos(x)" in source
    assert len(source.splitlines()) == 13  # header, 2 comments, 3 + 7 lines, return


def test_relu_and_abs_are_right_on_both_sides_of_the_kink() -> None:
    f = jit(lambda x: x.relu() * 3 + abs(x))
    assert f.value_and_grad(2.0) == (8.0, (4.0,))  # traced here
    assert f.value_and_grad(-2.0) == (2.0, (-1.0,))
    assert f.value_and_grad(0.0) == (0.0, (0.0,))  # relu'(0) = abs'(0) = 0, as dynamic


def test_shared_nodes_accumulate_as_in_the_dynamic_engine() -> None:
    def fn(x: Value) -> Value:
        z = x * x
        return (z * z + z) * x

    f = jit(fn)
    for point in (1.5, -0.3, 2.0):
        x = Value(point)
        out = fn(x)
        out.backward()
        assert f.value_and_grad(point) == (out.data, (x.grad,))


# -- params, closed-over Values and constants ---------------------------------------------------


def test_backward_adds_into_param_grads_like_backward() -> None:
    w, b = Value(0.5, label="w"), Value(-1.0, label="b")
    f = jit(lambda x: (w * x + b).tanh(), params=[w, b])
    f.backward(2.0)
    f.backward(3.0)  # leaves accumulate
    grads = (w.grad, b.grad)
    w.grad = b.grad = 0.0
    (w * 2.0 + b).tanh().backward()
    (w * 3.0 + b).tanh().backward()
    assert grads == (w.grad, b.grad)


def test_value_and_grad_touches_no_grad() -> None:
    w = Value(0.5)
    f = jit(lambda x: w * x, params=[w])
    assert f.value_and_grad(4.0) == (2.0, (0.5,))
    assert w.grad == 0.0


def _train(with_params: bool) -> list[float]:
    X, y = datasets.moons(40, noise=0.1, seed=3)
    model = nn.MLP(2, [6, 1], seed=2)
    params = model.parameters()

    def sample(x1: Value, x2: Value, t: Value) -> Value:
        return (1 - t * model([x1, x2])).relu()

    compiled = jit(sample, params=params if with_params else ())
    rows = [(a, b, 2.0 * t - 1) for (a, b), t in zip(X, y)]
    losses = []
    for _ in range(15):
        model.zero_grad()
        losses.append(compiled.backward_batch(rows, scale=1 / len(rows)))
        for p in params:
            p.data -= 0.3 * p.grad
    return losses


def test_forgetting_params_does_not_train_on_stale_weights() -> None:
    listed, closed_over = _train(True), _train(False)
    assert listed == closed_over
    assert listed[-1] < listed[0]


def test_a_value_made_before_the_trace_is_read_at_every_call() -> None:
    scale = Value(2.0)
    f = jit(lambda x: x * scale)
    assert f(3.0) == 6.0
    scale.data = 10.0
    assert f(3.0) == 30.0
    assert f.params == (scale,)


def test_numbers_made_inside_fn_are_constants_in_the_source() -> None:
    f = jit(lambda x: x * 2.5 + Value(-1.0))
    assert f(2.0) == 4.0
    assert f.params == ()
    assert "x * 2.5" in f.source
    assert "(-1.0)" in f.source


def test_params_must_be_values_and_leaves() -> None:
    with pytest.raises(TypeError, match=r"params\[0\] is float"):
        jit(lambda x: x, params=[1.0])  # type: ignore[list-item]
    a = Value(1.0)
    with pytest.raises(ValueError, match="must be a leaf"):
        jit(lambda x: x, params=[a * 2])


# -- backward_batch ------------------------------------------------------------------------------


def test_backward_batch_equals_the_dynamic_mean_loss() -> None:
    w, b = Value(0.3), Value(0.1)
    rows = [(0.5, 1.0), (-1.5, 0.0), (2.0, 1.0)]
    f = jit(lambda x, t: ((w * x + b).sigmoid() - t) ** 2, params=[w, b])
    value = f.backward_batch(rows, scale=1 / 3)
    grads = (w.grad, b.grad)
    w.grad = b.grad = 0.0
    terms = [((w * x + b).sigmoid() - t) ** 2 for x, t in rows]
    mean = (terms[0] + terms[1] + terms[2]) * (1 / 3)
    mean.backward()
    assert value == pytest.approx(mean.data, rel=1e-15)
    assert grads == pytest.approx((w.grad, b.grad), rel=1e-14)


def test_backward_batch_rejects_bad_rows() -> None:
    f = jit(lambda x, t: x * t)
    with pytest.raises(TypeError, match="row 1 has 1 number"):
        f.backward_batch([(1.0, 2.0), (1.0,)])
    with pytest.raises(TypeError, match="rows must be a list"):
        f.backward_batch("12")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="row 0, item 1 is str"):
        f.backward_batch([(1.0, "2")])
    assert f.backward_batch([]) == 0.0
    with pytest.raises(ValueError, match="row 1, item 0 is nan"):
        f.backward_batch([[1.0, 2.0], [math.nan, 1.0]])
    with pytest.raises(TypeError, match="row 0, item 0 is bool"):
        f.backward_batch([(True, 2.0)])
    assert f.backward_batch([[1.0, 2.0], (3.0, 4)]) == 14.0  # lists, tuples and ints


# -- errors at replay are the dynamic engine's -----------------------------------------------------


def test_domain_errors_at_replay_name_the_op_and_operands() -> None:
    f = jit(lambda x, y: (x / y).log())
    assert f(4.0, 2.0) == math.log(2.0)
    with pytest.raises(ValueError, match=r"log\(-2.0\): log is defined .* for x > 0"):
        f(-4.0, 2.0)
    with pytest.raises(ValueError, match=r"4.0 / 0.0: div is defined"):
        f.value_and_grad(4.0, 0.0)
    g = jit(lambda x: x.exp())
    with pytest.raises(ValueError, match="overflows a float"):
        g.backward(1000.0)


def test_a_derivative_domain_error_is_raised_by_the_forward_pass_too() -> None:
    f = jit(lambda x: x.sqrt())
    assert f(4.0) == 2.0
    with pytest.raises(ValueError, match="sqrt"):
        f(0.0)  # sqrt(0) = 0 but its slope is infinite: the dynamic engine refuses


def test_non_finite_output_is_handled_as_backward_handles_it() -> None:
    w = Value(1e200)
    f = jit(lambda x: w * x, params=[w])
    with pytest.raises(FloatingPointError, match="the root is inf"):
        f.backward(1e200)
    quiet = jit(lambda x: w * x, params=[w], nonfinite="warn")
    with pytest.warns(RuntimeWarning, match="the root is inf"):
        quiet.backward(1e200)


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((1.0,), TypeError, r"takes 2 argument\(s\)"),
        ((1.0, "2"), TypeError, "argument 1 is str"),
        ((1.0, True), TypeError, "argument 1 is bool"),
        ((1.0, Value(2.0)), TypeError, "pass x.data"),
        ((1.0, math.inf), ValueError, "must be finite"),
    ],
)
def test_bad_arguments(args: tuple[Any, ...], error: type[Exception], message: str) -> None:
    f = jit(lambda x, y: x * y)
    f(1.0, 2.0)
    with pytest.raises(error, match=message):
        f(*args)


def test_fn_must_return_a_value_and_source_needs_a_trace() -> None:
    with pytest.raises(TypeError, match="must return a Value"):
        jit(lambda x: [x, x])(1.0)
    with pytest.raises(RuntimeError, match="nothing is traced yet"):
        _ = jit(lambda x: x).source
    with pytest.raises(TypeError, match="must be a function"):
        jit(3)  # type: ignore[arg-type]


# -- generated code is safe ------------------------------------------------------------------------


def test_a_hostile_label_cannot_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    hostile = f"x\nimport os; os.system('touch {marker}')  # "
    w = Value(2.0, label=hostile)
    mid_label = "__import__('os').system('touch " + str(marker) + "')"

    def fn(x: Value) -> Value:
        y = x * w
        y.label = mid_label
        return y.tanh()

    f = jit(fn)
    f.value_and_grad(1.0)
    f.backward(1.0)
    source = f.source
    assert "import" not in source
    assert "os" not in source.replace("cos", "")
    assert not marker.exists()
    assert "p0" in source  # the hostile labels fell back to our names
    assert "v2" in source


def test_a_hostile_label_cannot_run_in_a_replay_compiled_in_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long replay is split where two blank lines stand, and each part compiled alone: a
    # label holding blank lines and code must not make a part of its own.
    compiled: list[str] = []

    def counting(source: str, *args: Any) -> Any:
        compiled.append(source)
        return compile(source, *args)

    monkeypatch.setattr(emit_module, "compile", counting, raising=False)
    marker = tmp_path / "pwned"
    hostile = f"x\n\n\nimport os; os.system('touch {marker}')\n\n\n"
    w = Value(0.5, label=hostile)

    def fn(x: Value) -> Value:
        for _ in range(3_000):  # past the 4,000 statements of one part
            x = (x * w).tanh()
            x.label = hostile
        return x

    f = jit(fn)
    f.value_and_grad(1.0)
    assert len(compiled) > 2  # compiled in parts
    assert not any("import" in piece for piece in compiled)
    assert "import" not in f.source
    assert not marker.exists()


def test_labels_that_are_safe_identifiers_name_the_lines() -> None:
    model = nn.MLP(1, [1], seed=0)
    f = jit(lambda x: model([x]), params=model.parameters())
    f(1.0)
    assert "layers_0_neurons_0_w_0" in f.source


# -- size ------------------------------------------------------------------------------------------


def test_a_100000_node_graph_compiles() -> None:
    # Its compile time is a benchmark figure (benchmarks/README.md), not asserted here.
    def chain(x: Value) -> Value:
        for _ in range(50_000):
            x = x * 0.999 + 0.001
        return x

    f = jit(chain)
    _, (slope,) = f.value_and_grad(0.5)
    assert f.n_nodes > 100_000
    assert slope == pytest.approx(0.999**50_000, rel=1e-9)


def test_the_million_node_chain_is_refused_with_a_way_out() -> None:
    def chain(x: Value) -> Value:
        for _ in range(500_000):  # an add and a constant each: 1,000,001 nodes
            x = x + 1.0
        return x

    assert MAX_NODES < 500_000
    with pytest.raises(ValueError, match=r"Use the dynamic engine .*backward\(\)") as info:
        jit(chain)(0.0)
    assert "max_nodes=None" in str(info.value)
    assert f"max_nodes={MAX_NODES:,}" in str(info.value)


def test_the_trace_stops_at_the_node_limit_at_once() -> None:
    # The defect: jit traced (and walked) the whole graph before refusing it, 10.9 s
    # for a 1,000,000-node chain. Counted, not timed: fn is stopped at the first node
    # past the limit.
    steps = 0

    def chain(x: Value) -> Value:
        nonlocal steps
        for _ in range(1_000_000):
            x = (0.9 * x + 0.1).tanh()  # three computed nodes a step
            steps += 1
        return x

    with pytest.raises(ValueError, match=r"more than 1,000 computed nodes while being traced"):
        jit(chain, max_nodes=1_000)(0.5)
    assert steps == 1_000 // 3
    assert value_module._on_new_node is None  # the counter is gone


def test_max_nodes_none_or_larger_compiles_past_the_default() -> None:
    def chain(x: Value) -> Value:
        for _ in range(100):
            x = x.sin()
        return x

    with pytest.raises(ValueError, match="max_nodes=99"):
        jit(chain, max_nodes=99)(0.5)
    assert jit(chain, max_nodes=100)(0.5) == jit(chain, max_nodes=None)(0.5)
    for bad in (0, -5, 2.5, True, "many"):
        with pytest.raises(ValueError, match="max_nodes="):
            jit(chain, max_nodes=bad)  # type: ignore[arg-type]


def test_a_graph_built_before_the_trace_counts_toward_the_limit() -> None:
    big = Value(0.5)
    for _ in range(200):
        big = big.sin()

    with pytest.raises(ValueError, match=r"the traced graph has 201 computed nodes.*max_nodes=100"):
        jit(lambda x: x * big, max_nodes=100)(1.0)


def test_a_fn_that_swallows_the_refusal_is_still_refused() -> None:
    def careless(x: Value) -> Value:
        try:
            for _ in range(1_000):
                x = x.sin()
        except ValueError:
            pass
        return x

    with pytest.raises(ValueError, match="more than 10 computed nodes"):
        jit(careless, max_nodes=10)(0.5)


def test_the_node_counter_charges_only_the_tracing_thread_and_keeps_anomaly_checks() -> None:
    def other_thread_builds() -> None:
        v = Value(0.5)
        for _ in range(1_000):
            v = v.sin()

    def fn(x: Value) -> Value:
        worker = threading.Thread(target=other_thread_builds)
        worker.start()
        worker.join()
        return x.sin() * 2.0

    assert jit(fn, max_nodes=10)(0.5) == math.sin(0.5) * 2.0
    with detect_anomaly(raise_error=False) as check:
        jit(lambda x: x * 1e300 * 1e300, max_nodes=10)(1.0)
        assert value_module._on_new_node is not None  # detect_anomaly's own, restored
    assert check.first is not None  # the anomaly hook still saw the trace's nodes
    assert value_module._on_new_node is None


def test_a_node_used_by_thousands_compiles_and_keeps_every_bit() -> None:
    # The defect: x's 5,000 contributions were summed in one expression, and Python's
    # compiler failed on it with RecursionError. Each expression is bounded now.
    def horner(x: Value) -> Value:
        v = x
        for _ in range(5_000):
            v = v * 1.0001 + x
        return v

    f = jit(horner)
    value, (slope,) = f.value_and_grad(0.5)
    x = Value(0.5)
    out = horner(x)
    out.backward()
    assert (value, slope) == (out.data, x.grad)
    w = Value(0.5)
    g = jit(lambda t: horner(w) * t)
    g.backward(1.0)
    assert w.grad == x.grad


def _deepest_expression(source: str) -> int:
    """How deeply the expressions of ``source`` nest (what Python's compiler recurses on)."""

    def depth(node: ast.AST) -> int:
        return 1 + max((depth(child) for child in ast.iter_child_nodes(node)), default=0)

    tree = ast.parse(source)  # one function, or a main function and its parts
    statements = [n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign))]
    return max(depth(statement) for statement in statements)


def test_generated_expressions_stay_shallow_however_big_the_graph() -> None:
    def deepest(steps: int) -> int:
        def horner(x: Value) -> Value:
            v = x
            for _ in range(steps):
                v = v * 1.0001 + x
            return v

        f = jit(horner)
        f.value_and_grad(0.5)
        assert f._program is not None
        modes = ("forward", "grad_args", "grad_live", "batch", "readable")
        return max(_deepest_expression(emit_module._emit(f._program, mode, "f")) for mode in modes)

    assert deepest(200) == deepest(2_000) < 80


def _every_mode(fn: Any, params: list[Value], args: list[float], aux: bool) -> tuple[Any, ...]:
    """What each replay function gives, traced afresh: value, gradients, batches."""
    for p in params:
        p.grad = 0.0
    f = jit(fn, params=params, has_aux=aux)
    rows = [tuple(args), tuple(a * 0.5 for a in args), tuple(a + 0.25 for a in args)]
    results: list[Any] = [f(*args), f.value_and_grad(*args), f.backward(*args)]
    results.append(f.backward_batch(rows, scale=0.5))
    if aux:
        results.append(f.forward_batch(rows))
    results.append(tuple(p.grad for p in params))
    return tuple(results)


@given(programs(), st.integers(1, 6))
def test_a_replay_in_parts_gives_the_same_bits_as_in_one_piece(program: Any, size: int) -> None:
    # Long replay functions are compiled in parts (to bound the compiler's memory),
    # passing values between parts through a list: the numbers must not change.
    _, _, choices = _run(program, _apply, Value, lambda v: v.data)
    weights = [Value(0.75), Value(-1.25)]

    def fn(*xs: Value) -> tuple[Value, list[Value]]:
        out = _run((list(xs), program[1]), _apply, lambda v: v, lambda v: v.data, forced=choices)
        shared = out[1] * weights[0] + weights[1] * out[0][0]
        return shared.tanh() + out[1], [shared, out[0][-1]]

    try:
        whole = _every_mode(fn, weights, program[0], aux=True)
    except (ValueError, OverflowError, ZeroDivisionError, FloatingPointError):
        return  # outside an op's domain: not this test's subject
    original = emit_module._PART_SIZE
    try:
        emit_module._PART_SIZE = size
        parts = _every_mode(fn, weights, program[0], aux=True)
    finally:
        emit_module._PART_SIZE = original
    assert repr(parts) == repr(whole)  # repr: nan == nan too, and -0.0 is not 0.0


def test_a_long_replay_is_generated_and_compiled_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    def chain(x: Value) -> Value:
        for _ in range(emit_module._PART_SIZE):
            x = (0.9 * x + 0.1).tanh()
        return x

    pieces: list[str] = []
    real_compile = compile

    def counting_compile(source: str, *args: Any) -> Any:
        pieces.append(source)
        return real_compile(source, *args)

    monkeypatch.setattr(emit_module, "compile", counting_compile, raising=False)
    f = jit(chain)
    value, (slope,) = f.value_and_grad(0.5)
    x = Value(0.5)
    out = chain(x)
    out.backward()
    assert (value, slope) == (out.data, x.grad)
    assert len(pieces) >= 3  # the main function and at least two parts
    # a part: its statements, and a load or a store for each value it shares
    assert max(piece.count("\n") for piece in pieces) <= 3 * emit_module._PART_SIZE
    assert "_part0(_s)" in pieces[0]
    assert "_part" not in f.source  # what users read stays one function


# -- higher order ----------------------------------------------------------------------------------


def test_a_compiled_hessian_vector_product_matches_hessian() -> None:
    def f(x: Value, y: Value) -> Value:
        return x * x * y + (x * y).sin()

    def hvp(x: Value, y: Value, v0: Value, v1: Value) -> Value:
        gx, gy = gradients(f(x, y), [x, y], create_graph=True)
        return gx * v0 + gy * v1  # d/d(x, y) of this is H @ v

    compiled = jit(hvp)
    for point in ((1.0, 2.0), (-0.5, 0.7)):
        h = hessian(f)(*point)
        v = (0.3, -1.2)
        _, grads = compiled.value_and_grad(*point, *v)
        expected = [h[i][0] * v[0] + h[i][1] * v[1] for i in range(2)]
        assert grads[:2] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "inner",
    [lambda t: t.relu(), lambda t: t.relu() * t, lambda t: abs(t) * t, lambda t: (2 * t).relu()],
)
def test_a_traced_gradient_of_relu_or_abs_is_right_on_both_sides_of_the_kink(inner: Any) -> None:
    # Differentiated with create_graph=True, relu's and abs's slopes are step and
    # sign nodes of the trace, recomputed at each replay (they used to be the
    # trace's constants: traced at 2.0, relu's gradient at -3.0 came out 1.0).
    compiled = jit(lambda x: gradients(inner(x), [x], create_graph=True)[0])
    for point in (2.0, -3.0, 0.5, -0.25, 0.0, 1e-300, -1e-300):
        x = Value(point)
        expected = gradients(inner(x), [x], create_graph=True)[0]
        assert compiled(point) == expected.data
    assert "step" in compiled.source or "sign" in compiled.source


def test_a_compiled_hessian_vector_product_of_a_relu_network_matches_hessian() -> None:
    def f(x: Value, y: Value) -> Value:
        return (x * y - 0.5).relu() * x + abs(x - y) * y

    def hvp(x: Value, y: Value, v0: Value, v1: Value) -> Value:
        gx, gy = gradients(f(x, y), [x, y], create_graph=True)
        return gx * v0 + gy * v1

    compiled = jit(hvp, check=True)
    for point in ((1.0, 2.0), (-0.5, 0.7), (2.0, -1.0), (0.3, 0.1)):  # crosses both kinks
        h = hessian(f)(*point)
        v = (0.3, -1.2)
        value, grads = compiled.value_and_grad(*point, *v)
        x, y = Value(point[0]), Value(point[1])
        gx, gy = gradients(f(x, y), [x, y])
        assert value == pytest.approx(gx * v[0] + gy * v[1], rel=1e-12)
        expected = [h[i][0] * v[0] + h[i][1] * v[1] for i in range(2)]
        assert grads[:2] == pytest.approx(expected, rel=1e-12)


# -- has_aux -------------------------------------------------------------------------------------


def _with_aux(w: Value) -> Any:
    def loss(x: Value, t: Value) -> tuple[Value, list[Value]]:
        prediction = (w * x).tanh()
        return (prediction - t) ** 2, [prediction, prediction * x + 1.0]

    return loss


def test_has_aux_returns_aux_beside_every_output_as_the_dynamic_engine_computes_it() -> None:
    w, v = Value(0.7), Value(0.7)
    step = jit(_with_aux(w), has_aux=True)
    rows = [(0.5, 1.0), (-1.5, 0.0), (2.0, 1.0)]
    # the dynamic engine, one row at a time, on a twin parameter
    expected = []
    for x, t in rows:
        xs, ts = Value(x), Value(t)
        out, aux = _with_aux(v)(xs, ts)
        gx, gt = gradients(out, [xs, ts])
        expected.append((out.data, tuple(a.data for a in aux), (gx, gt)))
    for (x, t), (value, aux, grads) in zip(rows, expected):
        assert step(x, t) == (value, aux)
        assert step.value_and_grad(x, t) == ((value, aux), grads)
    total, auxes = step.backward_batch(rows, scale=0.5)
    for x, t in rows:
        _with_aux(v)(Value(x), Value(t))[0].backward(0.5)
    assert total == pytest.approx(0.5 * sum(e[0] for e in expected), rel=1e-15)
    assert auxes == [e[1] for e in expected]
    assert w.grad == pytest.approx(v.grad, rel=1e-15)
    assert step.forward_batch(rows) == (pytest.approx(sum(e[0] for e in expected)), auxes)
    w.grad = v.grad = 0.0
    assert step.backward(*rows[0]) == (expected[0][0], expected[0][1])
    _with_aux(v)(Value(rows[0][0]), Value(rows[0][1]))[0].backward()
    assert w.grad == v.grad
    assert step.backward_batch([]) == (0.0, [])


def test_has_aux_keeps_the_shape_fn_returned() -> None:
    single = jit(lambda x: (x * x, x + 1.0), has_aux=True)
    assert single(3.0) == (9.0, 4.0)
    assert single.value_and_grad(3.0) == ((9.0, 4.0), (6.0,))
    one_in_a_tuple = jit(lambda x: (x * x, (x + 1.0,)), has_aux=True)
    assert one_in_a_tuple(3.0) == (9.0, (4.0,))
    assert one_in_a_tuple.backward_batch([(1.0,), (2.0,)]) == (5.0, [(2.0,), (3.0,)])
    assert "return v2, (g_x,), (v3,)" in single.source.replace("  ", " ")


def test_has_aux_aux_outside_the_outputs_graph_passes_check() -> None:
    # aux needs nodes the output does not: they are computed, and check=True sees them
    f = jit(lambda x, y: (x * y, (x + 2.0).exp()), has_aux=True, check=True)
    assert f(1.0, 3.0) == (3.0, math.exp(3.0))
    assert f.value_and_grad(0.5, 2.0) == ((1.0, math.exp(2.5)), (2.0, 0.5))


def test_has_aux_errors_are_the_dynamic_engines_and_misuse_is_explained() -> None:
    f = jit(lambda x: (x.log(), x * 2.0), has_aux=True)
    assert f(1.0) == (0.0, 2.0)
    with pytest.raises(ValueError, match=r"log\(-1.0\)"):
        f(-1.0)
    with pytest.raises(ValueError, match=r"log\(-1.0\)"):
        f.value_and_grad(-1.0)
    with pytest.raises(TypeError, match=r"must return a pair \(output, aux\), got Value"):
        jit(lambda x: x * 2.0, has_aux=True)(1.0)
    with pytest.raises(
        TypeError, match=r"aux must be a Value or a list or tuple of Values, got str"
    ):
        jit(lambda x: (x * 2.0, "x"), has_aux=True)(1.0)
    with pytest.raises(TypeError, match="has_aux must be True or False"):
        jit(lambda x: x, has_aux="yes")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"must return a Value"):
        jit(lambda x: (x, x), has_aux=False)(1.0)
    assert isinstance(jit(lambda x: x), Compiled)
    assert isinstance(jit(lambda x: (x, x), has_aux=True), CompiledWithAux)


# -- modules with state ----------------------------------------------------------------------------


def test_dropout_in_training_mode_is_refused_and_eval_mode_compiles() -> None:
    model = nn.MLP(2, [4, 1], dropout=0.5, seed=0)
    with pytest.raises(JitError, match=r"model.eval\(\)"):
        jit(lambda a, b: model([a, b]))(1.0, 2.0)
    model.eval()
    f = jit(lambda a, b: model([a, b]))
    assert f(1.0, 2.0) == model([1.0, 2.0]).data


def test_batch_norm_in_training_mode_is_refused() -> None:
    model = nn.MLP(2, [3, 1], batch_norm=True, seed=0)
    with pytest.raises(JitError, match="running statistics"):
        jit(lambda a, b: model.forward_batch([[a, b], [b, a]])[0])(1.0, 2.0)


# -- control flow ----------------------------------------------------------------------------------


def test_control_flow_on_data_is_baked_and_check_names_the_node() -> None:
    def branchy(x: Value) -> Value:
        return x * 2 if x.data > 0 else x * 3  # decided at the trace

    baked = jit(branchy)
    assert baked(1.0) == 2.0
    assert baked(-1.0) == -2.0  # the trace's branch, as jax.jit and torch.jit.trace
    checked = jit(branchy, check=True)
    assert checked(1.0) == 2.0
    with pytest.raises(JitError, match=r"node 1 .* differs from the trace"):
        checked(-1.0)


# -- fit(compile=True) -----------------------------------------------------------------------------


def _fit(compile: bool, **kwargs: Any) -> Any:
    X, y = datasets.moons(60, noise=0.1, seed=1)
    y = [2 * t - 1 for t in y]
    model = nn.MLP(2, [8, 8, 1], seed=1337)
    history = fit(
        model, X, y, loss="hinge", optimizer=optim.SGD(model.parameters(), lr=0.5),
        l2=1e-4, epochs=25, compile=compile, validation_data=(X, y), **kwargs,
    )  # fmt: skip
    return history, model


@pytest.mark.parametrize("batch_size", [None, 16])
def test_fit_compiled_equals_fit_dynamic(batch_size: int | None) -> None:
    dynamic, model_d = _fit(False, batch_size=batch_size)
    compiled, model_c = _fit(True, batch_size=batch_size)
    assert compiled.loss == pytest.approx(dynamic.loss, rel=1e-9)
    assert compiled.val_loss == pytest.approx(dynamic.val_loss, rel=1e-9)
    assert compiled.accuracy == dynamic.accuracy
    assert compiled.val_accuracy == dynamic.val_accuracy
    for p, q in zip(model_c.parameters(), model_d.parameters()):
        assert p.data == pytest.approx(q.data, rel=1e-9, abs=1e-12)


def test_fit_compiled_with_class_targets_and_cross_entropy() -> None:
    X, y = datasets.spirals(60, n_classes=3, seed=0)
    results = []
    for compile in (False, True):
        model = nn.MLP(2, [8, 3], seed=0)
        history = fit(
            model, X, y, loss="cross_entropy", optimizer=optim.Adam(model.parameters(), lr=0.05),
            epochs=10, batch_size=15, compile=compile,
        )  # fmt: skip
        results.append(history)
    assert results[1].loss == pytest.approx(results[0].loss, rel=1e-9)
    assert results[1].accuracy == results[0].accuracy


def test_fit_compiled_with_regression_targets_as_arguments() -> None:
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1)] for _ in range(40)]
    y = [math.sin(3 * x[0]) for x in X]  # 40 distinct targets: passed as arguments
    results = []
    for compile in (False, True):
        model = nn.MLP(1, [8, 1], activation="tanh", seed=0)
        history = fit(
            model, X, y, loss="mse", optimizer=optim.Adam(model.parameters(), lr=0.05),
            epochs=10, compile=compile,
        )  # fmt: skip
        results.append(history.loss)
    assert results[1] == pytest.approx(results[0], rel=1e-9)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.MLP(2, [4, 1], dropout=0.2, seed=0), "random mask"),
        (lambda: nn.MLP(2, [4, 1], batch_norm=True, seed=0), "couples the samples"),
    ],
)
def test_fit_compile_refuses_modules_it_cannot_replay(make: Any, message: str) -> None:
    X, y = datasets.xor()
    model = make()
    with pytest.raises(ValueError, match=message):
        fit(model, X, y, loss="mse", optimizer=optim.SGD(model.parameters(), lr=0.1),
            epochs=1, compile=True)  # fmt: skip


def test_fit_compile_refuses_sophia_and_a_non_separable_loss() -> None:
    X, y = datasets.xor()
    model = nn.MLP(2, [4, 1], output_activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match="Sophia"):
        fit(model, X, y, loss="mse", optimizer=optim.Sophia(model.parameters(), lr=0.1),
            epochs=1, compile=True)  # fmt: skip

    def max_loss(outputs: Any, targets: Any) -> Value:  # not a mean over samples
        worst = max(((o - t) ** 2 for o, t in zip(outputs, targets)), key=lambda v: v.data)
        return worst

    with pytest.raises(ValueError, match="mean of per-sample losses"):
        fit(model, X, y, loss=max_loss, optimizer=optim.SGD(model.parameters(), lr=0.1),
            epochs=1, compile=True)  # fmt: skip


# -- the command line -----------------------------------------------------------------------------


def test_cli_prints_the_generated_source(capsys: pytest.CaptureFixture[str]) -> None:
    from autograd_lite.cli import main

    assert main(["grad", "x*y + sin(x)", "x=2", "y=3", "--source"]) == 0
    out = capsys.readouterr().out
    assert "def f(x, y):" in out
    assert "g_x += g_v3 * cos(x)  # sin: d(sin(x))/dx = cos(x)" in out


def test_cli_source_of_a_point_outside_the_domain_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from autograd_lite.cli import main

    assert main(["grad", "log(x)", "x=-1", "--source"]) != 0
    assert "log" in capsys.readouterr().err


def test_cli_train_compile_matches_the_dynamic_run(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from autograd_lite.cli import main

    runs = []
    for extra in ([], ["--compile"]):
        assert main(["train", "moons", "--epochs", "20", "--json", *extra]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    assert runs[1]["history"]["loss"] == pytest.approx(runs[0]["history"]["loss"], rel=1e-9)
    assert runs[1]["accuracy"] == runs[0]["accuracy"]


def test_batch_norm_in_eval_mode_reads_its_running_statistics_at_every_call() -> None:
    model = nn.MLP(2, [3, 1], batch_norm=True, seed=0).eval()
    f = jit(lambda a, b: model([a, b]))
    before = f(0.5, -1.0)
    assert before == pytest.approx(model([0.5, -1.0]).data, rel=1e-12)
    for norm in model.modules():
        if isinstance(norm, nn.BatchNorm):
            norm.running_mean[0].data = 0.7
            norm.running_var[1].data = 2.5
    assert f(0.5, -1.0) != before
    assert f(0.5, -1.0) == pytest.approx(model([0.5, -1.0]).data, rel=1e-12)


def test_argument_names_like_ours_do_not_collide() -> None:
    f = jit(lambda v2, x0: (v2 * x0).sin())  # v2 is also the fallback name of node 2
    value, grads = f.value_and_grad(1.0, 2.0)
    assert value == math.sin(2.0)
    assert grads == pytest.approx((2.0 * math.cos(2.0), math.cos(2.0)), rel=1e-15)
    assert "def f(v2, x0):" in f.source


def test_micrograds_demo_100_epochs_compiled_equals_dynamic() -> None:
    """The issue's check: micrograd's whole demo (moons 100, 2-16-16-1, hinge + 1e-4 L2,
    SGD with its decaying rate, 100 epochs) gives the same losses compiled."""
    X, labels = datasets.moons(100, noise=0.1, seed=0)
    y = [2 * t - 1 for t in labels]
    runs = []
    for compile in (False, True):
        model = nn.MLP(2, [16, 16, 1], seed=1337)
        opt = optim.SGD(model.parameters(), lr=1.0)
        decay = optim.LambdaLR(opt, lambda k: 1.0 - 0.9 * k / 100)
        runs.append(
            fit(
                model,
                X,
                y,
                loss="hinge",
                l2=1e-4,
                optimizer=opt,
                scheduler=decay,
                epochs=100,
                compile=compile,
            )
        )
    worst = max(abs(a - b) / abs(a) for a, b in zip(runs[0].loss, runs[1].loss))
    assert worst < 1e-9
    assert runs[1].accuracy == runs[0].accuracy
    print(f"largest relative difference over 100 epochs: {worst:.1e}")


# -- the source is the same as before the compiled path became a package (issue 23) ----------


def test_the_generated_source_is_byte_for_byte_what_the_flat_module_wrote() -> None:
    # tests/snapshots/jit_source.txt was written by the last flat jit.py.
    f = jit(lambda x, y: (x * y + x.sin()).tanh() / (y.exp() + 1.0) - x**3)
    f.value_and_grad(0.5, -1.5)
    snapshot = Path(__file__).resolve().parents[1] / "snapshots" / "jit_source.txt"
    assert f.source == snapshot.read_text(encoding="utf-8")
