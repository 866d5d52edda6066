"""optim: every optimizer against torch.optim step by step (20 steps, 1e-12),
Sophia against its analytic step and against Adam on a badly conditioned
quadratic, Hessian-vector products, schedules against
torch.optim.lr_scheduler, gradient clipping against torch.nn.utils, and bad
arguments."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from autograd_lite import Value, hessian, no_grad, optim

START = [0.8, -1.3, 0.4, 2.1]
CENTRES = [1.0, -0.5, 0.0, 0.7]
SCALES = [1.0, 3.0, 0.5, 10.0]


def objective(p: list[Any], tanh: Callable[[Any], Any]) -> Any:
    """A bumpy, badly scaled function; written once for Values and for tensors."""
    total = 0.2 * p[0] * p[1] + tanh(p[2])
    for x, c, s in zip(p, CENTRES, SCALES, strict=True):
        total = total + s * (x - c) ** 2
    return total


OPTIMIZERS: list[tuple[str, dict[str, Any]]] = [
    ("SGD", {"lr": 0.01}),
    ("SGD", {"lr": 0.01, "momentum": 0.9}),
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.01, "momentum": 0.5, "dampening": 0.3, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "betas": (0.8, 0.99), "weight_decay": 0.1}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.3, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-4, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS)
def test_optimizer_matches_torch_for_20_steps(
    torch: ModuleType, name: str, kwargs: dict[str, Any]
) -> None:
    params = [Value(v) for v in START]
    ours = getattr(optim, name)(params, **kwargs)
    t_params = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.optim, name)([t_params], **kwargs)
    for step in range(20):
        ours.zero_grad()
        objective(params, Value.tanh).backward()
        ours.step()
        theirs.zero_grad()
        objective(list(t_params), torch.tanh).backward()
        theirs.step()
        expected = t_params.tolist()
        assert [p.data for p in params] == pytest.approx(expected, rel=1e-12, abs=1e-12), step
    moved = [abs(p.data - s) for p, s in zip(params, START, strict=True)]
    assert max(moved) > 1e-3  # the comparison covered real steps


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS)
def test_step_with_a_closure_runs_backward_then_the_same_update(
    name: str, kwargs: dict[str, Any]
) -> None:
    by_hand, by_closure = [Value(v) for v in START], [Value(v) for v in START]
    first = getattr(optim, name)(by_hand, **kwargs)
    second = getattr(optim, name)(by_closure, **kwargs)
    for _ in range(3):
        first.zero_grad()
        objective(by_hand, Value.tanh).backward()
        assert first.step() is None
        second.zero_grad()
        loss = second.step(lambda: objective(by_closure, Value.tanh))
        assert isinstance(loss, Value)
        assert loss.grad == 1.0  # the step ran backward() from it
    assert [p.data for p in by_closure] == [p.data for p in by_hand]
    assert [p.grad for p in by_closure] == [p.grad for p in by_hand]
    with pytest.raises(TypeError, match="must return the loss as a Value"):
        second.step(lambda: 1.0)  # type: ignore[arg-type, return-value]
    with pytest.raises(TypeError, match="closure must be a function"):
        second.step(1.0)  # type: ignore[arg-type]
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        second.step(lambda: objective(by_closure, Value.tanh))


def test_adadelta_has_one_name() -> None:
    # The AdaDelta alias was dropped before the first release: one class, one name.
    assert "AdaDelta" not in optim.__all__
    assert not hasattr(optim, "AdaDelta")


# -- Sophia ---------------------------------------------------------------------------------

CURVATURES = [2.0, 50.0, 0.5]
MINIMUM = [1.0, -1.0, 3.0]


def diagonal_quadratic(p: list[Value]) -> Value:
    """sum a_i/2 (p_i - c_i)^2: gradient a_i (p_i - c_i), Hessian diag(a)."""
    total = 0.5 * CURVATURES[0] * (p[0] - MINIMUM[0]) ** 2
    for x, a, c in zip(p[1:], CURVATURES[1:], MINIMUM[1:], strict=True):
        total = total + 0.5 * a * (x - c) ** 2
    return total


def test_sophia_step_equals_the_analytic_one() -> None:
    lr, (b1, b2), rho, wd, eps = 0.05, (0.9, 0.5), 1.0, 0.1, 1e-12
    start = [0.0, 0.0, -20.0]  # the third coordinate is far: its steps are clipped
    params = [Value(v) for v in start]
    opt = optim.Sophia(
        params, lr=lr, betas=(b1, b2), rho=rho, weight_decay=wd, eps=eps, hessian_interval=2
    )
    # By hand: on a diagonal quadratic Hutchinson's u*(Hu) is diag(H) exactly (u_i^2 = 1).
    x, m, h = list(start), [0.0] * 3, [0.0] * 3
    ratios_seen: list[float] = []
    for step in range(1, 6):
        g = [a * (xi - c) for xi, a, c in zip(x, CURVATURES, MINIMUM, strict=True)]
        if step % 2 == 1:  # hessian_interval=2: refreshed at steps 1, 3, 5
            h = [b2 * hi + (1 - b2) * a for hi, a in zip(h, CURVATURES, strict=True)]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g, strict=True)]
        ratios = [mi / max(rho * hi, eps) for mi, hi in zip(m, h, strict=True)]
        ratios_seen += ratios
        x = [
            xi * (1 - lr * wd) - lr * max(-1.0, min(1.0, r))
            for xi, r in zip(x, ratios, strict=True)
        ]
        opt.step(lambda: diagonal_quadratic(params))
        assert [p.data for p in params] == pytest.approx(x, rel=1e-14, abs=1e-15), step
        assert opt.hessian == pytest.approx(h, rel=1e-14)
        assert [p.grad for p in params] == pytest.approx(g, rel=1e-14)  # the gradient used
    assert any(abs(r) > 1 for r in ratios_seen)  # clipped steps were checked ...
    assert any(abs(r) < 1 for r in ratios_seen)  # ... and Newton-like ones


def test_sophia_with_rho_equal_to_lr_takes_newtons_step_within_reach() -> None:
    # No averaging: m = g and h = a, so the unclipped step is g/a, Newton's, which lands
    # on the minimum of every coordinate within lr of it; the others move by exactly lr.
    params = [Value(0.0), Value(0.0), Value(2.5)]
    opt = optim.Sophia(params, lr=1.0, betas=(0.0, 0.0), rho=1.0, weight_decay=0.0)
    opt.step(lambda: diagonal_quadratic(params))
    assert [p.data for p in params] == [1.0, -1.0, 3.0]
    params[0].data = -5.0
    opt.step(lambda: diagonal_quadratic(params))
    assert params[0].data == -4.0


def test_hessian_vector_product_equals_hessian_times_vector(torch: ModuleType) -> None:
    def f(x: Any, y: Any, z: Any) -> Any:
        return x * x * y + (y * z).sin() + z.exp() * x

    point = [0.7, -1.2, 0.4]
    vector = [1.0, -2.0, 0.5]
    params = [Value(v) for v in point]
    params[0].grad = 3.0  # existing gradients are left alone
    loss = f(*params)
    hv = optim.hessian_vector_product(loss, params, vector)
    full = hessian(f)(*point)
    assert hv == pytest.approx([sum(h * v for h, v in zip(row, vector)) for row in full], abs=1e-12)
    assert [p.grad for p in params] == [3.0, 0.0, 0.0]
    _, t_hv = torch.autograd.functional.hvp(
        lambda t: f(t[0], t[1], t[2]), torch.tensor(point), torch.tensor(vector)
    )
    assert hv == pytest.approx(t_hv.tolist(), abs=1e-12)
    a, b = Value(1.0), Value(2.0)
    assert optim.hessian_vector_product(3 * a + b, [a, b], [1.0, 1.0]) == [0.0, 0.0]  # linear


def test_hutchinson_estimate_averages_to_the_hessian_diagonal() -> None:
    # Over all 2^n sign vectors u, the mean of u*(Hu) is diag(H) exactly: the
    # off-diagonal terms u_i u_j H_ij cancel. Sophia draws one u per refresh.
    def f(p: list[Value]) -> Value:
        return p[0] * p[0] * p[1] + 3 * p[1] * p[2] + p[2] ** 4 + (p[0] * p[2]).tanh()

    point = [0.5, -0.3, 0.8]
    params = [Value(v) for v in point]
    signs = list(itertools.product([1.0, -1.0], repeat=3))
    estimates = [
        [u_i * hu_i for u_i, hu_i in zip(u, optim.hessian_vector_product(f(params), params, u))]
        for u in signs
    ]
    mean = [sum(column) / len(signs) for column in zip(*estimates)]
    full = hessian(lambda x, y, z: f([x, y, z]))(*point)
    assert mean == pytest.approx([full[i][i] for i in range(3)], abs=1e-12)
    assert any(e != mean for e in estimates)  # a single estimate is noisy here


ILL_CURVATURES = [1.0, 10.0, 100.0, 1000.0]  # condition number 1000
ILL_MINIMUM = [1.0, -2.0, 0.5, 3.0]


def ill_conditioned(p: list[Any]) -> Any:
    total = 0.5 * ILL_CURVATURES[0] * (p[0] - ILL_MINIMUM[0]) ** 2
    for x, a, c in zip(p[1:], ILL_CURVATURES[1:], ILL_MINIMUM[1:], strict=True):
        total = total + 0.5 * a * (x - c) ** 2
    return total


def steps_to_converge(make: Callable[[list[Value]], optim.Optimizer], horizon: int = 200) -> int:
    """The step after which f - f* stays below 1e-10 (f(x0) - f*) for the rest of a run
    of ``horizon`` steps from x0 = 0 (a passing dip does not count); horizon + 1 if never."""
    params = [Value(0.0) for _ in ILL_CURVATURES]
    opt = make(params)
    target = 1e-10 * ill_conditioned([0.0] * 4)
    last_above = 0
    for step in range(1, horizon + 1):
        if isinstance(opt, optim.Sophia):
            opt.step(lambda: ill_conditioned(params))
        else:
            opt.zero_grad()
            ill_conditioned(params).backward()
            opt.step()
        if ill_conditioned([p.data for p in params]) >= target:
            last_above = step
    return last_above + 1


def adam_maker(lr: float, b1: float, b2: float) -> Callable[[list[Value]], optim.Optimizer]:
    return lambda p: optim.Adam(p, lr=lr, betas=(b1, b2))


def sophia_maker(lr: float, b1: float, b2: float) -> Callable[[list[Value]], optim.Optimizer]:
    return lambda p: optim.Sophia(
        p, lr=lr, betas=(b1, b2), rho=lr, weight_decay=0.0, hessian_interval=1
    )


def test_sophia_converges_on_a_badly_conditioned_quadratic_in_fewer_steps_than_adam() -> None:
    # Each optimizer at its best over the same grid of learning rates and betas
    # (Sophia with rho = lr, so an unclipped step is Newton's m/h, and the Hessian
    # estimate refreshed every step: it costs little on 4 parameters).
    grid = list(itertools.product([0.1, 0.3, 1.0], [0.0, 0.5, 0.9], [0.9, 0.99, 0.999]))
    adam = min(steps_to_converge(adam_maker(lr, b1, b2)) for lr, b1, b2 in grid)
    sophia = min(steps_to_converge(sophia_maker(lr, b1, b2)) for lr, b1, b2 in grid)
    assert adam <= 200  # Adam does converge (measured: 118 steps at lr 0.1, betas (0.5, 0.99))
    assert 3 * sophia < adam  # measured: 16 steps at lr 0.3, betas (0.0, 0.9)


def test_sophia_leaves_other_gradients_alone_and_needs_a_closure() -> None:
    w, data = Value(0.5), Value(2.0)
    data.grad = 7.0
    opt = optim.Sophia([w], lr=0.1, weight_decay=0.0)
    opt.step(lambda: (w * data - 1.0) ** 2)
    assert data.grad == 7.0
    assert w.grad == pytest.approx(2 * (0.5 * 2.0 - 1.0) * 2.0)
    with pytest.raises(TypeError, match="needs a function that builds the loss"):
        opt.step()
    with pytest.raises(TypeError, match="must return the loss as a Value"):
        opt.step(lambda: 1.0)  # type: ignore[arg-type, return-value]
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        opt.step(lambda: w * w)
    assert opt.step_count == 1


def test_updates_build_no_graph_and_work_under_no_grad() -> None:
    p = Value(1.0)
    p.grad = 2.0
    opt = optim.Adam([p], lr=0.1)
    with no_grad():
        opt.step()
    opt.step()
    assert p.parents == ()
    assert p.op == ""
    assert isinstance(p.data, float)
    assert p.data < 1.0


def test_zero_grad_clears_only_its_parameters() -> None:
    a, b = Value(1.0), Value(2.0)
    a.grad, b.grad = 3.0, 4.0
    optim.SGD([a], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 4.0)


# -- schedules ------------------------------------------------------------------------------


SCHEDULES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("StepLR", {"step_size": 4, "gamma": 0.5}, {"step_size": 4, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.9}, {"gamma": 0.9}),
    ("CosineAnnealingLR", {"t_max": 10, "eta_min": 0.01}, {"T_max": 10, "eta_min": 0.01}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.1, "total_iters": 20}, None),
    ("LinearLR", {}, {}),
]


@pytest.mark.parametrize(("name", "ours_kwargs", "torch_kwargs"), SCHEDULES)
def test_schedule_matches_torch(
    torch: ModuleType, name: str, ours_kwargs: dict[str, Any], torch_kwargs: dict[str, Any] | None
) -> None:
    opt = optim.SGD([Value(0.0)], lr=0.5)
    schedule = getattr(optim, name)(opt, **ours_kwargs)
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    t_schedule = getattr(torch.optim.lr_scheduler, name)(t_opt, **(torch_kwargs or ours_kwargs))
    for epoch in range(30):
        assert opt.lr == pytest.approx(t_schedule.get_last_lr()[0], rel=1e-12, abs=1e-15), epoch
        t_opt.step()
        t_schedule.step()
        schedule.step()
    assert schedule.get_last_lr() == opt.lr


def test_micrograds_linear_decay_two_ways() -> None:
    exact = optim.SGD([Value(0.0)], lr=1.0)
    by_lambda = optim.LambdaLR(exact, lambda k: 1.0 - 0.9 * k / 100)
    linear_opt = optim.SGD([Value(0.0)], lr=1.0)
    linear = optim.LinearLR(linear_opt, start_factor=1.0, end_factor=0.1, total_iters=100)
    for k in range(100):
        assert exact.lr == 1.0 - 0.9 * k / 100  # bit for bit, as micrograd computes it
        assert linear_opt.lr == pytest.approx(1.0 - 0.9 * k / 100, abs=1e-15)
        by_lambda.step()
        linear.step()


def test_a_schedule_giving_a_negative_rate_is_an_error() -> None:
    opt = optim.SGD([Value(0.0)], lr=1.0)
    schedule = optim.LambdaLR(opt, lambda k: 1.0 - 0.5 * k)
    schedule.step()
    schedule.step()
    with pytest.raises(ValueError, match=r"lr=-0\.5 at epoch 3"):
        schedule.step()


# -- clipping -----------------------------------------------------------------------------


GRADS = [3.0, -4.0, 0.5, 12.0]


@pytest.mark.parametrize(
    ("max_norm", "norm_type"), [(1.0, 2.0), (100.0, 2.0), (2.0, math.inf), (1.0, 1.0)]
)
def test_clip_grad_norm_matches_torch(torch: ModuleType, max_norm: float, norm_type: float) -> None:
    params = [Value(0.0) for _ in GRADS]
    for p, g in zip(params, GRADS, strict=True):
        p.grad = g
    norm = optim.clip_grad_norm(params, max_norm, norm_type)
    t = torch.zeros(len(GRADS), dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(GRADS, dtype=torch.float64)
    t_norm = torch.nn.utils.clip_grad_norm_([t], max_norm, norm_type)
    assert norm == pytest.approx(t_norm.item(), rel=1e-12)
    assert [p.grad for p in params] == pytest.approx(t.grad.tolist(), rel=1e-12)


def test_clip_grad_value_matches_torch(torch: ModuleType) -> None:
    params = [Value(0.0) for _ in GRADS]
    for p, g in zip(params, GRADS, strict=True):
        p.grad = g
    optim.clip_grad_value(params, 3.5)
    t = torch.zeros(len(GRADS), dtype=torch.float64, requires_grad=True)
    t.grad = torch.tensor(GRADS, dtype=torch.float64)
    torch.nn.utils.clip_grad_value_([t], 3.5)
    assert [p.grad for p in params] == t.grad.tolist()


# -- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda p: optim.SGD(p, lr=0.0), ValueError, "lr must be a finite number > 0"),
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, "lr must be a finite number > 0"),
        (lambda p: optim.Adam(p, lr=math.nan), ValueError, "lr must be a finite number"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, r"momentum must be in \[0, 1\)"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in .*got 1.0"),
        (lambda p: optim.Adam(p, betas=0.9), ValueError, "pair"),
        (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: optim.SGD(p + p, lr=0.1), ValueError, "more than once"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "single Value"),
        (lambda p: optim.SGD([1.0], lr=0.1), TypeError, "must be a Value"),
        (lambda p: optim.StepLR(optim.SGD(p, lr=0.1), step_size=0), ValueError, "step_size"),
        (
            lambda p: optim.clip_grad_norm(p, -1.0),
            ValueError,
            "max_norm must be a finite number >= 0",
        ),
        (lambda p: optim.clip_grad_norm(p, 1.0, norm_type=0), ValueError, "norm_type"),
        (
            lambda p: optim.Sophia(p, rho=-0.04),
            ValueError,
            "rho must be a finite number >= 0, got -0.04",
        ),
        (lambda p: optim.Sophia(p, hessian_interval=0), ValueError, "hessian_interval"),
        (lambda p: optim.Sophia(p, betas=(1.0, 0.9)), ValueError, r"betas\[0\] must be .*got 1.0"),
        (lambda p: optim.Adadelta(p, rho=1.5), ValueError, r"rho must be in \[0, 1\], got 1.5"),
        (lambda p: optim.hessian_vector_product(p[0] * p[1], p, [1.0]), ValueError, "vector of 1"),
        # issue 19: each hyperparameter is checked, the error naming it, its value and its range
        (
            lambda p: optim.SGD(p, lr=math.inf),
            ValueError,
            "SGD: lr must be a finite number, got inf",
        ),
        (lambda p: optim.SGD(p, lr=10**400), ValueError, "lr must be a finite number, got 1000"),
        (lambda p: optim.SGD(p, lr="0.1"), ValueError, "lr must be a finite number, got '0.1'"),
        (lambda p: optim.SGD(p, lr=True), ValueError, "lr must be a finite number, got True"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=1.0), ValueError, r"\[0, 1\), got 1.0"),
        (
            lambda p: optim.SGD(p, lr=0.1, dampening=2.0),
            ValueError,
            r"dampening must be in \[0, 1\]",
        ),
        (lambda p: optim.SGD(p, lr=0.1, nesterov="yes"), TypeError, "nesterov must be True or"),
        (
            lambda p: optim.SGD(p, 0.1, weight_decay=math.nan),
            ValueError,
            "weight_decay must be a fin",
        ),
        (
            lambda p: optim.SGD(p, 0.1, weight_decay=-1e-4),
            ValueError,
            "weight_decay must be a finite number >= 0",
        ),
        (
            lambda p: optim.Adam(p, eps=0.0),
            ValueError,
            "Adam: eps must be a finite number > 0, got 0.0",
        ),
        (lambda p: optim.Adam(p, betas=(-0.1, 0.9)), ValueError, r"betas\[0\] must be in"),
        (lambda p: optim.Adam(p, amsgrad=1), TypeError, "amsgrad must be True or False, got 1"),
        (lambda p: optim.AdamW(p, eps=-1e-8), ValueError, "AdamW: eps must be a finite number > 0"),
        (lambda p: optim.RMSprop(p, alpha=1.0), ValueError, r"alpha must be in \[0, 1\), got 1.0"),
        (lambda p: optim.RMSprop(p, momentum=1.5), ValueError, r"momentum must be in \[0, 1\)"),
        (
            lambda p: optim.RMSprop(p, eps=0),
            ValueError,
            "RMSprop: eps must be a finite number > 0, got 0",
        ),
        (
            lambda p: optim.Adagrad(p, eps=0.0),
            ValueError,
            "Adagrad: eps must be a finite number > 0",
        ),
        (
            lambda p: optim.Adagrad(p, lr_decay=-1),
            ValueError,
            "lr_decay must be a finite number >= 0, got -1",
        ),
        (
            lambda p: optim.Adadelta(p, eps=0.0),
            ValueError,
            "Adadelta: eps must be a finite number > 0",
        ),
        (lambda p: optim.Sophia(p, eps=0.0), ValueError, "Sophia: eps must be a finite number > 0"),
        (lambda p: optim.Sophia(p, hessian_interval=2.0), ValueError, "whole number >= 1, got 2.0"),
        (
            lambda p: optim.StepLR(optim.SGD(p, 0.1), 1, gamma=-1),
            ValueError,
            "gamma must be a finite number >= 0",
        ),
        (
            lambda p: optim.CosineAnnealingLR(optim.SGD(p, 0.1), 1.5),
            ValueError,
            "t_max must be a w",
        ),
        (lambda p: optim.LinearLR(optim.SGD(p, 0.1), total_iters=0), ValueError, "total_iters"),
        (lambda p: optim.clip_grad_value(p, math.inf), ValueError, "clip_value must be a finite"),
    ],
)
def test_bad_arguments_are_clear_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call([Value(1.0), Value(2.0)])


# -- a step never makes a number inf or NaN (issue 19) ----------------------------------------


def test_sgd_with_a_huge_lr_refuses_the_step_naming_the_parameter_and_changes_nothing() -> None:
    # Before: SGD(lr=1e308) turned w into -inf without a word.
    w, b = Value(0.5, label="w"), Value(-0.25, label="b")
    w.grad, b.grad = 2.0, 0.1
    opt = optim.SGD([b, w], lr=1e308, momentum=0.9)
    with pytest.raises(FloatingPointError) as caught:
        opt.step()
    message = str(caught.value)
    assert "parameter 'w' -inf (it is 0.5, its gradient 2.0, lr=1e+308)" in message
    assert "Lower the learning rate" in message
    assert "clip_grad_norm" in message
    assert (w.data, b.data) == (0.5, -0.25)  # b's finite update was undone too
    assert opt.step_count == 0
    assert opt._buffers == [0.0, 0.0]
    # the same optimizer, with a sane rate, then takes PyTorch's first momentum step
    opt.lr = 0.1
    opt.step()
    assert (w.data, b.data) == (0.5 - 0.1 * 2.0, -0.25 - 0.1 * 0.1)


def test_a_refused_step_names_an_unlabelled_parameter_by_its_index() -> None:
    params = [Value(1.0), Value(-1.0)]
    params[1].grad = math.nan
    with pytest.raises(FloatingPointError, match=r"parameter params\[1\] nan"):
        optim.Adam(params, lr=0.1).step()
    assert [p.data for p in params] == [1.0, -1.0]


def test_a_step_whose_state_overflows_is_refused_though_the_parameter_stays_finite() -> None:
    # g*g overflows Adam's second moment to inf: the step would be 0 forever after.
    w = Value(1.0, label="w")
    w.grad = 1e200
    opt = optim.Adam([w], lr=0.1)
    with pytest.raises(FloatingPointError, match="second-moment estimate of parameter 'w' inf"):
        opt.step()
    assert w.data == 1.0
    assert opt._v == [0.0]
    assert opt._m == [0.0]
    assert opt.step_count == 0


def test_a_learning_rate_set_to_inf_after_construction_is_caught_at_the_step() -> None:
    w = Value(2.0, label="w")
    w.grad = 1.0
    opt = optim.SGD([w], lr=0.1)
    opt.step()  # a finite step is taken as before
    assert w.data == pytest.approx(1.9)
    opt.lr = math.inf
    with pytest.raises(FloatingPointError, match=r"'w' -inf .*lr=inf.*not taken"):
        opt.step()
    assert w.data == pytest.approx(1.9)


def test_large_finite_parameters_whose_sum_overflows_are_not_refused() -> None:
    params = [Value(1e308), Value(1e308)]  # their sum is inf, but each is finite
    for p in params:
        p.grad = 1.0
    optim.SGD(params, lr=1.0).step()
    assert [p.data for p in params] == [1e308 - 1.0, 1e308 - 1.0]


@pytest.mark.parametrize(("name", "kwargs"), OPTIMIZERS)
def test_every_optimizer_refuses_a_nan_gradient_and_keeps_its_state(
    name: str, kwargs: dict[str, Any]
) -> None:
    params = [Value(v, label=f"p{i}") for i, v in enumerate(START)]
    opt = getattr(optim, name)(params, **kwargs)
    for _ in range(2):
        opt.zero_grad()
        objective(params, Value.tanh).backward()
        opt.step()
    state = {attribute: list(getattr(opt, attribute)) for attribute, _ in opt._STATE}
    before = [p.data for p in params]
    params[2].grad = math.nan
    with pytest.raises(FloatingPointError, match=f"{name}.step\\(\\): .*'p2'"):
        opt.step()
    assert [p.data for p in params] == before
    assert {attribute: getattr(opt, attribute) for attribute in state} == state
    assert opt.step_count == 2


def test_sophia_refuses_a_step_that_would_make_a_parameter_non_finite() -> None:
    x = Value(-1.7e308, label="x")
    opt = optim.Sophia([x], lr=1e308, weight_decay=0.0)
    # x/2: its gradient is 1/2, its Hessian 0, so the clipped step is lr
    with pytest.raises(FloatingPointError, match=r"Sophia.step\(\): .*'x' -inf \(it is -1.7e\+308"):
        opt.step(lambda: 0.5 * x)
    assert x.data == -1.7e308
    assert opt.hessian == [0.0]
    assert opt.step_count == 0
