"""Private helpers shared by the modules above the core: argument checks,
optional imports, and small utilities that were written out in several places.

Not public API. The core (``ops``, ``value``, ``autodiff``) never imports this
module: it keeps its own few checks so that it depends on nothing else of the
package (see ``tests/test_architecture.py``).
"""

from __future__ import annotations

import importlib
import math
import numbers
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from autograd_lite.value import Value, number_of

__all__ = [
    "finite_or_none",
    "index_of_max",
    "is_real",
    "is_whole",
    "linspace",
    "modes_restored",
    "number_of",
    "optional_import",
    "sum_values",
    "write_atomically",
]

# The process's umask, read once (os.umask can only be read by setting it): a file
# written through a temporary one gets the mode that open() would have given it.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def is_real(x: object) -> bool:
    """A real number (int, float, Fraction, numpy scalar), and not a bool: True
    and False are refused everywhere as a likely mistake."""
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def is_whole(x: object) -> bool:
    """An int, and not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)


def optional_import(module: str, where: str, extra: str, name: str) -> Any:
    """Import an optional dependency, or say which extra installs it.

    ``where`` names the feature that needs it, ``name`` the dependency and
    ``extra`` the package extra: ``optional_import("torch", "MLP.to_torch()",
    "torch", "PyTorch")`` fails with ``MLP.to_torch() needs PyTorch: pip
    install 'autograd-lite[torch]'``.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{where} needs {name}: pip install 'autograd-lite[{extra}]'") from None


def linspace(start: float, stop: float, count: int) -> list[float]:
    """``count`` evenly spaced numbers from start to stop, both included exactly
    (numpy's linspace)."""
    if count == 1:
        return [start]
    step = (stop - start) / (count - 1)
    return [start + k * step for k in range(count - 1)] + [stop]


def sum_values(terms: Sequence[Value]) -> Value:
    """``terms[0] + terms[1] + ...``, left to right, without a ``0 +`` node in front
    (Python's ``sum`` would add one, which drawings would show)."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def index_of_max(scores: Sequence[float]) -> int:
    """The index of the largest score (the first, on a tie): a predicted class."""
    return list(scores).index(max(scores))


@contextmanager
def modes_restored(model: Any) -> Iterator[None]:
    """Inside the block, change ``model``'s train/eval modes freely; afterwards
    every module inside it is back in the mode it had, one by one."""
    saved = [(module, module.training) for module in model.modules()]
    try:
        yield
    finally:
        for module, mode in saved:
            module.training = mode


def finite_or_none(data: Any) -> Any:
    """``data`` (nested dicts, lists, tuples) with inf and nan replaced by None, so
    that it is standard JSON (the command line's ``--json`` and the playground)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {key: finite_or_none(item) for key, item in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_or_none(item) for item in data]
    return data


def write_atomically(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Write ``content`` to ``path`` whole or not at all.

    The content is complete before anything touches the disk (the caller
    serialised and validated it); it goes to a temporary file in the same
    folder, is flushed and fsynced, and only then replaces ``path`` with
    ``os.replace``, which is atomic on POSIX and Windows. If anything fails, a
    file that was at ``path`` is left byte for byte as it was, the temporary
    file is removed, and the error (an ``OSError`` such as a full disk or an
    unwritable folder) propagates with ``path`` named in it.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = os.fspath(path)
    folder = os.path.dirname(target) or "."
    try:
        mode = os.stat(target).st_mode & 0o7777  # keep an existing file's permissions
    except OSError:
        mode = 0o666 & ~_UMASK
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as error:
        raise OSError(
            error.errno,
            f"cannot write {target!r}: {error.strerror} (in folder {folder!r}); the old file, "
            "if any, is unchanged",
        ) from None
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
        _sync_folder(folder)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise OSError(
                error.errno,
                f"cannot write {target!r}: {error.strerror or error}; the old file, if any, "
                "is unchanged",
            ) from error
        raise


def _sync_folder(folder: str) -> None:
    """fsync the folder, so the rename itself survives a power cut (POSIX; a no-op
    where a folder cannot be opened, as on Windows)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the file itself is synced
    finally:
        os.close(handle)


def shown_as_part_of(package: str, namespace: dict[str, Any], names: Sequence[str]) -> None:
    """Show the exceptions in ``names`` as defined in ``package``, the path users
    import them from (NumPy does the same for its public names): a traceback then
    reads ``autograd_lite.train.DivergenceError: ...``, as before the modules became
    packages, and names a path that imports. Only exceptions: a class moved this way
    hides its methods' doctests from the doctest finder (which looks for a method in
    the module its class claims), so a module whose exception has method examples
    lists them in ``__test__``."""
    for name in names:
        thing = namespace[name]
        is_exception = isinstance(thing, type) and issubclass(thing, BaseException)
        if is_exception and thing.__module__.startswith(package + "."):
            thing.__module__ = package
