"""``fit(compile=True)``: the loss of one sample traced once per target and replayed
through the compiled path, checked against the dynamic engine on a few rows.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite import losses as _losses
from autograd_lite.autodiff import no_grad
from autograd_lite.compiled import Aux, Compiled, CompiledWithAux
from autograd_lite.nn import BatchNorm, Dropout, Module
from autograd_lite.optim import Optimizer, Sophia
from autograd_lite.train._shared import LossFunction, Predict
from autograd_lite.train.scoring import _count_correct
from autograd_lite.value import Value, number_of

#: fit(compile=True) traces one function per target value when there are at most
#: this many distinct targets (class labels); otherwise targets are arguments.
_MAX_TRACES = 32


#: fit(compile=True) checks the compiled objective against the dynamic engine on
#: this many samples, once: enough to catch a loss that is not a mean of
#: per-sample losses, at a cost that does not grow with the batch.
_CHECK_ROWS = 8


class _CompiledObjective:
    """``fit``'s objective through the compiled path (``jit``).

    One sample's loss is traced as a function of its features. Targets with few
    distinct values (class labels, -1/+1) each get a trace of their own, with the
    target a constant: losses such as cross-entropy need the label as an index,
    not a Value. Many distinct targets (regression) are passed as arguments. The
    L2 term is a compiled function of the parameters alone. Each trace also
    returns the model's outputs, for the accuracy.
    """

    def __init__(
        self,
        model: Module,
        loss_fn: LossFunction,
        params: list[Value],
        l2: float,
        y: Sequence[Any],
        optimizer: Optimizer,
    ) -> None:
        if isinstance(optimizer, Sophia):
            raise ValueError(
                "fit(compile=True): Sophia differentiates the loss twice inside its step, "
                "which the compiled path does not record; train it with compile=False"
            )
        for module in model.modules():
            if (isinstance(module, Dropout) and module.p > 0.0) or isinstance(module, BatchNorm):
                raise ValueError(
                    f"fit(compile=True): the model has {module!r}, which "
                    + (
                        "draws a new random mask at every step"
                        if isinstance(module, Dropout)
                        else "couples the samples of a batch and updates running statistics"
                    )
                    + "; a compiled trace would replay one step's version forever. Train it "
                    "with compile=False"
                )
        self._model, self._loss_fn, self._params, self._l2 = model, loss_fn, params, l2
        self._X: list[tuple[float, ...]] = []
        self._y = y
        keys = {_target_key(t) for t in y}
        self._by_target = len(keys) <= _MAX_TRACES
        self._traces: dict[Any, CompiledWithAux] = {}
        self._single_output = True
        self._reg = (
            Compiled(
                lambda: _losses.l2_penalty(params, l2),
                params=params,
                check=False,
                nonfinite="raise",
            )
            if l2
            else None
        )
        self._checked = False

    def bind(self, X: Sequence[Sequence[float]]) -> _CompiledObjective:
        self._X = [tuple(number_of(v) for v in x) for x in X]
        return self

    def step(self, batch: list[int]) -> tuple[float, list[Any]]:
        """Add the batch's mean-loss gradient into ``.grad``; (objective, outputs)."""
        if not self._checked:
            self._check_separable(batch)
        X, y = self._X, self._y
        scale = 1.0 / len(batch)
        outputs: list[Any] = [None] * len(batch)
        total = 0.0
        for key, members in self._groups([y[i] for i in batch]).items():
            rows = [self._row(X[batch[j]], y[batch[j]]) for j in members]
            value, aux = self._trace(key).backward_batch(rows, scale)
            total += value
            for j, out in zip(members, aux):
                outputs[j] = self._as_output(out)
        if self._reg is not None:
            total += self._reg.backward()
        return total, outputs

    def evaluate(
        self, data: tuple[Sequence[Sequence[float]], Sequence[Any]], predict: Predict | None
    ) -> tuple[float, float | None]:
        """``(objective, accuracy)`` on ``data``, from the compiled forward code."""
        X_val, y_val = data
        total = 0.0
        outputs: list[Any] = [None] * len(X_val)
        for key, members in self._groups(list(y_val)).items():
            rows = [self._row(tuple(map(number_of, X_val[j])), y_val[j]) for j in members]
            value, aux = self._trace(key).forward_batch(rows)
            total += value
            for j, out in zip(members, aux):
                outputs[j] = self._as_output(out)
        objective = total / len(X_val)
        if self._reg is not None:
            objective += self._reg()
        accuracy = None
        if predict is not None:
            accuracy = _count_correct(predict, outputs, y_val) / len(X_val)
        return objective, accuracy

    def _groups(self, targets: list[Any]) -> dict[Any, list[int]]:
        groups: dict[Any, list[int]] = {}
        for j, t in enumerate(targets):
            groups.setdefault(_target_key(t) if self._by_target else None, []).append(j)
        return groups

    def _row(self, x: tuple[float, ...], t: Any) -> tuple[float, ...]:
        if self._by_target:
            return x
        return x + (tuple(map(number_of, t)) if _is_sequence(t) else (number_of(t),))

    def _trace(self, key: Any) -> CompiledWithAux:
        compiled = self._traces.get(key)
        if compiled is None:
            compiled = self._traces[key] = CompiledWithAux(
                self._sample_loss(key), params=self._params, check=False, nonfinite="raise"
            )
        return compiled

    def _sample_loss(self, key: Any) -> Callable[..., tuple[Value, list[Value]]]:
        model, loss_fn, by_target = self._model, self._loss_fn, self._by_target
        width = len(self._X[0]) if self._X else 0
        target = list(key) if isinstance(key, tuple) else key

        def sample_loss(*args: Value) -> tuple[Value, list[Value]]:
            x, t = (args, target) if by_target else (args[:width], _target_of(args[width:]))
            out = model(list(x))
            self._single_output = not isinstance(out, list)
            return loss_fn([out], [t]), (out if isinstance(out, list) else [out])

        return sample_loss

    def _as_output(self, values: Aux) -> Any:
        assert isinstance(values, tuple)  # sample_loss returns aux as a list
        if self._single_output:
            return Value(values[0])
        return [Value(v) for v in values]

    def _check_separable(self, batch: list[int]) -> None:
        """Once, before the first step: on up to ``_CHECK_ROWS`` samples (the first
        batch's, then the data's next ones when the batch is smaller), the compiled
        objective must equal the loss function's on the same samples.

        Both sides are the objective of those samples as one batch (the mean of
        their losses, plus the L2 term), so a loss that is not a mean of
        per-sample losses (a max, a sum) differs there as it would on the batch.
        NOTE: a model whose control flow reads ``.data`` is caught only if one of
        the checked samples takes another branch than the trace.
        """
        self._checked = True
        rows = batch[:_CHECK_ROWS]
        if len(rows) < _CHECK_ROWS:
            chosen = set(rows)
            more = (i for i in range(len(self._X)) if i not in chosen)
            rows = rows + list(itertools.islice(more, _CHECK_ROWS - len(rows)))
        y = self._y
        compiled = 0.0
        for key, members in self._groups([y[i] for i in rows]).items():
            picked = [rows[j] for j in members]
            compiled += self._trace(key).forward_batch(
                [self._row(self._X[i], y[i]) for i in picked]
            )[0]
        compiled /= len(rows)
        with no_grad():
            outputs = self._model.forward_batch([list(self._X[i]) for i in rows])
            dynamic = self._loss_fn(outputs, [y[i] for i in rows]).data
            if self._reg is not None:
                compiled += self._reg()
                dynamic += _losses.l2_penalty(self._params, self._l2).data
        if not math.isclose(compiled, dynamic, rel_tol=1e-9, abs_tol=1e-12):
            raise ValueError(
                f"fit(compile=True): on {len(rows)} samples (from the first batch), the "
                f"compiled objective is {compiled!r} but the loss function gives {dynamic!r}. "
                "compile=True needs a loss that is the mean of per-sample losses and whose "
                "control flow does not read .data; train with compile=False"
            )


def _target_key(t: Any) -> Any:
    return tuple(t) if _is_sequence(t) else t


def _target_of(values: Sequence[Value]) -> Any:
    return values[0] if len(values) == 1 else list(values)


def _is_sequence(t: Any) -> bool:
    return isinstance(t, Sequence) and not isinstance(t, (str, bytes))
