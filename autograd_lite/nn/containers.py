"""``Sequential``: modules applied one after another."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from autograd_lite.autodiff import graph_building
from autograd_lite.nn._checks import _checked_batch
from autograd_lite.nn.module import Module
from autograd_lite.value import Value


class Sequential(Module):
    """Modules applied one after another, each to the previous one's output, as
    ``torch.nn.Sequential``; its parameters, buffers and modes are its parts'.

    Parameters are named by position (``0.neurons.1.w.0``), so a checkpoint of
    a Sequential records which part each value belongs to.

    Example:
        >>> from autograd_lite.nn import Layer, ReLU
        >>> net = Sequential(Layer(2, 2, activation="linear"), ReLU())
        >>> net[0].load_weights([[1.0, 0.0], [0.0, -1.0]], [0.0, 0.0])
        >>> [v.data for v in net([3.0, 4.0])]
        [3.0, 0.0]
        >>> [name for name, _ in net.named_parameters()][:3]
        ['0.neurons.0.w.0', '0.neurons.0.w.1', '0.neurons.0.b']
    """

    def __init__(self, *modules: Module) -> None:
        if not modules:
            raise ValueError("Sequential: give at least one module")
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: part {i} is {type(module).__name__}, not a Module; wrap "
                    "functions in a Module (activations: ReLU(), Tanh(), Sigmoid())"
                )
        self._parts = list(modules)

    @graph_building()
    def __call__(self, x: Sequence[Value | float]) -> Any:
        out: Any = x
        for module in self._parts:
            out = module(out)
        return out

    @graph_building()
    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[Any]:
        rows: list[Any] = list(_checked_batch(X, self))
        for module in self._parts:
            rows = module.forward_batch(rows)
        return rows

    def __getitem__(self, index: int) -> Module:
        return self._parts[index]

    def __len__(self) -> int:
        return len(self._parts)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._parts)

    @property
    def n_inputs(self) -> int | None:
        """The first part's input width (None when it has no fixed width)."""
        width = getattr(self._parts[0], "n_inputs", None)
        return width if isinstance(width, int) else None

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"{i}.{name}", p) for i, m in enumerate(self) for name, p in m.named_parameters()]

    def named_buffers(self) -> list[tuple[str, Value]]:
        return [(f"{i}.{name}", v) for i, m in enumerate(self) for name, v in m.named_buffers()]

    def children(self) -> list[Module]:
        return list(self._parts)

    def config(self) -> dict[str, Any]:
        return {"type": "Sequential", "modules": [m.config() for m in self]}

    def __repr__(self) -> str:
        return f"Sequential({', '.join(map(repr, self))})"
