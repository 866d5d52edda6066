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

or, with the loss built by a closure, ``optimizer.step(lambda: loss_of(model))``,
which runs ``backward()`` itself and returns the loss (every optimizer takes
one, as in PyTorch; unlike PyTorch's, the closure only builds the loss).

``Sophia`` is second order: it estimates the Hessian's diagonal from
Hessian-vector products, which the engine computes by differentiating its own
backward pass. It re-evaluates the loss, so its step takes a closure, as
PyTorch's ``LBFGS`` does::

    optimizer.step(lambda: loss_of(model))   # builds the loss; no backward() needed

Schedules change ``optimizer.lr`` once per ``scheduler.step()``. micrograd's
demo decays its learning rate linearly, ``1.0 - 0.9 * k / 100``; that is
``LinearLR(SGD(params, lr=1.0), start_factor=1.0, end_factor=0.1, total_iters=100)``
or ``LambdaLR(optimizer, lambda k: 1.0 - 0.9 * k / 100)``.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from autograd_lite._helpers import is_real, is_whole, number_of
from autograd_lite.autodiff import enable_grad, gradients, is_grad_enabled
from autograd_lite.value import Value

__all__ = [
    "SGD",
    "Adadelta",
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
    "Sophia",
    "StepLR",
    "clip_grad_norm",
    "clip_grad_value",
    "hessian_vector_product",
]


class Optimizer(ABC):
    """Base class: holds the parameters and the learning rate ``lr``.

    Subclasses implement ``_update()``, one update from the current ``.grad``;
    ``step`` adds the closure and the check that no parameter becomes inf or
    NaN. Per-parameter state (momentum buffers, moment estimates) lives in lists
    aligned with ``params``, named in ``_STATE`` so that a refused step can put
    it back.
    """

    #: ``(attribute, what it holds)`` for each per-parameter state list.
    _STATE: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params: list[Value] = _check_params(params, type(self).__name__)
        self.lr: float = _check_positive(lr, "lr", type(self).__name__)
        #: Number of ``step()`` calls so far.
        self.step_count = 0

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def step(self, closure: Callable[[], Value] | None = None) -> Value | None:
        """Update every parameter once from its ``.grad``.

        With ``closure``, first build the loss by calling it and run
        ``backward()`` on it; the loss is returned (as PyTorch's
        ``step(closure)`` returns it). The closure only builds the loss: it
        must not call ``backward()`` itself, or the gradients would add up twice.

        An update that would make a parameter (or the optimizer's state) inf or
        NaN is not taken: every parameter and the state are put back as they
        were, and ``FloatingPointError`` names the parameter, its value, its
        gradient and ``lr``.

        Example:
            >>> w = Value(3.0)
            >>> loss = SGD([w], lr=0.1).step(lambda: w * w)
            >>> loss.data, w.grad, w.data
            (9.0, 6.0, 2.4)
        """
        loss = None if closure is None else _loss_of(closure, type(self).__name__)
        if loss is not None:
            loss.backward()
        self._guarded(self._update)
        return loss

    @abstractmethod
    def _update(self) -> None:
        """Update every parameter once from its current ``.grad``."""

    def _grads(self) -> list[float]:
        # A gradient left as a Value by backward(create_graph=True) is read as
        # its number: updates never build graph.
        return [number_of(p.grad) for p in self.params]

    def _guarded(self, update: Callable[[], None]) -> None:
        """Run ``update``; undo it and raise if it made a number inf or NaN.

        NOTE: the check is one sum over the new values (inf or NaN anywhere makes
        the sum inf or NaN), so a step costs two extra passes over the
        parameters; the culprit is looked for only when the sum is not finite
        (a sum of large finite values can overflow: then nothing is refused).
        """
        params = self.params
        before = [p.data for p in params]
        state = [getattr(self, name) for name, _ in self._STATE]
        saved = [list(values) for values in state]
        count = self.step_count
        update()
        total = sum([p.data for p in params])  # a list: faster than a generator here
        for values in state:
            total += sum(values)
        if total - total != 0.0:  # inf or nan somewhere
            problem = self._nonfinite(before, saved)
            if problem:
                for p, old in zip(params, before):
                    p.data = old
                for values, old_values in zip(state, saved):
                    values[:] = old_values
                self.step_count = count
                raise FloatingPointError(problem)

    def _nonfinite(self, before: list[float], saved: list[list[float]]) -> str:
        """What the refused step would have made inf or NaN ("" if nothing)."""
        name = type(self).__name__
        fix = (
            "Lower the learning rate, or clip the gradients before the step "
            "(optim.clip_grad_norm(params, max_norm=1.0))"
        )
        for i, (p, old) in enumerate(zip(self.params, before)):
            if not math.isfinite(p.data):
                if not math.isfinite(old):
                    return (
                        f"{name}.step(): parameter {_param_name(p, i)} is already {old!r} "
                        "before the step; set it to a finite number (or rebuild the model)"
                    )
                return (
                    f"{name}.step(): this update would make parameter {_param_name(p, i)} "
                    f"{p.data!r} (it is {old!r}, its gradient {number_of(p.grad)!r}, "
                    f"lr={self.lr!r}), so it was not taken: every parameter is as before it. " + fix
                )
        state = [getattr(self, attribute) for attribute, _ in self._STATE]
        for (_, what), values, old_values in zip(self._STATE, state, saved):
            for i, (value, old) in enumerate(zip(values, old_values)):
                if not math.isfinite(value):
                    p = self.params[i]
                    return (
                        f"{name}.step(): this update would make the {what} of parameter "
                        f"{_param_name(p, i)} {value!r} (it is {old!r}, the parameter "
                        f"{before[i]!r}, its gradient {number_of(p.grad)!r}, lr={self.lr!r}), "
                        "so it was not taken: every parameter is as before it. " + fix
                    )
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self.params)} parameters, lr={self.lr!r})"


