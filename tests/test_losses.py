"""losses: every loss against PyTorch (value and gradients, float64), stability
at extreme inputs, micrograd's exact arithmetic, and targets outside a loss's
domain."""

from __future__ import annotations

import random
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value, losses


def leaves(data: list[float]) -> list[Value]:
    return [Value(v) for v in data]


def torch_leaf(torch: ModuleType, data: list[float]) -> Any:
    return torch.tensor(data, dtype=torch.float64, requires_grad=True)


def check_against_torch(
    torch: ModuleType,
    ours: Callable[[list[Value]], Value],
    theirs: Callable[[Any], Any],
    data: list[float],
    tol: float = 1e-12,
) -> None:
    xs = leaves(data)
    out = ours(xs)
    out.backward()
    t = torch_leaf(torch, data)
    t_out = theirs(t)
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=tol, abs=tol)
    assert [x.grad for x in xs] == pytest.approx(t.grad.tolist(), rel=tol, abs=tol)


RNG = random.Random(0)
SCORES = [RNG.uniform(-3, 3) for _ in range(8)]
PROBS = [RNG.uniform(0.02, 0.98) for _ in range(8)]
BINARY = [RNG.choice([0, 1]) for _ in range(8)]
SIGNS = [2 * b - 1 for b in BINARY]
REAL = [RNG.uniform(-2, 2) for _ in range(8)]


def test_mse_matches_torch(torch: ModuleType) -> None:
    target = torch.tensor(REAL)
    check_against_torch(
        torch,
        lambda xs: losses.mse(xs, REAL),
        lambda t: torch.nn.functional.mse_loss(t, target),
        SCORES,
    )


def test_mse_of_one_prediction_is_the_squared_error() -> None:
    assert losses.mse(Value(3.0), 1.0).data == 4.0
    assert losses.mse([[Value(1.0), Value(2.0)]], [[0.0, 0.0]]).data == 2.5  # a 2-output sample


def test_binary_cross_entropy_matches_torch(torch: ModuleType) -> None:
    target = torch.tensor(BINARY, dtype=torch.float64)
    check_against_torch(
        torch,
        lambda xs: losses.binary_cross_entropy(xs, BINARY),
        lambda t: torch.nn.functional.binary_cross_entropy(t, target),
        PROBS,
    )


def test_binary_cross_entropy_with_soft_labels_matches_torch(torch: ModuleType) -> None:
    soft = [0.3, 0.9, 0.5]
    check_against_torch(
        torch,
        lambda xs: losses.binary_cross_entropy(xs, soft),
        lambda t: torch.nn.functional.binary_cross_entropy(t, torch.tensor(soft)),
        PROBS[:3],
    )


@pytest.mark.parametrize(("p", "y"), [(0.0, 1), (1.0, 0), (0.0, 0), (1.0, 1), (1e-60, 1)])
def test_binary_cross_entropy_is_clamped_like_torch(torch: ModuleType, p: float, y: int) -> None:
    expected = torch.nn.functional.binary_cross_entropy(
        torch.tensor([p]), torch.tensor([float(y)])
    ).item()
    loss = losses.binary_cross_entropy(Value(p), y)
    assert loss.data == pytest.approx(expected, abs=1e-12)
    assert loss.data <= 100.0


def test_bce_with_logits_matches_torch(torch: ModuleType) -> None:
    target = torch.tensor(BINARY, dtype=torch.float64)
    check_against_torch(
        torch,
        lambda xs: losses.binary_cross_entropy_with_logits(xs, BINARY),
        lambda t: torch.nn.functional.binary_cross_entropy_with_logits(t, target),
        SCORES,
    )


@given(st.floats(-1000.0, 1000.0), st.sampled_from([0.0, 1.0, 0.25]))
def test_bce_with_logits_is_stable_everywhere(torch: ModuleType, z: float, y: float) -> None:
    check_against_torch(
        torch,
        lambda xs: losses.binary_cross_entropy_with_logits(xs[0], y),
        lambda t: torch.nn.functional.binary_cross_entropy_with_logits(
            t[0], torch.tensor(y, dtype=torch.float64)
        ),
        [z],
    )


@pytest.mark.parametrize(
    ("z", "y", "loss", "slope"),
    [
        (1000.0, 0, 1000.0, 1.0),
        (-1000.0, 1, 1000.0, -1.0),
        (1000.0, 1, 0.0, 0.0),
        (-1000.0, 0, 0.0, 0.0),
    ],
)
def test_bce_with_logits_at_plus_minus_1000(z: float, y: int, loss: float, slope: float) -> None:
    x = Value(z)
    out = losses.binary_cross_entropy_with_logits(x, y)
    out.backward()
    assert (out.data, x.grad) == (loss, slope)


@pytest.mark.parametrize("y", [0.0, 1.0, 0.3])
def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_label(y: float) -> None:
    # The one-formula max(z,0) - z*y + log(1+exp(-|z|)) would give -y here.
    x = Value(0.0)
    losses.binary_cross_entropy_with_logits(x, y).backward()
    assert x.grad == pytest.approx(0.5 - y, abs=1e-15)


