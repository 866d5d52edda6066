"""Shared fixtures: the PyTorch oracle and the hypothesis profile.

PyTorch is a test-only oracle. Where it is missing, the tests that need it skip
with a visible reason; under CI (``CI`` set) a missing oracle is an error, so
parity is always checked there.
"""

from __future__ import annotations

import os
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.register_profile(
    "thorough", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=1000
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def require_torch() -> ModuleType:
    """Import torch, or skip (fail under CI) with the install hint."""
    try:
        import torch
    except ImportError:
        message = 'PyTorch oracle not installed: pip install -e ".[torch]"'
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must check parity with PyTorch)")
        pytest.skip(message)
    torch.set_default_dtype(torch.float64)
    return torch


@pytest.fixture(scope="session")
def torch() -> ModuleType:
    """The PyTorch module, float64 by default."""
    return require_torch()
