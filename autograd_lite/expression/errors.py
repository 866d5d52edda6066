"""The errors of parsing and evaluating an expression, with a caret under the
place in the text that is wrong.
"""

from __future__ import annotations

import unicodedata


class ExpressionError(ValueError):
    """An expression that cannot be used, with the columns of the offending part.

    ``str(error)`` is the message followed by the expression (or a window of it,
    when it is long) and a line of carets under ``text[start:end]``.

    Attributes:
        message: what is wrong and how to fix it, one line.
        text: the expression.
        start, end: the offending part, ``text[start:end]`` (character columns;
            ``start == len(text)`` points just past the end).
    """

    def __init__(self, message: str, text: str, start: int, end: int | None = None) -> None:
        start = max(0, min(start, len(text)))
        end = start + 1 if end is None or end <= start else end
        self.message = message
        self.text = text
        self.start = start
        self.end = end
        super().__init__(message)

    def pointer(self, indent: str = "  ", width: int = 76) -> str:
        """The expression (a window of it, if long) and a caret line under the offending part.

        Example:
            >>> print(ExpressionError("here", "x + y", 4).pointer())
              x + y
                  ^
        """
        text, start, end = self.text, self.start, self.end
        lo, hi = 0, len(text)
        if hi > width:
            # Centre a window on the start of the offending part.
            lo = max(0, min(start - width // 2, hi - width))
            hi = min(len(text), lo + width)
        # Control characters would break the line or the caret's alignment.
        shown = "".join("?" if _is_control(c) else c for c in text[lo:hi])
        prefix = "..." if lo > 0 else ""
        suffix = "..." if hi < len(text) else ""
        caret_start = len(prefix) + start - lo
        caret_count = max(1, min(end, hi + 1) - start)
        carets = " " * caret_start + "^" * caret_count
        return f"{indent}{prefix}{shown}{suffix}\n{indent}{carets}"

    def __str__(self) -> str:
        return f"{self.message}\n{self.pointer()}"


class EvaluationError(ExpressionError):
    """An expression that parsed but cannot be computed at the given point.

    Raised for a domain error (``log(x)`` at x = -1) or an overflow, with the
    engine's message and the columns of the part of the expression that failed.
    """


def _is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


# ExpressionError is shown as autograd_lite.expression's (``shown_as_part_of``), so the
# doctest finder no longer looks for its methods here: list the one with an example.
__test__ = {"ExpressionError.pointer": ExpressionError.pointer}
