"""The small program a trace records: one instruction per node (its op-table
row, its parents, a constant or a leaf), with the names the generated source
will use (``v17``, or a label that passes a strict identifier check).
"""

from __future__ import annotations

import inspect
import keyword
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from autograd_lite.ops import CODE_FUNCTIONS
from autograd_lite.value import Value

# A label becomes a variable name only if it is a plain ASCII identifier after
# dots and brackets become underscores ("layers.0.w.1" -> "layers_0_w_1").
_LABEL_CHARS = re.compile(r"[A-Za-z0-9_.\[\]]{1,60}")


_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")


_GENERATED = re.compile(r"[vxpc][0-9]+")


_IDENTIFIER_TERM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class _Program:
    """A traced graph as indices: every node once, leaves first (the ledger's order).

    ``kinds[i]`` is ``"arg"``, ``"live"`` (a param, or a Value that ``fn`` closed
    over), ``"const"`` (a number made inside ``fn``, or a node computed only from
    such numbers) or ``"op"``.
    """

    names: list[str]
    kinds: list[str]
    ops: list[str]
    parents: list[tuple[int, ...]]
    attrs: list[float | None]
    data: list[float]  # the values at the trace
    labels: list[str]
    root: int
    backward_order: list[int]  # interior nodes, in the order backward() visits them
    arg_names: list[str]
    arg_nodes: list[int | None]  # the node of each argument (None: unused)
    live: list[Value]
    live_nodes: list[int]
    aux: list[int]
    aux_single: bool = False  # fn returned one aux Value, not a list or tuple of them


def _is_whole(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _fold_constants(program: _Program) -> None:
    """A node computed only from constants is a constant: its trace value holds."""
    kinds, parents = program.kinds, program.parents
    for i, kind in enumerate(kinds):
        if kind == "op" and all(kinds[p] == "const" for p in parents[i]):
            kinds[i] = "const"


def _argument_names(fn: Callable[..., Any], n: int, given: Sequence[str]) -> list[str]:
    """Names for the arguments: the given ones, else fn's own, where they are safe."""
    names: list[str] = []
    positional = list(given)
    if not positional:
        try:
            positional = [
                p.name
                for p in inspect.signature(fn).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
        except (TypeError, ValueError):
            positional = []
    # fn's own names first (x1 may be its first argument), then fresh ones for the rest
    chosen = [
        _safe_name(positional[i], set(), ours=False) if i < len(positional) else None
        for i in range(n)
    ]
    taken = {name for name in chosen if name is not None}
    for i, name in enumerate(chosen):
        if name is None or names.count(name):
            k = i
            while f"x{k}" in taken:
                k += 1
            name = f"x{k}"
        taken.add(name)
        names.append(name)
    return names


def _safe_name(label: str, taken: set[str], ours: bool = True) -> str | None:
    """``label`` as a variable name, or None when it is not plainly safe.

    Only ASCII letters, digits and underscores survive (dots and brackets become
    underscores); names of ours (``g_...``, ``_...``, and unless ``ours`` is False
    the pattern of our fallback names, ``v12``), the op table's functions,
    keywords and names already taken are refused.
    """
    if not isinstance(label, str) or not _LABEL_CHARS.fullmatch(label):
        return None
    name = re.sub(r"[.\[\]]+", "_", label).strip("_")
    if (
        not _IDENTIFIER.fullmatch(name)
        or (ours and _GENERATED.fullmatch(name))
        or name.startswith("g_")
        or keyword.iskeyword(name)
        or keyword.issoftkeyword(name)
        or name in CODE_FUNCTIONS
        or name in taken
    ):
        return None
    return name


def _name_nodes(program: _Program) -> None:
    taken = set(program.arg_names)
    for position, i in enumerate(program.arg_nodes):
        if i is not None:
            program.names[i] = program.arg_names[position]
    labels = program.labels
    live_number = {i: k for k, i in enumerate(sorted(program.live_nodes))}
    for i, kind in enumerate(program.kinds):
        if kind == "arg":
            continue
        if kind == "const":
            program.names[i] = _literal(program.data[i])
            continue
        name = _safe_name(labels[i], taken) if labels[i] else None
        if name is None:
            name = f"p{live_number[i]}" if kind == "live" else f"v{i}"
            while name in taken:  # an argument may be called v3
                name += "_"
        taken.add(name)
        program.names[i] = name


def _literal(number: float) -> str:
    """A finite float as source: its exact repr, in parentheses when negative."""
    text = repr(float(number))
    if not math.isfinite(float(number)):  # pragma: no cover - Values are finite
        raise ValueError(f"jit: a non-finite constant {text} cannot be compiled")
    return f"({text})" if text.startswith("-") else text
