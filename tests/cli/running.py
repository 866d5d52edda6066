"""Running the command in tests: in process (``run``), as the installed
``autograd-lite`` program, or as ``python -m autograd_lite``."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from autograd_lite.cli import EXIT_OK, main


def run(*argv: str) -> tuple[int, str, str]:
    """``main(argv)`` in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def installed_command() -> str:
    """The console script next to this interpreter (pip install -e . puts it there)."""
    found = shutil.which("autograd-lite", path=os.path.dirname(sys.executable)) or shutil.which(
        "autograd-lite"
    )
    if found is None:
        message = 'the autograd-lite command is not installed: pip install -e ".[dev]"'
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def command(
    *argv: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``autograd-lite`` as a subprocess."""
    return subprocess.run(
        [installed_command(), *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
        check=False,
    )


def module(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m autograd_lite`` as a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


def grad_json(*argv: str) -> dict[str, Any]:
    status, out, err = run("grad", *argv, "--json")
    assert status == EXIT_OK, err
    result: dict[str, Any] = json.loads(out)
    return result


def one_line_error(err: str) -> str:
    """The single line a runtime error prints (no traceback, no second line)."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("autograd-lite: error: ")
    return lines[0]


def without_dot(tmp_path: Path) -> dict[str, str]:
    """The environment with a PATH (an empty folder) on which Graphviz's dot cannot be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return {**os.environ, "PATH": str(empty)}
