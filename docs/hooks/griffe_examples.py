"""Griffe extension: read a Google-style ``Example:`` section as ``Examples:``.

The package's docstrings say ``Example:`` (singular) above their doctests; griffe's
Google parser knows only the plural and would render the doctest as prose, so the
API pages would show ``>>>`` lines as text. Renaming the heading at load time keeps
the docstrings as they are and renders their examples as code.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_SINGULAR = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rewrite ``Example:`` headings to ``Examples:`` in every loaded docstring."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = _SINGULAR.sub(r"\1Examples:", obj.docstring.value)
