"""Neural-network building blocks on scalar Values: Module, Neuron, Layer,
Sequential, the activation modules (ReLU, Tanh, Sigmoid), MLP, and the remedies
for training trouble: Dropout, BatchNorm, Residual.

The classes follow micrograd's, so code and weights move between the two: a
``Neuron`` computes ``activation(b + w0*x0 + w1*x1 + ...)`` in exactly that
order (so losses agree with micrograd's to the last bit when the weights are
copied), and ``parameters()`` lists layer by layer, neuron by neuron, each
neuron's weights and then its bias.

Beyond micrograd: activations per layer, Xavier/He initialisation, seeds, named
parameters, setting weights by hand (``load_weights``), JSON checkpoints
written whole or not at all and validated before anything is changed, from
which ``nn.load`` (or ``MLP.load``) rebuilds the model, ``trace`` for worked
examples, and a
bridge to ``torch.nn.Sequential`` (``torch_bridge.py``) for users who outgrow a
scalar engine.

Every module has a training mode (the default) and an evaluation mode
(``model.train()`` / ``model.eval()``), as in PyTorch: ``Dropout`` zeroes
inputs only while training, and ``BatchNorm`` normalises with the batch's own
statistics while training and with running averages in evaluation.

Batches: a module is called on one sample (a list of numbers or Values);
``forward_batch(X)`` runs a whole batch (a list of samples) at once. Only batch
norm needs the whole batch (it normalises each feature across it); every other
module's ``forward_batch`` is just one call per sample, and ``fit`` feeds each
mini-batch through ``forward_batch``.

Networks compose, as in ``torch.nn``: ``Sequential(Layer(2, 8, "linear"),
BatchNorm(8), ReLU(), Dropout(0.1), Layer(8, 1, "linear"))`` is a network whose
parameters, buffers, modes, batches and checkpoints come from its parts. An
``MLP`` is such a composition, built from three arguments, which is all a tiny
network needs: ``MLP(2, [8, 8, 1], batch_norm=True, dropout=0.1, residual=True)``
builds each hidden block as ``Layer -> BatchNorm -> activation -> Dropout``
(``MLP.net``), wrapped in ``Residual`` (``x + block(x)``) where the block's
input and output widths agree.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NamedTuple, TypeVar, cast, overload

from autograd_lite import torch_bridge
from autograd_lite._helpers import (
    is_real,
    is_whole,
    modes_restored,
    sum_values,
    write_atomically,
)
from autograd_lite.autodiff import graph_building, no_grad
from autograd_lite.jit import JitError, is_tracing
from autograd_lite.ops import OPS
from autograd_lite.value import Value, number_of

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "Activation",
    "BatchNorm",
    "Dropout",
    "Init",
    "Layer",
    "LayerTrace",
    "Module",
    "Neuron",
    "Pointwise",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "load",
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

_M = TypeVar("_M", bound="Module")

#: BatchNorm's defaults (PyTorch's BatchNorm1d's); checkpoints record others only.
_NORM_DEFAULTS = {"momentum": 0.1, "eps": 1e-5}


_Path = str | os.PathLike[str]


class _Load:
    """``load`` as a class and as a model method, told apart by how it is reached:
    ``MLP.load(path)`` builds a new MLP from the file (``_load_new``), and
    ``model.load(path)`` reads the file's parameters into ``model`` (``_load_into``)."""

    @overload
    def __get__(self, model: None, owner: type[_M]) -> Callable[[_Path], _M]: ...

    @overload
    def __get__(
        self, model: Module, owner: type[Module] | None = None
    ) -> Callable[[_Path], None]: ...

    def __get__(
        self, model: Module | None, owner: type[Module] | None = None
    ) -> Callable[[_Path], Any]:
        if model is None:
            assert owner is not None  # reached through a class
            return types.MethodType(_load_new, owner)
        return types.MethodType(_load_into, model)


