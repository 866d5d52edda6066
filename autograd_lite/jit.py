"""The compiled path: trace a function once, replay it as straight-line Python.

``jit(fn)`` calls ``fn`` once with Values (the *trace*), records the graph it
built as a small program (one instruction per node, named after its op-table
row), and writes that program out as Python source: one assignment per node for
the forward pass, then one accumulation per edge for the backward pass, in the
order the dynamic engine visits them. Later calls run that source on plain
floats, with no Value objects and no graph walk. The same graph shape at every
training step is what makes this pay: only the numbers change.

The generated backward pass *is* the chain rule, written out: print
``compiled.source`` next to the ledger (``explain``) and read the same steps.

Safety, because generated code is code we run:
- the source is built only from the op table's ``code`` strings, names we make
  (``v17``, or a label that passes a strict identifier check) and ``repr`` of
  finite floats; comments come from the op table. No user text reaches it.
- it runs in a namespace holding ``ops.CODE_FUNCTIONS`` and no builtins.

What a trace cannot see (as with ``jax.jit`` and ``torch.jit.trace``): Python
control flow in ``fn`` that reads ``.data`` (``if x.data > 0:``) is decided
once, at the trace, and baked in. ``jit(fn, check=True)`` re-runs the dynamic
engine at every call and names the first node where the two differ.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import inspect
import itertools
import keyword
import math
import numbers
import operator
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, overload

from autograd_lite import value as _value
from autograd_lite.autodiff import (
    _walk,
    enable_grad,
    gradients,
    graph_building,
    topological_order,
)
from autograd_lite.ops import CODE_FUNCTIONS, OPS
from autograd_lite.value import Value, number_of

__all__ = ["MAX_NODES", "Aux", "Compiled", "CompiledWithAux", "JitError", "is_tracing", "jit"]

#: The most computed (non-leaf) nodes ``jit`` compiles unless told otherwise
#: (``jit(fn, max_nodes=...)``, or ``None`` for no limit). Generated source grows
#: with the graph (about two lines per node), and tracing, generating and compiling
#: cost about 5 s of CPU per 100,000 nodes (flat per node; see
#: ``benchmarks/README.md``); past this, the dynamic engine (``fn(...).backward()``)
#: is usually the better tool. The trace counts nodes as ``fn`` makes them and stops
#: at the limit, so refusing a huge graph costs no more than the limit's worth.
MAX_NODES = 200_000

# A node's gradient contributions are summed in one expression of at most this many
# terms, then carried on in the next statement (``g = g + ...``, the same order of
# addition): Python's compiler recurses once per term of a sum, and a node used by
# thousands of others (an input in every step of a chain) failed with RecursionError.
_MAX_TERMS = 64

#: A replay function with more statements than this is generated and compiled in
#: parts (see ``_in_parts``): Python's compiler holds a whole module's syntax tree
#: in memory, about 6 kB per node.
_PART_SIZE = 4_000
_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*) ([-+]?=) ")
_NAME_IN_CODE = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")
_NOT_NAMES = frozenset(CODE_FUNCTIONS) | frozenset(keyword.kwlist)

#: Errors the op table's forward and derivative code raise outside an op's
#: domain; at replay they send the call to the dynamic engine, whose message
#: names the op and its operands.
_DOMAIN_ERRORS = (ValueError, OverflowError, ZeroDivisionError)

# A derivative that can fail where its forward computation succeeded (sqrt at 0,
# x ** 0.5 at 0, log of the base of x ** y): the dynamic engine computes local
# derivatives during the forward pass and raises there, so the compiled forward
# pass computes these too, to raise at the same inputs.
_MAY_RAISE = re.compile(r"/|\b(?:pow|log|sqrt|exp)\(")

# A label becomes a variable name only if it is a plain ASCII identifier after
# dots and brackets become underscores ("layers.0.w.1" -> "layers_0_w_1").
_LABEL_CHARS = re.compile(r"[A-Za-z0-9_.\[\]]{1,60}")
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,47}")
_GENERATED = re.compile(r"[vxpc][0-9]+")
_IDENTIFIER_TERM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_tracing = 0

# Inlined expressions nest at most this deep (Python's compiler recurses on nesting).
_MAX_NESTING = 24


def is_tracing() -> bool:
    """True while ``jit`` is tracing a function (modules with randomness or
    batch coupling, such as ``nn.Dropout``, check it to refuse a frozen trace)."""
    return _tracing > 0


class JitError(RuntimeError):
    """A compiled function cannot reproduce the dynamic engine (see the message)."""


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


# -- the public API --------------------------------------------------------------------------


@overload
def jit(
    fn: Callable[..., Any],
    *,
    params: Iterable[Value] = ...,
    check: bool = ...,
    nonfinite: Literal["raise", "warn"] = ...,
    names: Sequence[str] = ...,
    has_aux: Literal[False] = ...,
    max_nodes: int | None = ...,
) -> Compiled: ...


@overload
def jit(
    fn: Callable[..., Any],
    *,
    params: Iterable[Value] = ...,
    check: bool = ...,
    nonfinite: Literal["raise", "warn"] = ...,
    names: Sequence[str] = ...,
    has_aux: Literal[True],
    max_nodes: int | None = ...,
) -> CompiledWithAux: ...


def jit(
    fn: Callable[..., Any],
    *,
    params: Iterable[Value] = (),
    check: bool = False,
    nonfinite: Literal["raise", "warn"] = "raise",
    names: Sequence[str] = (),
    has_aux: bool = False,
    max_nodes: int | None = MAX_NODES,
) -> Compiled | CompiledWithAux:
    """Compile ``fn``: trace it at the first call, replay generated Python after.

    ``fn`` takes one Value per positional argument and returns a Value. Its first
    call records the graph; later calls run straight-line code generated from
    it, with the same forward functions, local-derivative rules and accumulation
    order as the dynamic engine, so the numbers agree (to the last bit in most
    cases).

    Args:
        fn: the function to compile.
        params: Values (e.g. ``model.parameters()``) read at every call, whose
            ``.grad`` receives gradients in ``backward``/``backward_batch``. A
            Value ``fn`` uses that was made before the trace is treated the same
            way even if not listed: it is never baked in as a constant, so
            forgetting ``params=`` cannot train on stale weights. Only numbers
            made inside ``fn`` become constants.
        check: also run the dynamic engine at every call and raise ``JitError``
            naming the first node whose op or value differs from the trace (for
            functions whose control flow reads ``.data``). Slow; for debugging.
        nonfinite: ``"raise"`` or ``"warn"`` when the output or a gradient is
            inf or NaN, as ``backward(nonfinite=...)``.
        names: names for the arguments in ``source`` (default: ``fn``'s own
            parameter names); one that is not a plain identifier becomes ``x0``...
        has_aux: ``fn`` returns ``(output, aux)``: aux is a Value, or a list or
            tuple of Values, computed along (a model's prediction beside its
            loss). Every method then returns aux's values beside the output's,
            as floats in the same shape, and differentiates the output only
            (JAX's ``has_aux``). Returns a ``CompiledWithAux``.
        max_nodes: the most computed nodes the trace may make (default
            ``jit.MAX_NODES``); ``None``: no limit. The trace stops as soon as
            ``fn`` makes one more, with a ValueError.

    Returns:
        A ``Compiled`` (a ``CompiledWithAux`` with ``has_aux=True``).

    Example:
        >>> from autograd_lite import Value, jit
        >>> f = jit(lambda x, y: x * y + x.sin())
        >>> f(2.0, 3.0)
        6.909297426825682
        >>> f.value_and_grad(2.0, 3.0)
        (6.909297426825682, (2.5838531634528574, 2.0))
        >>> print(f.source)  # doctest: +NORMALIZE_WHITESPACE
        def f(x, y):
            # forward: one line per node, in the order they are computed
            v2 = x * y              # mul
            v3 = sin(x)             # sin
            v4 = v2 + v3            # add
            # backward: one line per edge, from the output back to the inputs
            g_v4 = 1.0              # d(output)/d(output)
            g_v2 = g_v4             # add: d(x + y)/dx = 1
            g_v3 = g_v4             # add: d(x + y)/dy = 1
            g_x = g_v2 * y          # mul: d(x * y)/dx = y
            g_y = g_v2 * x          # mul: d(x * y)/dy = x
            g_x += g_v3 * cos(x)    # sin: d(sin(x))/dx = cos(x)
            return v4, (g_x, g_y)
    """
    if not callable(fn):
        raise TypeError(f"jit: fn must be a function taking Values, got {type(fn).__name__}")
    if not isinstance(has_aux, bool):
        raise TypeError(f"jit: has_aux must be True or False, got {has_aux!r}")
    if max_nodes is not None and (not _is_whole(max_nodes) or max_nodes < 1):
        raise ValueError(f"jit: max_nodes={max_nodes!r}: use a whole number >= 1, or None")
    compiled: Compiled | CompiledWithAux
    if has_aux:
        compiled = CompiledWithAux(fn, params=params, check=check, nonfinite=nonfinite)
    else:
        compiled = Compiled(fn, params=params, check=check, nonfinite=nonfinite)
    compiled._max_nodes = max_nodes
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise TypeError(f"jit: names must be a list of strings, got {names!r}")
    compiled._names = list(names)
    return compiled


class _Traced:
    """What ``Compiled`` and ``CompiledWithAux`` share: the trace, the generated
    runners, argument checks, and the dynamic engine for what the runners leave.

    The ``_run_*`` methods return the output's value with aux's values as the
    runners produce them (a tuple per call, empty without aux); the public classes
    shape those into their return values.
    """

    _aux: ClassVar[bool] = False  # fn returns (output, aux)

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        params: Iterable[Value],
        check: bool,
        nonfinite: Literal["raise", "warn"],
    ) -> None:
        listed = list(params)
        for i, p in enumerate(listed):
            if not isinstance(p, Value):
                raise TypeError(f"jit: params[{i}] is {type(p).__name__}, not a Value")
            if p.parents:
                raise ValueError(
                    f"jit: params[{i}] was computed by {p.op} from other Values; a param must "
                    "be a leaf (list the Values it was computed from, or .detach() it)"
                )
        if not isinstance(check, bool):
            raise TypeError(f"jit: check must be True or False, got {check!r}")
        if nonfinite not in ("raise", "warn"):
            raise ValueError(f"jit: nonfinite={nonfinite!r}: use 'raise' or 'warn'")
        self._fn = fn
        self._listed = listed
        self._check = check
        self._nonfinite = nonfinite
        self._names: list[str] = []
        self._max_nodes: int | None = MAX_NODES
        self._program: _Program | None = None
        self._runners: dict[str, Callable[..., Any]] = {}
        self.__name__ = getattr(fn, "__name__", "f")
        self.__doc__ = getattr(fn, "__doc__", None)

    # -- calls, with aux's values as the runners give them ---------------------------------

    def _run_forward(self, args: tuple[Any, ...]) -> tuple[float, tuple[float, ...]]:
        values, program = self._prepared(args)
        try:
            result = self._runner("forward")(*values, *_live_data(program))
        except _DOMAIN_ERRORS:
            return self._dynamic_value(values), self._aux_at(values)
        if self._aux:
            out, aux = result
            return out, aux
        return result, ()

    def _run_value_and_grad(
        self, args: tuple[Any, ...]
    ) -> tuple[float, tuple[float, ...], tuple[float, ...]]:
        values, program = self._prepared(args)
        try:
            out, grads, *aux = self._runner("grad_args")(*values, *_live_data(program))
        except _DOMAIN_ERRORS:
            return (*self._dynamic_value_and_grad(values), self._aux_at(values))
        if not math.isfinite(out + math.fsum(grads)):
            return (*self._dynamic_value_and_grad(values), self._aux_at(values))
        return out, grads, aux[0] if aux else ()

    def _run_backward(self, args: tuple[Any, ...]) -> tuple[float, tuple[float, ...]]:
        values, program = self._prepared(args)
        try:
            out, grads, *aux = self._runner("grad_live")(*values, *_live_data(program))
        except _DOMAIN_ERRORS:
            return self._dynamic_backward([values], 1.0), self._aux_at(values)
        if not math.isfinite(out + math.fsum(grads)):
            return self._dynamic_backward([values], 1.0), self._aux_at(values)
        for p, g in zip(program.live, grads):
            p.grad += g
        return out, aux[0] if aux else ()

    def _run_backward_batch(
        self, rows: Iterable[Sequence[Any]], scale: float
    ) -> tuple[float, list[tuple[float, ...]]]:
        checked = self._rows(rows)
        scale = _scale(scale)
        if not checked:
            return 0.0, []
        program = self._traced(checked[0])
        if self._check:
            for row in checked:
                self._verify(row)
        try:
            total, grads, *aux = self._runner("batch")(checked, scale, *_live_data(program))
        except _DOMAIN_ERRORS:
            total, grads, aux = math.nan, (), []
        if not math.isfinite(total + math.fsum(grads)):
            dynamic = self._dynamic_backward(checked, scale)
            return dynamic, self._dynamic_aux(checked) if self._aux else []
        for p, g in zip(program.live, grads):
            p.grad += g
        return total * scale, aux[0] if aux else []

    def _run_forward_batch(
        self, rows: Iterable[Sequence[Any]]
    ) -> tuple[float, list[tuple[float, ...]]]:
        checked = self._rows(rows)
        if not checked:
            return 0.0, []
        program = self._traced(checked[0])
        if self._check:
            for row in checked:
                self._verify(row)
        try:
            total, _, *aux = self._runner("forward_batch")(checked, 1.0, *_live_data(program))
        except _DOMAIN_ERRORS:
            total = sum(self._dynamic_value(row) for row in checked)  # raises the op's error
            return total, self._dynamic_aux(checked) if self._aux else []
        return total, aux[0] if aux else []

    def _shaped(self, aux: tuple[float, ...]) -> float | tuple[float, ...]:
        """aux's values in the shape ``fn`` returned them: one float, or a tuple."""
        assert self._program is not None
        return aux[0] if self._program.aux_single else aux

    # -- what users look at ----------------------------------------------------------------

    @property
    def source(self) -> str:
        """The generated Python for value and gradients (after the first call).

        One line per node in the forward part, one accumulation per edge in the
        backward part, each with a comment from the op table.
        """
        program = self._require_trace("source")
        return _emit(program, "readable", self.__name__)

    @property
    def params(self) -> tuple[Value, ...]:
        """Every Value read at each call: the listed params, then the ones ``fn``
        closed over (after the first call; before it, the listed ones)."""
        if self._program is None:
            return tuple(self._listed)
        return tuple(self._program.live)

    @property
    def n_nodes(self) -> int:
        """Nodes in the traced graph (after the first call)."""
        return len(self._require_trace("n_nodes").names)

    def __repr__(self) -> str:
        if self._program is None:
            return f"<jit({self.__name__}): not traced yet; the first call traces it>"
        program = self._program
        return (
            f"<jit({self.__name__}): {len(program.arg_names)} argument(s), "
            f"{len(program.live)} param(s), {len(program.names)} nodes>"
        )

    # -- tracing ---------------------------------------------------------------------------

    def _prepared(self, args: tuple[Any, ...]) -> tuple[tuple[float, ...], _Program]:
        """The checked arguments and the program (traced now at the first call)."""
        values = self._arguments(args)
        program = self._traced(values)
        if self._check:
            self._verify(values)
        return values, program

    def _traced(self, args: Sequence[float]) -> _Program:
        if self._program is None:
            self._program = _trace(
                self._fn, args, self._listed, self._aux, self._names, self._max_nodes
            )
        elif len(args) != len(self._program.arg_names):
            raise TypeError(
                f"{self.__name__}: takes {len(self._program.arg_names)} argument(s) (as at "
                f"its trace), got {len(args)}"
            )
        return self._program

    def _require_trace(self, what: str) -> _Program:
        if self._program is None:
            raise RuntimeError(
                f"jit({self.__name__}).{what}: nothing is traced yet; call the compiled "
                "function once (any method) to trace it"
            )
        return self._program

    def _runner(self, mode: str) -> Callable[..., Any]:
        runner = self._runners.get(mode)
        if runner is None:
            assert self._program is not None
            runner = self._runners[mode] = _compile(self._program, mode, self.__name__)
        return runner

    # -- arguments -------------------------------------------------------------------------

    def _arguments(self, args: tuple[Any, ...]) -> tuple[float, ...]:
        expected = None if self._program is None else len(self._program.arg_names)
        if expected is not None and len(args) != expected:
            raise TypeError(
                f"{self.__name__}: takes {expected} argument(s) (as at its trace), got {len(args)}"
            )
        if all(a.__class__ is float and a - a == 0.0 for a in args):
            return args
        return tuple(_number(a, f"{self.__name__}: argument {i}") for i, a in enumerate(args))

    def _rows(self, rows: Iterable[Sequence[Any]]) -> list[tuple[float, ...]]:
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise TypeError(
                f"{self.__name__}.backward_batch: rows must be a list of argument tuples, "
                f"got {type(rows).__name__}"
            )
        expected = None if self._program is None else len(self._program.arg_names)
        if isinstance(rows, list) and rows and _plain_floats(rows, expected):
            return rows  # the common case, checked in a few passes of C code
        checked = []
        for r, row in enumerate(rows):
            if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
                raise TypeError(
                    f"{self.__name__}.backward_batch: row {r} is {type(row).__name__}; each "
                    "row is a tuple of numbers, one per argument"
                )
            if expected is None:
                expected = len(row)
            if len(row) != expected:
                raise TypeError(
                    f"{self.__name__}.backward_batch: row {r} has {len(row)} number(s), "
                    f"expected {expected} (one per argument)"
                )
            if all(a.__class__ is float and a - a == 0.0 for a in row):
                checked.append(tuple(row))
            else:
                where = f"{self.__name__}.backward_batch: row {r}, item"
                checked.append(tuple(_number(a, f"{where} {i}") for i, a in enumerate(row)))
        return checked

    # -- the dynamic engine, for what the generated code does not cover --------------------

    def _values(self, args: Sequence[float]) -> list[Value]:
        names = self._program.arg_names if self._program is not None else []
        return [Value(a, label=names[i] if i < len(names) else "") for i, a in enumerate(args)]

    def _dynamic(self, args: Sequence[float]) -> Value:
        with enable_grad():
            out = self._fn(*self._values(args))
        return _output(out, self._aux)[0]

    def _dynamic_value(self, args: Sequence[float]) -> float:
        return self._dynamic(args).data  # raises the op's own domain error

    def _dynamic_value_and_grad(self, args: Sequence[float]) -> tuple[float, tuple[float, ...]]:
        with enable_grad():
            values = self._values(args)
            out = _output(self._fn(*values), self._aux)[0]
        grads = gradients(out, values)  # raises as backward() does; touches no .grad
        return out.data, tuple(number_of(g) for g in grads)

    def _dynamic_backward(self, rows: Sequence[Sequence[float]], scale: float) -> float:
        total = 0.0
        for row in rows:
            out = self._dynamic(row)
            out.backward(scale, nonfinite=self._nonfinite)
            total += out.data
        return total * scale

    def _aux_at(self, args: Sequence[float]) -> tuple[float, ...]:
        """aux's values at ``args`` from the dynamic engine (empty without aux)."""
        return self._dynamic_aux([args])[0] if self._aux else ()

    def _dynamic_aux(self, rows: Sequence[Sequence[float]]) -> list[tuple[float, ...]]:
        result = []
        for row in rows:
            with enable_grad():
                aux = _output(self._fn(*self._values(row)), True)[1]
            result.append(tuple(v.data for v in aux))
        return result

    def _verify(self, args: Sequence[float]) -> None:
        """check=True: the dynamic engine's graph at ``args`` must match the trace."""
        assert self._program is not None
        program = self._program
        with enable_grad():
            values = self._values(args)
            out, aux = _output(self._fn(*values), self._aux)
        nodes = topological_order(_joined(out, aux))[:-1] if aux else topological_order(out)
        index = {id(n): i for i, n in enumerate(nodes)}
        args_at = {id(v): i for i, v in enumerate(values)}
        live_at = {id(v): i for i, v in enumerate(program.live)}
        for i, node in enumerate(nodes):
            if i >= len(program.names):
                raise JitError(_differs(i, node, "has more nodes than the trace"))
            kind = program.kinds[i]
            if node.parents:
                if kind == "const":
                    continue  # folded at the trace; its parents were checked
                parents = tuple(index[id(p)] for p in node.parents)
                if kind != "op" or node.op != program.ops[i] or parents != program.parents[i]:
                    recorded = f"{program.ops[i] or 'a leaf'}{program.parents[i]}"
                    raise JitError(_differs(i, node, f"the trace recorded {recorded} there"))
                if node.op in ("pow", "rpow") and node.attr != program.attrs[i]:
                    raise JitError(
                        _differs(i, node, f"the trace's constant was {program.attrs[i]}")
                    )
            elif id(node) in args_at:
                if program.arg_nodes[args_at[id(node)]] != i:
                    raise JitError(_differs(i, node, "an argument is used in another place"))
            elif id(node) in live_at:
                if program.live_nodes[live_at[id(node)]] != i:
                    raise JitError(_differs(i, node, "a param is used in another place"))
            elif kind != "const" or node.data != program.data[i]:
                shown = program.data[i] if kind == "const" else kind
                raise JitError(_differs(i, node, f"the trace had the constant {shown!r}"))
        if len(nodes) != len(program.names):
            raise JitError(
                f"jit(check=True): this call built {len(nodes)} nodes, the trace "
                f"{len(program.names)}; fn's control flow depends on the data, so its trace does "
                "not hold here: call fn directly (the dynamic engine) for such functions"
            )


class Compiled(_Traced):
    """A function compiled by ``jit``: traced at its first call, replayed after.

    Methods take plain numbers, one per argument of the traced function:
    ``compiled(*args)`` (the value), ``value_and_grad(*args)`` (value and the
    gradient with respect to each argument; no ``.grad`` is touched),
    ``backward(*args)`` (adds d(out)/d(p) into ``p.grad`` for every param, as
    ``fn(...).backward()`` does) and ``backward_batch(rows, scale)`` (the same
    over many rows in one generated loop: the training fast path).
    """

    def __call__(self, *args: Any) -> float:
        """The value of ``fn`` at ``args`` (numbers), from the forward code only."""
        return self._run_forward(args)[0]

    def value_and_grad(self, *args: Any) -> tuple[float, tuple[float, ...]]:
        """``(value, gradient)``: d(out)/d(arg) for every argument; no ``.grad`` changes.

        Example:
            >>> from autograd_lite import jit
            >>> jit(lambda x: x ** 3).value_and_grad(2.0)
            (8.0, (12.0,))
        """
        value, grads, _ = self._run_value_and_grad(args)
        return value, grads

    def backward(self, *args: Any) -> float:
        """Run forward and backward; add d(out)/d(p) into ``p.grad`` for every param.

        Exactly what ``fn(*Values).backward()`` does to the params (leaves
        accumulate, so zero them between steps). Returns the value.
        """
        return self._run_backward(args)[0]

    def backward_batch(self, rows: Iterable[Sequence[Any]], scale: float = 1.0) -> float:
        """Forward and backward for every row; returns ``scale * sum(out_row)``.

        Each row is a tuple of arguments. ``scale * d(out_row)/d(p)`` is added into
        ``p.grad`` for every param, summed over the rows, so ``scale = 1/len(rows)``
        makes it the gradient of the mean loss over a batch.

        Example:
            >>> from autograd_lite import Value, jit
            >>> w = Value(0.5)
            >>> loss = jit(lambda x, t: (w * x - t) ** 2)
            >>> loss.backward_batch([(1.0, 1.0), (2.0, 0.0)], scale=0.5)
            0.625
            >>> w.grad
            1.5
        """
        return self._run_backward_batch(rows, scale)[0]


#: aux's values: one float, or a tuple of them (the shape ``fn`` returned).
Aux = float | tuple[float, ...]


class CompiledWithAux(_Traced):
    """``jit(fn, has_aux=True)``: ``fn`` returns ``(output, aux)``, and every
    method returns aux's values (floats, in the shape ``fn`` gave) beside the
    output's. Only the output is differentiated; aux rides along (a model's
    prediction beside its loss, to count correct answers without a second pass).

    Example:
        >>> from autograd_lite import Value, jit
        >>> w = Value(0.5)
        >>> def loss(x, t):
        ...     prediction = w * x
        ...     return (prediction - t) ** 2, prediction
        >>> step = jit(loss, has_aux=True)
        >>> step.value_and_grad(2.0, 0.0)  # ((value, aux), gradients of the arguments)
        ((1.0, 1.0), (1.0, -2.0))
        >>> step.backward_batch([(1.0, 1.0), (2.0, 0.0)], scale=0.5)
        (0.625, [0.5, 1.0])
        >>> w.grad
        1.5
    """

    _aux: ClassVar[bool] = True

    def __call__(self, *args: Any) -> tuple[float, Aux]:
        """``(value, aux)`` at ``args``, from the forward code only."""
        value, aux = self._run_forward(args)
        return value, self._shaped(aux)

    def value_and_grad(self, *args: Any) -> tuple[tuple[float, Aux], tuple[float, ...]]:
        """``((value, aux), gradient)``, as JAX's ``value_and_grad(has_aux=True)``."""
        value, grads, aux = self._run_value_and_grad(args)
        return (value, self._shaped(aux)), grads

    def backward(self, *args: Any) -> tuple[float, Aux]:
        """As ``Compiled.backward``; returns ``(value, aux)``."""
        value, aux = self._run_backward(args)
        return value, self._shaped(aux)

    def backward_batch(
        self, rows: Iterable[Sequence[Any]], scale: float = 1.0
    ) -> tuple[float, list[Aux]]:
        """As ``Compiled.backward_batch``; returns ``(scale * sum, [aux per row])``."""
        value, aux = self._run_backward_batch(rows, scale)
        return value, [self._shaped(a) for a in aux]

    def forward_batch(self, rows: Iterable[Sequence[Any]]) -> tuple[float, list[Aux]]:
        """``(sum of the outputs, [aux per row])`` from the forward code only: an
        evaluation pass over many rows (no gradient, no ``.grad`` touched)."""
        value, aux = self._run_forward_batch(rows)
        return value, [self._shaped(a) for a in aux]


# -- tracing ------------------------------------------------------------------------------------


def _trace(
    fn: Callable[..., Any],
    args: Sequence[float],
    listed: Sequence[Value],
    aux: bool,
    names: Sequence[str],
    max_nodes: int | None = MAX_NODES,
) -> _Program:
    """Call ``fn`` on Values and record its graph as a ``_Program``.

    With ``max_nodes``, the nodes ``fn`` makes are counted as it makes them (through
    the core's ``_on_new_node`` hook), and the trace stops at the first one past the
    limit: refusing a graph of a million nodes costs the limit's worth, not the
    million's.
    """
    global _tracing
    arg_names = _argument_names(fn, len(args), names)
    inputs = [Value(a, label=name) for a, name in zip(args, arg_names)]
    budget = _Budget(max_nodes) if max_nodes is not None else None
    _tracing += 1
    try:
        with enable_grad(), graph_building(), _counting(budget):
            result = fn(*inputs)
    finally:
        _tracing -= 1
    if budget is not None and budget.exceeded:  # raised inside fn, which caught it
        raise ValueError(budget.message())
    out, aux_values = _output(result, aux)
    with graph_building():  # the collector would re-scan the graph and the program
        candidates, program = _record(out, aux_values, inputs, listed, arg_names, max_nodes)
    program.aux_single = aux and not isinstance(result[1], (list, tuple))
    del out, aux_values, inputs, result
    # A leaf nobody outside the graph can reach was made inside fn and can never
    # change: it is a constant. One still referenced from outside (a closure, a
    # model) is live: read at every call, like a param, so it is never stale.
    for i, ref in candidates:
        leaf = ref()
        if leaf is None:
            program.kinds[i] = "const"
        else:
            program.kinds[i] = "live"
            program.live_nodes.append(i)
            program.live.append(leaf)
    # Listed params first, in the order given, then the Values fn closed over.
    position = {id(p): k for k, p in enumerate(listed)}
    pairs = sorted(
        zip(program.live_nodes, program.live),
        key=lambda pair: (position.get(id(pair[1]), len(position)), pair[0]),
    )
    program.live_nodes = [i for i, _ in pairs]
    program.live = [v for _, v in pairs]
    _fold_constants(program)
    _name_nodes(program)
    return program


def _output(result: Any, aux: bool) -> tuple[Value, list[Value]]:
    if aux:
        if not (isinstance(result, tuple) and len(result) == 2):
            raise TypeError(
                f"jit(has_aux=True): fn must return a pair (output, aux), got "
                f"{type(result).__name__}; without aux, leave has_aux out"
            )
        out, extra = result
        extra_values = list(extra) if isinstance(extra, (list, tuple)) else [extra]
    else:
        out, extra_values = result, []
    if not isinstance(out, Value):
        raise TypeError(
            f"jit: fn must return a Value (one scalar that depends on its arguments), got "
            f"{type(out).__name__}; reduce a list first (e.g. sum(...))"
        )
    for v in extra_values:
        if not isinstance(v, Value):
            raise TypeError(
                f"jit(has_aux=True): aux must be a Value or a list or tuple of Values, "
                f"got {type(v).__name__} (compute it from fn's arguments or params)"
            )
    return out, extra_values


def _record(
    out: Value,
    aux: list[Value],
    inputs: list[Value],
    listed: Sequence[Value],
    arg_names: list[str],
    max_nodes: int | None = MAX_NODES,
) -> tuple[list[tuple[int, weakref.ref[Value]]], _Program]:
    """The graph as indices, plus weak references to the leaves still to classify.

    Holds the nodes only while it runs, so that the caller can find out which
    leaves are alive without the graph.
    """
    root = out
    # aux nodes are computed too: one graph under a synthetic root
    nodes = topological_order(_joined(out, aux))[:-1] if aux else topological_order(root)
    computed = sum(1 for node in nodes if node.parents)
    if max_nodes is not None and computed > max_nodes:
        # fn made fewer, but its output also depends on a graph built before the trace
        raise ValueError(_too_many(f"the traced graph has {computed:,} computed nodes", max_nodes))
    index = {id(n): i for i, n in enumerate(nodes)}
    arg_at = {id(v): i for i, v in enumerate(inputs)}
    listed_ids = {id(p) for p in listed}
    n = len(nodes)
    program = _Program(
        names=[""] * n,
        kinds=[""] * n,
        ops=[n.op for n in nodes],
        parents=[tuple(index[id(p)] for p in node.parents) for node in nodes],
        attrs=[n.attr for n in nodes],
        data=[n.data for n in nodes],
        labels=[n.label for n in nodes],
        root=index[id(root)],
        backward_order=[index[id(n)] for n in reversed(_walk(root)[0])],
        arg_names=arg_names,
        arg_nodes=[index.get(id(v)) for v in inputs],
        live=[],
        live_nodes=[],
        aux=[index[id(v)] for v in aux],
    )
    candidates = []
    for i, node in enumerate(nodes):
        if node.parents:
            program.kinds[i] = "op"
        elif id(node) in arg_at:
            program.kinds[i] = "arg"
        elif id(node) in listed_ids:
            program.kinds[i] = "live"
            program.live_nodes.append(i)
            program.live.append(node)
        else:
            candidates.append((i, weakref.ref(node)))
    return candidates, program


def _joined(out: Value, aux: list[Value]) -> Value:
    """A node whose parents are ``out`` and the aux Values, only to walk them as one graph."""
    node = Value(0.0)
    node.parents = (out, *aux)
    return node


class _Budget:
    """A trace's node allowance: ``take`` raises at the first computed node past it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.exceeded = False

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            self.exceeded = True
            raise ValueError(self.message())

    def message(self) -> str:
        return _too_many(
            f"fn made more than {self.limit:,} computed nodes while being traced (the trace "
            "stopped there)",
            self.limit,
        )


class _ThisThread(threading.local):
    budget: _Budget | None = None  # the budget of the trace running in this thread


_this_thread = _ThisThread()
_hook_lock = threading.Lock()
_hook_users = 0  # traces running now, in all threads
_hook_previous: Callable[[Value], None] | None = None  # the hook set before ours


def _count_node(node: Value) -> None:
    """The core's ``_on_new_node`` hook while a trace runs: charge the node to the
    budget of the trace in this thread (another thread may build its own graph);
    a hook set before ours (``detect_anomaly``) still sees every node."""
    if _hook_previous is not None:
        _hook_previous(node)
    budget = _this_thread.budget
    if budget is not None and node.parents:
        budget.take()


@contextlib.contextmanager
def _counting(budget: _Budget | None) -> Iterator[None]:
    """Charge the nodes this thread makes inside the block to ``budget``."""
    global _hook_users, _hook_previous
    if budget is None:
        yield
        return
    outer, _this_thread.budget = _this_thread.budget, budget
    with _hook_lock:
        if _hook_users == 0:
            _hook_previous = _value._on_new_node
            _value._on_new_node = _count_node
        _hook_users += 1
    try:
        yield
    finally:
        _this_thread.budget = outer
        with _hook_lock:
            _hook_users -= 1
            if _hook_users == 0 and _value._on_new_node is _count_node:
                _value._on_new_node = _hook_previous


def _too_many(what: str, limit: int) -> str:
    return (
        f"jit: {what}; the compiled path takes up to max_nodes={limit:,} (its generated "
        "code, and the time to compile it, about 5 s per 100,000 nodes, grow with the "
        "graph). Use the dynamic engine for graphs this large, fn(...).backward(), or pass "
        "jit(fn, max_nodes=None) (or a larger number) to compile it anyway"
    )


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


# -- code generation ------------------------------------------------------------------------------

_MODES = {
    # mode: (gradients of the arguments, gradients of the live Values, one loop over rows)
    "forward": (False, False, False),
    "grad_args": (True, False, False),
    "grad_live": (False, True, False),
    "batch": (False, True, True),
    "forward_batch": (False, False, True),
    "readable": (True, True, False),
}


def _emit(program: _Program, mode: str, fn_name: str) -> str:
    """Python source for ``program`` in ``mode`` (see ``_MODES``)."""
    arg_grads, live_grads, batch = _MODES[mode]
    names, kinds, ops, parents = program.names, program.kinds, program.ops, program.parents
    n = len(names)
    wanted = [False] * n
    if arg_grads:
        for i in program.arg_nodes:
            if i is not None:
                wanted[i] = True
    if live_grads:
        for i in program.live_nodes:
            wanted[i] = True
    # needs[i]: a gradient must flow through node i (it leads to a wanted leaf)
    needs = wanted[:]
    for i in range(n):
        if kinds[i] == "op" and any(needs[p] for p in parents[i]):
            needs[i] = True

    live_names = [names[i] for i in program.live_nodes]
    signature = ", ".join(program.arg_names)
    body: list[tuple[str, str]] = []  # (code, comment)
    prologue: list[str] = []
    if batch:
        header = f"def {_safe_function_name(fn_name)}(_rows, _scale{', ' if live_names else ''}"
        header += ", ".join(live_names) + "):"
        for name in live_names if live_grads else ():
            prologue.append(f"g_{name} = 0.0")
        prologue.append("_total = 0.0")
        if program.aux:
            prologue.append("_aux = []")
        target = signature + ("," if len(program.arg_names) == 1 else "")
        prologue.append(f"for {target or '_'} in _rows:")
    else:
        every = [*program.arg_names, *live_names]
        header = f"def {_safe_function_name(fn_name)}({', '.join(every)}):"

    # forward
    body.append(("# forward: one line per node, in the order they are computed", ""))
    derivatives_emitted = set()
    consumers = [0] * n
    for i in range(n):
        if kinds[i] == "op":
            for p in parents[i]:
                consumers[p] += 1
    fast = mode != "readable"
    inlined = _inlinable(program, consumers) if fast else [False] * n
    operand = list(names)  # each node as its consumers write it: a name, or its expression
    for i in range(n):
        if kinds[i] != "op":
            continue
        op = OPS[ops[i]]
        forward = _code(op.code[0], program, i, operand)
        if inlined[i]:  # its value is used once, in the next expression, and never again
            operand[i] = f"({forward})"
        else:
            body.append((f"{names[i]} = {forward}", op.name))
        computes_backward = needs[i] and (arg_grads or live_grads)
        for k, template in enumerate(op.code[1:]):
            if not computes_backward and _MAY_RAISE.search(template):
                # the dynamic engine computes this during its forward pass and raises there
                body.append((f"_ = {_code(template, program, i)}", f"{op.name}: domain check"))
            elif computes_backward and needs[parents[i][k]]:
                derivatives_emitted.add((i, k))
    if batch:
        body.append((f"_total += {names[program.root]}", ""))
        if program.aux:
            aux = ", ".join(names[i] for i in program.aux)
            body.append((f"_aux.append(({aux},))", ""))

    # backward
    assigned = set(program.live_nodes) if batch else set()
    # The replay functions fold copies away; ``source`` keeps one line per edge.
    grad_name: dict[int, str] = {}  # a node whose gradient lives in another's variable
    if arg_grads or live_grads:
        body.append(("# backward: one line per edge, from the output back to the inputs", ""))
        root = program.root
        seed = "_scale" if batch else "1.0"
        if needs[root]:
            if root in assigned:
                body.append((f"g_{names[root]} += {seed}", "d(output)/d(output)"))
            else:
                body.append((f"g_{names[root]} = {seed}", "d(output)/d(output)"))
                assigned.add(root)
        # Replay functions gather a node's contributions and write its gradient in one
        # expression once the last one is known, in the same order of addition as the
        # one line per edge that ``source`` shows (so the numbers are the same).
        pending: dict[int, list[tuple[str, str]]] = {}

        def settle(p: int) -> None:
            terms = pending.pop(p, None)
            if not terms:
                return
            if len(terms) == 1 and terms[0][1] == "+" and _IDENTIFIER_TERM.fullmatch(terms[0][0]):
                grad_name[p] = terms[0][0]  # a copy: use the upstream variable itself
            else:
                target = f"g_{names[p]}"
                total = ("-" if terms[0][1] == "-" else "") + terms[0][0]
                for start in range(1, len(terms), _MAX_TERMS):
                    total += "".join(
                        f" {sign} {term}" for term, sign in terms[start : start + _MAX_TERMS]
                    )
                    if start + _MAX_TERMS < len(terms):  # carried on in the next statement
                        body.append((f"{target} = {total}", ""))
                        total = target
                body.append((f"{target} = {total}", ""))
            assigned.add(p)

        for i in program.backward_order:
            if not needs[i] or kinds[i] != "op":
                continue
            if fast:
                settle(i)
            op = OPS[ops[i]]
            for k, p in enumerate(parents[i]):
                if not needs[p] or (i, k) not in derivatives_emitted:
                    continue
                local = op.code[1 + k]
                upstream = grad_name.get(i, f"g_{names[i]}")
                if local == "1.0":
                    term, sign = upstream, "+"
                elif local == "-1.0":
                    term, sign = upstream, "-"
                elif fast and local.startswith("1.0 if ") and local.endswith(" else 0.0"):
                    # a 0/1 slope (relu): pass the upstream gradient or nothing
                    condition = _code(local[len("1.0 if ") : -len(" else 0.0")], program, i)
                    term, sign = f"({upstream} if {condition} else 0.0)", "+"
                else:
                    term, sign = f"{upstream} * {_atom(_code(local, program, i))}", "+"
                if fast and p not in assigned:  # not an accumulator of backward_batch
                    pending.setdefault(p, []).append((term, sign))
                    continue
                target = f"g_{names[p]}"
                if p in assigned:
                    line = f"{target} {sign}= {term}"
                else:
                    line = f"{target} = {'-' if sign == '-' else ''}{term}"
                    assigned.add(p)
                body.append((line, _edge_comment(op, k)))
        for p in list(pending):  # leaves: the arguments and params of a single call
            settle(p)

    # the end
    def grad_of(i: int | None) -> str:
        if i is None or i not in assigned:
            return "0.0"
        return grad_name.get(i, f"g_{names[i]}")

    epilogue: list[str] = []
    result = names[program.root]
    outputs = [result]
    if arg_grads:
        outputs.append(_tuple(grad_of(i) for i in program.arg_nodes))
    if live_grads and (program.live_nodes or mode != "readable"):
        outputs.append(_tuple(grad_of(i) for i in program.live_nodes))
    if batch:
        grads = _tuple(grad_of(i) for i in program.live_nodes) if live_grads else "()"
        outputs = ["_total", grads]
        if program.aux:
            outputs.append("_aux")
    elif program.aux:
        outputs.append(_tuple(names[i] for i in program.aux))
    epilogue.append("return " + ", ".join(outputs) if len(outputs) > 1 else f"return {result}")
    if program.aux and mode == "readable":
        epilogue[-1] += "  # the output, its gradients, then aux"

    statements = [code for code, _ in body if not code.startswith("#")]
    if mode != "readable" and len(statements) > _PART_SIZE:
        return "\n\n\n".join(_in_parts(header, prologue, statements, epilogue, batch))
    lines = [header]
    indent = "    "
    for line in prologue:
        lines.append(indent + line)
    inner = indent * 2 if batch else indent
    width = min(max((len(code) for code, _ in body if not code.startswith("#")), default=0), 44)
    for code, comment in body:
        if comment:
            lines.append(f"{inner}{code.ljust(width)}  # {comment}")
        else:
            lines.append(inner + code)
    for line in epilogue:
        lines.append(indent + line)
    return "\n".join(lines)


def _in_parts(
    header: str, prologue: list[str], statements: list[str], epilogue: list[str], batch: bool
) -> list[str]:
    """A replay function too long to compile in one piece, as parts of at most
    ``_PART_SIZE`` statements, each its own function, and a main function that calls
    them in order.

    Python compiles a module's whole syntax tree at once, and its memory grows with
    it: one function of 200,000 nodes took 1.26 GB to compile, so a smaller machine
    swapped (the compile time per node then grew several times over). Each part is
    compiled on its own (``_compile``), so the memory is that of one part. Within a
    part, values are local variables as before; a value that another part (or the
    return statement) reads travels through one shared list, ``_s``: stored by the
    part that computes it, loaded by the part that reads it. The statements and
    their order are unchanged, so are the numbers.

    Returns the main function's source first, then each part's.
    """
    indent = "    "
    chunks = [statements[k : k + _PART_SIZE] for k in range(0, len(statements), _PART_SIZE)]
    # The names each part reads before it defines them, and the names it defines.
    imports: list[dict[str, None]] = []
    defines: list[dict[str, None]] = []
    assignment, names_in, not_names = _ASSIGNMENT.match, _NAME_IN_CODE.findall, _NOT_NAMES
    for chunk in chunks:  # the hot loop of a big compile: one pass, few calls
        read: dict[str, None] = {}
        defined: dict[str, None] = {}
        for code in chunk:
            target = assignment(code)
            if target is None:
                names = names_in(code)
            else:
                names = names_in(code, target.end())
                if target.group(2) != "=":
                    names.insert(0, target.group(1))  # g += ... reads g first
            for name in names:
                if name not in defined and name not in not_names:
                    read[name] = None
            if target is not None:
                defined[target.group(1)] = None
        imports.append(read)
        defines.append(defined)
    loop = prologue[-1] if batch else ""
    setup = prologue[:-1] if batch else prologue
    # What main defines: its parameters, the accumulators, a batch loop's row names.
    parameters = header[header.index("(") + 1 : header.rindex(")")]
    row_names = _names_read(loop[len("for ") : loop.rindex(" in ")]) if batch else []
    own = [name.strip() for name in parameters.split(",") if name.strip()]
    own += [m.group(1) for line in setup if (m := _ASSIGNMENT.match(line))]
    in_epilogue = [name for line in epilogue for name in _names_read(line[len("return") :])]
    computed = {name for defined in defines for name in defined}
    # Every name a part reads is defined before it runs: in main, or by an earlier part.
    available = set(own) | set(row_names)
    for k, read in enumerate(imports):
        missing = [name for name in read if name not in available]
        assert not missing, f"jit: part {k} reads {missing} before they are computed"
        available |= set(defines[k])
    after = {name for name in in_epilogue if name in computed}
    if batch:  # an accumulator is read again by the next row's parts
        after |= {name for name in own if name in computed}
    exports: list[list[str]] = [[] for _ in chunks]  # what part k stores for later
    for k in range(len(chunks) - 1, -1, -1):
        exports[k] = [name for name in defines[k] if name in after]
        after |= set(imports[k])
    # A slot per shared name, numbered in the order they are stored, so that a part
    # moves its values in a few slices rather than one item at a time.
    slots: dict[str, int] = {}
    for name in [*own, *row_names]:
        if name in after:
            slots.setdefault(name, len(slots))
    for names in exports:
        for name in names:
            slots.setdefault(name, len(slots))
    moves = functools.partial(_moves, slots)
    main = [header, f"{indent}_s = [0.0] * {len(slots)}"]
    main += [indent + line for line in setup]
    main += moves([name for name in own if name in slots], indent, load=False)
    inner = indent
    if batch:
        main.append(indent + loop)
        inner = indent * 2
        main += moves([name for name in row_names if name in slots], inner, load=False)
    main += [f"{inner}_part{k}(_s)" for k in range(len(chunks))]
    main += moves([name for name in dict.fromkeys(in_epilogue) if name in computed], indent)
    main += [indent + line for line in epilogue]
    sources = ["\n".join(main)]
    for k, chunk in enumerate(chunks):
        lines = [f"def _part{k}(_s):"]
        lines += moves(list(imports[k]), indent)
        lines += [indent + code for code in chunk]
        lines += moves(exports[k], indent, load=False)
        sources.append("\n".join(lines))
    return sources


def _moves(slots: dict[str, int], names: list[str], indent: str, load: bool = True) -> list[str]:
    """Statements that load ``names`` from their slots of ``_s`` (or store them):
    runs of consecutive slots move as one slice (``a, b, c = _s[4:7]``)."""
    ordered = sorted(names, key=slots.__getitem__)
    runs: list[list[str]] = []
    for name in ordered:
        if runs and slots[runs[-1][-1]] + 1 == slots[name] and len(runs[-1]) < 32:
            runs[-1].append(name)
        else:
            runs.append([name])
    lines = []
    for run in runs:
        first = slots[run[0]]
        where = f"_s[{first}]" if len(run) == 1 else f"_s[{first}:{first + len(run)}]"
        values = ", ".join(run)
        lines.append(f"{indent}{values} = {where}" if load else f"{indent}{where} = {values}")
    return lines


def _names_read(code: str) -> list[str]:
    """The variable names an expression of ours reads (not functions, keywords, or
    the letters inside a number such as ``1e-05``), in order, each once."""
    return [name for name in dict.fromkeys(_NAME_IN_CODE.findall(code)) if name not in _NOT_NAMES]


def _inlinable(program: _Program, consumers: list[int]) -> list[bool]:
    """Nodes whose value the replay needs only inside their one consumer's expression.

    Such a node (a neuron's products and partial sums) is written into that
    expression instead of a variable of its own: Python evaluates it in the same
    order, so the numbers do not change, and the loads and stores go. A node is
    kept in a variable when a local derivative reads its value (its own ``{out}``,
    or its consumer's rule for that operand), when it is the output or an aux
    value, or when inlining would nest expressions too deeply for the compiler.
    """
    kinds, ops, parents = program.kinds, program.ops, program.parents
    n = len(kinds)
    kept = [kinds[i] != "op" or consumers[i] != 1 for i in range(n)]
    kept[program.root] = True
    for i in program.aux:
        kept[i] = True
    for i in range(n):
        if kinds[i] != "op":
            continue
        rules = OPS[ops[i]].code[1:]
        if any("{out}" in rule for rule in rules):
            kept[i] = True
        for k, p in enumerate(parents[i]):
            letter = "{x}" if k == 0 else "{y}"
            if any(letter in rule for rule in rules) or _MAY_RAISE.search(" ".join(rules)):
                kept[p] = True
    depth = [0] * n
    inlined = [False] * n
    for i in range(n):
        if kinds[i] != "op":
            continue
        depth[i] = 1 + max((depth[p] for p in parents[i] if inlined[p]), default=0)
        inlined[i] = not kept[i] and depth[i] <= _MAX_NESTING
    return inlined


def _code(template: str, program: _Program, i: int, operand: list[str] | None = None) -> str:
    """Fill an op's code template with the names (or expressions) of node i and its operands."""
    names = program.names
    written = operand if operand is not None else names
    operands = [written[p] for p in program.parents[i]] + ["", ""]
    attr = program.attrs[i]
    if attr is not None:  # fold what the constant decides: x ** 2 reads 2.0 * pow(x, 1.0)
        template = _with_constant(template, attr)
    return template.format(x=operands[0], y=operands[1], out=names[i])


@functools.cache
def _with_constant(template: str, c: float) -> str:
    """``template`` with ``{c}`` filled and its constant parts computed.

    Python computes the folded parts exactly as it would at run time (the same
    float operations, done once), so the numbers do not change.
    """
    placeholders = {"x": "_x_", "y": "_y_", "out": "_out_"}
    tree = ast.parse(template.format(c=_literal(c), **placeholders), mode="eval")
    folded = ast.unparse(_Folder().visit(tree))
    for key, placeholder in placeholders.items():
        folded = folded.replace(placeholder, "{" + key + "}")
    return folded


class _Folder(ast.NodeTransformer):
    """Computes constant arithmetic, comparisons and conditionals in our own templates."""

    _BINARY: ClassVar[dict[type[ast.operator], Callable[[float, float], float]]] = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
    }

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        compute = self._BINARY.get(type(node.op))
        left, right = _number_in(node.left), _number_in(node.right)
        if compute and left is not None and right is not None:
            return ast.Constant(compute(left, right))
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = _number_in(node.operand)
        if isinstance(node.op, ast.USub) and operand is not None:
            return ast.Constant(-operand)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if (
            len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.comparators[0], ast.Constant)
        ):
            return ast.Constant(node.left.value == node.comparators[0].value)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node


def _number_in(node: ast.AST) -> float | None:
    """The float a node of our templates holds, if it is a constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return node.value
    return None


def _atom(code: str) -> str:
    """``code`` ready to multiply: a name or a literal as it is, else in parentheses."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\([^()]*\))?|\(?-?[0-9.e+-]+\)?", code):
        return code
    return f"({code})"


