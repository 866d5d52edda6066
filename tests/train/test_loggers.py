"""train's logging callbacks (CSVLogger, TensorBoardLogger) and History's files,
written whole or not at all."""

from __future__ import annotations

import csv
import os
import sys
from typing import Any

import pytest

from autograd_lite import optim
from autograd_lite.train import (
    CSVLogger,
    History,
    TensorBoardLogger,
    fit,
)
from tests.train.test_loop import small_problem

# -- logging callbacks ------------------------------------------------------------------------


def test_csv_logger_writes_a_row_after_every_epoch(tmp_path: Any) -> None:
    model, X, y = small_problem()
    path = tmp_path / "log.csv"
    rows_seen: list[int] = []

    def count_rows(history: History) -> None:
        with open(path, encoding="utf-8") as f:
            rows_seen.append(len(f.readlines()) - 1)

    opt = optim.SGD(model.parameters(), lr=0.5)
    logger = CSVLogger(path)
    history = fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=4,
                  validation_data=(X[:4], y[:4]), callbacks=[logger, count_rows])  # fmt: skip
    assert rows_seen == [1, 2, 3, 4]  # written (and flushed) as each epoch ends
    with open(path, encoding="utf-8", newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr"]
    assert [[float(v) for v in row] for row in table[1:]] == [
        [float(v) for v in history.row(epoch)] for epoch in range(1, 5)
    ]
    assert [float(row[1]) for row in table[1:]] == history.loss  # full precision
    # a second run starts the file afresh; append=True keeps adding rows
    fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
        callbacks=[CSVLogger(path)])  # fmt: skip
    fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
        callbacks=[CSVLogger(path, append=True)])  # fmt: skip
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert lines[0] == "epoch,loss,accuracy,lr"
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2", "1", "2"]


def test_history_to_csv(tmp_path: Any) -> None:
    history = History(loss=[0.5, 0.25], accuracy=[0.5, 1.0], lr=[0.1, 0.05])
    path = tmp_path / "history.csv"
    history.to_csv(path)
    assert path.read_text(encoding="utf-8") == (
        "epoch,loss,accuracy,lr\n1,0.5,0.5,0.1\n2,0.25,1.0,0.05\n"
    )
    assert History().columns() == ["epoch", "loss", "lr"]
    with pytest.raises(ValueError, match=r"epoch must be 1\.\.2"):
        history.row(3)


class FakeWriter:
    def __init__(self) -> None:
        self.scalars: list[tuple[str, float, int]] = []
        self.closed = False

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        self.scalars.append((tag, value, step))

    def close(self) -> None:
        self.closed = True


def test_tensorboard_logger_sends_every_epochs_metrics_to_its_writer() -> None:
    model, X, y = small_problem()
    writer = FakeWriter()
    logger = TensorBoardLogger(writer=writer)
    opt = optim.SGD(model.parameters(), lr=0.5)
    history = fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=3,
                  callbacks=[logger])  # fmt: skip
    logger.close()
    assert writer.closed
    assert [step for tag, _, step in writer.scalars if tag == "loss"] == [1, 2, 3]
    assert [v for tag, v, _ in writer.scalars if tag == "loss"] == history.loss
    assert {tag for tag, _, _ in writer.scalars} == {"loss", "accuracy", "lr"}
    with pytest.raises(TypeError, match="add_scalar"):
        TensorBoardLogger(writer=object())


def test_tensorboard_logger_without_tensorboard_names_the_packages(monkeypatch: Any) -> None:
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    with pytest.raises(ImportError, match=r"pip install .*tensorboard"):
        TensorBoardLogger("runs")


def test_tensorboard_logger_writes_event_files(tmp_path: Any) -> None:
    pytest.importorskip("tensorboard", reason="optional: pip install tensorboard")
    pytest.importorskip("torch.utils.tensorboard", reason="needs torch and tensorboard")
    model, X, y = small_problem()
    logger = TensorBoardLogger(tmp_path / "runs")
    opt = optim.SGD(model.parameters(), lr=0.5)
    fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2, callbacks=[logger])
    logger.close()
    assert any(name.startswith("events.out.tfevents") for name in os.listdir(tmp_path / "runs"))


# -- files are written whole or not at all (issue 19) -------------------------------------------


def test_history_to_csv_leaves_the_old_file_when_the_write_fails(
    tmp_path: Any, monkeypatch: Any
) -> None:
    path = tmp_path / "history.csv"
    History(loss=[0.5], lr=[0.1]).to_csv(path)
    old = path.read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        History(loss=[0.5, 0.25, 0.125], lr=[0.1] * 3).to_csv(path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["history.csv"]  # no temporary file left behind


def test_csv_logger_never_leaves_a_half_written_row(tmp_path: Any, monkeypatch: Any) -> None:
    model, X, y = small_problem()
    path = tmp_path / "log.csv"
    opt = optim.SGD(model.parameters(), lr=0.5)
    fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
        callbacks=[CSVLogger(path)])  # fmt: skip
    old = path.read_bytes()
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        real_write(fd, data[: len(data) // 2])
        raise OSError(28, "No space left on device")

    # a later epoch's row: cut back off, the file as before that row
    monkeypatch.setattr(os, "write", half_then_full)
    logger = CSVLogger(path, append=True)
    with pytest.raises(OSError, match="as it was before this row"):
        fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
            callbacks=[logger])  # fmt: skip
    assert path.read_bytes() == old
    # the first epoch of a new log: written whole or not at all
    monkeypatch.undo()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "full")))
    with pytest.raises(OSError, match="full"):
        fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
            callbacks=[CSVLogger(path)])  # fmt: skip
    assert path.read_bytes() == old


def test_csv_logger_refuses_to_append_other_columns(tmp_path: Any) -> None:
    model, X, y = small_problem()
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss,lr\n1,0.5,0.1\n", encoding="utf-8")
    opt = optim.SGD(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match="columns are 'epoch,loss,lr' but this run records"):
        fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=1,
            callbacks=[CSVLogger(path, append=True)])  # fmt: skip
    assert path.read_text(encoding="utf-8") == "epoch,loss,lr\n1,0.5,0.1\n"