class Module(ABC):
    """Base class: anything with parameters that can be called on inputs.

    Subclasses implement ``named_parameters()`` and ``__call__`` (and
    ``children()`` when they hold other modules); everything else
    (``parameters``, ``zero_grad``, ``train``/``eval``, ``forward_batch``,
    ``state_dict``, ``save``/``load``) is built on those.
    """

    #: True in training mode (every module starts in it), False after ``eval()``.
    training: bool = True

    @abstractmethod
    def __call__(self, x: Sequence[Value | float]) -> Any:
        """The module's output for one sample."""

    @graph_building()
    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[Any]:
        """The outputs for a batch of samples, one output per sample.

        A module whose samples are independent (most of them) just calls
        itself once per sample; ``BatchNorm`` (and a model holding one) needs
        the whole batch at once, which is why ``fit`` calls this.

        Example:
            >>> layer = Layer(1, 1, activation="linear")
            >>> layer.load_weights([[2.0]], [0.5])
            >>> [[v.data for v in out] for out in layer.forward_batch([[1.0], [3.0]])]
            [[2.5], [6.5]]
        """
        return [self(x) for x in _checked_batch(X, self)]

    @abstractmethod
    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs in ``parameters()`` order; names like ``neurons.1.w.0``."""

    def named_buffers(self) -> list[tuple[str, Value]]:
        """State that is saved with the parameters but not trained (``(name, Value)``
        pairs), such as batch norm's running statistics; empty for most modules."""
        return []

    def children(self) -> list[Module]:
        """The modules this one is directly built from (a layer's neurons, ...)."""
        return []

    def modules(self) -> list[Module]:
        """This module and every module inside it, depth first, itself first."""
        found: list[Module] = []
        stack: list[Module] = [self]
        while stack:
            module = stack.pop()
            found.append(module)
            stack.extend(reversed(module.children()))
        return found

    def train(self: _M, mode: bool = True) -> _M:
        """Put this module and all modules inside it in training mode (or, with
        ``mode=False``, evaluation mode); returns the module, as PyTorch does.

        In training mode ``Dropout`` drops inputs and ``BatchNorm`` uses the
        batch's statistics (and updates its running averages); in evaluation
        mode dropout is the identity and batch norm uses the running averages.

        Example:
            >>> model = MLP(2, [4, 1], dropout=0.5, seed=0)
            >>> model.eval().training, model.train().training
            (False, True)
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode={mode!r}): mode must be True or False")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self: _M) -> _M:
        """Evaluation mode (``train(False)``): dropout off, batch norm on running averages."""
        return self.train(False)

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
        """Every parameter's value by name, e.g. ``{"w.0": 0.3, ..., "b": 0.0}``,
        followed by the buffers (batch norm's running statistics), if any."""
        return {name: p.data for name, p in self._named_state()}

    def _named_state(self) -> list[tuple[str, Value]]:
        return self.named_parameters() + self.named_buffers()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the parameters from ``state_dict()`` output.

        The names must match exactly, every value must be a finite real number,
        and a variance (batch norm's running variance) must not be negative;
        everything is checked before any parameter changes, so on error the
        model is left as it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> number, got {type(state).__name__}"
            )
        named = self._named_state()
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
        variances = {v for module in self.modules() for v in module._variances()}
        for (name, p), v in zip(named, new, strict=True):
            if v < 0.0 and p in variances:
                raise ValueError(
                    f"load_state_dict: {name!r} is {v!r}, but it is a variance, which cannot "
                    "be negative; the state was edited or corrupted"
                )
        for (_, p), v in zip(named, new, strict=True):
            p.data = v

    def _variances(self) -> list[Value]:
        """State that must never be negative (checked on loading); none by default."""
        return []

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and parameters to ``path`` as JSON (never pickle),
        whole or not at all.

        The checkpoint is built, serialised and checked in full first: a
        parameter that is not a finite number (training diverged) raises one
        ValueError naming it, and nothing is written. Only then is the file
        replaced, atomically (a temporary file in the same folder, fsync,
        ``os.replace``): a full disk or an unwritable folder raises OSError and
        leaves the file that was there byte for byte. Floats are written with
        ``repr`` precision, so loading restores them bit for bit.
        """
        write_atomically(path, _checkpoint_text(self, f"save({str(path)!r})"))

    load = _Load()
    """Read a checkpoint written by ``save``, on a class or on a model.

    ``MLP.load(path)`` (on the class) builds a new MLP from the file, its
    architecture and parameters, and refuses a file that holds another kind of
    model (``nn.load(path)`` takes any). ``model.load(path)`` (on a model)
    reads the parameters into this model, whose architecture must be the
    file's. Either raises ValueError, leaving any model unchanged, when the
    file is not an autograd_lite checkpoint, describes what cannot be built,
    or holds values that are not finite real numbers.
    """

    def _label(self, prefix: str) -> None:
        """Name every parameter and buffer after its place in the model (drawings show it)."""
        for name, p in self._named_state():
            p.label = prefix + name


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
        dropout: the probability of dropping each hidden activation in training
            (``Dropout`` after every hidden layer); 0 for none.
        batch_norm: normalise every hidden layer's weighted sums over the batch
            (``BatchNorm``) before its activation.
        residual: add a skip connection around every hidden layer whose input
            and output widths agree (its output becomes ``x + layer(x)``); the
            first layer (unless ``n_inputs`` equals its width) and the output
            layer have none.

    Calling the model returns a Value when the last layer has one neuron (as
    micrograd's does) and a list of Values otherwise.

    With ``dropout``, ``batch_norm`` or ``residual``, hidden layer i computes
    ``x -> Linear -> BatchNorm -> activation -> Dropout (+ x)``. The weights are
    drawn exactly as without them (same seed, same weights), so a remedy can be
    compared with the plain network. A model with batch norm needs a batch in
    training mode: use ``model.forward_batch(X)`` (as ``fit`` does), or
    ``model.eval()`` before calling it on one sample.

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
        dropout: float = 0.0,
        batch_norm: bool = False,
        residual: bool = False,
    ) -> None:
        _check_count(n_inputs, "n_inputs")
        self.dropout = _check_dropout(dropout, "MLP: dropout")
        for flag, name in ((batch_norm, "batch_norm"), (residual, "residual")):
            if not isinstance(flag, bool):
                raise TypeError(f"MLP: {name} must be True or False, got {flag!r}")
        self.batch_norm = batch_norm
        self.residual = residual
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
        # Batch norm sits between the weighted sum and the activation, so those
        # layers' neurons stay linear and the MLP applies the activation itself.
        hidden = "linear" if batch_norm else activation
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else hidden,
                init=init,
                seed=rng,
            )
            for i in range(len(layer_sizes))
        ]
        #: One BatchNorm per hidden layer when ``batch_norm``, else empty.
        self.norms = [BatchNorm(size) for size in layer_sizes[:-1]] if batch_norm else []
        # Drawn after the weights, so the weights do not depend on dropout.
        #: One Dropout per hidden layer when ``dropout > 0``, else empty.
        self.dropouts = (
            [Dropout(self.dropout, seed=rng.getrandbits(64)) for _ in layer_sizes[:-1]]
            if self.dropout
            else []
        )
        #: Whether hidden layer i has a skip connection around it.
        self.skips = [residual and sizes[i] == sizes[i + 1] for i in range(last)]
        if residual and not any(self.skips):
            raise ValueError(
                f"MLP: residual=True, but no hidden layer of {n_inputs} -> {list(layer_sizes)} "
                "has as many outputs as inputs, so there is nothing a skip connection can add "
                "to; give two hidden layers of the same width, e.g. [8, 8, 1]"
            )
        #: The network as a composition: one block per hidden layer
        #: (``Layer -> [BatchNorm -> activation] -> [Dropout]``, in a ``Residual``
        #: where ``skips`` says so), then the output layer. Parameters, buffers,
        #: modes, batches and drawings all come from it.
        self.net = Sequential(*self._blocks(), self.layers[-1])
        # The names checkpoints use, by part (micrograd's order: the composition's).
        self._prefixes: dict[Module, str] = {
            **{layer: f"layers.{i}." for i, layer in enumerate(self.layers)},
            **{norm: f"norms.{i}." for i, norm in enumerate(self.norms)},
        }
        # The plain network takes micrograd's code path, untouched by the remedies.
        self._plain = not (self.norms or self.dropouts or residual)
        self._label("")

    def _blocks(self) -> list[Module]:
        blocks: list[Module] = []
        for i, layer in enumerate(self.layers[:-1]):
            steps: list[Module] = [layer]
            if self.norms:
                # Batch norm sits between the weighted sums and the activation.
                steps.append(self.norms[i])
                if self.activation != "linear":
                    steps.append(_ACTIVATION_MODULES[self.activation]())
            if self.dropouts:
                steps.append(self.dropouts[i])
            block = steps[0] if len(steps) == 1 else Sequential(*steps)
            blocks.append(Residual(block) if self.skips[i] else block)
        return blocks

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

    @graph_building()
    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = self._run(x) if self._plain else self._run_batch([x])[0]
        return out[0] if len(out) == 1 else out

    @graph_building()
    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[Value | list[Value]]:
        """The outputs for a batch of samples (each a Value, or a list for several
        outputs); batch norm, if any, normalises over this batch.

        Example:
            >>> model = MLP(1, [3, 1], batch_norm=True, seed=0)
            >>> outputs = model.forward_batch([[0.5], [1.0], [2.0]])
            >>> len(outputs), type(outputs[0]).__name__
            (3, 'Value')
        """
        if self._plain:
            return [self(x) for x in _checked_batch(X, self)]
        return [out[0] if len(out) == 1 else out for out in self._run_batch(X)]

    def _run_batch(self, X: Sequence[Sequence[Value | float]]) -> list[list[Value]]:
        """The forward pass through the composition, over the whole batch."""
        width = self.n_inputs
        rows = [_as_inputs(x, width, self) for x in _checked_batch(X, self)]
        return self.net.forward_batch(rows)

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

        A model with dropout, batch norm or skip connections is evaluated as in
        evaluation mode (no dropout, batch norm's running averages), whatever
        its mode.

        Example:
            >>> model = MLP(2, [3, 1], seed=0)
            >>> model.forward_floats([0.5, -1.0]) == [model([0.5, -1.0]).data]
            True
        """
        width = self.n_inputs
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) != width:
            raise ValueError(f"{self!r} takes a list of {width} numbers (one sample), got {x!r}")
        if not self._plain:
            with modes_restored(self), no_grad():
                self.eval()
                return [v.data for v in self._run_batch([x])[0]]
        values = _float_inputs(x, self)
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
        if not self._plain:
            raise ValueError(
                f"trace() follows plain layers (z, then a = activation(z)); {self!r} has "
                "dropout, batch norm or skip connections between them. Trace an MLP built "
                "without them."
            )
        values = _as_inputs(x, self.n_inputs, self)
        rows = []
        for layer in self.layers:
            z = [n.pre_activation(values) for n in layer.neurons]
            activate = ACTIVATIONS[layer.activation]
            values = z if activate is None else [activate(v) for v in z]
            rows.append(LayerTrace(z, values))
        return rows

    def named_parameters(self) -> list[tuple[str, Value]]:
        # In the composition's (forward) order: each layer's weights and biases, then
        # its batch norm's scales and shifts; a plain MLP has only the layers, in
        # micrograd's order. Names stay ``layers.i.`` and ``norms.i.``.
        return [
            (self._prefixes[part] + name, p)
            for part in self._parts()
            for name, p in part.named_parameters()
        ]

    def named_buffers(self) -> list[tuple[str, Value]]:
        return [
            (self._prefixes[part] + name, v)
            for part in self._parts()
            for name, v in part.named_buffers()
        ]

    def _parts(self) -> Iterator[Module]:
        """The layers and batch norms, in the order the composition runs them."""
        return (m for m in self.net.modules() if m in self._prefixes)

    def children(self) -> list[Module]:
        return [self.net]

    def layer_grad_norms(self) -> list[float]:
        """The gradient's size in each layer: ``sqrt(sum(p.grad^2))`` over the
        layer's weights and biases, first layer first.

        Call it after ``backward()``. Vanishing gradients show as numbers that
        shrink towards the first layer (batch norm's own scales and shifts are
        left out, so networks with and without it compare directly).

        Example:
            >>> model = MLP(1, [1, 1], activation="linear", seed=0)
            >>> model.load_weights([([[2.0]], [0.0]), ([[3.0]], [0.0])])
            >>> model([1.0]).backward()
            >>> model.layer_grad_norms()  # layer 1: (3*1, 3), layer 2: (2, 1)
            [4.242640687119285, 2.23606797749979]
        """
        return [
            math.sqrt(sum(number_of(p.grad) ** 2 for p in layer.parameters()))
            for layer in self.layers
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
        if self._plain:
            self.load_parameters(flat)
            return
        # Batch norm's scales and shifts are not given here: set the layers' only.
        params = [p for layer in self.layers for p in layer.parameters()]
        numbers_ = [_checked_number(v, f"load_weights: value {i}") for i, v in enumerate(flat)]
        for p, v in zip(params, numbers_, strict=True):
            p.data = v

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "type": "MLP",
            "n_inputs": self.n_inputs,
            "layer_sizes": self.layer_sizes,
            "activation": self.activation,
            "output_activation": self.output_activation,
        }
        # Only when used, so checkpoints of plain MLPs look as they always did.
        config.update(self._remedies())
        if any(map(_norm_settings, self.norms)):  # set by hand or by from_torch
            config["norm_settings"] = [
                {"momentum": norm.momentum, "eps": norm.eps} for norm in self.norms
            ]
        return config

    def _remedies(self) -> dict[str, Any]:
        remedies: dict[str, Any] = {}
        if self.dropout:
            remedies["dropout"] = self.dropout
        if self.batch_norm:
            remedies["batch_norm"] = True
        if self.residual:
            remedies["residual"] = True
        return remedies

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self._remedies().items())
        return (
            f"MLP({self.n_inputs}, {self.layer_sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}{extra})"
        )

    # -- PyTorch bridge (torch_bridge.py) -----------------------------------------------

    def to_torch(self) -> Any:
        """An equivalent ``torch.nn.Sequential`` (float64) with the same weights.

        ``Linear`` layers followed by ``ReLU``/``Tanh``/``Sigmoid`` (none for
        linear), so a model built here can move to PyTorch. Outputs agree to
        about 1e-15 (PyTorch sums a dot product in another order). Batch norm
        becomes ``BatchNorm1d`` (with its running statistics) and dropout
        ``Dropout``; the Sequential is in this model's mode. Skip connections
        have no place in a Sequential: a residual MLP raises ValueError.
        """
        if self.residual:
            raise ValueError(
                "to_torch(): a torch.nn.Sequential cannot hold skip connections; build the "
                "residual network in PyTorch as a Module whose forward adds x to each block"
            )
        return torch_bridge.to_sequential(_torch_steps(self.net), self.training, "MLP.to_torch()")

    @classmethod
    def from_torch(cls, module: Any) -> MLP:
        """Build an MLP from a ``torch.nn.Sequential`` such as ``to_torch`` makes.

        Each layer is a ``Linear`` (with bias), optionally followed by
        ``BatchNorm1d``, by ``ReLU``, ``Tanh`` or ``Sigmoid``, and by
        ``Dropout``. All hidden layers must share one activation, and batch norm
        and dropout (one ``p``) must follow every hidden layer or none; the
        output layer may have its own activation, and nothing else. Weights,
        batch norm's scales, shifts and running statistics, and the mode are
        copied.
        """
        where = "MLP.from_torch"
        steps, training = torch_bridge.from_sequential(module, where)
        layers = torch_bridge.group_layers(steps, where)
        hidden = layers[:-1]
        activations = {_check_activation(act, "activation") for _, _, act, _ in hidden}
        if len(activations) > 1:
            raise ValueError(
                f"{where}: hidden layers use different activations {sorted(activations)}; "
                "an MLP has one hidden activation"
            )
        norms = [norm for _, norm, _, _ in hidden]
        drops = {p for _, _, _, p in hidden}
        if (any(norms) and not all(norms)) or len(drops) > 1:
            raise ValueError(
                f"{where}: batch norm and dropout must follow every hidden layer or none, with "
                "one dropout probability; an MLP builds all its hidden layers alike"
            )
        if layers[-1][1] is not None or layers[-1][3] is not None:
            raise ValueError(
                f"{where}: the output layer may have an activation only, no BatchNorm1d or "
                "Dropout after it"
            )
        for (a, *_), (b, *_) in itertools.pairwise(layers):
            if len(a.weights) != len(b.weights[0]):
                raise ValueError(
                    f"{where}: a Linear with {len(a.weights)} outputs feeds one with "
                    f"{len(b.weights[0])} inputs"
                )
        model = cls(
            len(layers[0][0].weights[0]),
            [len(linear.weights) for linear, *_ in layers],
            activation=activations.pop() if activations else "relu",
            output_activation=_check_activation(layers[-1][2], "output_activation"),
            batch_norm=bool(norms) and all(norms),
            dropout=next(iter(drops)) or 0.0 if drops else 0.0,
        )
        model.load_weights([(linear.weights, linear.biases) for linear, *_ in layers])
        for norm, step in zip(model.norms, [n for n in norms if n is not None], strict=True):
            norm.eps, norm.momentum = step.eps, step.momentum
            norm.load_state_dict(
                {
                    f"{field}.{j}": v
                    for field in ("gamma", "beta", "running_mean", "running_var")
                    for j, v in enumerate(getattr(step, field))
                }
            )
        return model.train(training)


