"""The old import paths of modules that moved into packages, kept working.

``autograd_lite.ledger`` is now ``autograd_lite.text.ledger`` (and likewise
``notation``, ``tables``, ``questions``, ``anomaly``). Importing an old path gives
a small module that forwards every attribute to the new one, with a
``DeprecationWarning`` naming the new path; nothing else changes. (``jit`` and
``gradcheck`` are not here: those names are the functions, which an alias
module would have replaced on the package.)
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence

#: Old module path -> new module path.
MOVED = {
    f"autograd_lite.{name}": f"autograd_lite.text.{name}"
    for name in ("notation", "tables", "ledger", "questions", "anomaly")
}


class _Forwarding(types.ModuleType):
    """A module that is another module under its old name."""

    def __init__(self, name: str, target: types.ModuleType) -> None:
        super().__init__(name, target.__doc__)
        self._target = target

    def __getattr__(self, attribute: str) -> object:
        return getattr(self._target, attribute)

    def __dir__(self) -> list[str]:
        return dir(self._target)


class _Loader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} moved to {new}; import it from there (or import its names from "
            "autograd_lite). The old path still works.",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Forwarding(spec.name, importlib.import_module(new))

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing to run: the forwarding module is complete when made."""


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader())


def install() -> None:
    """Let the old paths import (once per interpreter)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.append(_Finder())
