"""nn.Dropout and nn.BatchNorm (against torch.nn.BatchNorm1d), on their own."""

from __future__ import annotations

import math
import random
from types import ModuleType
from typing import Any

import pytest

from autograd_lite import Value, no_grad
from autograd_lite.nn import (
    MLP,
    BatchNorm,
    Dropout,
)

# -- Dropout ---------------------------------------------------------------------------------


def test_dropout_is_the_identity_in_eval_mode() -> None:
    drop = Dropout(0.9, seed=0).eval()
    x = [Value(v) for v in (1.0, -2.0, 3.5)]
    out = drop(x)
    assert all(o is xi for o, xi in zip(out, x, strict=True))  # the same nodes: no graph added
    assert [v.data for v in drop([4.0, 5.0])] == [4.0, 5.0]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_the_expected_activation_scale_in_training(p: float) -> None:
    n = 20_000
    x = [Value(1.5) for _ in range(n)]
    out = Dropout(p, seed=1)(x)
    dropped = sum(1 for v in out if v.data == 0.0)
    kept = {v.data for v in out if v.data != 0.0}
    assert kept == {1.5 * (1.0 / (1.0 - p))}  # survivors times 1/(1-p), as in PyTorch
    # Binomial(n, p): 5 standard deviations of the dropped fraction are below 0.018.
    assert abs(dropped / n - p) < 5 * math.sqrt(p * (1 - p) / n)
    assert sum(v.data for v in out) / n == pytest.approx(
        1.5, abs=5 * 1.5 * math.sqrt(p / (1 - p) / n)
    )


def test_dropout_gradient_is_the_mask() -> None:
    p = 0.25
    x = [Value(1.0) for _ in range(200)]
    out = Dropout(p, seed=3)(x)
    total = out[0]
    for v in out[1:]:
        total = total + v
    total.backward()
    for xi, o in zip(x, out, strict=True):
        assert xi.grad == (0.0 if o.data == 0.0 else 1.0 / (1.0 - p))


def test_dropout_is_seeded_and_leaves_global_random_alone() -> None:
    random.seed(11)
    expected = random.random()
    random.seed(11)
    masks = [[v.data for v in Dropout(0.5, seed=s)([1.0] * 50)] for s in (7, 7, 8)]
    assert random.random() == expected
    assert masks[0] == masks[1]
    assert masks[0] != masks[2]
    assert Dropout(0.0, seed=0)([2.0, 3.0])[1].data == 3.0  # p = 0 drops nothing


@pytest.mark.parametrize("p", [-0.1, 1.0, 1.5, math.nan, math.inf])
def test_dropout_probability_outside_0_1_is_a_value_error(p: float) -> None:
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        Dropout(p)
    with pytest.raises(ValueError, match=r"MLP: dropout=.* must be in \[0, 1\)"):
        MLP(2, [3, 1], dropout=p)


