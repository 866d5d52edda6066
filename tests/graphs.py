"""Small graphs several test modules share."""

from __future__ import annotations

import math

from autograd_lite import Value

#: d/dx of sin(x) at x = 2, which f's gradient with respect to x includes.
COS2 = math.cos(2.0)


def example() -> tuple[Value, Value, Value]:
    """f = x*y + sin(x) at (2, 3), the issue's example."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x.sin()
    f.label = "f"
    return f, x, y
