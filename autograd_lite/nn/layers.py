"""``Neuron`` and ``Layer``: weighted sums and their activation, micrograd's order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_lite.nn._checks import (
    ACTIVATIONS,
    Activation,
    Init,
    Seed,
    _as_inputs,
    _check_activation,
    _check_count,
    _check_init,
    _check_row,
    _flatten_layer,
    _init_limit,
    _rng,
)
from autograd_lite.nn.module import Module
from autograd_lite.value import Value


class Neuron(Module):
    """One neuron: ``activation(b + w0*x0 + w1*x1 + ...)``.

    Args:
        n_inputs: how many inputs it takes.
        activation: ``"relu"`` (micrograd's default), ``"tanh"``, ``"sigmoid"``
            or ``"linear"`` (none).
        init: ``"uniform"`` draws weights from U(-1, 1) as micrograd does;
            ``"xavier"`` from U(±sqrt(6 / (fan_in + fan_out))) (Glorot, for
            tanh/sigmoid); ``"he"`` from U(±sqrt(6 / fan_in)) (Kaiming, for relu).
            The bias starts at 0.
        seed: an int, a ``random.Random`` to draw from, or None to use the
            global ``random`` module (as micrograd does).
        fan_out: the number of neurons in the layer this neuron belongs to;
            only Xavier initialisation uses it.

    Example:
        >>> n = Neuron(2, activation="sigmoid")
        >>> n.load_weights([0.15, 0.25], 0.35)
        >>> round(n([0.1, 0.2]).data, 6)
        0.602286
    """

    def __init__(
        self,
        n_inputs: int,
        activation: Activation = "relu",
        *,
        init: Init = "uniform",
        seed: Seed = None,
        fan_out: int = 1,
    ) -> None:
        _check_count(n_inputs, "n_inputs")
        _check_count(fan_out, "fan_out")
        self.activation: Activation = _check_activation(activation, "activation")
        self.init: Init = _check_init(init)
        self._activate = ACTIVATIONS[activation]
        rng = _rng(seed)
        limit = _init_limit(init, n_inputs, fan_out)
        self.w = [Value(rng.uniform(-limit, limit)) for _ in range(n_inputs)]
        self.b = Value(0.0)
        self._label("")

    @property
    def n_inputs(self) -> int:
        """Number of inputs (weights)."""
        return len(self.w)

    def __call__(self, x: Sequence[Value | float]) -> Value:
        return self._forward(_as_inputs(x, len(self.w), self))

    def _forward(self, x: Sequence[Value]) -> Value:
        # The training hot path. A plain loop in micrograd's order: b + w0*x0,
        # then + w1*x1, ... (sum() over a generator is slower and adds a 0 + ...).
        act = self.b
        for wi, xi in zip(self.w, x, strict=False):  # widths were checked by the caller
            act = act + wi * xi
        activate = self._activate
        return act if activate is None else activate(act)

    def pre_activation(self, x: Sequence[Value | float]) -> Value:
        """The weighted sum ``b + w·x`` before the activation (the z of textbooks)."""
        act = self.b
        for wi, xi in zip(self.w, _as_inputs(x, len(self.w), self), strict=True):
            act = act + wi * xi
        return act

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def load_weights(self, weights: Sequence[float], bias: float) -> None:
        """Set the weights (one per input) and the bias; checked before any change."""
        _check_row(weights, len(self.w), "load_weights: weights")
        self.load_parameters([*weights, bias])

    def config(self) -> dict[str, Any]:
        return {"type": "Neuron", "n_inputs": len(self.w), "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, activation={self.activation!r})"


class Layer(Module):
    """A fully connected layer: ``n_outputs`` neurons reading the same inputs.

    Always returns a list (micrograd's unwraps a single output, which breaks a
    one-neuron hidden layer).

    Example:
        >>> layer = Layer(2, 2, activation="linear")
        >>> layer.load_weights([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.0])
        >>> [v.data for v in layer([3.0, 4.0])]
        [3.5, 8.0]
    """

    def __init__(
        self,
        n_inputs: int,
        n_outputs: int,
        activation: Activation = "relu",
        *,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        _check_count(n_inputs, "n_inputs")
        _check_count(n_outputs, "n_outputs")
        rng = _rng(seed)
        self.neurons = [
            Neuron(n_inputs, activation, init=init, seed=rng, fan_out=n_outputs)
            for _ in range(n_outputs)
        ]
        self.activation: Activation = activation
        self._label("")

    @property
    def n_inputs(self) -> int:
        """Number of inputs each neuron reads."""
        return self.neurons[0].n_inputs

    @property
    def n_outputs(self) -> int:
        """Number of neurons (outputs)."""
        return len(self.neurons)

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return self._forward(_as_inputs(x, self.n_inputs, self))

    def _forward(self, x: Sequence[Value]) -> list[Value]:
        return [n._forward(x) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"neurons.{i}.{name}", p)
            for i, n in enumerate(self.neurons)
            for name, p in n.named_parameters()
        ]

    def children(self) -> list[Module]:
        return list(self.neurons)

    def load_weights(self, weights: Sequence[Sequence[float]], biases: Sequence[float]) -> None:
        """Set the weights, one row per neuron (``weights[j][i]``: input i -> neuron j),
        and the biases, one per neuron; checked in full before any change."""
        self.load_parameters(_flatten_layer(weights, biases, self.n_inputs, self.n_outputs, ""))

    def config(self) -> dict[str, Any]:
        return {
            "type": "Layer",
            "n_inputs": self.n_inputs,
            "n_outputs": self.n_outputs,
            "activation": self.activation,
        }

    def __repr__(self) -> str:
        return f"Layer({self.n_inputs}, {self.n_outputs}, activation={self.activation!r})"
