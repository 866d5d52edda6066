"""The public face of the compiled path: ``jit`` and the compiled functions it
returns (``Compiled``, ``CompiledWithAux``), which trace on the first call,
replay the generated source after, and fall back to the dynamic engine where
the source does not reach.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar, Literal, overload

from autograd_lite.autodiff import (
    enable_grad,
    gradients,
    topological_order,
)
from autograd_lite.compiled.arguments import checked_arguments, checked_float, checked_rows
from autograd_lite.compiled.check import check_against_trace
from autograd_lite.compiled.emit import _DOMAIN_ERRORS, _compile, _emit
from autograd_lite.compiled.program import _is_whole, _Program
from autograd_lite.compiled.tracing import MAX_NODES, _joined, _output, _trace
from autograd_lite.value import Value, number_of


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
        return checked_arguments(args, expected, self.__name__)

    def _rows(self, rows: Iterable[Sequence[Any]]) -> list[tuple[float, ...]]:
        expected = None if self._program is None else len(self._program.arg_names)
        return checked_rows(rows, expected, self.__name__)

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
        with enable_grad():
            values = self._values(args)
            out, aux = _output(self._fn(*values), self._aux)
        nodes = topological_order(_joined(out, aux))[:-1] if aux else topological_order(out)
        check_against_trace(self._program, nodes, values)


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


def _live_data(program: _Program) -> list[float]:
    return [p.data for p in program.live]


def _scale(scale: Any) -> float:
    number = checked_float(scale, "backward_batch: scale")
    return number
