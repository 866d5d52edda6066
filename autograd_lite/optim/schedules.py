"""Learning-rate schedules: each ``scheduler.step()`` sets ``optimizer.lr`` once
(``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``, ``LambdaLR``).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable

from autograd_lite.optim._checks import _check_count, _check_nonnegative
from autograd_lite.optim.optimizer import Optimizer


class LRScheduler(ABC):
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

    @abstractmethod
    def lr_at(self, epoch: int) -> float:
        """The learning rate for ``epoch`` (0 is the first)."""

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
        self.step_size = _check_count(step_size, "step_size", "StepLR")
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
        self.t_max = _check_count(t_max, "t_max", "CosineAnnealingLR")
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
        >>> from autograd_lite import Value
        >>> from autograd_lite.optim import SGD
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
        self.total_iters = _check_count(total_iters, "total_iters", name)
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
