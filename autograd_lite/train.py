"""The training loop: ``fit()``, its ``History``, callbacks, and plots.

``fit`` repeats forward, loss, backward and update over the data for a number
of epochs, as full-batch (``batch_size=None``), mini-batch (``batch_size=k``)
or stochastic (``batch_size=1``) gradient descent. Everything is checked
before the first update, so bad input fails fast with a ValueError. Training
runs in training mode (dropout on, batch norm on batch statistics) and
evaluation in evaluation mode, under ``no_grad``; the model's modes are
restored afterwards.

Callbacks are called after every epoch with the ``History`` so far; that is how
metrics reach a file (``CSVLogger``), TensorBoard (``TensorBoardLogger``) or
Weights & Biases (a one-line function, see ``fit``) without this package
depending on any of them.

Plots use matplotlib, imported only when a plot is asked for (the ``[plot]``
extra); the progress bar uses tqdm (the ``[progress]`` extra).
"""

from __future__ import annotations

import csv
import importlib
import io
import itertools
import math
import numbers
import os
import random
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any, Literal

from autograd_lite import losses as _losses
from autograd_lite._helpers import (
    index_of_max,
    is_real,
    is_whole,
    linspace,
    modes_restored,
    optional_import,
    write_atomically,
)
from autograd_lite.autodiff import graph_building, no_grad
from autograd_lite.jit import Aux, Compiled, CompiledWithAux
from autograd_lite.nn import MLP, BatchNorm, Dropout, Module
from autograd_lite.optim import LRScheduler, Optimizer, Sophia, _check_finite, _check_nonnegative
from autograd_lite.value import Value, number_of

__all__ = [
    "LOSSES",
    "CSVLogger",
    "Callback",
    "DivergenceError",
    "History",
    "TensorBoardLogger",
    "evaluate",
    "fit",
    "plot_decision_boundary",
]

#: A function called after every epoch with the history so far; returning True
#: stops training (e.g. custom early stopping), anything else carries on.
Callback = Callable[["History"], bool | None]
#: Turns one model output (a Value, or a list of Values) into a predicted label.
Predict = Callable[[Any], Any]
LossFunction = Callable[[Any, Any], Value]

#: The losses ``fit(loss=...)`` accepts by name.
LOSSES: dict[str, LossFunction] = {
    "mse": _losses.mse,
    "binary_cross_entropy": _losses.binary_cross_entropy,
    "binary_cross_entropy_with_logits": _losses.binary_cross_entropy_with_logits,
    "cross_entropy": _losses.cross_entropy,
    "hinge": _losses.hinge,
}


