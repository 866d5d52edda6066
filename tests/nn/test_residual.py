"""nn.Residual: x + module(x)."""

from __future__ import annotations

from typing import Any

import pytest

from autograd_lite import Value
from autograd_lite.nn import (
    BatchNorm,
    Layer,
    Module,
    Residual,
)

# -- Residual ---------------------------------------------------------------------------------


def test_residual_adds_the_input_and_passes_its_gradient_straight_through() -> None:
    layer = Layer(2, 2, activation="tanh", seed=0)
    block = Residual(layer)
    x = [Value(0.3), Value(-0.7)]
    out = block(x)
    inner = layer(x)
    assert [o.data for o in out] == [xi.data + fi.data for xi, fi in zip(x, inner, strict=True)]
    out[0].backward()
    # d(x0 + f0(x))/dx0 = 1 + w00 * tanh'(z0): the 1 is the skip connection's
    w = layer.neurons[0].w[0].data
    assert x[0].grad == pytest.approx(1.0 + w * (1.0 - inner[0].data ** 2), abs=1e-15)
    assert [name for name, _ in block.named_parameters()][:2] == [
        "module.neurons.0.w.0",
        "module.neurons.0.w.1",
    ]


class _Shrink(Module):
    """Any width in, one number out: a shape a skip connection cannot add."""

    def __call__(self, x: Any) -> list[Value]:
        return [Value(float(len(x)))]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return []


def test_residual_shape_check() -> None:
    with pytest.raises(ValueError, match="maps 3 inputs to 2 outputs"):
        Residual(Layer(3, 2))
    with pytest.raises(ValueError, match=r"returned 1 output\(s\) for 2 input\(s\)"):
        Residual(_Shrink())([1.0, 2.0])
    with pytest.raises(TypeError, match="expected a Module"):
        Residual(lambda x: x)  # type: ignore[arg-type]


def test_residual_around_batch_norm_gets_the_whole_batch() -> None:
    block = Residual(BatchNorm(1))
    out = block.forward_batch([[1.0], [3.0]])
    assert [row[0].data for row in out] == pytest.approx([1.0 - 1.0, 3.0 + 1.0], abs=1e-4)
    with pytest.raises(ValueError, match="at least 2 samples"):
        block([1.0])