# -- composition: Sequential and the activation modules --------------------------------


class Sequential(Module):
    """Modules applied one after another, each to the previous one's output, as
    ``torch.nn.Sequential``; its parameters, buffers and modes are its parts'.

    Parameters are named by position (``0.neurons.1.w.0``), so a checkpoint of
    a Sequential records which part each value belongs to.

    Example:
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


class Pointwise(Module):
    """An activation as a module: applies ``activation`` to every input (the base
    of ``ReLU``, ``Tanh`` and ``Sigmoid``); it has no parameters."""

    #: the op-table name of the activation
    activation: ClassVar[Activation]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(
                f"{self!r} takes a list of numbers (one sample), got {type(x).__name__}"
            )
        activate = ACTIVATIONS[self.activation]
        assert activate is not None
        return [activate(xi if isinstance(xi, Value) else Value(xi)) for xi in x]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return []

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ReLU(Pointwise):
    """``max(x, 0)`` on every input.

    Example:
        >>> [v.data for v in ReLU()([-1.0, 2.0])]
        [0.0, 2.0]
    """

    activation = "relu"


class Tanh(Pointwise):
    """``tanh(x)`` on every input."""

    activation = "tanh"


class Sigmoid(Pointwise):
    """``1 / (1 + exp(-x))`` on every input."""

    activation = "sigmoid"


_ACTIVATION_MODULES: dict[str, type[Pointwise]] = {
    "relu": ReLU,
    "tanh": Tanh,
    "sigmoid": Sigmoid,
}


# -- remedies for training trouble --------------------------------------------------------


class Dropout(Module):
    """Inverted dropout: in training, each input is zeroed with probability ``p``
    and the others are scaled by ``1 / (1 - p)``, so every output's expected
    value is its input; in evaluation mode it is the identity.

    Dropping a random part of the activations on every step keeps neurons from
    relying on each other, a remedy for overfitting (Srivastava et al., 2014).

    Args:
        p: the probability of dropping each input, in [0, 1).
        seed: an int or a ``random.Random``; the masks come from this module's
            own generator, so runs repeat and the global ``random`` is untouched.

    Example:
        >>> drop = Dropout(0.5, seed=0)
        >>> [v.data for v in drop([1.0, 1.0, 1.0, 1.0])]
        [2.0, 2.0, 0.0, 0.0]
        >>> [v.data for v in drop.eval()([1.0, 1.0, 1.0, 1.0])]
        [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, *, seed: int | random.Random = 0) -> None:
        self.p = _check_dropout(p, "Dropout: p")
        if isinstance(seed, random.Random):
            self._rng = seed
        elif not is_whole(seed):
            raise TypeError(f"Dropout: seed must be an int or a random.Random, got {seed!r}")
        else:
            self._rng = random.Random(seed)

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        if isinstance(x, (Value, str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(
                f"{self!r} takes a list of numbers (one sample), got {type(x).__name__}"
            )
        return self._drop([xi if isinstance(xi, Value) else Value(xi) for xi in x])

    def _drop(self, x: list[Value]) -> list[Value]:
        p = self.p
        if not self.training or p == 0.0:
            return x
        if is_tracing():
            raise JitError(
                f"{self!r} is in training mode while jit traces the model: it draws a new "
                "random mask on every call, which a compiled trace would replay frozen. Call "
                "model.eval() before compiling, or train with compile=False"
            )
        keep = 1.0 / (1.0 - p)
        draw = self._rng.random
        # A multiplication by the mask, as PyTorch computes it: a dropped input
        # stays in the graph with local derivative 0, so drawings show the drop.
        return [xi * (0.0 if draw() < p else keep) for xi in x]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return []

    def config(self) -> dict[str, Any]:
        return {"type": "Dropout", "p": self.p}

    def __repr__(self) -> str:
        return f"Dropout(p={self.p!r})"


class BatchNorm(Module):
    """Batch normalisation of ``n_features`` scalar activations (Ioffe & Szegedy, 2015),
    PyTorch's ``BatchNorm1d``.

    In training mode each feature j is normalised over the batch,
    ``y = gamma_j * (x - mean_j) / sqrt(var_j + eps) + beta_j`` (``var`` the
    biased batch variance), and the running averages move towards the batch's
    statistics: ``running = (1 - momentum) * running + momentum * batch``, with
    the unbiased variance, as PyTorch does. In evaluation mode the running
    averages take the batch's place, so a single sample can be normalised.
    ``gamma`` (PyTorch's ``weight``, starting at 1) and ``beta`` (``bias``,
    starting at 0) are learned; the running averages are buffers: saved in
    checkpoints, never trained.

    A batch is a list of samples, each a list of ``n_features`` numbers or
    Values; call ``forward_batch(X)``. Calling it on one sample works only in
    evaluation mode: one sample has no variance to normalise by.

    Example:
        >>> norm = BatchNorm(1)
        >>> [round(out[0].data, 4) for out in norm.forward_batch([[1.0], [3.0]])]
        [-1.0, 1.0]
        >>> round(norm.running_mean[0].data, 4), round(norm.running_var[0].data, 4)
        (0.2, 1.1)
    """

    def __init__(self, n_features: int, *, momentum: float = 0.1, eps: float = 1e-5) -> None:
        _check_count(n_features, "BatchNorm: n_features")
        self.momentum, self.eps = _checked_norm_settings(momentum, eps)
        self.gamma = [Value(1.0) for _ in range(n_features)]
        self.beta = [Value(0.0) for _ in range(n_features)]
        self.running_mean = [Value(0.0) for _ in range(n_features)]
        self.running_var = [Value(1.0) for _ in range(n_features)]
        self._label("")

    @property
    def n_inputs(self) -> int:
        """Number of features normalised (each sample's width)."""
        return len(self.gamma)

    @property
    def n_outputs(self) -> int:
        """The same as ``n_inputs``."""
        return len(self.gamma)

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return self.forward_batch([x])[0]

    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[list[Value]]:
        width = self.n_inputs
        return self._normalise([_as_inputs(x, width, self) for x in _checked_batch(X, self)])

    def _normalise(self, rows: list[list[Value]]) -> list[list[Value]]:
        n = len(rows)
        if not self.training:
            return [self._normalise_running(row) for row in rows]
        if n < 2:
            raise ValueError(
                f"{self!r} in training mode normalises each feature over the batch, so it "
                f"needs at least 2 samples, got {n}: pass a batch (model.forward_batch(X), or "
                "fit with batch_size >= 2), or call model.eval() to use the running statistics"
            )
        if is_tracing():
            raise JitError(
                f"{self!r} is in training mode while jit traces the model: it normalises over "
                "the batch and updates its running statistics as a side effect, which a "
                "compiled trace cannot replay. Call model.eval() before compiling, or train "
                "with compile=False"
            )
        inv_n = 1.0 / n
        momentum = self.momentum
        columns = []
        for j, column in enumerate(zip(*rows)):
            mean = sum_values(column) * inv_n
            centred = [x - mean for x in column]
            var = sum_values([c * c for c in centred]) * inv_n
            inv_std = (var + self.eps) ** -0.5
            gamma, beta = self.gamma[j], self.beta[j]
            columns.append([gamma * (c * inv_std) + beta for c in centred])
            # NOTE: the running variance is the unbiased n/(n-1) one, as in PyTorch,
            # while the batch is normalised with the biased one.
            running_mean, running_var = self.running_mean[j], self.running_var[j]
            running_mean.data = (1.0 - momentum) * running_mean.data + momentum * mean.data
            unbiased = var.data * n / (n - 1)
            running_var.data = (1.0 - momentum) * running_var.data + momentum * unbiased
        return [list(row) for row in zip(*columns)]

    def _normalise_running(self, row: list[Value]) -> list[Value]:
        if is_tracing():
            # Under jit the running statistics must stay inputs, read at every replay
            # (they change while training goes on), not floats baked into the trace.
            return [
                self.gamma[j]
                * ((x - self.running_mean[j]) * (self.running_var[j] + self.eps) ** -0.5)
                + self.beta[j]
                for j, x in enumerate(row)
            ]
        out = []
        for j, x in enumerate(row):
            inv_std = 1.0 / math.sqrt(self.running_var[j].data + self.eps)
            out.append(self.gamma[j] * ((x - self.running_mean[j].data) * inv_std) + self.beta[j])
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            *((f"gamma.{j}", g) for j, g in enumerate(self.gamma)),
            *((f"beta.{j}", b) for j, b in enumerate(self.beta)),
        ]

    def named_buffers(self) -> list[tuple[str, Value]]:
        return [
            *((f"running_mean.{j}", m) for j, m in enumerate(self.running_mean)),
            *((f"running_var.{j}", v) for j, v in enumerate(self.running_var)),
        ]

    def _variances(self) -> list[Value]:
        return list(self.running_var)

    def config(self) -> dict[str, Any]:
        # momentum and eps only when they are not the defaults, so checkpoints
        # written before they were recorded still describe the same model.
        return {"type": "BatchNorm", "n_features": self.n_inputs, **_norm_settings(self)}

    def __repr__(self) -> str:
        settings = "".join(f", {k}={v!r}" for k, v in _norm_settings(self).items())
        return f"BatchNorm({self.n_inputs}{settings})"


class Residual(Module):
    """A skip connection: ``x + module(x)``, input i added to output i.

    The gradient reaches ``x`` through the sum directly as well as through the
    module, so it cannot vanish inside a deep stack of such blocks (He et al.,
    2016). The module must have as many outputs as inputs.

    Example:
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


# -- checkpoints: writing, reading, and rebuilding a model from one ------------------------

#: How deep nn.load rebuilds modules inside modules; a real network is far shallower,
#: and the limit keeps a hostile file from exhausting Python's recursion.
_MAX_DEPTH = 100


def load(path: str | os.PathLike[str]) -> Module:
    """Build the model saved in ``path`` (by ``Module.save``): its architecture,
    parameters and buffers, whatever kind of module it is.

    ``MLP.load(path)`` does the same and also checks that the file holds an
    MLP (``Sequential.load``, ``Layer.load`` ... likewise). The model starts
    in training mode, as a new model does, and dropout draws fresh masks.
    Anything the file does not describe exactly (another kind of model, an
    unknown module, bad settings, parameters that do not fit) raises
    ValueError, and an OSError comes through when the file cannot be read.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> model = MLP(2, [3, 1], batch_norm=True, seed=0)
        >>> model.save(path)
        >>> load(path)
        MLP(2, [3, 1], activation='relu', output_activation='linear', batch_norm=True)
        >>> MLP.load(path).state_dict() == model.state_dict()
        True
        >>> Layer.load(path)
        Traceback (most recent call last):
        ...
        ValueError: Layer.load(...): the file holds an MLP, not a Layer; ...
    """
    return _built_from_file(path, f"nn.load({str(path)!r})", None)


def _load_new(cls: type[_M], path: _Path) -> _M:
    """``cls.load(path)``: a new model of class ``cls`` built from the checkpoint in
    ``path`` (see ``nn.load``); ValueError when the file holds another class."""
    return cast("_M", _built_from_file(path, f"{cls.__name__}.load({str(path)!r})", cls))


def _built_from_file(path: _Path, where: str, cls: type[Module] | None) -> Module:
    """The model saved in ``path``, refused unless it is a ``cls`` (any module for None)."""
    document = _read_checkpoint(path, where)
    config = document.get("model")
    kind = _kind(config, where)
    if cls is not None and not issubclass(kind, cls):
        raise ValueError(
            f"{where}: the file holds {_a(kind.__name__)}, not {_a(cls.__name__)}; load it "
            f"with nn.load(path) (or {kind.__name__}.load(path))"
        )
    parameters = _parameters(document, where)
    # A model far larger than the values in the file is refused before it is built
    # (layer_sizes=[10**9] would fill the memory); one about the file's size is built,
    # so that the names missing from the file can be listed.
    size, held = _state_size(config, where, 0), len(parameters)
    if size > 2 * held + 1000:
        raise ValueError(
            f"{where}: the file describes {_a(_describe_config(config))} with {size} "
            f"parameters and buffers, but holds {held} values; it was edited or is corrupt"
        )
    model = _build(config, where, 0)
    if model.config() != config:
        raise ValueError(
            f"{where}: the file's {_describe_config(config)} is not what Module.save writes "
            f"for the model it describes ({_describe_config(model.config())}); it was edited "
            "by hand: write the settings as save does, or build the model and call model.load"
        )
    expected = [name for name, _ in model._named_state()]
    missing = [name for name in expected if name not in parameters]
    unexpected = sorted(set(parameters) - set(expected))
    if missing or unexpected:
        parts = [f"missing {_some(missing)}"] if missing else []
        parts += [f"unexpected {_some(unexpected)}"] if unexpected else []
        raise ValueError(
            f"{where}: the file's parameters do not fit the {_describe_config(config)} it "
            f"describes: {'; '.join(parts)}; the file was edited or is corrupt"
        )
    model.load_state_dict(parameters)
    return model


def _load_into(model: Module, path: _Path) -> None:
    """``model.load(path)``: read parameters written by ``save`` into this model.

    Raises ValueError, leaving the model unchanged, when the file is not an
    autograd_lite checkpoint, was saved from a different architecture, or
    holds non-numeric or non-finite values.
    """
    where = f"load({str(path)!r})"
    document = _read_checkpoint(path, where)
    if document.get("model") != model.config():
        raise ValueError(
            f"{where}: the file holds a {_describe_config(document.get('model'))}, "
            f"but this model is {model!r}; build that architecture, then load (or let "
            f"{type(model).__name__}.load(path) build it)"
        )
    model.load_state_dict(_parameters(document, where))


def _checkpoint_text(model: Module, where: str) -> str:
    """``model``'s checkpoint as JSON text, checked in full: what ``save`` writes."""
    buffers = {v for _, v in model.named_buffers()}
    state: dict[str, float] = {}
    bad: list[tuple[str, Value]] = []
    for name, p in model._named_state():
        if name in state:
            raise ValueError(
                f"{where}: two parameters of {model!r} are named {name!r}, so a checkpoint "
                "would keep only one of them; give each its own name in named_parameters()"
            )
        number = _float_or_none(p.data)
        state[name] = 0.0 if number is None else number
        if number is None or not math.isfinite(number):
            bad.append((name, p))
    if bad:
        name, p = bad[0]
        kind = "buffer" if p in buffers else "parameter"
        label = f" (labelled {p.label!r})" if p.label and p.label != name else ""
        data = p.data
        what = f"is {_short(data)}" if is_real(data) else f"is {type(data).__name__} {_short(data)}"
        others = len(bad) - 1
        more = (
            (f", and {others} more {'is not a finite number' if others == 1 else 'are not either'}")
            if others
            else ""
        )
        raise ValueError(
            f"{where}: {kind} {name!r}{label} {what}{more}. A checkpoint holds finite numbers "
            "only, so nothing was written (a file already there is unchanged). If training "
            f"diverged, reload the last good checkpoint ({type(model).__name__}.load(path)) "
            "and train again with a lower learning rate (or clip the gradients)"
        )
    config = model.config()
    document = {
        "format": _CHECKPOINT_FORMAT,
        "version": _CHECKPOINT_VERSION,
        "model": config,
        "parameters": state,
    }
    try:
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as error:  # the parameters are finite floats by now
        raise ValueError(
            f"{where}: {type(model).__name__}.config() returns {_short(config)}, which JSON "
            f"cannot hold ({error}); return only dicts with str keys, lists, strings, finite "
            "numbers, bools and None"
        ) from None
    if json.loads(text) != document:
        raise ValueError(
            f"{where}: {type(model).__name__}.config() returns {_short(config)}, which does "
            "not read back the same from JSON (a tuple becomes a list, an int key a string), "
            "so load could not recognise the model; return lists and str keys"
        )
    return text


def _float_or_none(data: Any) -> float | None:
    """``data`` as a float (inf for an int too large for one); None if not a number."""
    if not is_real(data):
        return None
    try:
        return float(data)
    except OverflowError:
        return math.inf


class _DuplicateKeyError(ValueError):
    """A JSON object with the same key twice (json keeps the last without a word)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key that appears twice."""
    found: dict[str, Any] = {}
    for key, item in pairs:
        if key in found:
            raise _DuplicateKeyError(key)
        found[key] = item
    return found


def _read_checkpoint(path: _Path, where: str) -> dict[str, Any]:
    """The JSON document in ``path``, if it is a checkpoint of a version we read."""
    with open(path, encoding="utf-8") as f:
        try:
            document = json.load(f, object_pairs_hook=_unique_keys)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(
                f"{where}: not valid JSON (is it a checkpoint written by Module.save?): {error}"
            ) from None
        except RecursionError:  # brackets nested deeper than the decoder recurses
            raise ValueError(
                f"{where}: not a checkpoint written by Module.save: its JSON is nested far "
                "deeper than a checkpoint ever is"
            ) from None
        except _DuplicateKeyError as error:
            raise ValueError(
                f"{where}: the key {str(error)!r} appears twice in one object, and only one of "
                "the two could be read; Module.save never writes that: the file was edited"
            ) from None
        except ValueError:  # an integer of more digits than Python converts (4300)
            raise ValueError(
                f"{where}: not a checkpoint written by Module.save: it holds an integer of "
                "thousands of digits, which no parameter needs (a float holds at most about "
                "1.8e308); the file was edited or is corrupt"
            ) from None
    if not isinstance(document, dict) or document.get("format") != _CHECKPOINT_FORMAT:
        raise ValueError(f"{where}: not an autograd_lite checkpoint (written by Module.save)")
    if document.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(
            f"{where}: checkpoint version {_short(document.get('version'))} is not "
            f"supported (this autograd_lite reads version {_CHECKPOINT_VERSION})"
        )
    return document


def _parameters(document: dict[str, Any], where: str) -> dict[str, Any]:
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: the checkpoint has no 'parameters' mapping")
    return parameters


#: What nn.load can rebuild: each kind's class, and its settings (required, optional).
_KINDS: dict[str, tuple[type[Module], tuple[str, ...], tuple[str, ...]]] = {
    "MLP": (
        MLP,
        ("n_inputs", "layer_sizes", "activation", "output_activation"),
        ("dropout", "batch_norm", "residual", "norm_settings"),
    ),
    "Sequential": (Sequential, ("modules",), ()),
    "Layer": (Layer, ("n_inputs", "n_outputs", "activation"), ()),
    "Neuron": (Neuron, ("n_inputs", "activation"), ()),
    "ReLU": (ReLU, (), ()),
    "Tanh": (Tanh, (), ()),
    "Sigmoid": (Sigmoid, (), ()),
    "Dropout": (Dropout, ("p",), ()),
    "BatchNorm": (BatchNorm, ("n_features",), ("momentum", "eps")),
    "Residual": (Residual, ("module",), ()),
}


def _kind(config: Any, where: str) -> type[Module]:
    """The class a module's config names, once its settings are the ones it takes."""
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        raise ValueError(
            f"{where}: the file does not describe a model (expected a mapping with a 'type', "
            f"got {_short(config)}); was it written by Module.save?"
        )
    name = config["type"]
    if name not in _KINDS:
        raise ValueError(
            f"{where}: the file holds {_a(_short(name))} module, which nn.load cannot rebuild "
            f"(it rebuilds {', '.join(_KINDS)}); build the model in code and call "
            "model.load(path) on it"
        )
    kind, required, optional = _KINDS[name]
    missing = [key for key in required if key not in config]
    unknown = [key for key in config if key != "type" and key not in required + optional]
    if missing or unknown:
        parts = [f"no {key!r}" for key in missing] + [f"an unknown {_short(k)}" for k in unknown]
        raise ValueError(
            f"{where}: the {name} in the file has {' and '.join(parts)} ({_a(name)} is described "
            f"by {', '.join(required + optional) or 'its type alone'}); the file was edited"
        )
    return kind


def _state_size(config: Any, where: str, depth: int) -> int:
    """How many parameters and buffers ``config`` describes, without building it
    (0 for what ``_build`` will refuse), so a file cannot make nn.load build a
    model far larger than the values it holds."""
    if depth > _MAX_DEPTH:
        raise ValueError(
            f"{where}: the file nests modules more than {_MAX_DEPTH} deep, deeper than "
            "nn.load rebuilds; build the model in code and call model.load(path) on it"
        )
    if not isinstance(config, dict):
        return 0
    name = config.get("type")
    if name in ("Sequential", "Residual"):
        parts = config.get("modules") if name == "Sequential" else [config.get("module")]
        if not isinstance(parts, list):
            return 0
        return sum(_state_size(part, where, depth + 1) for part in parts)
    layer_sizes = config.get("layer_sizes")
    sizes = _whole_numbers(
        [config.get("n_inputs"), *(layer_sizes if isinstance(layer_sizes, list) else [None])]
        if name == "MLP"
        else [config.get(key) for key in ("n_inputs", "n_outputs", "n_features") if key in config]
    )
    if not sizes:
        return 0
    if name == "MLP":
        weights = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
        return weights + (4 * sum(sizes[1:-1]) if config.get("batch_norm") is True else 0)
    if name == "Layer" and len(sizes) == 2:
        return (sizes[0] + 1) * sizes[1]
    if name == "Neuron":
        return sizes[0] + 1
    return 4 * sizes[0] if name == "BatchNorm" else 0


def _whole_numbers(items: Any) -> list[int]:
    """``items`` when it is a list of ints, else empty."""
    if not isinstance(items, list) or not all(is_whole(n) for n in items):
        return []
    return items


def _build(config: Any, where: str, depth: int) -> Module:
    """A new module as ``config`` describes it (its parameters still to be loaded).

    Seeds are fixed, so building never draws from the global ``random``."""
    kind = _kind(config, where)
    name = config["type"]
    if name == "Sequential" and not (isinstance(config["modules"], list) and config["modules"]):
        raise ValueError(f"{where}: the Sequential in the file has no list of modules")
    parts = (
        [_build(c, where, depth + 1) for c in config["modules"]]
        if name == "Sequential"
        else [_build(config["module"], where, depth + 1)]
        if name == "Residual"
        else []
    )
    try:
        return _construct(kind, config, parts)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: the file's {_describe_config(config)} cannot be built: {error}"
        ) from None


