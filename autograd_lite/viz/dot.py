"""The DOT builder every drawing uses: a ``Graph`` of nodes, edges and clusters
written as Graphviz source, with one house style (fonts, colours), quoting that no
label can escape, and rendering to SVG or PNG through the ``dot`` program, with a
message saying how to install what is missing.
"""

from __future__ import annotations

import html
import importlib.util
import os
import shutil
from collections.abc import Sequence
from typing import Any

from autograd_lite._helpers import write_atomically

# What rendering needs, and how to install it.
_DOT_PROGRAM = ("Graphviz's dot program", "`apt-get install graphviz` or `brew install graphviz`")


_PACKAGE = ("the graphviz Python package", '`pip install "autograd-lite[viz]"`')


def _missing_for_rendering(package_failed: bool = False) -> list[tuple[str, str]]:
    """What rendering a picture needs and is not installed: the graphviz Python
    package (the ``viz`` extra), Graphviz's ``dot`` program, both, or nothing.

    Both are looked up, so that a message names only what is really missing (with
    ``dot`` installed and the package not, the fix is the extra, not apt-get).
    ``package_failed``: importing the package has just failed, whatever
    ``find_spec`` says.
    """
    missing = []
    try:
        package = importlib.util.find_spec("graphviz") is not None
    except (ImportError, ValueError):  # a broken or blocked entry in sys.modules
        package = False
    if package_failed or not package:
        missing.append(_PACKAGE)
    if shutil.which("dot") is None:
        missing.append(_DOT_PROGRAM)
    return missing


def _install_hint(missing: Sequence[tuple[str, str]]) -> str:
    """``Graphviz's dot program is not installed (apt-get install graphviz ...)``:
    what is missing and the command that installs each part."""
    what = " and ".join(name for name, _ in missing)
    how = "; ".join(command for _, command in missing)
    return f"{what} {'is' if len(missing) == 1 else 'are'} not installed ({how})"


_FONT = "DejaVu Sans"


# Soft fills with a darker border of the same hue, one per kind of node.
_STYLE = {
    "leaf": ("#e8f1fc", "#4f7fc0"),
    "parameter": ("#fff3d6", "#c98a12"),
    "root": ("#e4f5e1", "#3b8a3e"),
    "inner": ("#ffffff", "#8c959f"),
}


_GREY = "#9aa1a9"


_INK = "#24292f"


_FLOW = "#b3261e"


_SIGMA_FILL = "#fff1bf"


_HIGHLIGHT = "#e36209"


_HIGHLIGHT_FILL = "#fff8c5"


def _esc(text: str) -> str:
    """Escape text for a Graphviz HTML-like label."""
    return html.escape(text, quote=True)


def _quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Graph:
    """A drawing: DOT text plus ways to show and save it.

    Attributes:
        source: the DOT text (deterministic for a given graph).
        caption: a one-line description (step-through drawings use it).

    Jupyter shows it as SVG; if Graphviz's ``dot`` program (or the ``graphviz``
    package) is missing it shows the DOT text and a one-line install hint
    instead of a traceback.
    """

    def __init__(self, source: str, caption: str = "") -> None:
        self.source = source
        self.caption = caption

    def pipe(self, format: str = "svg", dpi: int | None = None) -> bytes:
        """Render with Graphviz's ``dot`` and return the bytes (``svg``, ``png``, ``pdf``).

        Raises:
            ImportError: the ``graphviz`` package is missing (``pip install
                "autograd-lite[viz]"``); the message also says whether ``dot`` is.
            RuntimeError: the ``dot`` program is missing (the message says how to
                install it).
        """
        try:
            import graphviz  # type: ignore[import-untyped]
        except ImportError:
            missing = _missing_for_rendering(package_failed=True)
            raise ImportError(
                f"cannot render {format.upper()}: {_install_hint(missing)}; saving to .dot "
                "works without Graphviz"
            ) from None
        source = self.source
        if dpi is not None:
            # A graph attribute right after the opening line; it applies to PNG output.
            head, rest = source.split("\n", 1)
            source = f"{head}\n  graph [dpi={int(dpi)}];\n{rest}"
        try:
            data: bytes = graphviz.Source(source).pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise RuntimeError(
                f"cannot render {format.upper()}: {_install_hint([_DOT_PROGRAM])}: it is "
                "not on PATH (the graphviz Python package is installed); saving to .dot works "
                "without Graphviz"
            ) from None
        return data

    def save(self, path: str | os.PathLike[str], dpi: int | None = None) -> str:
        """Write the drawing to ``path``; the suffix chooses the format.

        ``.dot``/``.gv`` write the DOT text and always work; ``.svg``, ``.png`` and
        ``.pdf`` need Graphviz. ``dpi`` sets the PNG resolution (96 by default).
        The picture is rendered in memory first and then written whole (a
        temporary file, then a rename), so a failure leaves a file already at
        ``path`` as it was. Returns the path written.
        """
        path = os.fspath(path)
        suffix = os.path.splitext(path)[1].lower().lstrip(".")
        if suffix in ("dot", "gv"):
            write_atomically(path, self.source)
            return path
        if suffix not in ("svg", "png", "pdf"):
            raise ValueError(f"cannot save {path!r}: use a .dot, .gv, .svg, .png or .pdf file name")
        write_atomically(path, self.pipe(suffix, dpi=dpi))
        return path

    def _svg_or_reason(self) -> tuple[str | None, str]:
        try:
            return self.pipe("svg").decode("utf-8"), ""
        except ImportError:
            missing = _missing_for_rendering(package_failed=True)
        except RuntimeError:
            missing = _missing_for_rendering() or [_DOT_PROGRAM]
        hint = _install_hint(missing)
        return None, f"{hint[0].upper()}{hint[1:]}, so this is the DOT text."

    def _repr_svg_(self) -> str | None:
        return self._svg_or_reason()[0]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        svg, reason = self._svg_or_reason()
        if svg is not None:
            return {"image/svg+xml": svg, "text/plain": repr(self)}
        return {
            "text/html": f"<p><i>{_esc(reason)}</i></p><pre>{_esc(self.source)}</pre>",
            "text/plain": f"{reason}\n{self.source}",
        }

    def _html_picture(self) -> str:
        """Inline SVG, or the DOT text with the install hint (for step-through)."""
        svg, reason = self._svg_or_reason()
        if svg is not None:
            return svg[svg.index("<svg") :]
        return f"<p><i>{_esc(reason)}</i></p><pre>{_esc(self.source)}</pre>"

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<Graph: {lines} lines of DOT{': ' + self.caption if self.caption else ''}>"
