"""The training loop, ``fit``: forward, loss, backward and update over the data
for a number of epochs, with everything checked before the first update and a
``DivergenceError`` (every parameter as before the bad update) when it diverges.
"""

from __future__ import annotations

import importlib
import math
import random
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from autograd_lite import losses as _losses
from autograd_lite._helpers import (
    is_real,
    is_whole,
)
from autograd_lite.autodiff import graph_building
from autograd_lite.nn import BatchNorm, Module
from autograd_lite.optim import LRScheduler, Optimizer
from autograd_lite.optim._checks import _check_finite, _check_nonnegative
from autograd_lite.train._shared import LossFunction, Predict, _loss_function, _modes
from autograd_lite.train.history import Callback, History
from autograd_lite.train.objective import _CompiledObjective
from autograd_lite.train.scoring import _check_data, _count_correct, _default_predict, _evaluate
from autograd_lite.value import Value, number_of


def fit(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: str | LossFunction,
    optimizer: Optimizer,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    l2: float = 0.0,
    scheduler: LRScheduler | None = None,
    validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    stop_at_loss: float | None = None,
    callbacks: Sequence[Callback] = (),
    progress: bool = False,
    predict: Predict | None = None,
    compile: bool = False,
    nonfinite: Literal["raise", "warn"] = "raise",
) -> History:
    """Train ``model`` on ``(X, y)`` and return the ``History``.

    Each step runs the model on a batch, computes ``loss(outputs, targets)``
    (plus ``l2 * sum(p^2)`` when ``l2 > 0``), zeroes the gradients, calls
    ``backward()`` and ``optimizer.step()``.

    Args:
        model: a ``Module`` (e.g. an ``MLP``); each batch goes through its
            ``forward_batch`` (one call per sample, unless it has batch norm).
        X: the samples, each a list of numbers.
        y: one target per sample, in the loss's domain.
        loss: a function ``loss(outputs, targets) -> Value`` (mean over the
            batch), or the name of one in ``LOSSES``: ``"mse"``,
            ``"binary_cross_entropy"``, ``"binary_cross_entropy_with_logits"``,
            ``"cross_entropy"``, ``"hinge"``.
        optimizer: an ``optim.Optimizer`` over the model's parameters.
        epochs: passes over the data.
        batch_size: None for full-batch gradient descent (one step per epoch),
            k for mini-batches of k samples, 1 for stochastic gradient descent.
        shuffle: reshuffle the samples every epoch (mini-batch and stochastic).
        seed: seeds the shuffling (``random.Random(seed)``), so runs repeat.
        l2: strength of the L2 penalty added to the loss (micrograd's demo
            uses 1e-4).
        scheduler: an ``optim`` schedule, stepped once after every epoch.
        validation_data: ``(X_val, y_val)``, evaluated after every epoch in
            evaluation mode, under ``no_grad``.
        stop_at_loss: stop once an epoch's training loss is at or below this.
        callbacks: functions called after every epoch with the ``History`` so
            far; one returning True stops training.
        progress: show a tqdm progress bar (needs ``pip install
            'autograd-lite[progress]'``; asking for it without tqdm raises
            ImportError rather than silently showing nothing).
        predict: turns one output into a label for the accuracy; by default
            it follows the loss (0.5 on probabilities, 0 on logits and hinge
            scores, argmax for cross-entropy, 0.5 for mse on 0/1 targets).
        compile: train through the compiled path (``autograd_lite.jit``): the
            graph of one sample's loss is traced once (once per class label, for
            class targets) and replayed as generated Python, about 35x faster
            on micrograd's demo. The losses equal ``compile=False``'s to
            rounding. Not for dropout, batch norm or ``Sophia`` (refused with
            the reason), and the loss must be a mean of per-sample losses, as
            every loss in ``LOSSES`` is (checked once, before the first step,
            on up to 8 samples of the first batch against the dynamic engine).
        nonfinite: what happens when training diverges (see below):
            ``"raise"`` (a ``DivergenceError``) or ``"warn"`` (a
            ``RuntimeWarning``, and the ``History`` so far, with ``diverged``).

    Modes: the steps run in training mode and the validation data is
    evaluated in evaluation mode under ``no_grad`` (dropout off, batch norm on
    its running averages); afterwards every module is back in the mode it was
    in. A module you put in evaluation mode inside a model that is in training
    mode stays in evaluation mode while ``fit`` trains (e.g.
    ``model.norms[0].eval()`` freezes that batch norm's running averages);
    a model that is itself in evaluation mode (after ``model.eval()``) is
    trained in training mode throughout. The training loss and accuracy come
    from the training-mode forward passes (with dropout), as Keras reports
    them.

    Batches go through ``model.forward_batch``, so a model with batch norm is
    normalised over each mini-batch; it needs at least 2 samples in every
    batch (a ``batch_size`` leaving a last batch of 1 is refused up front).

    Each step hands the optimizer the loss as a closure,
    ``optimizer.step(lambda: objective)``: first-order optimizers run
    ``backward()`` on it, and ``optim.Sophia`` differentiates it twice.

    Logging: ``callbacks=[CSVLogger("log.csv")]``, ``[TensorBoardLogger("runs")]``,
    or for Weights & Biases (``run = wandb.init(...)``) a function such as
    ``lambda h: run.log({"loss": h.loss[-1]}, step=h.epochs)``.

    NOTE: Python's cyclic garbage collector is paused while ``fit`` runs (and
    restored after): graphs of Values hold no reference cycles, so reference
    counting frees them, and the collector's rescans of each step's tens of
    thousands of live nodes cost about a third of the training time.

    Divergence: training stops at the first loss, gradient or parameter that
    is inf or NaN (nothing computed after one is meaningful). The error names
    the epoch, the batch, what became non-finite and the first non-finite
    parameter (or the largest, when all are finite: optimizers refuse a step
    that would make one non-finite, so the model keeps the parameters of the
    last good step), and says what to try: a lower learning rate first.

    Raises:
        ValueError: before any training, for an empty data set, mismatched
            ``X``/``y`` lengths, samples of the wrong width or holding inf or
            NaN, targets outside the loss's domain, ``lr <= 0``, epochs or a
            batch size that is not a whole number >= 1, an optimizer that holds
            none of the model's parameters, a parameter that is already inf or
            NaN, or batch norm with a batch of 1 sample.
        DivergenceError: (a ``FloatingPointError``) when training diverges,
            unless ``nonfinite="warn"``.

    Example:
        >>> from autograd_lite import datasets, nn, optim
        >>> X, y = datasets.xor()
        >>> model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=1)
        >>> history = fit(model, X, y, loss="binary_cross_entropy",
        ...               optimizer=optim.Adam(model.parameters(), lr=0.1), epochs=60)
        >>> history.accuracy[-1]
        1.0
    """
    for name, flag in (("shuffle", shuffle), ("progress", progress)):
        if not isinstance(flag, bool):
            raise TypeError(f"fit: {name} must be True or False, got {flag!r}")
    if not is_whole(seed):
        raise TypeError(f"fit: seed must be an int (it seeds random.Random), got {seed!r}")
    if nonfinite not in ("raise", "warn"):
        raise ValueError(f"fit: nonfinite={nonfinite!r}: use 'raise' or 'warn'")
    run = _checked_run(
        model, X, y, loss, optimizer, epochs, batch_size, l2, scheduler, validation_data,
        stop_at_loss, callbacks, predict, compile,
    )  # fmt: skip
    bar = _progress_bar(epochs) if progress else None

    history = History()
    order = list(range(len(X)))
    rng = random.Random(seed)
    try:
        with graph_building(), _modes(model, training=True):
            for _ in range(epochs):
                if shuffle and run.size < len(order):
                    rng.shuffle(order)
                _run_epoch(run, order, history)
                if _end_epoch(run, history, bar):
                    break
    except DivergenceError as diverged:
        if nonfinite == "raise":
            raise
        _truncate(history, diverged.epoch - 1)
        history.stopped_early = history.diverged = True
        history.diverged_epoch = diverged.epoch
        history.stop_reason = diverged.summary
        warnings.warn(diverged.summary, RuntimeWarning, stacklevel=2)
    finally:
        if bar is not None:
            bar.close()
    return history


