"""Moving networks to and from ``torch.nn.Sequential``: the network side of the
PyTorch bridge (``torch_bridge`` holds the PyTorch side, and imports no module of
ours). ``MLP.to_torch`` and ``MLP.from_torch`` are its public face."""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

from autograd_lite import torch_bridge
from autograd_lite.nn._checks import _check_activation
from autograd_lite.nn.activations import Pointwise
from autograd_lite.nn.layers import Layer
from autograd_lite.nn.module import Module
from autograd_lite.nn.regularisation import BatchNorm, Dropout


def to_sequential(net: Module, training: bool, where: str) -> Any:
    """An equivalent ``torch.nn.Sequential`` of the composition ``net``."""
    return torch_bridge.to_sequential(_torch_steps(net), training, where)


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


class MLPParts(NamedTuple):
    """What ``MLP.from_torch`` builds: the MLP's arguments, its weights, and each
    batch norm's ``(eps, momentum, state dict)``, checked against what an MLP can be."""

    n_inputs: int
    layer_sizes: list[int]
    settings: dict[str, Any]
    weights: list[tuple[list[list[float]], list[float]]]
    norms: list[tuple[float, float, dict[str, float]]]
    training: bool


def mlp_parts_from_torch(module: Any, where: str) -> MLPParts:
    """Read a ``torch.nn.Sequential`` as an MLP's parts; ValueError where it is not
    one (mixed hidden activations, batch norm or dropout after some layers only,
    anything after the output layer's activation, widths that do not chain)."""
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
    settings: dict[str, Any] = {
        "activation": activations.pop() if activations else "relu",
        "output_activation": _check_activation(layers[-1][2], "output_activation"),
        "batch_norm": bool(norms) and all(norms),
        "dropout": next(iter(drops)) or 0.0 if drops else 0.0,
    }
    norm_states = [
        (
            step.eps,
            step.momentum,
            {
                f"{field}.{j}": v
                for field in ("gamma", "beta", "running_mean", "running_var")
                for j, v in enumerate(getattr(step, field))
            },
        )
        for step in norms
        if step is not None
    ]
    return MLPParts(
        len(layers[0][0].weights[0]),
        [len(linear.weights) for linear, *_ in layers],
        settings,
        [(linear.weights, linear.biases) for linear, *_ in layers],
        norm_states,
        training,
    )