def _construct(kind: type[Module], config: dict[str, Any], parts: list[Module]) -> Module:
    """Call ``kind``'s constructor with the settings in ``config``."""
    if kind is MLP:
        model = MLP(
            config["n_inputs"],
            config["layer_sizes"],
            config["activation"],
            config["output_activation"],
            seed=0,
            dropout=config.get("dropout", 0.0),
            batch_norm=config.get("batch_norm", False),
            residual=config.get("residual", False),
        )
        settings = config.get("norm_settings", [{}] * len(model.norms))
        if not (isinstance(settings, list) and len(settings) == len(model.norms)):
            raise ValueError(f"norm_settings must be a list of {len(model.norms)} mappings")
        for norm, setting in zip(model.norms, settings, strict=True):
            if not isinstance(setting, dict) or set(setting) - set(_NORM_DEFAULTS):
                raise ValueError(f"norm_settings holds {_short(setting)}, not momentum and eps")
            norm.momentum, norm.eps = _checked_norm_settings(**{**_NORM_DEFAULTS, **setting})
        return model
    if kind is Sequential:
        return Sequential(*parts)
    if kind is Residual:
        return Residual(parts[0])
    if kind is Layer:
        return Layer(config["n_inputs"], config["n_outputs"], config["activation"], seed=0)
    if kind is Neuron:
        return Neuron(config["n_inputs"], config["activation"], seed=0)
    if kind is Dropout:
        return Dropout(config["p"], seed=0)
    if kind is BatchNorm:
        settings = {**_NORM_DEFAULTS, **{k: config[k] for k in _NORM_DEFAULTS if k in config}}
        return BatchNorm(config["n_features"], **settings)
    return kind()  # the activations take no settings


