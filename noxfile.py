"""The version matrix: the test suite on every Python that pyproject.toml promises.

``nox`` (or ``nox -s tests-3.12``) makes a virtual environment per interpreter,
installs the package with its ``[test,bench]`` extras and runs pytest without the
notebooks and the browser tests (those run once, in CI's main environment, as they
do not depend on the interpreter). Interpreters are looked up on ``PATH`` as
``python3.10`` ... ``python3.13``; ``.ci/run`` puts pyenv's there.

PyTorch is the test oracle only on 3.11: ``torch==2.13.0`` is a CPU wheel for 3.11
on our machines, and the same pin fetches the CUDA build (gigabytes) elsewhere, so
the other versions skip the PyTorch comparisons with a visible reason.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]
TORCH_PYTHON = "3.11"

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Install from scratch and run the test suite (no notebooks, no browser)."""
    extras = "test,bench,torch" if session.python == TORCH_PYTHON else "test,bench"
    session.install("-q", "-e", f".[{extras}]")
    session.run(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "not notebooks and not browser",
        *session.posargs,
        env={"MPLBACKEND": "Agg"},
    )
