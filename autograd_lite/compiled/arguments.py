"""A compiled function's arguments checked on the way in: plain finite floats pass
in a few passes of C code, anything else is converted or refused with a message
naming the argument."""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite.value import Value


def checked_arguments(args: tuple[Any, ...], expected: int | None, name: str) -> tuple[float, ...]:
    """A compiled function's arguments as floats, ``expected`` of them (None before
    the trace); TypeError or ValueError naming the argument otherwise."""
    if expected is not None and len(args) != expected:
        raise TypeError(f"{name}: takes {expected} argument(s) (as at its trace), got {len(args)}")
    if all(a.__class__ is float and a - a == 0.0 for a in args):
        return args
    return tuple(checked_float(a, f"{name}: argument {i}") for i, a in enumerate(args))


def checked_rows(
    rows: Iterable[Sequence[Any]], expected: int | None, name: str
) -> list[tuple[float, ...]]:
    """``backward_batch``'s rows as tuples of floats, each of ``expected`` numbers."""
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(
            f"{name}.backward_batch: rows must be a list of argument tuples, "
            f"got {type(rows).__name__}"
        )
    if isinstance(rows, list) and rows and _plain_floats(rows, expected):
        return rows  # the common case, checked in a few passes of C code
    checked = []
    for r, row in enumerate(rows):
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise TypeError(
                f"{name}.backward_batch: row {r} is {type(row).__name__}; each "
                "row is a tuple of numbers, one per argument"
            )
        if expected is None:
            expected = len(row)
        if len(row) != expected:
            raise TypeError(
                f"{name}.backward_batch: row {r} has {len(row)} number(s), "
                f"expected {expected} (one per argument)"
            )
        if all(a.__class__ is float and a - a == 0.0 for a in row):
            checked.append(tuple(row))
        else:
            where = f"{name}.backward_batch: row {r}, item"
            checked.append(tuple(checked_float(a, f"{where} {i}") for i, a in enumerate(row)))
    return checked


def checked_float(a: Any, where: str) -> float:
    """``a`` as a finite float, or a TypeError/ValueError saying what was expected."""
    if isinstance(a, Value):
        raise TypeError(
            f"{where} is a Value; a compiled function takes plain numbers (pass x.data), or "
            "call the original function to build a graph"
        )
    if isinstance(a, bool) or not isinstance(a, numbers.Real):
        raise TypeError(f"{where} is {type(a).__name__} ({a!r}); expected a real number")
    number = float(a)
    if not math.isfinite(number):
        raise ValueError(f"{where} is {number}; inputs must be finite")
    return number


def _plain_floats(rows: list[Any], width: int | None) -> bool:
    """True when every row is a tuple or list of ``width`` finite floats."""
    if not set(map(type, rows)) <= {tuple, list} or len(set(map(len, rows))) != 1:
        return False
    if width is not None and len(rows[0]) != width:
        return False
    numbers = list(itertools.chain.from_iterable(rows))
    # sum() is finite unless an item is inf or nan (or the floats overflow when added,
    # which only sends the rows to the item-by-item check)
    return set(map(type, numbers)) <= {float} and math.isfinite(sum(numbers))
