"""The op table, row by row: forward against ``math``, local derivatives against
central differences, values and first and second derivatives against PyTorch."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import OPS, Value, grad
from autograd_lite.ops import FLOAT_MATH
from tests.ops_reference import IN_MATH, ON_VALUES, in_torch
from tests.strategies import OP_DOMAINS

NAMES = sorted(OPS)


def test_every_row_has_a_domain_and_references() -> None:
    for table in (OP_DOMAINS, ON_VALUES, IN_MATH):
        assert set(table) == set(OPS), "add the new op to tests/strategies.py and ops_reference.py"


def test_rows_are_complete() -> None:
    for op in OPS.values():
        assert op.arity in (1, 2)
        assert len(op.formulas) == op.arity, op.name
        assert op.symbol
        assert op.template
        assert ("{c}" in op.template) == op.has_constant, op.name


# -- the formula strings are checked against the rules -------------------------------------

#: What a formula string may call; ``ln`` is the natural log, as in the rows.
_FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "ln": math.log,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
    "sin": math.sin,
    "cos": math.cos,
    "sign": lambda v: math.copysign(1.0, v) if v else 0.0,
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def evaluate_formula(formula: str, variables: dict[str, float]) -> float:
    """The number a formula string of the op table denotes, read with ``ast`` and
    evaluated node by node (never ``eval``): ``^`` is a power, as the rows write it."""

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return variables[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](walk(node.left), walk(node.right))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and len(node.args) == 1
        ):
            return _FUNCTIONS[node.func.id](walk(node.args[0]))
        if isinstance(node, ast.IfExp):
            return walk(node.body) if walk(node.test) else walk(node.orelse)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.Gt):
            return walk(node.left) > walk(node.comparators[0])
        raise ValueError(f"{formula!r}: cannot evaluate {ast.dump(node)}")

    return float(walk(ast.parse(formula.replace("^", "**"), mode="eval")))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_formula_strings_agree_with_the_rules(name: str, data: st.DataObject) -> None:
    # The formulas drawings and ledgers print are a second copy of each rule:
    # evaluated at the same points, they must give the rule's local derivatives.
    args, c = data.draw(OP_DOMAINS[name])
    op = OPS[name]
    extra = (c,) if c is not None else ()
    out = op.forward(*args, *extra)
    rule = op.rule(FLOAT_MATH, *args, out, *extra)
    variables = {"out": out, **dict(zip("xy", args))}
    if c is not None:
        variables["c"] = c
    for i, formula in enumerate(op.formulas):
        value = evaluate_formula(formula, variables)
        assert value == pytest.approx(rule[i], rel=1e-9, abs=1e-12), (name, formula, args, c)


def test_the_formula_check_catches_a_wrong_formula() -> None:
    at = {"x": 0.7, "y": 2.0, "c": 3.0, "out": 0.0}
    assert evaluate_formula("c*x^(c-1)", at) == pytest.approx(3 * 0.7**2)
    assert evaluate_formula("1 if x > 0 else 0", at) == 1.0
    assert evaluate_formula("x^y * ln(x)", at) == pytest.approx(0.7**2 * math.log(0.7))
    # tanh's rule with the sign flipped would be caught:
    assert evaluate_formula("tanh(x)^2 - 1", at) != pytest.approx(1 - math.tanh(0.7) ** 2)
    with pytest.raises(ValueError, match="cannot evaluate"):
        evaluate_formula("__import__('os')", at)


def _call(name: str, args: tuple[float, ...], c: float | None) -> tuple[Value, list[Value]]:
    xs = [Value(a) for a in args]
    out = ON_VALUES[name](*xs, c) if c is not None else ON_VALUES[name](*xs)
    return out, xs


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_value_method_builds_its_row(name: str, data: st.DataObject) -> None:
    args, c = data.draw(OP_DOMAINS[name])
    out, xs = _call(name, args, c)
    assert out.op == name
    assert out.parents == tuple(xs)
    assert len(out.local_grads) == len(xs)
    assert out.attr == (None if c is None else float(c))


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_forward_matches_math(name: str, data: st.DataObject) -> None:
    args, c = data.draw(OP_DOMAINS[name])
    out, _ = _call(name, args, c)
    ref = IN_MATH[name](*args, c) if c is not None else IN_MATH[name](*args)
    assert out.data == pytest.approx(ref, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_local_derivatives_match_central_differences(name: str, data: st.DataObject) -> None:
    args, c = data.draw(OP_DOMAINS[name])
    op = OPS[name]
    extra = (c,) if c is not None else ()
    out = op.forward(*args, *extra)
    analytic = op.rule(FLOAT_MATH, *args, out, *extra)
    h = 1e-6
    for i in range(len(args)):
        up, down = list(args), list(args)
        up[i] += h
        down[i] -= h
        numeric = (op.forward(*up, *extra) - op.forward(*down, *extra)) / (2 * h)
        assert analytic[i] == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, args, c, i)


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_value_and_gradient_match_torch(torch, name: str, data: st.DataObject) -> None:
    args, c = data.draw(OP_DOMAINS[name])
    out, xs = _call(name, args, c)
    out.backward()
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    fn = in_torch(torch)[name]
    t_out = fn(*ts, c) if c is not None else fn(*ts)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-300)
    for x, t in zip(xs, ts):
        assert x.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-300), name


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_second_derivatives_match_torch(torch, name: str, data: st.DataObject) -> None:
    """create_graph rebuilds each rule with Values; its derivative must be right too."""
    args, c = data.draw(OP_DOMAINS[name])
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    fn = in_torch(torch)[name]
    for i in range(len(args)):

        def f(*xs: Value, i: int = i) -> Value:
            return ON_VALUES[name](*xs, c) if c is not None else ON_VALUES[name](*xs)

        ours = grad(grad(f, argnums=i), argnums=tuple(range(len(args))))(*args)
        if name == "vpow" and args[1] == 0.0:
            # NOTE: PyTorch masks d(x**y)/dx with where(y == 0, 0, ...), so its second
            # derivative in y is 0 there; the true value x**(y-1) + ... is 1 at x = 1.
            # Check against central differences of our first derivative instead.
            first_at = grad(f, argnums=i)
            h = 1e-6
            for j in range(len(args)):
                up, down = list(args), list(args)
                up[j] += h
                down[j] -= h
                numeric = (first_at(*up) - first_at(*down)) / (2 * h)
                assert ours[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6)
            continue
        t_out = fn(*ts, c) if c is not None else fn(*ts)
        (first,) = torch.autograd.grad(t_out, ts[i], create_graph=True)
        if first.requires_grad:
            second = torch.autograd.grad(first, ts, allow_unused=True)
            expected = [0.0 if s is None else s.item() for s in second]
        else:
            expected = [0.0] * len(args)
        assert list(ours) == pytest.approx(expected, rel=1e-9, abs=1e-12), (name, args, c, i)


def test_pow_of_negative_base_with_whole_exponent() -> None:
    x = Value(-3.0)
    y = x**2
    y.backward()
    assert (y.data, x.grad) == (9.0, -6.0)
    z = Value(-2.0) ** 3
    assert z.data == -8.0


def test_tanh_and_sigmoid_are_stable_at_the_float_limits() -> None:
    for big in (1e308, -1e308, 800.0, -800.0):
        t = Value(big).tanh()
        s = Value(big).sigmoid()
        assert t.data == math.copysign(1.0, big)
        assert s.data == (1.0 if big > 0 else 0.0)
        assert t.local_grads == (0.0,)
        assert s.local_grads == (0.0,)


def test_documented_kink_conventions() -> None:
    r = Value(0.0).relu()
    a = abs(Value(0.0))
    assert r.local_grads == (0.0,)
    assert a.local_grads == (0.0,)