@dataclass
class History:
    """What happened in each epoch of ``fit``.

    Attributes:
        loss: the mean training objective per epoch (data loss plus the ``l2``
            term), measured in the forward passes of that epoch, before each
            update (as micrograd's demo and Keras report it).
        accuracy: the fraction of training samples classified right per epoch,
            from the same forward passes; empty when the loss has no notion of
            a class (e.g. ``mse`` on real-valued targets) and no ``predict``
            was given.
        val_loss: the objective on the validation data after each epoch.
        val_accuracy: the accuracy on the validation data after each epoch.
        lr: the learning rate used in each epoch.
        stopped_early: True when ``stop_at_loss``, a callback or a divergence
            ended training.
        stop_reason: why training stopped early, else ``""``.
        diverged: True when a loss, a gradient or a parameter became inf or
            NaN and ``fit(nonfinite="warn")`` stopped there with a warning.
        diverged_epoch: the epoch (1 is the first) in which that happened,
            else None. That epoch is not recorded: the lists hold the epochs
            before it, whole.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    stopped_early: bool = False
    stop_reason: str = ""
    diverged: bool = False
    diverged_epoch: int | None = None

    @property
    def epochs(self) -> int:
        """Number of epochs run."""
        return len(self.loss)

    def columns(self) -> list[str]:
        """The CSV columns: ``epoch``, then each recorded metric, then ``lr``."""
        names = ["epoch", "loss"]
        names += [name for name in _OPTIONAL_COLUMNS if getattr(self, name)]
        return [*names, "lr"]

    def row(self, epoch: int) -> list[float | int]:
        """One epoch's numbers (1 is the first epoch), in ``columns()`` order."""
        if not is_whole(epoch) or not 1 <= epoch <= self.epochs:
            raise ValueError(f"History.row: epoch must be 1..{self.epochs}, got {epoch!r}")
        values: list[float | int] = [epoch]
        for name in self.columns()[1:]:
            column = getattr(self, name)
            values.append(column[epoch - 1] if epoch <= len(column) else math.nan)
        return values

    def to_csv(self, file: str | os.PathLike[str] | IO[str]) -> None:
        """Write the history as CSV: a header, then one row per epoch.

        ``file`` is a path or an open text file. Numbers are written in full
        precision, so the file reads back exactly. A path is written whole or
        not at all: a failure leaves a file already there as it was.

        Example:
            >>> import io
            >>> out = io.StringIO()
            >>> History(loss=[0.5, 0.25], lr=[0.1, 0.1]).to_csv(out)
            >>> print(out.getvalue(), end="")
            epoch,loss,lr
            1,0.5,0.1
            2,0.25,0.1
        """
        if isinstance(file, (str, os.PathLike)):
            write_atomically(file, self._csv())
            return
        file.write(self._csv())

    def _csv(self, header: bool = True, epochs: range | None = None) -> str:
        """The CSV text: the header (unless ``header=False``), then the rows of ``epochs``."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if header:
            writer.writerow(self.columns())
        for epoch in range(1, self.epochs + 1) if epochs is None else epochs:
            writer.writerow(self.row(epoch))
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        """The history as plain data (JSON-ready)."""
        return {
            "loss": list(self.loss),
            "accuracy": list(self.accuracy),
            "val_loss": list(self.val_loss),
            "val_accuracy": list(self.val_accuracy),
            "lr": list(self.lr),
            "stopped_early": self.stopped_early,
            "stop_reason": self.stop_reason,
            "diverged": self.diverged,
            "diverged_epoch": self.diverged_epoch,
        }

    def plot(self) -> Any:
        """Draw loss (and accuracy, when recorded) per epoch; return the matplotlib Figure.

        Validation curves are drawn dashed beside the training ones. In a
        notebook, assign the result (``fig = history.plot()``) or end the line
        with ``;``, or Jupyter shows the figure twice.
        """
        plt = _import_pyplot("History.plot()")
        panels = [("loss", self.loss, self.val_loss)]
        if self.accuracy:
            panels.append(("accuracy", self.accuracy, self.val_accuracy))
        fig, axes = plt.subplots(1, len(panels), figsize=(5.0 * len(panels), 3.5), squeeze=False)
        for ax, (name, train, val) in zip(axes[0], panels, strict=True):
            epochs = range(1, len(train) + 1)
            ax.plot(epochs, train, label=f"training {name}")
            if val:
                ax.plot(range(1, len(val) + 1), val, "--", label=f"validation {name}")
            ax.set_xlabel("epoch")
            ax.set_ylabel(name)
            if name == "loss" and train and min(train) > 0 and max(train) / min(train) > 100:
                ax.set_yscale("log")
            if name == "accuracy":
                ax.set_ylim(-0.02, 1.02)
            ax.grid(alpha=0.3)
            ax.legend()
        fig.tight_layout()
        return fig

    def __repr__(self) -> str:
        if not self.loss:
            return f"History(0 epochs{', diverged in epoch 1' if self.diverged else ''})"
        parts = [f"{self.epochs} epochs", f"loss {self.loss[-1]:.4g}"]
        if self.accuracy:
            parts.append(f"accuracy {self.accuracy[-1]:.3f}")
        if self.val_loss:
            parts.append(f"val_loss {self.val_loss[-1]:.4g}")
        if self.val_accuracy:
            parts.append(f"val_accuracy {self.val_accuracy[-1]:.3f}")
        if self.diverged:
            parts.append(f"diverged in epoch {self.diverged_epoch}")
        elif self.stopped_early:
            parts.append(f"stopped early: {self.stop_reason}")
        return f"History({', '.join(parts)})"


_OPTIONAL_COLUMNS = ("accuracy", "val_loss", "val_accuracy")


class CSVLogger:
    """A ``fit`` callback writing one CSV row per epoch, as training goes.

    The file gets a header at the first epoch of each ``fit`` run (starting a
    new file, unless ``append=True``), then a row after every epoch, at once,
    so another program can follow it (``tail -f``). ``History.to_csv`` writes
    the same format after the fact.

    The file only ever holds whole rows. The first epoch's file is written
    whole or not at all (a new file replaces the old one only once complete);
    each later row is appended in one write, and a write that fails (a full
    disk) is cut back off, so the file is as it was before that row. Rows are
    appended rather than the file rewritten each epoch, because a rewrite
    replaces the file, which a program following it loses, and costs more each
    epoch as the file grows. With ``append=True``, a file whose header differs
    from this run's columns is refused rather than mixed.

    Example:
        >>> import os, tempfile
        >>> from autograd_lite import datasets, nn, optim
        >>> X, y = datasets.xor()
        >>> model = nn.MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=1)
        >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
        >>> _ = fit(model, X, y, loss="binary_cross_entropy", epochs=3,
        ...         optimizer=optim.Adam(model.parameters(), lr=0.1), callbacks=[CSVLogger(path)])
        >>> with open(path) as f:
        ...     print(f.readline(), end="")
        ...     print(len(f.readlines()), "rows")
        epoch,loss,accuracy,lr
        3 rows
    """

    def __init__(self, path: str | os.PathLike[str], *, append: bool = False) -> None:
        self.path = path
        self.append = append

    def __call__(self, history: History) -> None:
        if history.epochs == 0:
            return
        epoch = history.epochs
        if epoch == 1:
            old = self._existing(history) if self.append else None
            if old is None:  # a new file: written whole or not at all
                write_atomically(self.path, history._csv())
                return
            header = not old
        else:
            header = False
        self._append(history._csv(header=header, epochs=range(epoch, epoch + 1)))

    def _existing(self, history: History) -> str | None:
        """With ``append``: the file's text, checked against this run's columns
        (None when there is no file yet, "" when it is empty)."""
        try:
            with open(self.path, encoding="utf-8", newline="") as f:
                text = f.read()
        except FileNotFoundError:
            return None
        if not text:
            return ""
        header = text.split("\n", 1)[0]
        if header != ",".join(history.columns()):
            raise ValueError(
                f"CSVLogger({os.fspath(self.path)!r}, append=True): the file's columns are "
                f"{header!r} but this run records {','.join(history.columns())!r}; log to "
                "another file, or leave append out to start this one afresh"
            )
        if not text.endswith("\n"):
            raise ValueError(
                f"CSVLogger({os.fspath(self.path)!r}, append=True): the file's last row is "
                "cut short (it does not end with a newline); repair or move the file first"
            )
        return text

    def _append(self, text: str) -> None:
        """Append ``text`` in one write; on failure, cut the file back to its old size."""
        data = text.encode("utf-8")
        path = os.fspath(self.path)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        except OSError as error:
            raise OSError(error.errno, f"cannot append to {path!r}: {error.strerror}") from None
        try:
            size = os.fstat(fd).st_size
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(f"wrote {written} of {len(data)} bytes")
            except OSError as error:
                os.ftruncate(fd, size)
                raise OSError(
                    error.errno,
                    f"cannot append to {path!r}: {error.strerror or error}; the file is as it "
                    "was before this row",
                ) from error
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"CSVLogger({os.fspath(self.path)!r})"


class TensorBoardLogger:
    """A ``fit`` callback sending each epoch's metrics to TensorBoard.

    Writes the scalars ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``
    and ``lr`` (those recorded) at step = epoch, through PyTorch's
    ``SummaryWriter``, which needs the optional ``tensorboard`` package
    (``pip install tensorboard``); or through any ``writer`` with an
    ``add_scalar(tag, value, step)`` method. Then ``tensorboard --logdir runs``.

    Usage::

        logger = TensorBoardLogger("runs/moons")
        fit(model, X, y, loss="hinge", optimizer=opt, epochs=100, callbacks=[logger])
        logger.close()
    """

    def __init__(
        self, log_dir: str | os.PathLike[str] | None = None, *, writer: Any = None
    ) -> None:
        if writer is None:
            try:
                summary = importlib.import_module("torch.utils.tensorboard")
            except ImportError:
                raise ImportError(
                    "TensorBoardLogger writes through PyTorch's SummaryWriter, which needs torch "
                    "and tensorboard: pip install 'autograd-lite[torch]' tensorboard "
                    "(or pass writer=... with an add_scalar(tag, value, step) method)"
                ) from None
            writer = summary.SummaryWriter(log_dir=None if log_dir is None else os.fspath(log_dir))
        elif not callable(getattr(writer, "add_scalar", None)):
            raise TypeError(
                "TensorBoardLogger: writer needs an add_scalar(tag, value, step) method"
            )
        self.writer = writer

    def __call__(self, history: History) -> None:
        epoch = history.epochs
        for name, value in zip(history.columns()[1:], history.row(epoch)[1:]):
            self.writer.add_scalar(name, value, epoch)
        flush = getattr(self.writer, "flush", None)
        if callable(flush):
            flush()

    def close(self) -> None:
        """Close the writer (flushes the event file)."""
        close = getattr(self.writer, "close", None)
        if callable(close):
            close()


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


def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: str | LossFunction,
    predict: Predict | None = None,
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)`` in evaluation mode, under ``no_grad``.

    The accuracy is None when the loss has no notion of a class and no
    ``predict`` is given. The model's modes are restored afterwards.

    Example:
        >>> from autograd_lite import nn
        >>> model = nn.MLP(1, [1], seed=0)
        >>> model.load_weights([([[1.0]], [0.0])])
        >>> evaluate(model, [[2.0], [-1.0]], [1, 1], loss="hinge")
        (1.0, 0.5)
    """
    loss_fn, loss_name = _loss_function(loss)
    n_outputs = _check_data(model, X, y, loss_name, "X", "y")
    if predict is None:
        predict = _default_predict(loss_name, y, n_outputs)
    return _evaluate(model, (X, y), loss_fn, 0.0, [], predict)


