"""The docs pages' doctests run in a fresh temporary directory, so examples that
write files (``CSVLogger("training.csv")``, ``draw(f).save("f.svg")``) leave
nothing behind, and with matplotlib drawing off screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Only the pages are tests here. The notebooks (a link to ../notebooks) run in
# tests/test_notebooks.py, and the Python files under docs/ (the MkDocs hooks, figure
# scripts, the playground) are build tools whose imports (griffe, pyodide) are not test
# dependencies, so --doctest-modules must not import them.
collect_ignore = ["notebooks"]
collect_ignore_glob = ["*.py"]


@pytest.fixture(autouse=True)
def _in_a_temporary_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", os.environ.get("MPLBACKEND", "Agg"))
