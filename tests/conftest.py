"""Shared fixtures: the PyTorch oracle and the hypothesis profiles.

PyTorch is a test-only oracle. Where it is missing, the tests that need it skip
with a visible reason; under CI (``CI`` set) a missing oracle is an error on the
Python it is installed for (3.11: ``torch==2.13.0`` is a CPU wheel only there),
and a visible skip on the others.

The browser playground's site and Chromium (``playground_site``, ``playground_browser``)
are session fixtures, shared by ``test_playground.py`` and
``test_playground_network_browser.py``.

Hypothesis profiles: ``ci`` (the default under CI) is derandomised, so a run is
reproducible and a failure is the same on a re-run; ``default`` draws new cases
each run; ``thorough`` draws 10x more, for exploring
(``HYPOTHESIS_PROFILE=thorough python -m pytest``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=100,
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.register_profile(
    "thorough", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=1000
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default")
)

#: The only Python with a CPU wheel of the pinned torch: elsewhere the oracle is optional.
TORCH_PYTHON = (3, 11)


def require_torch() -> ModuleType:
    """Import torch, or skip (fail under CI) with the install hint."""
    try:
        import torch
    except ImportError:
        message = 'PyTorch oracle not installed: pip install -e ".[torch]"'
        if sys.version_info[:2] != TORCH_PYTHON:
            pytest.skip(
                f"PyTorch oracle only on Python {TORCH_PYTHON[0]}.{TORCH_PYTHON[1]}: "
                f"torch==2.13.0 has no CPU wheel for {sys.version_info[0]}.{sys.version_info[1]}"
            )
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must check parity with PyTorch)")
        pytest.skip(message)
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """The PyTorch module, float64 by default."""
    return require_torch()


# -- the browser playground: built and served once, for both of its browser test files ----


@pytest.fixture(scope="session")
def playground_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The playground built into a temporary site (one build for the session: about a
    minute of CI) and served on a loopback port; the page's URL."""
    from tests.playground_pages import served_site

    with served_site(tmp_path_factory.mktemp("playground-site")) as url:
        yield url


@pytest.fixture(scope="session")
def playground_browser(playground_site: str) -> Iterator[Any]:
    """Headless Chromium that can reach 127.0.0.1 only (a CDN fetch would fail the page)."""
    from tests.playground_pages import offline_chromium

    with offline_chromium() as driver:
        yield driver


# The playground's browser tests ask for ``site`` and ``browser``; tests/test_browser.py
# defines its own (the documentation site), which take precedence in that module.


@pytest.fixture
def site(playground_site: str) -> str:
    """The playground's URL (built once per session)."""
    return playground_site


@pytest.fixture
def browser(playground_browser: Any) -> Any:
    """The session's offline Chromium (every host but 127.0.0.1 unresolvable)."""
    return playground_browser
