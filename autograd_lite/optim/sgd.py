"""``SGD``: plain gradient descent, with momentum, Nesterov momentum and weight
decay as ``torch.optim.SGD`` has them.
"""

from __future__ import annotations

from collections.abc import Iterable

from autograd_lite.optim._checks import _check_flag, _check_fraction, _check_nonnegative
from autograd_lite.optim.optimizer import Optimizer
from autograd_lite.value import Value


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