# -- decision boundary -------------------------------------------------------------------


def plot_decision_boundary(
    model: Module,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    predict: Predict | None = None,
    resolution: int = 100,
    ax: Any = None,
) -> Any:
    """Colour the plane by the class ``model`` predicts and scatter ``(X, y)`` on it.

    For 2-D inputs, as in micrograd's demo. A one-output model is split at 0.5
    when its output activation is sigmoid and at 0 otherwise (logits, hinge
    scores); a model with several outputs by argmax. ``predict`` overrides
    this: it gets one output (a Value or a list of Values).

    Args:
        model: the classifier (an MLP is evaluated on floats, which is fast).
        X: samples, each two numbers.
        y: their labels.
        predict: turns one output into a class label (see above).
        resolution: grid points along each axis.
        ax: a matplotlib Axes to draw on; a new figure when None.

    Returns:
        The matplotlib Axes.
    """
    plt = _import_pyplot("plot_decision_boundary()")
    if len(X) == 0 or len(X) != len(y):
        raise ValueError(
            f"plot_decision_boundary: need one label per sample, got {len(X)} samples and "
            f"{len(y)} labels"
        )
    if any(len(x) != 2 for x in X):
        raise ValueError(
            "plot_decision_boundary: draws 2-D inputs only; every sample needs 2 numbers"
        )
    if not is_whole(resolution) or resolution < 2:
        raise ValueError(
            f"plot_decision_boundary: resolution must be an int >= 2, got {resolution!r}"
        )
    labels = sorted(set(y))
    classify = _classifier(model, predict, labels)
    xs = [number_of(x[0]) for x in X]
    ys = [number_of(x[1]) for x in X]
    pad_x = 0.1 * (max(xs) - min(xs)) or 1.0
    pad_y = 0.1 * (max(ys) - min(ys)) or 1.0
    grid_x = linspace(min(xs) - pad_x, max(xs) + pad_x, resolution)
    grid_y = linspace(min(ys) - pad_y, max(ys) + pad_y, resolution)
    index = {label: i for i, label in enumerate(labels)}
    with no_grad(), _modes(model, training=False):
        classes = [[classify([gx, gy]) for gx in grid_x] for gy in grid_y]
    # Predicted labels the data never shows still get their own colour level.
    for row in classes:
        for label in row:
            if label not in index:
                index[label] = len(index)
    levels = [[index[label] for label in row] for row in classes]
    n_levels = len(index)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.0, 4.5))
    cmap = plt.get_cmap("Spectral" if n_levels > 2 else "coolwarm", max(n_levels, 2))
    bounds = [i - 0.5 for i in range(n_levels + 1)]
    ax.contourf(grid_x, grid_y, levels, levels=bounds, cmap=cmap, alpha=0.35)
    ax.scatter(
        xs,
        ys,
        c=[index[label] for label in y],
        cmap=cmap,
        vmin=-0.5,
        vmax=n_levels - 0.5,
        s=22,
        edgecolors="black",
        linewidths=0.5,
    )
    ax.set_xlim(grid_x[0], grid_x[-1])
    ax.set_ylim(grid_y[0], grid_y[-1])
    ax.set_title("decision boundary")
    return ax


