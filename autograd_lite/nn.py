"""Neural-network building blocks on scalar Values: Module, Neuron, Layer, MLP.

The classes follow micrograd's, so code and weights move between the two: a
``Neuron`` computes ``activation(b + w0*x0 + w1*x1 + ...)`` in exactly that
order (so losses agree with micrograd's to the last bit when the weights are
copied), and ``parameters()`` lists layer by layer, neuron by neuron, each
neuron's weights and then its bias.

Beyond micrograd: activations per layer, Xavier/He initialisation, seeds, named
parameters, setting weights by hand (``load_weights``), JSON checkpoints that
are validated before anything is changed, ``trace`` for worked examples, and a
bridge to ``torch.nn.Sequential`` for users who outgrow a scalar engine.
"""

from __future__ import annotations

import importlib
import itertools
import json
import math
import numbers
import os
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from autograd_lite.ops import OPS
from autograd_lite.value import Value

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "Activation",
    "Init",
    "Layer",
    "LayerTrace",
    "Module",
    "Neuron",
]

#: The activations a neuron can apply to its weighted sum.
Activation = Literal["relu", "tanh", "sigmoid", "linear"]
#: Weight initialisation schemes (biases always start at 0, as in micrograd).
Init = Literal["uniform", "xavier", "he"]

ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": None,
}
INITS = ("uniform", "xavier", "he")

# The same activations on floats, from the op table (so the two paths agree).
_FLOAT_ACTIVATIONS: dict[str, Callable[[float], float] | None] = {
    name: None if name == "linear" else OPS[name].forward for name in ACTIVATIONS
}

#: An int seed, a ``random.Random`` to draw from, or None for the global ``random``
#: module (so ``random.seed(1337)`` gives micrograd's demo weights). MLP and Layer
#: hand the module itself down to their neurons when given None.
Seed = int | random.Random | None

_CHECKPOINT_FORMAT = "autograd_lite.checkpoint"
_CHECKPOINT_VERSION = 1


