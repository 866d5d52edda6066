"""The docs pages' doctests run in a fresh temporary directory, so examples that
write files (``CSVLogger("training.csv")``, ``draw(f).save("f.svg")``) leave
nothing behind, and with matplotlib drawing off screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _in_a_temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