# -- helpers ------------------------------------------------------------------------------


def _loss_function(loss: str | LossFunction) -> tuple[LossFunction, str]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss={loss!r}: choose one of {', '.join(map(repr, LOSSES))}")
        return LOSSES[loss], loss
    if not callable(loss):
        raise TypeError(f"loss must be a loss function or its name, got {loss!r}")
    for name, fn in LOSSES.items():
        if fn is loss:
            return fn, name
    return loss, ""


def _check_int(n: Any, name: str) -> None:
    if not is_whole(n) or n < 1:
        raise ValueError(
            f"fit: {name} must be a positive int (a whole number 1, 2, ...), got {n!r}"
        )


def _check_data(
    model: Module, X: Sequence[Any], y: Sequence[Any], loss_name: str, x_name: str, y_name: str
) -> int:
    """Check a data set against the model and the loss; return the output width."""
    for name, data in ((x_name, X), (y_name, y)):
        if isinstance(data, (str, bytes)) or not isinstance(data, Sequence):
            raise TypeError(f"{name} must be a list, got {type(data).__name__}")
    if len(X) == 0:
        raise ValueError(f"{x_name} is empty: the data set needs at least one sample")
    if len(X) != len(y):
        raise ValueError(
            f"{x_name} has {len(X)} samples but {y_name} has {len(y)} targets; "
            "give exactly one target per sample"
        )
    width = getattr(model, "n_inputs", None)
    if not isinstance(width, int):
        width = len(X[0])
    for i, x in enumerate(X):
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise ValueError(f"{x_name}[{i}] is {type(x).__name__}; a sample is a list of numbers")
        if len(x) != width:
            raise ValueError(
                f"{x_name}[{i}] has {len(x)} number(s) but {model!r} takes {width}: "
                "every sample must match the model's input width"
            )
        for v in x:
            if not (is_real(v) or isinstance(v, Value)):
                raise ValueError(f"{x_name}[{i}] holds {v!r}; samples must be numbers")
            if not _is_finite(v):
                raise ValueError(
                    f"{x_name}[{i}] holds {v!r}; samples must be finite numbers (drop or fill "
                    "in the missing values first)"
                )
    with no_grad(), _modes(model, training=False):  # no dropout draw, no batch of one
        probe = model(X[0])
    n_outputs = 1 if isinstance(probe, Value) else len(probe)
    _check_targets(y, loss_name, n_outputs, y_name)
    return n_outputs