class DivergenceError(FloatingPointError):
    """``fit``'s error when a loss, a gradient or a parameter became inf or NaN.

    Attributes:
        epoch: the epoch in which it happened (1 is the first).
        summary: the message without its last sentence, the hint about
            ``fit(nonfinite="warn")``: for programs that offer no such option
            (the command line) and for the warning itself.
    """

    def __init__(self, summary: str, epoch: int) -> None:
        hint = ". fit(nonfinite='warn') warns instead and returns the history of the epochs before"
        super().__init__(summary + hint)
        self.summary = summary
        self.epoch = epoch


def _truncate(history: History, epochs: int) -> None:
    """Keep only the first ``epochs`` epochs in every list of ``history``."""
    for column in (history.loss, history.accuracy, history.val_loss, history.val_accuracy):
        del column[epochs:]
    del history.lr[epochs:]


@dataclass
class _Run:
    """What every epoch of ``fit`` needs, checked once before the first."""

    model: Module
    X: Sequence[Sequence[float]]
    y: Sequence[Any]
    loss_fn: LossFunction
    optimizer: Optimizer
    params: list[Value]
    l2: float
    size: int
    predict: Predict | None
    validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None
    scheduler: LRScheduler | None
    stop_at_loss: float | None
    callbacks: list[Callback]
    compiled: _CompiledObjective | None


