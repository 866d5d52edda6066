"""The bridge to PyTorch: a network's steps as a ``torch.nn.Sequential``, and back.

Both directions go through a plain description of the network, a list of
steps (``LinearStep``, ``NormStep``, ``ActivationStep``, ``DropoutStep``), so
this module knows torch and nothing of ``nn``'s classes, and ``nn`` knows its
classes and nothing of torch: ``MLP.to_torch`` describes itself and calls
``to_sequential``; ``MLP.from_torch`` reads ``from_sequential``'s steps.
PyTorch is imported only when a conversion is asked for (the ``torch`` extra).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograd_lite._helpers import optional_import

__all__ = [
    "ActivationStep",
    "DropoutStep",
    "LinearStep",
    "NormStep",
    "Step",
    "from_sequential",
    "group_layers",
    "to_sequential",
]

#: Our activation names and torch's module names for them.
TORCH_ACTIVATIONS: dict[str, str] = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid"}


@dataclass(frozen=True)
class LinearStep:
    """A fully connected layer: ``weights[j][i]`` connects input i to output j."""

    weights: list[list[float]]
    biases: list[float]


@dataclass(frozen=True)
class NormStep:
    """Batch normalisation of each feature, with its learned scale and shift and
    its running statistics."""

    gamma: list[float]
    beta: list[float]
    running_mean: list[float]
    running_var: list[float]
    eps: float
    momentum: float


@dataclass(frozen=True)
class ActivationStep:
    """An elementwise activation: ``"relu"``, ``"tanh"`` or ``"sigmoid"``."""

    name: str


@dataclass(frozen=True)
class DropoutStep:
    """Inverted dropout with probability ``p``."""

    p: float


Step = LinearStep | NormStep | ActivationStep | DropoutStep


def to_sequential(steps: list[Step], training: bool, where: str) -> Any:
    """A float64 ``torch.nn.Sequential`` doing ``steps``, in training mode or not."""
    torch = optional_import("torch", where, "torch", "PyTorch")
    f64 = torch.float64
    modules = []
    for step in steps:
        if isinstance(step, LinearStep):
            linear = torch.nn.Linear(len(step.weights[0]), len(step.weights), dtype=f64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor(step.weights, dtype=f64))
                linear.bias.copy_(torch.tensor(step.biases, dtype=f64))
            modules.append(linear)
        elif isinstance(step, NormStep):
            norm = torch.nn.BatchNorm1d(
                len(step.gamma), eps=step.eps, momentum=step.momentum, dtype=f64
            )
            with torch.no_grad():
                for target, source in (
                    (norm.weight, step.gamma),
                    (norm.bias, step.beta),
                    (norm.running_mean, step.running_mean),
                    (norm.running_var, step.running_var),
                ):
                    target.copy_(torch.tensor(source, dtype=f64))
            modules.append(norm)
        elif isinstance(step, ActivationStep):
            modules.append(getattr(torch.nn, TORCH_ACTIVATIONS[step.name])())
        else:
            modules.append(torch.nn.Dropout(step.p))
    return torch.nn.Sequential(*modules).train(training)


def from_sequential(module: Any, where: str) -> tuple[list[Step], bool]:
    """The steps of a ``torch.nn.Sequential`` and whether it is in training mode.

    Accepts ``Linear`` (with a bias), ``BatchNorm1d`` (affine, with running
    statistics), ``ReLU``, ``Tanh``, ``Sigmoid`` and ``Dropout``; anything else
    raises ValueError naming it.
    """
    torch = optional_import("torch", where, "torch", "PyTorch")
    nn = torch.nn
    if not isinstance(module, nn.Sequential):
        raise TypeError(f"{where}: expected a torch.nn.Sequential, got {type(module).__name__}")
    names = {torch_name: ours for ours, torch_name in TORCH_ACTIVATIONS.items()}
    steps: list[Step] = []
    for child in module:
        kind = type(child).__name__
        if isinstance(child, nn.Linear):
            if child.bias is None:
                raise ValueError(f"{where}: every Linear needs a bias (bias=True)")
            steps.append(
                LinearStep(
                    child.weight.detach().double().tolist(), child.bias.detach().double().tolist()
                )
            )
        elif isinstance(child, nn.BatchNorm1d):
            if not child.affine or child.running_mean is None or child.running_var is None:
                raise ValueError(
                    f"{where}: BatchNorm1d needs affine=True and track_running_stats=True, "
                    "as autograd_lite's BatchNorm has a scale, a shift and running statistics"
                )
            gamma, beta, mean, var = (
                t.detach().double().tolist()
                for t in (child.weight, child.bias, child.running_mean, child.running_var)
            )
            momentum = 0.1 if child.momentum is None else float(child.momentum)
            steps.append(NormStep(gamma, beta, mean, var, float(child.eps), momentum))
        elif kind in names:
            steps.append(ActivationStep(names[kind]))
        elif isinstance(child, nn.Dropout):
            steps.append(DropoutStep(float(child.p)))
        else:
            raise ValueError(
                f"{where}: unsupported module {kind}; use Linear, optionally followed by "
                "BatchNorm1d, then ReLU, Tanh, Sigmoid or nothing, then Dropout"
            )
    return steps, bool(module.training)


def group_layers(
    steps: list[Step], where: str
) -> list[tuple[LinearStep, NormStep | None, str, float | None]]:
    """Steps grouped into layers as an MLP builds them: (Linear, BatchNorm or None,
    activation name or ``"linear"``, dropout p or None), each part in that order."""
    layers: list[Any] = []
    rank = {NormStep: 1, ActivationStep: 2, DropoutStep: 3}
    last_rank = 0
    for step in steps:
        if isinstance(step, LinearStep):
            layers.append([step, None, "linear", None])
            last_rank = 0
            continue
        kind = {1: "BatchNorm1d", 2: "an activation", 3: "Dropout"}[rank[type(step)]]
        if not layers or rank[type(step)] <= last_rank:
            raise ValueError(
                f"{where}: {kind} must follow a Linear layer (in the order Linear, "
                "BatchNorm1d, activation, Dropout)"
            )
        last_rank = rank[type(step)]
        if isinstance(step, NormStep):
            if len(step.gamma) != len(layers[-1][0].weights):
                raise ValueError(f"{where}: a BatchNorm1d's width differs from its Linear's")
            layers[-1][1] = step
        elif isinstance(step, ActivationStep):
            layers[-1][2] = step.name
        else:
            layers[-1][3] = step.p
    if not layers:
        raise ValueError(f"{where}: the Sequential has no Linear layer")
    return [tuple(layer) for layer in layers]
