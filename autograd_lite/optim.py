"""Optimizers, learning-rate schedules and gradient clipping.

Each optimizer updates the parameters' ``.data`` in place from their ``.grad``
with PyTorch's update formula (the tests compare 20 steps with ``torch.optim``
to 1e-12). Updates work on plain floats, so they build no graph: stepping is
cheap and never becomes part of the next backward pass.

A training step is the same as in PyTorch::

    optimizer.zero_grad()   # or model.zero_grad()
    loss = ...              # forward
    loss.backward()
    optimizer.step()

Schedules change ``optimizer.lr`` once per ``scheduler.step()``. micrograd's
demo decays its learning rate linearly, ``1.0 - 0.9 * k / 100``; that is
``LinearLR(SGD(params, lr=1.0), start_factor=1.0, end_factor=0.1, total_iters=100)``
or ``LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from autograd_lite.value import Value

__all__ = [
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "CosineAnnealingLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "Optimizer",
    "RMSprop",
    "StepLR",
    "clip_grad_norm",
    "clip_grad_value",
]


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr``.

    Subclasses implement ``step()``. Per-parameter state (momentum buffers,
    moment estimates) lives in lists aligned with ``params``.
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params: list[Value] = _check_params(params, type(self).__name__)
        self.lr: float = _check_positive(lr, "lr", type(self).__name__)
        #: Number of ``step()`` calls so far.
        self.step_count = 0

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter once from its current ``.grad``."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _grads(self) -> list[float]:
        # A gradient left as a Value by backward(create_graph=True) is read as
        # its number: updates never build graph.
        return [float(p.grad) for p in self.params]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's formula).

    With ``g = grad + weight_decay * p``: without momentum ``p -= lr * g``;
    with momentum ``buf = momentum * buf + (1 - dampening) * g`` (``buf = g`` on
    the first step) and ``p -= lr * buf``, or ``p -= lr * (g + momentum * buf)``
    with ``nesterov=True``.

    Example:
        >>> w = Value(1.0)
        >>> w.grad = 0.5
        >>> SGD([w], lr=0.1).step()
        >>> w.data
        0.95
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        name = "SGD"
        self.momentum = _check_nonnegative(momentum, "momentum", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.dampening = _check_finite(dampening, "dampening", name)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        self.nesterov = nesterov
        self._buffers: list[float | None] = [None] * len(self.params)

    def step(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        buffers = self._buffers
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                buf = buffers[i]
                buf = g if buf is None else mu * buf + (1.0 - self.dampening) * g
                buffers[i] = buf
                g = g + mu * buf if self.nesterov else buf
            p.data -= lr * g
        self.step_count += 1


class Adam(Optimizer):
    """Adam (PyTorch's formula, ``amsgrad`` included).

    ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g^2``, then
    ``p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)``. ``weight_decay``
    adds ``weight_decay * p`` to the gradient (L2); ``AdamW`` decouples it.
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        if not (isinstance(betas, tuple) and len(betas) == 2):
            raise ValueError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        for i, beta in enumerate(betas):
            _check_finite(beta, f"betas[{i}]", name)
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name}: betas[{i}]={beta!r} must be in [0, 1)")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = _check_nonnegative(eps, "eps", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.amsgrad = amsgrad
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n
        self._v_max = [0.0] * n

    def step(self) -> None:
        self.step_count += 1
        t = self.step_count
        lr, eps, wd = self.lr, self.eps, self.weight_decay
        beta1, beta2 = self.betas
        step_size = lr / (1.0 - beta1**t)
        correction2_sqrt = (1.0 - beta2**t) ** 0.5
        m, v, v_max = self._m, self._v, self._v_max
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                if self._decoupled:
                    p.data *= 1.0 - lr * wd
                else:
                    g = g + wd * p.data
            m[i] += (1.0 - beta1) * (g - m[i])  # PyTorch's lerp form of b1*m + (1-b1)*g
            v[i] = beta2 * v[i] + (1.0 - beta2) * g * g
            second = v[i]
            if self.amsgrad:
                v_max[i] = second = max(v_max[i], second)
            p.data -= step_size * m[i] / (math.sqrt(second) / correction2_sqrt + eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the
    Adam update (PyTorch's ``AdamW``, whose default ``weight_decay`` is 0.01)."""

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop (PyTorch's formula): ``s = alpha*s + (1-alpha)*g^2`` and
    ``p -= lr * g / (sqrt(s) + eps)``; ``centered`` subtracts the squared mean
    gradient from ``s``; ``momentum`` keeps a buffer of the scaled steps."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        name = "RMSprop"
        self.alpha = _check_nonnegative(alpha, "alpha", name)
        self.eps = _check_nonnegative(eps, "eps", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.momentum = _check_nonnegative(momentum, "momentum", name)
        self.centered = centered
        n = len(self.params)
        self._square_avg = [0.0] * n
        self._grad_avg = [0.0] * n
        self._buffers = [0.0] * n

    def step(self) -> None:
        self.step_count += 1
        lr, alpha, eps, wd, mu = self.lr, self.alpha, self.eps, self.weight_decay, self.momentum
        s, gbar, buf = self._square_avg, self._grad_avg, self._buffers
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            s[i] = alpha * s[i] + (1.0 - alpha) * g * g
            if self.centered:
                gbar[i] += (1.0 - alpha) * (g - gbar[i])
                avg = math.sqrt(s[i] - gbar[i] * gbar[i]) + eps
            else:
                avg = math.sqrt(s[i]) + eps
            if mu > 0.0:
                buf[i] = mu * buf[i] + g / avg
                p.data -= lr * buf[i]
            else:
                p.data -= lr * g / avg


class Adagrad(Optimizer):
    """Adagrad (PyTorch's formula): ``sum += g^2``,
    ``p -= lr / (1 + (t-1)*lr_decay) * g / (sqrt(sum) + eps)``."""

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        name = "Adagrad"
        self.lr_decay = _check_nonnegative(lr_decay, "lr_decay", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.eps = _check_nonnegative(eps, "eps", name)
        start = _check_nonnegative(initial_accumulator_value, "initial_accumulator_value", name)
        self._sums = [start] * len(self.params)

    def step(self) -> None:
        self.step_count += 1
        clr = self.lr / (1.0 + (self.step_count - 1) * self.lr_decay)
        wd, eps, sums = self.weight_decay, self.eps, self._sums
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            sums[i] += g * g
            p.data -= clr * g / (math.sqrt(sums[i]) + eps)


# -- learning-rate schedules ------------------------------------------------------------


class LRScheduler:
    """Base class: sets ``optimizer.lr`` from the base rate and the epoch count.

    Subclasses define ``lr_at(epoch)`` in closed form. Constructing a scheduler
    sets the epoch-0 rate; each ``step()`` advances one epoch (call it once per
    epoch, after ``optimizer.step()``, as in PyTorch).
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_epoch = 0
        optimizer.lr = self._checked(self.lr_at(0))

    def lr_at(self, epoch: int) -> float:
        """The learning rate for ``epoch`` (0 is the first)."""
        raise NotImplementedError(f"{type(self).__name__} must define lr_at()")

    def step(self) -> None:
        """Advance one epoch and set the optimizer's learning rate for it."""
        self.last_epoch += 1
        self.optimizer.lr = self._checked(self.lr_at(self.last_epoch))

    def get_last_lr(self) -> float:
        """The learning rate set by the last ``step()`` (or the constructor)."""
        return self.optimizer.lr

    def _checked(self, lr: float) -> float:
        if not (math.isfinite(lr) and lr >= 0.0):
            raise ValueError(
                f"{type(self).__name__}: the schedule gave lr={lr!r} at epoch {self.last_epoch}; "
                "a learning rate must be a finite number >= 0"
            )
        return lr


class StepLR(LRScheduler):
    """``base_lr * gamma ** (epoch // step_size)``: times ``gamma`` every ``step_size`` epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        self.step_size = step_size
        self.gamma = _check_nonnegative(gamma, "gamma", "StepLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRScheduler):
    """``base_lr * gamma ** epoch``."""

    def __init__(self, optimizer: Optimizer, gamma: float) -> None:
        self.gamma = _check_nonnegative(gamma, "gamma", "ExponentialLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class CosineAnnealingLR(LRScheduler):
    """``eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / t_max)) / 2``:
    from ``base_lr`` down to ``eta_min`` over ``t_max`` epochs, then back up
    (PyTorch's ``T_max``)."""

    def __init__(self, optimizer: Optimizer, t_max: int, eta_min: float = 0.0) -> None:
        if isinstance(t_max, bool) or not isinstance(t_max, int) or t_max < 1:
            raise ValueError(f"CosineAnnealingLR: t_max must be a positive int, got {t_max!r}")
        self.t_max = t_max
        self.eta_min = _check_nonnegative(eta_min, "eta_min", "CosineAnnealingLR")
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        cosine = (1.0 + math.cos(math.pi * epoch / self.t_max)) / 2.0
        return self.eta_min + (self.base_lr - self.eta_min) * cosine


class LinearLR(LRScheduler):
    """``base_lr * factor``, the factor going linearly from ``start_factor`` to
    ``end_factor`` over ``total_iters`` epochs, then staying there.

    micrograd's demo schedule ``1.0 - 0.9 * k / 100`` is
    ``LinearLR(SGD(params, lr=1.0), start_factor=1.0, end_factor=0.1, total_iters=100)``.

    Example:
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> schedule = LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100)
        >>> for _ in range(50):
        ...     schedule.step()
        >>> round(opt.lr, 12)
        0.55
    """

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3.0,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        name = "LinearLR"
        self.start_factor = _check_nonnegative(start_factor, "start_factor", name)
        self.end_factor = _check_nonnegative(end_factor, "end_factor", name)
        if isinstance(total_iters, bool) or not isinstance(total_iters, int) or total_iters < 1:
            raise ValueError(f"LinearLR: total_iters must be a positive int, got {total_iters!r}")
        self.total_iters = total_iters
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        progress = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)


class LambdaLR(LRScheduler):
    """``base_lr * lr_lambda(epoch)`` for any function of the epoch number."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float]) -> None:
        if not callable(lr_lambda):
            raise TypeError("LambdaLR: lr_lambda must be a function of the epoch number")
        self.lr_lambda = lr_lambda
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * float(self.lr_lambda(epoch))


# -- gradient clipping ------------------------------------------------------------------


def clip_grad_norm(params: Iterable[Value], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their norm is at most ``max_norm``.

    Returns the norm before clipping (PyTorch's ``clip_grad_norm_``: the scale
    is ``max_norm / (norm + 1e-6)``, applied only when below 1). ``norm_type``
    may be ``math.inf`` (the largest absolute gradient).

    Example:
        >>> a, b = Value(0.0), Value(0.0)
        >>> a.grad, b.grad = 3.0, 4.0
        >>> clip_grad_norm([a, b], max_norm=1.0)
        5.0
        >>> round(a.grad, 6), round(b.grad, 6)
        (0.6, 0.8)
    """
    ps = _check_params(params, "clip_grad_norm")
    max_norm = _check_nonnegative(max_norm, "max_norm", "clip_grad_norm")
    norm_type = _check_positive_or_inf(norm_type)
    grads = [abs(float(p.grad)) for p in ps]
    if norm_type == math.inf:
        total = max(grads)
    else:
        total = sum(g**norm_type for g in grads) ** (1.0 / norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in ps:
            p.grad = float(p.grad) * scale
    return total


def clip_grad_value(params: Iterable[Value], clip_value: float) -> None:
    """Clamp every gradient into ``[-clip_value, clip_value]``.

    Example:
        >>> a = Value(0.0)
        >>> a.grad = -7.0
        >>> clip_grad_value([a], 0.5)
        >>> a.grad
        -0.5
    """
    ps = _check_params(params, "clip_grad_value")
    c = _check_nonnegative(clip_value, "clip_value", "clip_grad_value")
    for p in ps:
        p.grad = min(max(float(p.grad), -c), c)


# -- argument checks --------------------------------------------------------------------


def _check_params(params: Iterable[Value], where: str) -> list[Value]:
    if isinstance(params, Value):
        raise TypeError(f"{where}: expected a list of parameters, got a single Value; wrap it: [v]")
    try:
        ps = list(params)
    except TypeError:
        raise TypeError(
            f"{where}: expected an iterable of Values such as model.parameters(), "
            f"got {type(params).__name__}"
        ) from None
    if not ps:
        raise ValueError(f"{where}: got an empty parameter list")
    for p in ps:
        if not isinstance(p, Value):
            raise TypeError(f"{where}: every parameter must be a Value, got {type(p).__name__}")
    if len({id(p) for p in ps}) != len(ps):
        raise ValueError(f"{where}: a parameter appears more than once")
    return ps


def _check_finite(x: Any, name: str, where: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(float(x)):
        raise ValueError(f"{where}: {name} must be a finite number, got {x!r}")
    return float(x)


def _check_nonnegative(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value < 0.0:
        raise ValueError(f"{where}: {name} must be >= 0, got {x!r}")
    return value


def _check_positive(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value <= 0.0:
        raise ValueError(f"{where}: {name} must be > 0, got {x!r}")
    return value


def _check_positive_or_inf(x: Any) -> float:
    if x == math.inf:
        return math.inf
    return _check_positive(x, "norm_type", "clip_grad_norm")
