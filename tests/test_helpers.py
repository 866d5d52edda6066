"""The private helpers' contracts that the rest of the package relies on."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from autograd_lite import _helpers
from autograd_lite._helpers import write_atomically


def test_write_atomically_writes_whole_files_with_the_mode_open_would_give(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    write_atomically(target, "héllo\n")
    assert target.read_bytes() == "héllo\n".encode()
    assert target.stat().st_mode & 0o777 == 0o666 & ~_helpers._UMASK
    target.chmod(0o600)
    write_atomically(str(target), b"\x00bytes")  # an existing file keeps its mode
    assert target.read_bytes() == b"\x00bytes"
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]


@pytest.mark.parametrize("stage", ["write", "fsync", "replace"])
def test_a_failure_at_any_stage_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    target = tmp_path / "model.json"
    target.write_text("the good one")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    if stage == "write":
        real_fdopen = os.fdopen

        class Failing:
            def __init__(self, handle: int, mode: str) -> None:
                self.file = real_fdopen(handle, mode)

            def __enter__(self) -> Failing:
                return self

            def __exit__(self, *exc: object) -> None:
                self.file.close()

            def write(self, data: bytes) -> None:
                self.file.write(data[: len(data) // 2])  # half of it, then the disk is full
                full_disk()

        monkeypatch.setattr(_helpers.os, "fdopen", Failing)
    else:
        monkeypatch.setattr(_helpers.os, stage, full_disk)
    with pytest.raises(
        OSError, match=r"cannot write .*model\.json.*old file, if any, is unchanged"
    ):
        write_atomically(target, "a much longer replacement " * 100)
    assert target.read_text() == "the good one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json"]


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"cannot write .*no/such/folder"):
        write_atomically(tmp_path / "no" / "such" / "folder" / "f.txt", "x")