class Module:
    """Base class: anything with parameters that can be called on inputs.

    Subclasses implement ``named_parameters()`` and ``__call__``; everything
    else (``parameters``, ``zero_grad``, ``state_dict``, ``save``/``load``) is
    built on those.
    """

    def __call__(self, x: Sequence[Value | float]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __call__")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs in ``parameters()`` order; names like ``neurons.1.w.0``."""
        raise NotImplementedError(f"{type(self).__name__} must define named_parameters")

    def parameters(self) -> list[Value]:
        """The trainable leaves in micrograd's order (weights, then bias, per neuron)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (do it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-ready data (stored in checkpoints)."""
        return {"type": type(self).__name__}

    def load_parameters(self, values: Sequence[float]) -> None:
        """Set every parameter from a flat list in ``parameters()`` order.

        This is how weights move from micrograd:
        ``ours.load_parameters([p.data for p in theirs.parameters()])``. The
        list is checked in full before anything changes.

        Example:
            >>> n = Neuron(2, activation="linear")
            >>> n.load_parameters([0.5, -1.0, 0.25])
            >>> n([2.0, 1.0]).data
            0.25
        """
        params = self.parameters()
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(
                f"load_parameters: expected a list of {len(params)} numbers, "
                f"got {type(values).__name__}"
            )
        if len(values) != len(params):
            raise ValueError(
                f"load_parameters: {self!r} has {len(params)} parameters, got {len(values)} "
                "values; list them in parameters() order (each neuron's weights, then its bias)"
            )
        numbers_ = [_checked_number(v, f"load_parameters: value {i}") for i, v in enumerate(values)]
        for p, v in zip(params, numbers_, strict=True):
            p.data = v

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, e.g. ``{"w.0": 0.3, ..., "b": 0.0}``."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the parameters from ``state_dict()`` output.

        The names must match exactly and every value must be a finite real
        number; everything is checked before any parameter changes, so on error
        the model is left as it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> number, got {type(state).__name__}"
            )
        named = self.named_parameters()
        expected = [name for name, _ in named]
        missing = [name for name in expected if name not in state]
        known = set(expected)
        unexpected = [str(name) for name in state if name not in known]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {_some(missing)}")
            if unexpected:
                parts.append(f"unexpected {_some(unexpected)}")
            raise ValueError(
                f"load_state_dict: the state does not fit {self!r}: {'; '.join(parts)}. "
                "It was saved from a model of another shape; build the same architecture first."
            )
        new = [_checked_number(state[name], f"load_state_dict: {name!r}") for name in expected]
        for (_, p), v in zip(named, new, strict=True):
            p.data = v

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and parameters to ``path`` as JSON (never pickle).

        Floats are written with ``repr`` precision, so ``load`` restores them
        bit for bit.
        """
        document = {
            "format": _CHECKPOINT_FORMAT,
            "version": _CHECKPOINT_VERSION,
            "model": self.config(),
            "parameters": self.state_dict(),
        }
        with open(path, "w", encoding="utf-8") as f:
            json.dump(document, f, indent=1, allow_nan=False)
            f.write("\n")

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read parameters written by ``save`` into this model.

        Raises ValueError, leaving the model unchanged, when the file is not an
        autograd_lite checkpoint, was saved from a different architecture, or
        holds non-numeric or non-finite values.
        """
        with open(path, encoding="utf-8") as f:
            try:
                document = json.load(f)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise ValueError(
                    f"load({str(path)!r}): not valid JSON (is it a checkpoint written by "
                    f"Module.save?): {error}"
                ) from None
        if not isinstance(document, dict) or document.get("format") != _CHECKPOINT_FORMAT:
            raise ValueError(
                f"load({str(path)!r}): not an autograd_lite checkpoint (written by Module.save)"
            )
        if document.get("version") != _CHECKPOINT_VERSION:
            raise ValueError(
                f"load({str(path)!r}): checkpoint version {document.get('version')!r} is not "
                f"supported (this autograd_lite reads version {_CHECKPOINT_VERSION})"
            )
        if document.get("model") != self.config():
            raise ValueError(
                f"load({str(path)!r}): the file holds a {_describe_config(document.get('model'))}, "
                f"but this model is {self!r}; build that architecture, then load"
            )
        parameters = document.get("parameters")
        if not isinstance(parameters, dict):
            raise ValueError(f"load({str(path)!r}): the checkpoint has no 'parameters' mapping")
        self.load_state_dict(parameters)


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

    def _label(self, prefix: str) -> None:
        for name, p in self.named_parameters():
            p.label = prefix + name

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

    def _label(self, prefix: str) -> None:
        for i, n in enumerate(self.neurons):
            n._label(f"{prefix}neurons.{i}.")

    def __repr__(self) -> str:
        return f"Layer({self.n_inputs}, {self.n_outputs}, activation={self.activation!r})"


class LayerTrace(NamedTuple):
    """One layer's forward pass: pre-activations ``z`` and activations ``a``."""

    z: list[Value]
    a: list[Value]