def _checked_run(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    loss: str | LossFunction,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None,
    l2: float,
    scheduler: LRScheduler | None,
    validation_data: tuple[Sequence[Sequence[float]], Sequence[Any]] | None,
    stop_at_loss: float | None,
    callbacks: Sequence[Callback],
    predict: Predict | None,
    compile: bool,
) -> _Run:
    """``fit``'s argument checks: every bad argument is refused before any training."""
    loss_fn, loss_name = _loss_function(loss)
    _check_int(epochs, "epochs")
    if batch_size is not None:
        _check_int(batch_size, "batch_size")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"fit: optimizer must be an optim.Optimizer, got {type(optimizer).__name__}"
        )
    if not (is_real(optimizer.lr) and math.isfinite(optimizer.lr) and optimizer.lr > 0.0):
        raise ValueError(
            f"fit: the optimizer's lr is {optimizer.lr!r}; it must be a finite number > 0"
        )
    l2 = _check_nonnegative(l2, "l2", "fit")
    if stop_at_loss is not None:
        if not is_real(stop_at_loss):
            raise TypeError(f"fit: stop_at_loss must be a number or None, got {stop_at_loss!r}")
        stop_at_loss = _check_finite(stop_at_loss, "stop_at_loss", "fit")
    if scheduler is not None and scheduler.optimizer is not optimizer:
        raise ValueError("fit: the scheduler drives another optimizer than the one given")
    callbacks = list(callbacks)
    for callback in callbacks:
        if not callable(callback):
            raise TypeError(f"fit: every callback must be callable, got {callback!r}")
    params = model.parameters()
    for name, p in model.named_parameters():
        if not math.isfinite(number_of(p)):
            raise ValueError(
                f"fit: parameter {name!r} is {p.data!r} before training; nothing trained from "
                "it would mean anything: set it to a finite number, or build the model afresh"
            )
    owned = {id(p) for p in params}
    if not any(id(p) in owned for p in optimizer.params):
        raise ValueError(
            "fit: the optimizer holds none of the model's parameters; build it with "
            "optimizer(model.parameters(), ...)"
        )
    n_outputs = _check_data(model, X, y, loss_name, "X", "y")
    if predict is None:
        predict = _default_predict(loss_name, y, n_outputs)
    if validation_data is not None:
        if not (isinstance(validation_data, tuple) and len(validation_data) == 2):
            raise TypeError("fit: validation_data must be a pair (X_val, y_val)")
        _check_data(model, validation_data[0], validation_data[1], loss_name, "X_val", "y_val")
    n = len(X)
    size = n if batch_size is None else min(batch_size, n)
    if any(isinstance(m, BatchNorm) for m in model.modules()) and (size < 2 or n % size == 1):
        raise ValueError(
            f"fit: the model has batch norm, which needs at least 2 samples per batch in "
            f"training, but {n} samples in batches of {size} leave a batch of 1; choose a "
            "batch_size that leaves none (or None for the full batch)"
        )
    if not isinstance(compile, bool):
        raise TypeError(f"fit: compile must be True or False, got {compile!r}")
    compiled = None
    if compile:
        compiled = _CompiledObjective(model, loss_fn, params, l2, y, optimizer).bind(X)
    return _Run(
        model, X, y, loss_fn, optimizer, params, l2, size, predict, validation_data,
        scheduler, stop_at_loss, callbacks, compiled,
    )  # fmt: skip


