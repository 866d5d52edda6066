"""Writing what the commands make: drawings and pictures (whole or not at all),
and the hint when Graphviz is missing.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from autograd_lite._helpers import write_atomically
from autograd_lite.cli.errors import CommandError, UsageError, _one_line
from autograd_lite.value import Value

_PICTURE_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv")


def _check_picture_name(path: str) -> None:
    if not path.lower().endswith(_PICTURE_SUFFIXES):
        raise UsageError(
            f"--draw {path}: the file name must end in one of {' '.join(_PICTURE_SUFFIXES)}"
        )


def _draw(root: Value, path: str) -> str:
    """Draw ``root``'s graph (after backward, so gradients show) into ``path``."""
    from autograd_lite.viz import draw

    try:
        picture = _rendered(draw(root), path)
    except ImportError as error:
        raise CommandError(str(error)) from None
    except RuntimeError as error:  # Graphviz's dot program is missing
        raise CommandError(f"{_one_line(error)}; or draw to a .dot file") from None
    except ValueError:  # too many nodes to draw; the advice of viz's message is Python's
        from autograd_lite.autodiff import topological_order
        from autograd_lite.viz import MAX_NODES

        raise CommandError(
            f"cannot draw this graph: it has {len(topological_order(root)):,} nodes, more than "
            f"the {MAX_NODES:,} a readable drawing holds; draw a smaller expression, or draw "
            "it from Python with autograd_lite.draw(root, max_nodes=None)"
        ) from None
    _write(path, picture)
    return path


def _rendered(graph: Any, path: str) -> str | bytes:
    """The drawing as the file named ``path`` holds it: DOT text, or rendered by Graphviz.

    Rendered in memory, so that the file is then written whole (``_write``).
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("dot", "gv"):
        source: str = graph.source
        return source
    rendered: bytes = graph.pipe(suffix)
    return rendered


def _write(path: str | Path, content: str | bytes) -> None:
    """Write a file whole or not at all; a failure is a one-line CommandError."""
    try:
        write_atomically(path, content)
    except OSError as error:
        raise CommandError(_cannot_write(path, error)) from None


def _cannot_write(path: str | Path, error: OSError) -> str:
    text = " ".join((error.strerror or str(error)).split())
    return text if text.startswith("cannot write") else f"cannot write {path}: {text}"


def _save_drawing(graph: Any, stem: Path, hints: list[str]) -> Path:
    """Save as SVG, or as DOT text (with a hint saying what is missing) when Graphviz
    cannot render."""
    svg = stem.with_suffix(".svg")
    try:
        _write(svg, graph.pipe("svg"))
        return svg
    except ImportError:
        hints.append(_graphviz_hint(package=False, dot=shutil.which("dot") is not None))
    except RuntimeError:
        hints.append(_graphviz_hint(package=True, dot=False))
    dot = stem.with_suffix(".dot")
    _write(dot, graph.source)
    return dot


def _graphviz_hint(*, package: bool, dot: bool) -> str:
    """Why the drawings are .dot text, naming only what is missing: the graphviz Python
    package (the ``viz`` extra), Graphviz's dot program, or both."""
    missing = []
    if not package:
        missing.append('the graphviz Python package (pip install "autograd-lite[viz]")')
    if not dot:
        missing.append("Graphviz's dot program (apt-get install graphviz / brew install graphviz)")
    hint = (
        f"the drawings are .dot text because {' and '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing"
    )
    if dot:
        return f"{hint}; the dot program is there: `dot -Tsvg NAME.dot -o NAME.svg` renders them"
    return f"{hint}; or paste the text into an online Graphviz viewer"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


class _Indented:
    """A stream that indents every line written to it."""

    def __init__(self, stream: Any, prefix: str) -> None:
        self._stream = stream
        self._prefix = prefix
        self._at_line_start = True

    def write(self, text: str) -> int:
        for piece in text.splitlines(keepends=True):
            if self._at_line_start and piece.strip():
                self._stream.write(self._prefix)
            self._stream.write(piece)
            self._at_line_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests capture stdout): nothing is left to flush