class MLP(Module):
    """A multi-layer perceptron: layers of neurons, each feeding the next.

    Args:
        n_inputs: width of the input.
        layer_sizes: neurons per layer, the last being the output layer, e.g.
            ``[16, 16, 1]``; a one-neuron hidden layer (``[16, 1, 1]``) works.
        activation: the hidden layers' activation.
        output_activation: the last layer's (``"linear"`` as in micrograd; use
            ``"sigmoid"`` with ``binary_cross_entropy``).
        init: ``"uniform"``, ``"xavier"`` or ``"he"`` (see ``Neuron``).
        seed: an int (two models with the same seed are identical), a
            ``random.Random``, or None for the global ``random`` module, which
            with ``random.seed(1337)`` gives micrograd's demo weights.

    Calling the model returns a Value when the last layer has one neuron (as
    micrograd's does) and a list of Values otherwise.

    Example, the 2-2-1 network of the worked example (seed 003):
        >>> model = MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid")
        >>> model.load_weights([
        ...     ([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35]),  # hidden: a row per neuron
        ...     ([[0.40, 0.45]], [0.60]),                     # output
        ... ])
        >>> round(model([0.1, 0.2]).data, 4)
        0.7528
    """

    def __init__(
        self,
        n_inputs: int,
        layer_sizes: Sequence[int],
        activation: Activation = "relu",
        output_activation: Activation = "linear",
        *,
        init: Init = "uniform",
        seed: Seed = None,
    ) -> None:
        _check_count(n_inputs, "n_inputs")
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(
                f"MLP: layer_sizes must be a list of ints such as [16, 16, 1], got {layer_sizes!r}"
            )
        if not layer_sizes:
            raise ValueError("MLP: layer_sizes is empty; give at least the output layer, e.g. [1]")
        for size in layer_sizes:
            _check_count(size, "every entry of layer_sizes")
        self.activation: Activation = _check_activation(activation, "activation")
        self.output_activation: Activation = _check_activation(
            output_activation, "output_activation"
        )
        _check_init(init)
        self.init: Init = init
        rng = _rng(seed)
        sizes = [n_inputs, *layer_sizes]
        last = len(layer_sizes) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                init=init,
                seed=rng,
            )
            for i in range(len(layer_sizes))
        ]
        self._label("")

    @property
    def n_inputs(self) -> int:
        """Width of the input."""
        return self.layers[0].n_inputs

    @property
    def n_outputs(self) -> int:
        """Width of the output (1: calling the model returns a Value)."""
        return self.layers[-1].n_outputs

    @property
    def layer_sizes(self) -> list[int]:
        """Neurons per layer."""
        return [layer.n_outputs for layer in self.layers]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self._run(x)
        return out[0] if len(out) == 1 else out

    def _run(self, x: Sequence[Value | float]) -> list[Value]:
        # Lifting each input to a Value once, rather than once per neuron (as
        # ``w * 0.5`` would), saves n_inputs * (n_neurons - 1) leaves per sample.
        values = _as_inputs(x, self.layers[0].n_inputs, self)
        for layer in self.layers:
            values = layer._forward(values)
        return values

    def forward_floats(self, x: Sequence[float]) -> list[float]:
        """The outputs for one sample on plain floats: no graph, about 10x faster.

        The same arithmetic in the same order as calling the model (the results
        are equal bit for bit), for evaluating many points, e.g. a decision
        boundary. Always returns a list.

        Example:
            >>> model = MLP(2, [3, 1], seed=0)
            >>> model.forward_floats([0.5, -1.0]) == [model([0.5, -1.0]).data]
            True
        """
        width = self.n_inputs
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) != width:
            raise ValueError(f"{self!r} takes a list of {width} numbers (one sample), got {x!r}")
        values = [float(v) for v in x]
        for layer in self.layers:
            activate = _FLOAT_ACTIVATIONS[layer.activation]
            out = []
            for n in layer.neurons:
                act = n.b.data
                for wi, xi in zip(n.w, values, strict=True):
                    act = act + wi.data * xi
                out.append(act if activate is None else activate(act))
            values = out
        return values

    def trace(self, x: Sequence[Value | float]) -> list[LayerTrace]:
        """The forward pass layer by layer: each layer's ``z`` (weighted sums) and
        ``a`` (activations), as the worked examples tabulate them. The last
        layer's ``a`` is the model's output, part of the same graph.

        Example:
            >>> model = MLP(2, [1], output_activation="sigmoid")
            >>> model.load_weights([([[1.0, 1.0]], [0.0])])
            >>> [(t.z[0].data, t.a[0].data) for t in model.trace([0.0, 0.0])]
            [(0.0, 0.5)]
        """
        values = _as_inputs(x, self.n_inputs, self)
        rows = []
        for layer in self.layers:
            z = [n.pre_activation(values) for n in layer.neurons]
            activate = ACTIVATIONS[layer.activation]
            values = z if activate is None else [activate(v) for v in z]
            rows.append(LayerTrace(z, values))
        return rows

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.{name}", p)
            for i, layer in enumerate(self.layers)
            for name, p in layer.named_parameters()
        ]

    def load_weights(
        self, layers: Sequence[tuple[Sequence[Sequence[float]], Sequence[float]]]
    ) -> None:
        """Set every weight and bias by hand, one ``(weights, biases)`` pair per layer.

        ``weights`` has a row per neuron of the layer (``weights[j][i]`` connects
        input i to neuron j, PyTorch's ``Linear.weight`` layout) and ``biases``
        one number per neuron. Everything is checked before any change.
        """
        if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
            raise TypeError(
                "load_weights: expected a list of (weights, biases) pairs, one per layer"
            )
        if len(layers) != len(self.layers):
            raise ValueError(
                f"load_weights: {self!r} has {len(self.layers)} layers, got {len(layers)} "
                "(weights, biases) pairs"
            )
        flat: list[float] = []
        for i, (pair, layer) in enumerate(zip(layers, self.layers, strict=True)):
            if not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f"load_weights: layer {i}: expected a (weights, biases) pair")
            flat += _flatten_layer(
                pair[0], pair[1], layer.n_inputs, layer.n_outputs, f"layer {i}: "
            )
        self.load_parameters(flat)

    def config(self) -> dict[str, Any]:
        return {
            "type": "MLP",
            "n_inputs": self.n_inputs,
            "layer_sizes": self.layer_sizes,
            "activation": self.activation,
            "output_activation": self.output_activation,
        }

    def _label(self, prefix: str) -> None:
        for i, layer in enumerate(self.layers):
            layer._label(f"{prefix}layers.{i}.")

    def __repr__(self) -> str:
        return (
            f"MLP({self.n_inputs}, {self.layer_sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )

    # -- PyTorch bridge -------------------------------------------------------------

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Sequential`` (float64) with the same weights.

        ``Linear`` layers followed by ``ReLU``/``Tanh``/``Sigmoid`` (none for
        linear), so a model built here can move to PyTorch. Outputs agree to
        about 1e-15 (PyTorch sums a dot product in another order).
        """
        torch = _import_torch("MLP.to_torch()")
        modules = []
        for layer in self.layers:
            linear = torch.nn.Linear(layer.n_inputs, layer.n_outputs, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(
                    torch.tensor(
                        [[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64
                    )
                )
                linear.bias.copy_(
                    torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64)
                )
            modules.append(linear)
            if layer.activation != "linear":
                modules.append(getattr(torch.nn, _TORCH_NAMES[layer.activation])())
        return torch.nn.Sequential(*modules)

    @classmethod
    def from_torch(cls, module: Any) -> MLP:
        """Build an MLP from a ``torch.nn.Sequential`` of ``Linear`` layers (with
        bias), each optionally followed by ``ReLU``, ``Tanh`` or ``Sigmoid``.

        All hidden layers must share one activation; the output layer may differ.
        """
        torch = _import_torch("MLP.from_torch()")
        if not isinstance(module, torch.nn.Sequential):
            raise TypeError(
                f"MLP.from_torch: expected a torch.nn.Sequential, got {type(module).__name__}"
            )
        names = {cls_name: act for act, cls_name in _TORCH_NAMES.items()}
        layers: list[tuple[Any, Activation]] = []
        for child in module:
            if isinstance(child, torch.nn.Linear):
                if child.bias is None:
                    raise ValueError("MLP.from_torch: every Linear needs a bias (bias=True)")
                layers.append((child, "linear"))
            elif type(child).__name__ in names:
                if not layers or layers[-1][1] != "linear":
                    raise ValueError(
                        f"MLP.from_torch: {type(child).__name__} must follow a Linear layer"
                    )
                layers[-1] = (layers[-1][0], _check_activation(names[type(child).__name__], ""))
            else:
                raise ValueError(
                    f"MLP.from_torch: unsupported module {type(child).__name__}; use Linear "
                    "followed by ReLU, Tanh, Sigmoid or nothing"
                )
        if not layers:
            raise ValueError("MLP.from_torch: the Sequential has no Linear layer")
        hidden = {act for _, act in layers[:-1]}
        if len(hidden) > 1:
            raise ValueError(
                f"MLP.from_torch: hidden layers use different activations {sorted(hidden)}; "
                "an MLP has one hidden activation"
            )
        for (a, _), (b, _) in itertools.pairwise(layers):
            if a.out_features != b.in_features:
                raise ValueError(
                    f"MLP.from_torch: a Linear with {a.out_features} outputs feeds one with "
                    f"{b.in_features} inputs"
                )
        model = cls(
            layers[0][0].in_features,
            [lin.out_features for lin, _ in layers],
            activation=hidden.pop() if hidden else "relu",
            output_activation=layers[-1][1],
        )
        model.load_weights(
            [
                (lin.weight.detach().double().tolist(), lin.bias.detach().double().tolist())
                for lin, _ in layers
            ]
        )
        return model


# -- helpers ---------------------------------------------------------------------------

_TORCH_NAMES: dict[str, str] = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


def _import_torch(where: str) -> Any:
    try:
        torch = importlib.import_module("torch")
    except ImportError:
        raise ImportError(f"{where} needs PyTorch: pip install 'autograd-lite[torch]'") from None
    return torch


def _as_inputs(x: Sequence[Value | float], width: int, model: Module) -> list[Value]:
    """Check the input width and lift numbers to leaves (Values pass through)."""
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
        raise TypeError(
            f"{model!r} takes a list of {width} numbers (one sample), got {type(x).__name__}"
        )
    if len(x) != width:
        raise ValueError(
            f"{model!r} takes {width} input(s), got {len(x)}: the sample's width must match "
            "n_inputs"
        )
    return [xi if isinstance(xi, Value) else Value(xi) for xi in x]


def _rng(seed: Seed) -> Any:
    """Where random numbers come from; the global ``random`` module for None."""
    if seed is None or seed is random:  # type: ignore[comparison-overlap]  # passed down by MLP
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, a random.Random or None, got {seed!r}")
    return random.Random(seed)


def _init_limit(init: str, fan_in: int, fan_out: int) -> float:
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    return math.sqrt(6.0 / fan_in)


def _check_count(n: Any, name: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")


def _check_activation(activation: Any, name: str) -> Activation:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{name}={activation!r}: choose one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return activation  # type: ignore[no-any-return]


def _check_init(init: Any) -> Init:
    if init not in INITS:
        raise ValueError(f"init={init!r}: choose one of {', '.join(map(repr, INITS))}")
    return init  # type: ignore[no-any-return]


def _checked_number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError(f"{where}: expected a real number, got {type(v).__name__} {v!r}")
    number = float(v)
    if not math.isfinite(number):
        raise ValueError(f"{where}: {number} is not finite; parameters must be finite numbers")
    return number


def _check_row(row: Any, width: int, where: str) -> None:
    if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
        raise ValueError(f"{where}: expected a list of {width} numbers, got {type(row).__name__}")
    if len(row) != width:
        raise ValueError(f"{where}: expected {width} numbers (one per input), got {len(row)}")


def _flatten_layer(
    weights: Sequence[Sequence[float]], biases: Sequence[float], n_in: int, n_out: int, where: str
) -> list[float]:
    """Weights (a row per neuron) and biases as one list in parameters() order."""
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise ValueError(f"load_weights: {where}weights must be a list of rows, one per neuron")
    if len(weights) != n_out:
        raise ValueError(
            f"load_weights: {where}expected {n_out} weight rows (one per neuron), "
            f"got {len(weights)}"
        )
    _check_row(biases, n_out, f"load_weights: {where}biases")
    flat: list[float] = []
    for j, (row, bias) in enumerate(zip(weights, biases, strict=True)):
        _check_row(row, n_in, f"load_weights: {where}neuron {j}")
        flat += [*row, bias]
    return flat


def _some(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def _describe_config(config: Any) -> str:
    if not isinstance(config, dict):
        return "model of unknown architecture"
    args = ", ".join(f"{k}={v!r}" for k, v in config.items() if k != "type")
    return f"{config.get('type', 'model')}({args})"
