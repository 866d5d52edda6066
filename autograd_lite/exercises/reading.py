"""Reading a learner's node without reading their source: its number, its parents
(wherever micrograd-like code keeps them) and its stored local derivatives.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass
from autograd_lite.exercises.report import _close, _fail, _number

#: Where the grader looks for a node's parents, in this order.
PARENT_NAMES = ("_prev", "_children", "parents", "prev", "children", "_parents")


#: Where it looks for stored local derivatives (aligned with the parents).
LOCAL_GRAD_NAMES = ("local_grads", "_local_grads")


def _parents(node: Any) -> list[Any]:
    """The node's parents, read from the first of PARENT_NAMES it has."""
    for name in PARENT_NAMES:
        found = getattr(node, name, None)
        if found is not None:
            if isinstance(found, (set, frozenset, tuple, list)):
                return list(found)
            raise _fail(
                "unreadable",
                f"{type(node).__name__}.{name} is a {type(found).__name__}: the grader reads a "
                "node's parents from a set, tuple or list.",
            )
    raise _fail(
        "unreadable",
        f"cannot find the parents of a {type(node).__name__}: the grader tried the attributes "
        f"{', '.join(PARENT_NAMES)}. Store the operands a node was made from in one of them "
        "(micrograd: self._prev = set(_children); autograd_lite: self.parents = (x, y)).",
    )


def _stored_local_grads(node: Any) -> list[float] | None:
    for name in LOCAL_GRAD_NAMES:
        found = getattr(node, name, None)
        if isinstance(found, (tuple, list)) and all(
            isinstance(g, numbers.Real) and not isinstance(g, bool) for g in found
        ):
            return [float(g) for g in found]
    return None


def _leaf(value_class: Any, number: float) -> Any:
    try:
        return value_class(number)
    except Exception as error:
        raise _fail(
            "unreadable",
            f"{_class_name(value_class)}({number}) raised {type(error).__name__}: {error}. The "
            "grader makes leaves as value_class(number): give __init__ defaults for the rest.",
        ) from None


def _class_name(value_class: Any) -> str:
    return str(getattr(value_class, "__name__", type(value_class).__name__))


def _check_readable(value_class: Any) -> None:
    if not callable(value_class):
        raise _fail(
            "unreadable",
            f"expected the class itself (check_engine(Value)), got {type(value_class).__name__}",
        )
    x = _leaf(value_class, 0.5)
    if not _close(_number(x, "data"), 0.5):
        raise _fail("unreadable", f"{_class_name(value_class)}(0.5).data is not 0.5")
    if _number(x, "grad") != 0.0:
        raise _fail("unreadable", f"{_class_name(value_class)}(0.5).grad should start at 0.0")
    if _parents(x):
        raise _fail("unreadable", f"a leaf {_class_name(value_class)}(0.5) should have no parents")


def _has(value_class: Any, name: str) -> bool:
    return callable(getattr(value_class, name, None))
