"""``Sophia``, the second-order optimizer, and the Hessian-vector products it is
built on (the engine differentiating its own backward pass).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd_lite._helpers import is_whole, number_of
from autograd_lite.autodiff import enable_grad, gradients
from autograd_lite.optim._checks import (
    _check_betas,
    _check_count,
    _check_finite,
    _check_nonnegative,
    _check_params,
    _check_positive,
)
from autograd_lite.optim.optimizer import Optimizer, _loss_of
from autograd_lite.value import Value


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