def _param_name(p: Value, i: int) -> str:
    """A parameter as messages name it: its label (a model's parameter name), else its index."""
    return repr(p.label) if p.label else f"params[{i}]"


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
        self.momentum = _check_fraction(momentum, "momentum", name, one=False)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.dampening = _check_fraction(dampening, "dampening", name, one=True)
        self.nesterov = _check_flag(nesterov, "nesterov", name)
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("SGD: nesterov=True needs momentum > 0 and dampening = 0")
        # The momentum buffers start as the first step's gradients (PyTorch's).
        self._buffers = [0.0] * len(self.params)

    _STATE = (("_buffers", "momentum buffer"),)

    def _update(self) -> None:
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        buffers = self._buffers
        first = self.step_count == 0
        for i, (p, g) in enumerate(zip(self.params, self._grads(), strict=True)):
            if wd != 0.0:
                g = g + wd * p.data
            if mu != 0.0:
                buf = g if first else mu * buffers[i] + (1.0 - self.dampening) * g
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


#: The seed's spelling of ``Adadelta`` (PyTorch's, like ``Adagrad``).


class Sophia(Optimizer):
    """Sophia (Liu et al., 2023): a clipped step preconditioned by a running
    estimate of the Hessian's diagonal, itself estimated by Hutchinson's method.

    Each ``step(closure)``, at step t (1, 2, ...):

    - ``g``: the gradient of ``closure()``'s loss; ``m = b1*m + (1-b1)*g``;
    - every ``hessian_interval`` steps (t = 1, k+1, 2k+1, ...):
      ``h = b2*h + (1-b2) * u*(H u)``, with ``u`` a random vector of ±1
      (Rademacher) and ``H u`` a Hessian-vector product from a double backward
      pass (``hessian_vector_product``); ``u*(H u)`` averages to diag(H);
    - ``p *= 1 - lr*weight_decay`` (decoupled, as in AdamW), then
      ``p -= lr * clip(m / max(rho*h, eps), -1, 1)``.

    Where the curvature estimate is reliable, the step is the Newton-like
    ``(lr/rho) * m/h``; elsewhere (flat or negative curvature, or far from a
    minimum) the clip bounds each coordinate's step by ``lr``.

    Args:
        params: the parameters (leaf Values).
        lr: the largest step a coordinate can take.
        betas: ``(b1, b2)``, the decay of the gradient and Hessian averages.
        rho: scales the Hessian in the denominator (the paper's gamma, called
            ``rho`` in the authors' code); must be >= 0 (0 makes every step
            ``lr * sign(m)``).
        weight_decay: decoupled weight decay.
        eps: the smallest denominator.
        hessian_interval: refresh the Hessian estimate every k steps (the
            paper's k; a Hessian step costs about three gradient steps).
        seed: seeds the Rademacher vectors (its own ``random.Random``).

    Because it differentiates the loss twice, ``step`` needs the loss itself:
    pass a function that builds and returns it (no ``backward()`` needed);
    afterwards each parameter's ``.grad`` holds the gradient used.

    With ``rho = lr`` the step is Newton's, ``m/h``, capped at ``lr`` per coordinate.

    Example, on ``f = 2 (x - 1)^2`` (gradient ``4 (x - 1)``, Hessian 4) from x = 1.5:
        >>> x = Value(1.5)
        >>> opt = Sophia([x], lr=1.0, betas=(0.0, 0.0), rho=1.0, weight_decay=0.0)
        >>> loss = opt.step(lambda: 2 * (x - 1) ** 2)   # x -= 1.0 * clip(2 / (1.0 * 4), 1)
        >>> loss.data  # the loss the step was taken from, f(1.5)
        0.5
        >>> x.data, x.grad, opt.hessian
        (1.0, 2.0, [4.0])
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.965, 0.99),
        rho: float = 0.04,
        weight_decay: float = 1e-1,
        eps: float = 1e-12,
        hessian_interval: int = 10,
        seed: int = 0,
    ) -> None:
        super().__init__(params, lr)
        name = "Sophia"
        self.betas = _check_betas(betas, name)
        self.rho = _check_nonnegative(rho, "rho", name)
        self.weight_decay = _check_nonnegative(weight_decay, "weight_decay", name)
        self.eps = _check_positive(eps, "eps", name)
        self.hessian_interval = _check_count(hessian_interval, "hessian_interval", name)
        if not is_whole(seed):
            raise TypeError(f"Sophia: seed must be an int, got {seed!r}")
        self._rng = random.Random(seed)
        n = len(self.params)
        self._m = [0.0] * n
        #: The running estimate of the Hessian's diagonal, one number per parameter.
        self.hessian = [0.0] * n

    _STATE = (("_m", "gradient average"), ("hessian", "Hessian estimate"))

    def step(self, closure: Callable[[], Value] | None = None) -> Value:
        """One update; ``closure()`` must build and return the loss (a Value),
        which is returned. Sophia differentiates it itself (twice)."""
        if closure is None:
            raise TypeError(
                "Sophia.step(closure): Sophia differentiates the loss twice, so it needs a "
                "function that builds the loss, e.g. opt.step(lambda: loss_of(model))"
            )
        loss = _loss_of(closure, "Sophia")
        self._guarded(lambda: self._update_from(loss))
        return loss

    def _update(self) -> None:
        raise TypeError("Sophia.step(closure): Sophia needs the loss, not only its gradient")

    def _update_from(self, loss: Value) -> None:
        self.step_count += 1
        params = self.params
        refresh = (self.step_count - 1) % self.hessian_interval == 0
        if refresh:
            u = [1.0 if self._rng.random() < 0.5 else -1.0 for _ in params]
            first = gradients(loss, params, create_graph=True)
            grads = [number_of(g) for g in first]
            hu = _vector_product(first, params, u)
            beta2 = self.betas[1]
            for i, (ui, hui) in enumerate(zip(u, hu, strict=True)):
                self.hessian[i] = beta2 * self.hessian[i] + (1.0 - beta2) * ui * hui
        else:
            grads = [number_of(g) for g in gradients(loss, params, create_graph=False)]
        lr, rho, eps, decay = self.lr, self.rho, self.eps, 1.0 - self.lr * self.weight_decay
        beta1 = self.betas[0]
        m, h = self._m, self.hessian
        for i, (p, g) in enumerate(zip(params, grads, strict=True)):
            p.grad = g
            m[i] = beta1 * m[i] + (1.0 - beta1) * g
            ratio = m[i] / max(rho * h[i], eps)
            p.data = p.data * decay - lr * min(max(ratio, -1.0), 1.0)


def _loss_of(closure: Callable[[], Value], name: str) -> Value:
    """Call a step's closure, checking that it records the loss as a Value."""
    if not callable(closure):
        raise TypeError(
            f"{name}.step(closure): closure must be a function that builds the loss, e.g. "
            f"opt.step(lambda: loss_of(model)), got {type(closure).__name__}"
        )
    if not is_grad_enabled():
        raise RuntimeError(
            f"{name}.step(closure) was called inside no_grad(): the loss must be recorded "
            "as a graph to be differentiated"
        )
    loss = closure()
    if not isinstance(loss, Value):
        raise TypeError(
            f"{name}.step: the closure must return the loss as a Value, got {type(loss).__name__}"
        )
    return loss