def test_dropout_bad_types() -> None:
    with pytest.raises(TypeError, match="number in"):
        Dropout("0.5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="number in"):
        Dropout(True)
    with pytest.raises(TypeError, match="seed must be an int"):
        Dropout(0.5, seed=None)  # type: ignore[arg-type]


# -- BatchNorm against torch.nn.BatchNorm1d --------------------------------------------------


def random_batch(rng: random.Random, n: int, features: int) -> list[list[float]]:
    return [[rng.uniform(-3.0, 3.0) for _ in range(features)] for _ in range(n)]


@pytest.mark.parametrize(("n", "features"), [(2, 1), (3, 2), (7, 3), (16, 4)])
def test_batch_norm_matches_torch_values_gradients_and_running_statistics(
    torch: ModuleType, n: int, features: int
) -> None:
    rng = random.Random(n * 10 + features)
    ours = BatchNorm(features, momentum=0.1, eps=1e-5)
    theirs = torch.nn.BatchNorm1d(features, momentum=0.1, eps=1e-5, dtype=torch.float64)
    gamma = [rng.uniform(0.5, 2.0) for _ in range(features)]
    beta = [rng.uniform(-1.0, 1.0) for _ in range(features)]
    ours.load_parameters(gamma + beta)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(gamma))
        theirs.bias.copy_(torch.tensor(beta))
    for _ in range(3):  # three training batches: the running averages move each time
        batch = random_batch(rng, n, features)
        weights = random_batch(rng, n, features)  # a loss sum(w * y) with random w
        x = [[Value(v) for v in row] for row in batch]
        y = ours.forward_batch(x)
        loss = sum((w * v for wr, yr in zip(weights, y) for w, v in zip(wr, yr)), Value(0.0))
        ours.zero_grad()
        loss.backward()
        tx = torch.tensor(batch, requires_grad=True)
        ty = theirs(tx)
        theirs.zero_grad()
        (ty * torch.tensor(weights)).sum().backward()
        assert [[v.data for v in row] for row in y] == nested_approx(ty.tolist())
        assert [[v.grad for v in row] for row in x] == nested_approx(tx.grad.tolist())
        assert [g.grad for g in ours.gamma] == pytest.approx(theirs.weight.grad.tolist(), abs=1e-12)
        assert [b.grad for b in ours.beta] == pytest.approx(theirs.bias.grad.tolist(), abs=1e-12)
        assert [m.data for m in ours.running_mean] == pytest.approx(
            theirs.running_mean.tolist(), abs=1e-12
        )
        assert [v.data for v in ours.running_var] == pytest.approx(
            theirs.running_var.tolist(), abs=1e-12
        )
    # evaluation: the running averages take the batch's place, one sample at a time
    ours.eval()
    theirs.eval()
    sample = random_batch(rng, 1, features)
    assert [v.data for v in ours(sample[0])] == pytest.approx(
        theirs(torch.tensor(sample)).tolist()[0], abs=1e-12
    )


def nested_approx(rows: list[list[float]]) -> list[Any]:
    return [pytest.approx(row, abs=1e-12) for row in rows]


def test_batch_norm_on_a_batch_of_one_in_training_mode_is_a_value_error() -> None:
    norm = BatchNorm(2)
    with pytest.raises(ValueError, match="needs at least 2 samples, got 1"):
        norm.forward_batch([[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"model.eval\(\)"):
        norm([1.0, 2.0])
    model = MLP(2, [3, 1], batch_norm=True, seed=0)
    with pytest.raises(ValueError, match="needs at least 2 samples"):
        model([1.0, 2.0])
    before = [v.data for _, v in norm.named_buffers()]
    model.eval()
    assert isinstance(model([1.0, 2.0]), Value)  # one sample is fine on running statistics
    assert len(norm.eval()([1.0, 2.0])) == 2
    assert [v.data for _, v in norm.named_buffers()] == before


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: BatchNorm(2).forward_batch([]), ValueError, "batch is empty"),
        (lambda: BatchNorm(2).forward_batch([[1.0, 2.0], [3.0]]), ValueError, "takes 2 input"),
        (lambda: BatchNorm(2).forward_batch([1.0, 2.0]), TypeError, "list of 2 numbers"),
        (lambda: BatchNorm(0), ValueError, "n_features must be a positive int"),
        (lambda: BatchNorm(2, momentum=1.5), ValueError, "momentum=1.5"),
        (lambda: BatchNorm(2, eps=0.0), ValueError, "eps=0.0"),
    ],
)
def test_batch_norm_bad_input(call: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_batch_norm_updates_running_statistics_under_no_grad_only_in_training() -> None:
    norm = BatchNorm(1)
    with no_grad():
        norm.forward_batch([[1.0], [3.0]])  # PyTorch also updates them under no_grad
    assert norm.running_mean[0].data == pytest.approx(0.2)
    norm.eval().forward_batch([[10.0], [30.0]])
    assert norm.running_mean[0].data == pytest.approx(0.2)
