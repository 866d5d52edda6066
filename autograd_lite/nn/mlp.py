"""``MLP``: a multi-layer perceptron built from three arguments, as a composition
of layers, batch norms, activations, dropouts and skip connections.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from autograd_lite._helpers import (
    modes_restored,
)
from autograd_lite.autodiff import graph_building, no_grad
from autograd_lite.nn._checks import (
    Activation,
    Init,
    Seed,
    _as_inputs,
    _checked_batch,
    _checked_number,
    _float_inputs,
)
from autograd_lite.nn.building import build_parts, flatten_weights
from autograd_lite.nn.convert import mlp_parts_from_torch, to_sequential
from autograd_lite.nn.module import Module
from autograd_lite.nn.regularisation import _norm_settings
from autograd_lite.nn.tracing import (
    LayerTrace,
    float_forward,
    float_layers,
    layer_grad_norms,
    trace_layers,
)
from autograd_lite.value import Value


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
        parts = build_parts(
            n_inputs,
            layer_sizes,
            activation,
            output_activation,
            init=init,
            seed=seed,
            dropout=dropout,
            batch_norm=batch_norm,
            residual=residual,
        )
        self.activation, self.output_activation, self.init, self.dropout = parts.settings
        self.batch_norm: bool = batch_norm
        self.residual: bool = residual
        #: The layers of neurons; one BatchNorm and one Dropout per hidden layer
        #: (or none); whether each hidden layer has a skip connection.
        self.layers, self.norms, self.dropouts, self.skips = parts.layers, *parts.remedies
        #: The network as a composition (``Layer -> [BatchNorm -> activation] ->
        #: [Dropout]`` per hidden layer, in a ``Residual`` where ``skips`` says so,
        #: then the output layer): parameters, buffers, modes, batches and drawings
        #: all come from it.
        self.net = parts.net
        # The names checkpoints use, by part (micrograd's order: the composition's).
        self._prefixes: dict[Module, str] = parts.prefixes
        # The plain network takes micrograd's code path, untouched by the remedies.
        self._plain = not (self.norms or self.dropouts or residual)
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
        return float_forward(self.layers, _float_inputs(x, self))

    def forward_floats_by_layer(self, x: Sequence[float]) -> list[list[float]]:
        """Every layer's outputs for one sample on plain floats, first layer first:
        what each neuron computes (after its activation), e.g. to picture each
        hidden unit over the input plane. The last list is ``forward_floats(x)``,
        bit for bit. Plain layers only, as ``trace``.

        Example:
            >>> model = MLP(2, [3, 1], seed=0)
            >>> hidden, out = model.forward_floats_by_layer([0.5, -1.0])
            >>> len(hidden), out == model.forward_floats([0.5, -1.0])
            (3, True)
        """
        width = self.n_inputs
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence) or len(x) != width:
            raise ValueError(f"{self!r} takes a list of {width} numbers (one sample), got {x!r}")
        if not self._plain:
            raise ValueError(
                f"forward_floats_by_layer() follows plain layers; {self!r} has dropout, "
                "batch norm or skip connections between them. Use forward_floats() for its "
                "outputs."
            )
        return float_layers(self.layers, _float_inputs(x, self))

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
        return trace_layers(self.layers, _as_inputs(x, self.n_inputs, self))

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
        return layer_grad_norms(self.layers)

    def load_weights(
        self, layers: Sequence[tuple[Sequence[Sequence[float]], Sequence[float]]]
    ) -> None:
        """Set every weight and bias by hand, one ``(weights, biases)`` pair per layer.

        ``weights`` has a row per neuron of the layer (``weights[j][i]`` connects
        input i to neuron j, PyTorch's ``Linear.weight`` layout) and ``biases``
        one number per neuron. Everything is checked before any change.
        """
        flat = flatten_weights(layers, self.layers, self)
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
        return to_sequential(self.net, self.training, "MLP.to_torch()")

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
        parts = mlp_parts_from_torch(module, "MLP.from_torch")
        model = cls(parts.n_inputs, parts.layer_sizes, **parts.settings)
        model.load_weights(parts.weights)
        for norm, (eps, momentum, state) in zip(model.norms, parts.norms, strict=True):
            norm.eps, norm.momentum = eps, momentum
            norm.load_state_dict(state)
        return model.train(parts.training)
