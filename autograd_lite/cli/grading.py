"""``autograd-lite check FILE``: a learner's engine, loaded from their file and
graded by ``autograd_lite.exercises``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autograd_lite.cli.errors import EXIT_OK, EXIT_RUNTIME_ERROR, CommandError, UsageError

#: The module-level functions ``check`` grades as a topological sort, when present.
_TOPOLOGICAL_SORT_NAMES = ("topological_sort", "topo_sort", "build_topo")


_learner_modules = 0  # numbers each imported learner file's module name


def _run_check(args: argparse.Namespace) -> int:
    from autograd_lite.exercises import check_engine, check_topological_sort

    path = Path(args.file)
    if path.suffix.lower() != ".py":
        raise UsageError(f"{path} is not a .py file: check takes your engine's Python file")
    if not path.is_file():
        missing = "is not a file" if path.exists() else "does not exist"
        raise UsageError(f"{path} {missing}: check takes your engine's Python file")
    print(
        f"running {path} as Python, as `python {path}` would: it is your code "
        '(its if __name__ == "__main__": block is skipped)',
        file=sys.stderr if args.json else sys.stdout,
    )
    # With --json, whatever the learner's code prints goes to stderr: stdout stays JSON.
    printed = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with printed, _learner_module(path) as module:
        cls = _learner_class(module, path, args.class_name)
        reports = [("check_engine", check_engine(cls, seed=args.seed))]
        sorts = [name for name in _TOPOLOGICAL_SORT_NAMES if callable(getattr(module, name, None))]
        for name in sorts:
            report = check_topological_sort(getattr(module, name), cls, seed=args.seed)
            reports.append((f"check_topological_sort({name})", report))
    out = sys.stdout
    if args.json:
        result = {
            "file": str(path),
            "class": cls.__name__,
            "checks": [
                {"check": check, "ok": r.ok, "mistake": r.mistake, "message": str(r)}
                for check, r in reports
            ],
        }
        json.dump(result, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print(f"class       {cls.__name__}", file=out)
        for _, report in reports:
            print(f"\n{report}", file=out)
        if not sorts:
            names = ", ".join(_TOPOLOGICAL_SORT_NAMES[:-1]) + f" or {_TOPOLOGICAL_SORT_NAMES[-1]}"
            print(f"\n(no function named {names} in {path}: no sort checked)", file=out)
    return EXIT_OK if all(report.ok for _, report in reports) else EXIT_RUNTIME_ERROR


@contextlib.contextmanager
def _learner_module(path: Path) -> Iterator[Any]:
    """Import ``path`` under a fresh module name, with its folder on ``sys.path``
    (so that its own imports work), as ``pytest`` imports a test file; both are
    undone afterwards. An exception the file raises becomes one line naming its
    type, message and line."""
    global _learner_modules
    _learner_modules += 1
    stem = re.sub(r"\W", "_", path.stem)
    name = f"_autograd_lite_check_{_learner_modules}_{stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module  # dataclasses and friends look their module up here
    try:
        try:
            spec.loader.exec_module(module)
        except SyntaxError as error:
            same = error.filename is None or Path(error.filename).resolve() == path.resolve()
            where = f"{path if same else error.filename}:{error.lineno}"
            raise CommandError(
                f"{path} does not parse: SyntaxError: {error.msg} ({where})"
            ) from None
        except SystemExit as error:
            raise CommandError(
                f"{path} called sys.exit({error.code!r}) when imported{_where(error, path)}: "
                'move the script part under if __name__ == "__main__":'
            ) from None
        except Exception as error:
            message = " ".join(str(error).split())
            if len(message) > 300:
                message = message[:300] + "..."
            raise CommandError(
                f"{path} raised {type(error).__name__} when imported"
                f"{_where(error, path)}: {message or '(no message)'}"
            ) from None
        yield module
    finally:
        sys.modules.pop(name, None)
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)


def _where(error: BaseException, path: Path) -> str:
    """`` (at FILE:LINE)``: the last line of ``path`` in the traceback, and the line
    that raised when that is in another file."""
    frames = traceback.extract_tb(error.__traceback__)
    target = os.path.realpath(path)
    own = [f for f in frames if os.path.realpath(f.filename) == target]
    places = [f"{path}:{own[-1].lineno}"] if own else []
    if frames and (not own or frames[-1] is not own[-1]):
        places.append(f"{frames[-1].filename}:{frames[-1].lineno}")
    return f" (at {', in '.join(places)})" if places else ""


def _learner_class(module: Any, path: Path, name: str | None) -> Any:
    """``--class NAME``, else ``Value``, else the only class that looks like one."""
    classes = {
        key: item
        for key, item in vars(module).items()
        if isinstance(item, type) and item.__module__ == module.__name__
    }
    found = ", ".join(classes) or "none"
    if name is not None:
        chosen = getattr(module, name, None)
        if not isinstance(chosen, type):
            raise UsageError(f"{path} has no class named {name} (classes defined there: {found})")
        return chosen
    value = getattr(module, "Value", None)
    if isinstance(value, type):
        if value.__module__.split(".")[0] != "autograd_lite":
            return value  # defined here, or imported from the learner's own module
        if not classes:
            raise UsageError(
                f"the Value in {path} is autograd_lite's own (imported), and the file "
                "defines no class: write your Value there, or pass --class NAME"
            )
    candidates = [key for key, item in classes.items() if _looks_like_value(item)]
    if len(candidates) == 1:
        return classes[candidates[0]]
    if candidates:
        raise UsageError(
            f"{path} has {len(candidates)} classes that look like a Value "
            f"({', '.join(candidates)}): say which with --class NAME"
        )
    raise UsageError(
        f"{path} has no class named Value and none that looks like one (objects with "
        f".data, .grad and +); classes defined there: {found}. Pass --class NAME"
    )


def _looks_like_value(cls: type) -> bool:
    """Has ``__add__``, and ``cls(1.0)`` has ``.data`` and ``.grad``."""
    if not hasattr(cls, "__add__"):
        return False
    try:
        node = cls(1.0)
    except Exception:  # a class that cannot be built from a number is not one
        return False
    return hasattr(node, "data") and hasattr(node, "grad")
