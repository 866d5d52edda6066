"""The old import paths of the modules that moved into packages (``_moved``)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import warnings

import pytest

import autograd_lite
from autograd_lite._moved import MOVED


@pytest.mark.parametrize(("old", "new"), sorted(MOVED.items()))
def test_an_old_module_path_imports_the_new_module_with_a_warning(old: str, new: str) -> None:
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert [str(w.message).split(";")[0] for w in caught] == [f"{old} moved to {new}"]
    assert all(w.category is DeprecationWarning for w in caught)
    target = importlib.import_module(new)
    public = [name for name in dir(target) if not name.startswith("_")]
    assert public
    assert all(getattr(module, name) is getattr(target, name) for name in public)


def test_from_an_old_path_import_a_name_gives_the_same_object() -> None:
    code = (
        "import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
        "import autograd_lite\n"
        "try:\n    from autograd_lite.ledger import explain\nexcept DeprecationWarning as w:\n"
        "    print('warned', w)\n"
        "warnings.simplefilter('ignore')\n"
        "from autograd_lite.ledger import explain\n"
        "print(explain is autograd_lite.explain)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [
        "warned autograd_lite.ledger moved to autograd_lite.text.ledger; import it from there "
        "(or import its names from autograd_lite). The old path still works.",
        "True",
    ]


def test_the_functions_named_like_old_modules_stay_functions() -> None:
    # jit.py and gradcheck.py were modules named like functions; the names are the
    # functions, and no alias replaces them.
    assert callable(autograd_lite.jit)
    assert callable(autograd_lite.gradcheck)
    assert "autograd_lite.jit" not in MOVED
    assert "autograd_lite.gradcheck" not in MOVED
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("autograd_lite.jit")
    assert callable(autograd_lite.jit)