def hessian_vector_product(
    loss: Value, params: Sequence[Value], vector: Sequence[float]
) -> list[float]:
    """``H v``: the Hessian of ``loss`` with respect to ``params``, times ``vector``.

    Computed without forming H, by differentiating twice: a backward pass
    recorded as a graph (``create_graph``) gives the gradient g as Values,
    and a second backward pass of ``sum(g_i * v_i)`` gives ``H v``. The
    ``.grad`` of every node is left as it was.

    Example, ``f = x^2 y`` at (1, 2): H = [[2y, 2x], [2x, 0]] = [[4, 2], [2, 0]]:
        >>> x, y = Value(1.0), Value(2.0)
        >>> hessian_vector_product(x * x * y, [x, y], [1.0, 0.0])
        [4.0, 2.0]
    """
    if not isinstance(loss, Value):
        raise TypeError(f"hessian_vector_product: loss must be a Value, got {type(loss).__name__}")
    ps = _check_params(params, "hessian_vector_product")
    if isinstance(vector, (str, bytes)) or not isinstance(vector, Sequence):
        raise TypeError("hessian_vector_product: vector must be a list of numbers")
    if len(vector) != len(ps):
        raise ValueError(
            f"hessian_vector_product: {len(ps)} parameters but a vector of {len(vector)}; "
            "give one number per parameter"
        )
    v = [_check_finite(x, f"vector[{i}]", "hessian_vector_product") for i, x in enumerate(vector)]
    return _vector_product(gradients(loss, ps, create_graph=True), ps, v)


