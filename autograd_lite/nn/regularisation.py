"""The remedies for training trouble that change what a layer sees: ``Dropout``
and ``BatchNorm``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from autograd_lite._helpers import (
    is_whole,
    sum_values,
)
from autograd_lite.compiled import JitError, is_tracing
from autograd_lite.nn._checks import (
    _NORM_DEFAULTS,
    _as_inputs,
    _check_count,
    _check_dropout,
    _checked_batch,
    _checked_norm_settings,
)
from autograd_lite.nn.module import Module
from autograd_lite.value import Value


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


def _norm_settings(norm: BatchNorm) -> dict[str, float]:
    """A batch norm's momentum and eps where they differ from the defaults."""
    settings = {}
    if norm.momentum != _NORM_DEFAULTS["momentum"]:
        settings["momentum"] = norm.momentum
    if norm.eps != _NORM_DEFAULTS["eps"]:
        settings["eps"] = norm.eps
    return settings