def _run_epoch(run: _Run, order: list[int], history: History) -> None:
    """One pass over the data in batches of ``run.size``, in ``order``: a step per
    batch; the epoch's learning rate, loss and accuracy go into ``history``."""
    model, optimizer, size, n = run.model, run.optimizer, run.size, len(order)
    total = 0.0
    correct = 0
    for start in range(0, n, size):
        batch = order[start : start + size]
        targets = [run.y[i] for i in batch]
        outputs: Any = None
        try:
            model.zero_grad()
            if run.compiled is not None:  # forward and backward in generated code
                value, outputs = run.compiled.step(batch)
                optimizer.step()
            else:
                outputs = model.forward_batch([run.X[i] for i in batch])
                objective = run.loss_fn(outputs, targets)
                if run.l2:
                    objective = objective + _losses.l2_penalty(run.params, run.l2)
                optimizer.step(_returning(objective))  # backward(), then the update
                value = objective.data
        except (FloatingPointError, ValueError) as error:
            if not _is_divergence(error, run, outputs):
                raise
            where = f"epoch {history.epochs + 1}"
            if size < n:
                where += f", batch {start // size + 1} of {-(-n // size)}"
            raise DivergenceError(_divergence(run, where, error), history.epochs + 1) from error
        total += value * len(batch)
        if run.predict is not None:
            correct += _count_correct(run.predict, outputs, targets)
    history.lr.append(optimizer.lr)
    # One batch: its loss itself ((L * n) / n can differ from L in the last bit).
    history.loss.append(value if size == n else total / n)
    if run.predict is not None:
        history.accuracy.append(correct / n)


def _is_divergence(error: Exception, run: _Run, outputs: Any) -> bool:
    """Whether a step's error comes from a number gone inf or NaN (not a bad argument)."""
    if isinstance(error, FloatingPointError):  # backward() or an optimizer's step refused
        return True
    if isinstance(error.__context__, OverflowError):  # an op's result overflowed
        return True
    flat = outputs if isinstance(outputs, list) else []
    flat = [v for out in flat for v in (out if isinstance(out, list) else [out])]
    if any(isinstance(v, Value) and not math.isfinite(v.data) for v in flat):
        return True  # e.g. a loss refusing a NaN prediction
    return _first_nonfinite(run) is not None


def _divergence(run: _Run, where: str, cause: Exception | str) -> str:
    """The message for a divergence in ``where``: what, which parameter, what to do."""
    text = str(cause)
    # The advice of backward() (nonfinite='warn' to carry on) and of the optimizer
    # is replaced by fit's own, below.
    for advice in (". Check the inputs' range", ". Lower the learning rate"):
        text = text.split(advice, 1)[0]
    text = text.rstrip(".")
    optimizer = run.optimizer
    if text.startswith(f"{type(optimizer).__name__}.step():"):
        state = ""  # the optimizer named the parameter and undid its step
    else:
        state = f" Then {_parameters_state(run)}."
    adaptive = "" if type(optimizer).__name__ != "SGD" else ", use optim.Adam (its steps adapt)"
    return (
        f"fit: training diverged in {where}: {text}.{state} Training stopped there: nothing "
        "computed after an inf or NaN means anything. Lower the learning rate "
        f"(lr={optimizer.lr!r}; try a tenth){adaptive}, or scale the inputs"
    )