def test_softmax_matches_torch(torch: ModuleType) -> None:
    weights = [0.3, -1.0, 2.0, 0.5]
    check_against_torch(
        torch,
        lambda xs: sum(
            (w * p for w, p in zip(weights, losses.softmax(xs), strict=True)), Value(0.0)
        ),
        lambda t: (torch.softmax(t, 0) * torch.tensor(weights)).sum(),
        SCORES[:4],
    )


def test_softmax_is_stable_for_huge_logits() -> None:
    probs = losses.softmax([1000.0, 999.0, -1000.0])
    assert sum(p.data for p in probs) == pytest.approx(1.0, abs=1e-15)
    assert probs[2].data == 0.0


def test_cross_entropy_matches_torch_for_one_sample_and_a_batch(torch: ModuleType) -> None:
    check_against_torch(
        torch,
        lambda xs: losses.cross_entropy(xs, 2),
        lambda t: torch.nn.functional.cross_entropy(t[None], torch.tensor([2])),
        SCORES[:4],
    )
    targets = [0, 2, 1]

    def ours(xs: list[Value]) -> Value:
        return losses.cross_entropy([xs[0:3], xs[3:6], xs[6:9]], targets)

    def theirs(t: Any) -> Any:
        return torch.nn.functional.cross_entropy(t.reshape(3, 3), torch.tensor(targets))

    check_against_torch(torch, ours, theirs, [RNG.uniform(-4, 4) for _ in range(9)])


def test_cross_entropy_is_stable_for_huge_logits(torch: ModuleType) -> None:
    check_against_torch(
        torch,
        lambda xs: losses.cross_entropy(xs, 1),
        lambda t: torch.nn.functional.cross_entropy(t[None], torch.tensor([1])),
        [1000.0, -1000.0, 500.0],
    )


def test_hinge_matches_torch_and_is_micrograds_max_margin(torch: ModuleType) -> None:
    target = torch.tensor(SIGNS, dtype=torch.float64)
    check_against_torch(
        torch,
        lambda xs: losses.hinge(xs, SIGNS),
        lambda t: torch.relu(1 - target * t).mean(),
        SCORES,
    )


def test_losses_use_micrograds_exact_mean() -> None:
    scores = leaves(SCORES)
    # micrograd's demo: sum(losses) * (1.0 / len(losses)), each (1 + -y*score).relu()
    terms = [(1 + -y * s).relu() for y, s in zip(SIGNS, scores, strict=True)]
    expected = (sum(terms, Value(0.0)) * (1.0 / len(terms))).data  # 0.0 + t0 == t0 exactly
    assert losses.hinge(scores, SIGNS).data == expected


def test_l2_penalty_matches_torch_and_micrograd(torch: ModuleType) -> None:
    check_against_torch(
        torch, lambda xs: losses.l2_penalty(xs, 1e-4), lambda t: 1e-4 * (t * t).sum(), SCORES
    )
    params = leaves(SCORES)
    micrograd_style = 1e-4 * sum((p * p for p in params), Value(0.0))
    assert losses.l2_penalty(params, 1e-4).data == micrograd_style.data


def test_l1_penalty_matches_torch_and_pulls_by_the_sign(torch: ModuleType) -> None:
    check_against_torch(
        torch, lambda xs: losses.l1_penalty(xs, 1e-3), lambda t: 1e-3 * t.abs().sum(), SCORES
    )
    params = [Value(v) for v in (2.0, -0.5, 0.0)]
    losses.l1_penalty(params, 0.1).backward()
    assert [p.grad for p in params] == [0.1, -0.1, 0.0]  # at 0 the pull is 0, as in torch


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: losses.binary_cross_entropy(Value(0.5), 2), ValueError, "target 2.0 is outside"),
        (lambda: losses.binary_cross_entropy(Value(0.5), -1), ValueError, "label 0 or 1"),
        (lambda: losses.binary_cross_entropy(Value(1.5), 1), ValueError, "not a probability"),
        (lambda: losses.binary_cross_entropy_with_logits(Value(0.5), 2), ValueError, "outside"),
        (lambda: losses.hinge(Value(0.5), 0), ValueError, "-1 or \\+1"),
        (lambda: losses.cross_entropy([1.0, 2.0], 2), ValueError, "class 2 is outside"),
        (lambda: losses.cross_entropy([1.0, 2.0], 1.0), TypeError, "class index"),
        (lambda: losses.cross_entropy([1.0], 0), ValueError, "at least 2"),
        (lambda: losses.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "1 logit lists but 2"),
        (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
        (lambda: losses.mse([], []), ValueError, "empty"),
        (lambda: losses.mse(Value(1.0), [1.0]), TypeError, "one prediction but a list"),
        (lambda: losses.mse(Value(1.0), "1"), TypeError, "must be a number"),
        (lambda: losses.mse(Value(1.0), float("nan")), ValueError, "not finite"),
        (lambda: losses.l2_penalty([]), ValueError, "no parameters"),
        (lambda: losses.l1_penalty([]), ValueError, "l1_penalty: no parameters"),
    ],
)
def test_bad_input_is_a_clear_error(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()
