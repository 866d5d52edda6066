"""Callbacks that send each epoch's metrics elsewhere: ``CSVLogger`` (a CSV file,
written whole at every epoch) and ``TensorBoardLogger``.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

from autograd_lite._helpers import (
    write_atomically,
)
from autograd_lite.train.history import History


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
        >>> from autograd_lite.train import fit
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