def _a(noun: str) -> str:
    """``noun`` with its article: an MLP, a Layer."""
    return f"{'an' if noun.startswith('MLP') or noun[:1] in 'AEIOU' else 'a'} {noun}"


# -- helpers ---------------------------------------------------------------------------


def _torch_steps(net: Module) -> list[torch_bridge.Step]:
    """The steps of a composition, for ``torch_bridge.to_sequential``."""
    steps: list[torch_bridge.Step] = []
    for part in net.modules():
        if isinstance(part, Layer):
            weights = [[w.data for w in n.w] for n in part.neurons]
            steps.append(torch_bridge.LinearStep(weights, [n.b.data for n in part.neurons]))
            if part.activation != "linear":
                steps.append(torch_bridge.ActivationStep(part.activation))
        elif isinstance(part, BatchNorm):
            gamma, beta, mean, var = (
                [v.data for v in values]
                for values in (part.gamma, part.beta, part.running_mean, part.running_var)
            )
            steps.append(torch_bridge.NormStep(gamma, beta, mean, var, part.eps, part.momentum))
        elif isinstance(part, Pointwise):
            steps.append(torch_bridge.ActivationStep(part.activation))
        elif isinstance(part, Dropout):
            steps.append(torch_bridge.DropoutStep(part.p))
    return steps


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