def _parameters_state(run: _Run) -> str:
    """The first non-finite parameter, else the first with a non-finite gradient, else
    the largest: where to look when training diverged."""
    found = _first_nonfinite(run)
    if found is not None:
        return f"the first non-finite parameter is {found[0]!r} = {found[1].data!r}"
    named = run.model.named_parameters()
    for name, p in named:
        if not math.isfinite(number_of(p.grad)):
            return (
                f"every parameter is finite; the first with a non-finite gradient is {name!r} "
                f"(gradient {number_of(p.grad)!r})"
            )
    name, p = max(named, key=lambda pair: abs(pair[1].data))
    return f"every parameter is finite; the largest is {name!r} = {p.data:.6g}"


def _first_nonfinite(run: _Run) -> tuple[str, Value] | None:
    """The first parameter (name, Value) that is inf or NaN, else None."""
    if math.isfinite(sum([p.data for p in run.params])):
        return None
    for name, p in run.model.named_parameters():
        if not math.isfinite(p.data):
            return name, p
    return None  # the sum of large finite values overflowed


def _end_epoch(run: _Run, history: History, bar: Any) -> bool:
    """After an epoch: validation, the schedule, the progress bar, then the stop
    conditions and callbacks; True when training should stop."""
    epoch = history.epochs
    if _first_nonfinite(run) is not None:  # an optimizer of one's own may not check
        cause = f"a step of {type(run.optimizer).__name__} made a parameter non-finite"
        raise DivergenceError(_divergence(run, f"epoch {epoch}", cause), epoch)
    if run.validation_data is not None:
        if run.compiled is not None:
            val_loss, val_accuracy = run.compiled.evaluate(run.validation_data, run.predict)
        else:
            val_loss, val_accuracy = _evaluate(
                run.model, run.validation_data, run.loss_fn, run.l2, run.params, run.predict
            )
        if not math.isfinite(val_loss):
            raise DivergenceError(
                _divergence(run, f"epoch {epoch}", f"the validation loss is {val_loss!r}"), epoch
            )
        history.val_loss.append(val_loss)
        if val_accuracy is not None:
            history.val_accuracy.append(val_accuracy)
    if run.scheduler is not None:
        run.scheduler.step()
    if bar is not None:
        bar.update(1)
        bar.set_postfix(_postfix(history), refresh=False)
    if run.stop_at_loss is not None and history.loss[-1] <= run.stop_at_loss:
        history.stopped_early = True
        history.stop_reason = (
            f"loss {history.loss[-1]:.6g} <= stop_at_loss {run.stop_at_loss:g} "
            f"after epoch {history.epochs}"
        )
    for callback in run.callbacks:
        if callback(history) is True:
            history.stopped_early = True
            history.stop_reason = history.stop_reason or (
                f"callback {getattr(callback, '__name__', repr(callback))} asked to "
                f"stop after epoch {history.epochs}"
            )
    return history.stopped_early


def _check_int(n: Any, name: str) -> None:
    if not is_whole(n) or n < 1:
        raise ValueError(
            f"fit: {name} must be a positive int (a whole number 1, 2, ...), got {n!r}"
        )


def _postfix(history: History) -> dict[str, str]:
    postfix = {"loss": f"{history.loss[-1]:.4f}"}
    if history.accuracy:
        postfix["acc"] = f"{history.accuracy[-1]:.3f}"
    if history.val_loss:
        postfix["val_loss"] = f"{history.val_loss[-1]:.4f}"
    return postfix


def _returning(objective: Value) -> Callable[[], Value]:
    """A closure giving the loss already computed (for optimizers that take one)."""
    return lambda: objective


def _progress_bar(epochs: int) -> Any:
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        raise ImportError(
            "fit(progress=True) needs tqdm: pip install 'autograd-lite[progress]' "
            "(or pass progress=False)"
        ) from None
    return tqdm(total=epochs, desc="training", unit="epoch")
