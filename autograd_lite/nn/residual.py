"""``Residual``: ``x + module(x)``, a skip connection around a block."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_lite.nn._checks import _as_inputs, _checked_batch
from autograd_lite.nn.module import Module
from autograd_lite.value import Value


class Residual(Module):
    """A skip connection: ``x + module(x)``, input i added to output i.

    The gradient reaches ``x`` through the sum directly as well as through the
    module, so it cannot vanish inside a deep stack of such blocks (He et al.,
    2016). The module must have as many outputs as inputs.

    Example:
        >>> from autograd_lite.nn import Layer
        >>> block = Residual(Layer(2, 2, activation="linear"))
        >>> block.module.load_weights([[0.0, 0.0], [0.0, 0.0]], [1.0, -1.0])
        >>> [v.data for v in block([3.0, 4.0])]
        [4.0, 3.0]
    """

    def __init__(self, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a Module to wrap, got {type(module).__name__}")
        n_in, n_out = getattr(module, "n_inputs", None), getattr(module, "n_outputs", None)
        if isinstance(n_in, int) and isinstance(n_out, int) and n_in != n_out:
            raise ValueError(
                f"Residual: {module!r} maps {n_in} inputs to {n_out} outputs; a skip "
                "connection adds input i to output i, so the two widths must agree"
            )
        self.module = module
        self._label("")

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        inputs = self._inputs(x)
        return _add_skip(inputs, self.module(inputs), self)

    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[list[Value]]:
        rows = [self._inputs(x) for x in _checked_batch(X, self)]
        outputs = self.module.forward_batch(rows)
        return [_add_skip(x, out, self) for x, out in zip(rows, outputs)]

    def _inputs(self, x: Sequence[Value | float]) -> list[Value]:
        width = getattr(self.module, "n_inputs", None)
        if isinstance(width, int):
            return _as_inputs(x, width, self)
        if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(
                f"{self!r} takes a list of numbers (one sample), got {type(x).__name__}"
            )
        return [xi if isinstance(xi, Value) else Value(xi) for xi in x]

    @property
    def n_inputs(self) -> int | None:
        """The wrapped module's input width (None when it has no fixed width)."""
        width = getattr(self.module, "n_inputs", None)
        return width if isinstance(width, int) else None

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"module.{name}", p) for name, p in self.module.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Value]]:
        return [(f"module.{name}", v) for name, v in self.module.named_buffers()]

    def children(self) -> list[Module]:
        return [self.module]

    def config(self) -> dict[str, Any]:
        return {"type": "Residual", "module": self.module.config()}

    def __repr__(self) -> str:
        return f"Residual({self.module!r})"


def _add_skip(x: list[Value], out: Any, model: Module | None = None) -> list[Value]:
    """``x + out`` elementwise: a residual block's output."""
    outs = [out] if isinstance(out, Value) else out
    if len(outs) != len(x):
        raise ValueError(
            f"{model!r}: the wrapped module returned {len(outs)} output(s) for {len(x)} "
            "input(s); a skip connection adds input i to output i, so the widths must agree"
        )
    return [xi + oi for xi, oi in zip(x, outs)]