def _float_inputs(x: Sequence[Any], model: Module) -> list[float]:
    """One sample as floats for the float path (a Value gives its ``.data``); each
    must be a finite real number, as ``Value(x)`` requires on the graph path."""
    values = []
    for i, xi in enumerate(x):
        number = xi.data if xi.__class__ is Value else xi
        if number.__class__ is not float or number - number != 0.0:  # not a finite float
            if not is_real(number):
                raise TypeError(
                    f"{model!r}.forward_floats: input {i} is {type(xi).__name__} {_short(xi)}; "
                    "give real numbers (convert text first, e.g. float('1.5'); bools are refused "
                    "as a likely mistake)"
                )
            number = _checked_number(number, f"{model!r}.forward_floats: input {i}", "inputs")
        values.append(number)
    return values


def _checked_batch(X: Any, model: Module) -> Sequence[Any]:
    """A batch must be a non-empty list of samples."""
    if isinstance(X, (Value, str, bytes)) or not isinstance(X, Sequence):
        raise TypeError(
            f"{model!r}.forward_batch takes a list of samples (each a list of numbers), "
            f"got {type(X).__name__}"
        )
    if not X:
        raise ValueError(f"{model!r}.forward_batch: the batch is empty; give at least one sample")
    return X


def _add_skip(x: list[Value], out: Any, model: Module | None = None) -> list[Value]:
    """``x + out`` elementwise: a residual block's output."""
    outs = [out] if isinstance(out, Value) else out
    if len(outs) != len(x):
        raise ValueError(
            f"{model!r}: the wrapped module returned {len(outs)} output(s) for {len(x)} "
            "input(s); a skip connection adds input i to output i, so the widths must agree"
        )
    return [xi + oi for xi, oi in zip(x, outs)]


