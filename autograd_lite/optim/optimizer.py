"""``Optimizer``, the base of every optimizer: the parameters, ``zero_grad``, and a
``step`` that refuses a non-finite update and leaves every parameter as it was.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import ClassVar

from autograd_lite._helpers import number_of
from autograd_lite.autodiff import is_grad_enabled
from autograd_lite.optim._checks import _check_params, _check_positive
from autograd_lite.value import Value


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
            >>> from autograd_lite.optim import SGD
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
