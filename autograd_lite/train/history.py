"""``History``: what ``fit`` records, epoch by epoch (losses, accuracies, learning
rates, gradient sizes), with its plots and its CSV/JSON files.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from autograd_lite._helpers import (
    is_whole,
    write_atomically,
)
from autograd_lite.train.plots import _import_pyplot

#: A function called after every epoch with the history so far; returning True
#: stops training (e.g. custom early stopping), anything else carries on.
Callback = Callable[["History"], bool | None]


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