def _check_dropout(p: Any, where: str) -> float:
    if not is_real(p):
        raise TypeError(f"{where} must be a number in [0, 1), got {p!r}")
    if not 0.0 <= float(p) < 1.0:
        raise ValueError(
            f"{where}={p!r} is the probability of dropping an input and must be in [0, 1): "
            "0 keeps everything, and 1 would drop everything (and divide by 1 - p = 0)"
        )
    return float(p)


def _rng(seed: Seed) -> Any:
    """Where random numbers come from; the global ``random`` module for None."""
    if seed is None or seed is random:  # type: ignore[comparison-overlap]  # passed down by MLP
        return random
    if isinstance(seed, random.Random):
        return seed
    if not is_whole(seed):
        raise TypeError(f"seed must be an int, a random.Random or None, got {seed!r}")
    return random.Random(seed)


def _init_limit(init: str, fan_in: int, fan_out: int) -> float:
    if init == "uniform":
        return 1.0
    if init == "xavier":
        return math.sqrt(6.0 / (fan_in + fan_out))
    return math.sqrt(6.0 / fan_in)


def _check_count(n: Any, name: str) -> None:
    if not is_whole(n) or n < 1:
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


def _checked_number(v: Any, where: str, kind: str = "parameters") -> float:
    if not is_real(v):
        raise ValueError(f"{where}: expected a real number, got {type(v).__name__} {_short(v)}")
    try:
        number = float(v)
    except OverflowError:  # an int such as 10**400
        raise ValueError(
            f"{where}: {_short(v)} is too large for a float (whose largest is about 1.8e308); "
            f"{kind} must be finite numbers"
        ) from None
    if not math.isfinite(number):
        beyond = " (a number beyond about 1.8e308, such as 1e999, reads as inf)"
        raise ValueError(
            f"{where}: {number} is not finite{beyond if math.isinf(number) else ''}; "
            f"{kind} must be finite numbers"
        )
    return number


