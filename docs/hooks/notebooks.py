"""MkDocs hook: the notebooks' hidden solutions are collapsed on the site too.

In Jupyter a solution cell is collapsed by its metadata (``jupyter.source_hidden`` and
``jupyter.outputs_hidden``), but mkdocs-jupyter renders every cell open, so the answer
printed under each exercise showed on the page. nbconvert marks a cell's tags as classes
(``celltag_solution``); this hook wraps each such cell, source and outputs, in a closed
``<details>`` the reader clicks to open.
"""

from __future__ import annotations

import re
from typing import Any

SOLUTION_CLASS = "celltag_solution"
SUMMARY = "Solution (click to open)"

_DIV_TAG = re.compile(r"<div\b[^>]*>|</div\s*>", re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def _cell_end(html: str, start: int) -> int:
    """Index just past the ``</div>`` that closes the ``<div`` opening at ``start``."""
    depth = 0
    for tag in _DIV_TAG.finditer(html, start):
        depth += -1 if tag.group(0).startswith("</") else 1
        if depth == 0:
            return tag.end()
    raise ValueError(f"notebooks hook: the cell <div> at character {start} is never closed")


def collapse_solutions(html: str) -> str:
    """``html`` with every cell tagged ``solution`` inside a closed ``<details>``.

    Only the outermost element of each cell is wrapped (nbconvert nests a second
    ``div`` with the same classes inside it). HTML without solution cells comes back
    unchanged.

    Example:
        >>> page = '<p>Q</p><div class="jp-Cell celltag_solution"><div>42</div></div>'
        >>> print(collapse_solutions(page))  # doctest: +NORMALIZE_WHITESPACE
        <p>Q</p><details class="solution"><summary>Solution (click to open)</summary>
        <div class="jp-Cell celltag_solution"><div>42</div></div></details>
    """
    pieces, position = [], 0
    for tag in _DIV_TAG.finditer(html):
        if tag.start() < position or tag.group(0).startswith("</"):
            continue
        classes = _CLASS.search(tag.group(0))
        if not classes or SOLUTION_CLASS not in classes.group(1).split():
            continue
        end = _cell_end(html, tag.start())
        pieces += [
            html[position : tag.start()],
            f'<details class="solution"><summary>{SUMMARY}</summary>\n',
            html[tag.start() : end],
            "</details>",
        ]
        position = end
    return "".join(pieces) + html[position:]


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    """MkDocs event: collapse the solutions of notebook pages (``*.ipynb``)."""
    if page.file.src_path.endswith(".ipynb"):
        return collapse_solutions(html)
    return html
