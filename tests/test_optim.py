"""optim: every optimizer against torch.optim step by step (20 steps, 1e-12),
schedules against torch.optim.lr_scheduler, gradient clipping against
torch.nn.utils, and bad arguments."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from autograd_lite import Value, no_grad, optim

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
        (lambda p: optim.SGD(p, lr=0.0), ValueError, "lr must be > 0"),
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, "lr must be > 0"),
        (lambda p: optim.Adam(p, lr=math.nan), ValueError, "lr must be a finite number"),
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), ValueError, "momentum must be >= 0"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), ValueError, "betas\\[1\\]=1.0"),
        (lambda p: optim.Adam(p, betas=0.9), ValueError, "pair"),
        (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: optim.SGD(p + p, lr=0.1), ValueError, "more than once"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "single Value"),
        (lambda p: optim.SGD([1.0], lr=0.1), TypeError, "must be a Value"),
        (lambda p: optim.StepLR(optim.SGD(p, lr=0.1), step_size=0), ValueError, "step_size"),
        (lambda p: optim.clip_grad_norm(p, -1.0), ValueError, "max_norm must be >= 0"),
        (lambda p: optim.clip_grad_norm(p, 1.0, norm_type=0), ValueError, "norm_type"),
    ],
)
def test_bad_arguments_are_clear_errors(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call([Value(1.0), Value(2.0)])