def _check_targets(y: Sequence[Any], loss_name: str, n_outputs: int, y_name: str) -> None:
    one_output = {"binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge"}
    if loss_name in one_output and n_outputs != 1:
        raise ValueError(
            f"loss {loss_name!r} needs a model with one output, but this one has {n_outputs}"
        )
    if loss_name == "cross_entropy" and n_outputs < 2:
        raise ValueError(
            "loss 'cross_entropy' needs one output per class (at least 2); this model has 1"
        )
    for i, t in enumerate(y):
        problem = _target_problem(t, loss_name, n_outputs)
        if problem:
            raise ValueError(
                f"{y_name}[{i}] = {t!r} is outside the domain of loss {loss_name!r}: {problem}"
            )


def _target_problem(t: Any, loss_name: str, n_outputs: int) -> str:
    if loss_name == "cross_entropy":
        if (
            isinstance(t, bool)
            or not isinstance(t, numbers.Integral)
            or not 0 <= int(t) < n_outputs
        ):
            return f"expected a class index 0..{n_outputs - 1}"
        return ""
    if loss_name == "":
        return ""
    values = t if isinstance(t, Sequence) and not isinstance(t, (str, bytes)) else [t]
    if loss_name == "mse" and n_outputs > 1 and len(values) != n_outputs:
        return f"expected a list of {n_outputs} numbers, one per output"
    for v in values:
        if not (is_real(v) or isinstance(v, Value)):
            return "expected a number"
        if not _is_finite(v):
            return "expected a finite number"
        number = number_of(v)
        if loss_name.startswith("binary_cross_entropy") and not 0.0 <= number <= 1.0:
            return "expected a label 0 or 1 (or a probability between them)"
        if loss_name == "hinge" and number not in (-1.0, 1.0):
            return "expected -1 or +1 (map 0/1 labels with 2*y - 1)"
    return ""