def _short(v: Any) -> str:
    """``repr(v)``, cut short in the middle when long (an int of 400 digits)."""
    text = repr(v)
    return text if len(text) <= 60 else f"{text[:25]}...{text[-25:]} ({len(text)} characters)"


def _checked_norm_settings(momentum: Any, eps: Any) -> tuple[float, float]:
    """Batch norm's momentum in [0, 1] and eps > 0, as floats."""
    for name, number in (("momentum", momentum), ("eps", eps)):
        if not is_real(number):
            raise TypeError(f"BatchNorm: {name} must be a number, got {number!r}")
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"BatchNorm: momentum={momentum!r} must be in [0, 1] (PyTorch: 0.1)")
    if not (math.isfinite(eps) and eps > 0.0):
        raise ValueError(f"BatchNorm: eps={eps!r} must be > 0 (it keeps sqrt(var + eps) > 0)")
    return float(momentum), float(eps)


def _norm_settings(norm: BatchNorm) -> dict[str, float]:
    """A batch norm's momentum and eps where they differ from the defaults."""
    settings = {}
    if norm.momentum != _NORM_DEFAULTS["momentum"]:
        settings["momentum"] = norm.momentum
    if norm.eps != _NORM_DEFAULTS["eps"]:
        settings["eps"] = norm.eps
    return settings


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
