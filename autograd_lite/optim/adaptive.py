"""The optimizers that scale each parameter's step by its own gradient history:
``Adam``, ``AdamW``, ``RMSprop``, ``Adagrad`` and ``Adadelta``, each with
PyTorch's update formula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd_lite.optim._checks import (
    _check_betas,
    _check_flag,
    _check_fraction,
    _check_nonnegative,
    _check_positive,
)
from autograd_lite.optim.optimizer import Optimizer
from autograd_lite.value import Value


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
        self.betas = _check_betas(betas, name)
        self.eps = _check_positive(eps, "eps", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.amsgrad = _check_flag(amsgrad, "amsgrad", name)
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n
        self._v_max = [0.0] * n

    _STATE = (
        ("_m", "first-moment estimate"),
        ("_v", "second-moment estimate"),
        ("_v_max", "largest second-moment estimate"),
    )

    def _update(self) -> None:
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
        self.alpha = _check_fraction(alpha, "alpha", name, one=False)
        self.eps = _check_positive(eps, "eps", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.momentum = _check_fraction(momentum, "momentum", name, one=False)
        self.centered = _check_flag(centered, "centered", name)
        n = len(self.params)
        self._square_avg = [0.0] * n
        self._grad_avg = [0.0] * n
        self._buffers = [0.0] * n

    _STATE = (
        ("_square_avg", "average squared gradient"),
        ("_grad_avg", "average gradient"),
        ("_buffers", "momentum buffer"),
    )

    def _update(self) -> None:
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
        self.eps = _check_positive(eps, "eps", name)
        start = _check_nonnegative(initial_accumulator_value, "initial_accumulator_value", name)
        self._sums = [start] * len(self.params)

    _STATE = (("_sums", "sum of squared gradients"),)

    def _update(self) -> None:
        self.step_count += 1
        clr = self.lr / (1.0 + (self.step_count - 1) * self.lr_decay)
        wd, eps, sums = self.weight_decay, self.eps, self._sums
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            sums[i] += g * g
            p.data -= clr * g / (math.sqrt(sums[i]) + eps)


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012; PyTorch's formula): a step size of its own per
    parameter, from running averages of squared gradients and squared steps.

    ``s = rho*s + (1-rho)*g^2``, ``delta = sqrt(u + eps) / sqrt(s + eps) * g``,
    ``u = rho*u + (1-rho)*delta^2``, ``p -= lr * delta``; ``weight_decay`` adds
    ``weight_decay * p`` to the gradient. With PyTorch's default ``lr=1.0`` the
    step has the units of the parameter, with no learning rate to tune.

    Example:
        >>> w = Value(1.0)
        >>> w.grad = 2.0
        >>> Adadelta([w]).step()
        >>> round(w.data, 6)   # sqrt(1e-6) / sqrt(0.1*4 + 1e-6) * 2
        0.996838
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        self.rho = _check_fraction(rho, "rho", name, one=True)
        self.eps = _check_positive(eps, "eps", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        n = len(self.params)
        self._square_avg = [0.0] * n
        self._acc_delta = [0.0] * n

    _STATE = (
        ("_square_avg", "average squared gradient"),
        ("_acc_delta", "average squared step"),
    )

    def _update(self) -> None:
        self.step_count += 1
        lr, rho, eps, wd = self.lr, self.rho, self.eps, self.weight_decay
        s, u = self._square_avg, self._acc_delta
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            s[i] = s[i] * rho + (1.0 - rho) * g * g
            delta = math.sqrt(u[i] + eps) / math.sqrt(s[i] + eps) * g
            u[i] = u[i] * rho + (1.0 - rho) * delta * delta
            p.data -= lr * delta
