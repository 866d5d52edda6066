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

The package: ``optimizer`` (the ``Optimizer`` base), ``sgd``, ``adaptive`` (Adam,
AdamW, RMSprop, Adagrad, Adadelta), ``second_order`` (Sophia and
Hessian-vector products), ``schedules`` and ``clipping``. It imports only the
engine.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.optim.adaptive import Adadelta, Adagrad, Adam, AdamW, RMSprop
from autograd_lite.optim.clipping import clip_grad_norm, clip_grad_value
from autograd_lite.optim.optimizer import Optimizer
from autograd_lite.optim.schedules import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    StepLR,
)
from autograd_lite.optim.second_order import Sophia, hessian_vector_product
from autograd_lite.optim.sgd import SGD

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

shown_as_part_of(__name__, globals(), __all__)