def _vector_product(grads: list[Any], params: list[Value], vector: list[float]) -> list[float]:
    """d(sum g_i v_i)/d params, for a gradient ``grads`` recorded as Values."""
    with enable_grad():
        terms = [g * v for g, v in zip(grads, vector) if isinstance(g, Value) and v != 0.0]
        if not terms:
            return [0.0] * len(params)  # the gradient does not depend on the parameters
        total = terms[0]
        for term in terms[1:]:
            total = total + term
    return [number_of(x) for x in gradients(total, params, create_graph=False)]


# -- learning-rate schedules ------------------------------------------------------------


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
    grads = [abs(number_of(p.grad)) for p in ps]
    if norm_type == math.inf:
        total = max(grads)
    else:
        total = sum(g**norm_type for g in grads) ** (1.0 / norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1.0:
        for p in ps:
            p.grad = number_of(p.grad) * scale
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
        p.grad = min(max(number_of(p.grad), -c), c)


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


def _check_betas(betas: Any, where: str) -> tuple[float, float]:
    if not (isinstance(betas, tuple) and len(betas) == 2):
        raise ValueError(f"{where}: betas must be a pair (beta1, beta2), got {betas!r}")
    first = _check_fraction(betas[0], "betas[0]", where, one=False)
    return (first, _check_fraction(betas[1], "betas[1]", where, one=False))


def _check_finite(x: Any, name: str, where: str) -> float:
    try:
        value = float(x) if is_real(x) else math.nan
    except OverflowError:  # an int such as 10**400
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be a finite number, got {x!r}")
    return value


def _check_nonnegative(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value < 0.0:
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {x!r}")
    return value


def _check_positive(x: Any, name: str, where: str) -> float:
    value = _check_finite(x, name, where)
    if value <= 0.0:
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {x!r}")
    return value


def _check_fraction(x: Any, name: str, where: str, *, one: bool) -> float:
    """A number in [0, 1) (a decay rate: 1 would never forget), or [0, 1] with ``one``."""
    value = _check_finite(x, name, where)
    if not (0.0 <= value <= 1.0 if one else 0.0 <= value < 1.0):
        raise ValueError(f"{where}: {name} must be in [0, 1{']' if one else ')'}, got {x!r}")
    return value


def _check_count(n: Any, name: str, where: str) -> int:
    """A whole number >= 1 (not a bool, not 2.0)."""
    if not is_whole(n) or n < 1:
        raise ValueError(f"{where}: {name} must be a whole number >= 1, got {n!r}")
    return int(n)


def _check_flag(flag: Any, name: str, where: str) -> bool:
    if not isinstance(flag, bool):
        raise TypeError(f"{where}: {name} must be True or False, got {flag!r}")
    return flag


def _check_positive_or_inf(x: Any) -> float:
    if x == math.inf:
        return math.inf
    return _check_positive(x, "norm_type", "clip_grad_norm")