def _tuple(items: Iterable[str]) -> str:
    listed = list(items)
    return f"({listed[0]},)" if len(listed) == 1 else f"({', '.join(listed)})"


@functools.cache
def _edge_comment(op: Any, k: int) -> str:
    operand = "xy"[k]
    return f"{op.name}: d({op.describe()})/d{operand} = {op.formulas[k]}"


def _safe_function_name(name: str) -> str:
    safe = _safe_name(name, set())
    return safe if safe is not None else "f"


def _compile(program: _Program, mode: str, fn_name: str) -> Callable[..., Any]:
    """Generate, compile and load the function for ``mode``.

    Inside ``graph_building()``: generating makes a few objects per node, and with
    the cycle collector on, its full collections re-scan the whole program every
    time, which made the cost per node grow with the graph (0.056 s per 1,000 nodes
    at 10,000, 0.062 at 200,000; paused, 0.050 at both).
    """
    with graph_building():
        source = _emit(program, mode, fn_name)
        namespace: dict[str, Any] = {"__builtins__": {}, **CODE_FUNCTIONS}
        # Safe: ``source`` is made from the op table's code strings, our own names and
        # repr() of finite floats, never from user text (see the module docstring).
        # A long one is in parts (functions separated by two blank lines, which no
        # function of ours contains), compiled one by one to bound the memory.
        for piece in source.split("\n\n\n"):
            exec(compile(piece, f"<autograd_lite.jit {mode}>", "exec"), namespace)
    runner: Callable[..., Any] = namespace[_safe_function_name(fn_name)]
    return runner


# -- small helpers ------------------------------------------------------------------------------


def _live_data(program: _Program) -> list[float]:
    return [p.data for p in program.live]


def _number(a: Any, where: str) -> float:
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


def _scale(scale: Any) -> float:
    number = _number(scale, "backward_batch: scale")
    return number


def _differs(i: int, node: Value, why: str) -> str:
    what = f"{node.op} = {node.data!r}" if node.parents else f"leaf {node.data!r}"
    return (
        f"jit(check=True): node {i} ({what}) differs from the trace: {why}. fn's control flow "
        "or constants depend on the data (e.g. `if x.data > 0`), so the trace does not hold "
        "at these inputs: call fn directly (the dynamic engine) for such functions"
    )
