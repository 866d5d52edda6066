"""Variable names: which are valid, their normal form, and a note when two
names only look alike (Cyrillic ``а`` beside Latin ``a``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from keyword import iskeyword

from autograd_lite.expression.grammar import FUNCTIONS


def name_is_valid(name: str) -> bool:
    """True when ``name`` can be a variable: an identifier, not a keyword or a function.

    Example:
        >>> name_is_valid("x1"), name_is_valid("sin"), name_is_valid("2x")
        (True, False, False)
    """
    return name.isidentifier() and not iskeyword(name) and name not in FUNCTIONS


def normalize_name(name: str) -> str:
    """The form Python's parser gives an identifier (NFKC), so ``ﬁ`` and ``fi`` match."""
    return unicodedata.normalize("NFKC", name)


# Letters of other scripts that look like Latin ones in most fonts, each with its Latin
# look-alike. Python's NFKC normalisation already folds fullwidth and mathematical letters
# (``ｘ``, ``𝑥``) into ASCII, but not these: they are letters of their own scripts, so
# ``х`` (Cyrillic) and ``x`` are two different variables that print the same.
_LOOKALIKES = dict(
    zip(
        "аАВсСеЕһНіІјЈКМоОрРѕЅТхХуУԁԛԝӏ"  # Cyrillic
        "αΑΒΕΖΗιΙκΚΜΝνοΟρΡΤυΥχΧ"  # Greek
        "օսı",  # Armenian oh and seh, Turkish dotless i
        "aABcCeEhHiIjJKMoOpPsSTxXyYdqwlaABEZHiIkKMNvoOpPTuYxXoui",
        strict=True,
    )
)


def _skeleton(name: str) -> str:
    """``name`` as it looks: NFKC-normalised, then every look-alike letter made Latin."""
    return "".join(_LOOKALIKES.get(c, c) for c in unicodedata.normalize("NFKC", name))


def lookalike_note(name: str, names: Sequence[str]) -> str:
    """Why ``name`` is none of ``names`` although it looks like one of them ("" if it does not).

    Letters of other scripts can look exactly like Latin ones: with a Cyrillic
    ``х`` in the expression and ``x=3`` given, "x is not used (its variables: х)"
    would be a riddle. The note says which character differs.

    Example:
        >>> note = lookalike_note("x", ["\u0445", "y"])  # a Cyrillic ha, then y
        >>> print(note.replace(": ", ":\\n"))
        variable 'х' contains U+0445 CYRILLIC SMALL LETTER HA, which looks like Latin 'x':
        type the same letters in both places
        >>> lookalike_note("x", ["y"])
        ''
    """
    shape = _skeleton(name)
    for other in names:
        if other == name or _skeleton(other) != shape:
            continue
        parts = [
            f"{role} {text!r} contains {_foreign_letters(text)}"
            for role, text in (("variable", other), ("the given name", name))
            if _foreign_letters(text)
        ]
        return "; ".join(parts) + ": type the same letters in both places"
    return ""


def _foreign_letters(text: str) -> str:
    """The look-alike letters in ``text``, each with its code point, name and Latin twin."""
    found = [c for c in dict.fromkeys(text) if c in _LOOKALIKES]
    described = [f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in found]
    if len(found) == 1:
        return f"{described[0]}, which looks like Latin {_LOOKALIKES[found[0]]!r}"
    return ", ".join(
        f"{what} (like Latin {_LOOKALIKES[c]!r})" for c, what in zip(found, described, strict=True)
    )
