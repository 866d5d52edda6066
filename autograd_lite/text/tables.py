"""Tables: one class whose rows render as text, Markdown, LaTeX and HTML.

The ledger, the forward table and the gradient-check report are all ``Table``
subclasses: each says only what its columns and cells are.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from collections.abc import Sequence

__all__ = ["Table"]

_LATEX_SYMBOLS = {
    "∂": r"$\partial$",
    "→": r"$\to$",
    "×": r"$\times$",
    "÷": r"$\div$",
    "−": "-",
    "√": r"$\surd$",
    "σ": r"$\sigma$",
    "Σ": r"$\Sigma$",
    "…": r"\ldots{}",
    "↑": r"$\uparrow$",
}
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\^{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
}


def _latex(text: str) -> str:
    out = []
    for char in text:
        if char in _LATEX_SPECIAL:
            out.append(_LATEX_SPECIAL[char])
        elif char in _LATEX_SYMBOLS:
            out.append(_LATEX_SYMBOLS[char])
        elif ord(char) < 128:
            out.append(char)
        else:
            out.append(f"\\symbol{{{ord(char)}}}")
    return "".join(out)


_TABLE_CSS = (
    "border-collapse:collapse;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px"
)
_CELL_CSS = "border:1px solid #d0d7de;padding:2px 8px;text-align:{align};white-space:nowrap"


class Table(ABC):
    """Rows of text cells that render as text, Markdown, LaTeX and HTML."""

    columns: tuple[str, ...] = ()
    #: "l" or "r" per column
    align: str = ""
    title: str = ""
    #: draw a dashed rule under the header in ``to_text``
    rule: bool = False

    @abstractmethod
    def _cells(self) -> list[list[str]]:
        """The table's rows as text cells, one list per row."""

    def _highlighted(self) -> list[bool]:
        return [False] * len(self._cells())

    def to_text(self) -> str:
        """An aligned plain-text table, for terminals and doctests."""
        cells = self._cells()
        widths = [len(c) for c in self.columns]
        for row in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, row)]

        def line(row: Sequence[str]) -> str:
            parts = [
                c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, self.align)
            ]
            return "  ".join(parts).rstrip()

        rule = [line(["-" * w for w in widths])] if self.rule else []
        return "\n".join([line(self.columns), *rule, *(line(row) for row in cells)])

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table (names and formulas in backticks)."""

        def cell(text: str, column: int) -> str:
            text = text.replace("|", "\\|")
            return text if self.align[column] == "r" or not text else f"`{text}`"

        head = "| " + " | ".join(self.columns) + " |"
        rule = "|" + "|".join("---:" if a == "r" else "---" for a in self.align) + "|"
        body = [
            "| " + " | ".join(cell(c, i) for i, c in enumerate(row)) + " |" for row in self._cells()
        ]
        return "\n".join([head, rule, *body])

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` (plain ASCII; no packages needed) to paste into notes."""
        lines = [
            f"\\begin{{tabular}}{{{self.align}}}",
            "\\hline",
            " & ".join(_latex(c) for c in self.columns) + r" \\",
            "\\hline",
        ]
        lines += [" & ".join(_latex(c) for c in row) + r" \\" for row in self._cells()]
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines)

    def to_html(self) -> str:
        """An HTML table (what Jupyter shows)."""
        parts = [f'<table style="{_TABLE_CSS}">']
        if self.title:
            parts.append(
                f'<caption style="text-align:left;font-weight:bold">{html.escape(self.title)}'
                "</caption>"
            )
        head = "".join(
            f'<th style="{_CELL_CSS.format(align="center")};background:#f6f8fa">'
            f"{html.escape(c)}</th>"
            for c in self.columns
        )
        parts.append(f"<tr>{head}</tr>")
        for row, marked in zip(self._cells(), self._highlighted()):
            background = ";background:#fff4ce" if marked else ""
            tds = "".join(
                f'<td style="{_CELL_CSS.format(align="right" if a == "r" else "left")}'
                f'{background}">{html.escape(c)}</td>'
                for c, a in zip(row, self.align)
            )
            parts.append(f"<tr>{tds}</tr>")
        parts.append("</table>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __str__(self) -> str:
        return self.to_text()