def _is_finite(v: Any) -> bool:
    """A finite number (a Value's ``.data`` for a Value); an int too large for a float is not."""
    try:
        return math.isfinite(number_of(v))
    except OverflowError:
        return False


def _default_predict(loss_name: str, y: Sequence[Any], n_outputs: int) -> Predict | None:
    if loss_name == "cross_entropy":
        return _argmax
    if loss_name == "binary_cross_entropy":
        return _above(0.5, 0, 1)
    if loss_name == "binary_cross_entropy_with_logits":
        return _above(0.0, 0, 1)
    if loss_name == "hinge":
        return _above(0.0, -1, 1)
    if loss_name == "mse" and n_outputs == 1 and all(t in (0, 1) for t in y):
        return _above(0.5, 0, 1)
    return None


def _argmax(output: Any) -> int:
    return index_of_max([v.data for v in output])


def _above(threshold: float, low: int, high: int) -> Predict:
    def predict(output: Any) -> int:
        return high if number_of(output) > threshold else low

    return predict


def _count_correct(predict: Predict, outputs: Sequence[Any], targets: Sequence[Any]) -> int:
    return sum(1 for o, t in zip(outputs, targets, strict=True) if predict(o) == t)


def _evaluate(
    model: Module,
    data: tuple[Sequence[Sequence[float]], Sequence[Any]],
    loss_fn: LossFunction,
    l2: float,
    params: list[Value],
    predict: Predict | None,
) -> tuple[float, float | None]:
    X, y = data
    with no_grad(), _modes(model, training=False):
        outputs = model.forward_batch(X)
        objective = loss_fn(outputs, list(y))
        if l2:
            objective = objective + _losses.l2_penalty(params, l2)
    accuracy = None if predict is None else _count_correct(predict, outputs, y) / len(X)
    return objective.data, accuracy


def _classifier(
    model: Module, predict: Predict | None, labels: list[Any]
) -> Callable[[list[float]], Any]:
    """A function from a point to a predicted label, in the labels' own values."""
    if predict is not None:
        chosen = predict
        return lambda point: chosen(model(point))
    # A one-output model says "the larger label" above its threshold, else the smaller
    # (so -1/+1 and 0/1 labels both work); several outputs pick a class index.
    low, high = (labels[0], labels[-1]) if len(labels) == 2 else (0, 1)
    if isinstance(model, MLP):
        threshold = 0.5 if model.output_activation == "sigmoid" else 0.0
        if model.n_outputs == 1:
            return lambda point: high if model.forward_floats(point)[0] > threshold else low
        return lambda point: index_of_max(model.forward_floats(point))

    def classify(point: list[float]) -> Any:
        out = model(point)
        if isinstance(out, Value):
            return high if out.data > 0.0 else low
        return _argmax(out)

    return classify


def _postfix(history: History) -> dict[str, str]:
    postfix = {"loss": f"{history.loss[-1]:.4f}"}
    if history.accuracy:
        postfix["acc"] = f"{history.accuracy[-1]:.3f}"
    if history.val_loss:
        postfix["val_loss"] = f"{history.val_loss[-1]:.4f}"
    return postfix


@contextmanager
def _modes(model: Module, training: bool) -> Iterator[None]:
    """``model`` in one mode for the block, then each module back in its own.

    For training, a model already in training mode is left as it is, so a
    module the user put in evaluation mode inside it (a frozen batch norm)
    stays frozen; a model in evaluation mode is switched to training whole.
    """
    with modes_restored(model):
        if not (training and model.training):
            model.train(training)
        yield


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


def _import_pyplot(where: str) -> Any:
    return optional_import("matplotlib.pyplot", where, "plot", "matplotlib")
