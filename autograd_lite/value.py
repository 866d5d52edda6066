"""Value: a scalar node that records its parents and its local derivatives.

Every arithmetic operator and method on ``Value`` is one line that builds it
from an op-table row (``ops.py``). The row computes the result on floats and
the local derivative d(result)/d(parent) for each parent; the new node stores
both, so ``backward()`` (``autodiff.py``) only multiplies and adds: it never
calls back into op code, and no node holds a closure.

The method builders below are the hot path of every forward pass, so they
build the node inline rather than through a helper: one Python call per op
(plus the derivative rule) instead of three cut the forward pass's instruction
count by 13% on the benchmark's training step.

Nodes hold references to their parents only, never to their children, so a
graph has no reference cycles and is freed by reference counting alone as soon
as its root is dropped.
"""

from __future__ import annotations

import math
import numbers
import threading
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, Literal

from autograd_lite.ops import FLOAT_MATH, OPS, Op

__all__ = ["Value"]

_new = object.__new__


class _GradMode(threading.local):
    """This thread's grad mode. ``autodiff.no_grad()`` switches it off: new nodes
    are then leaves that record nothing, which is cheaper and keeps no graph
    alive. Per thread, as in PyTorch: a ``no_grad()`` in one thread leaves the
    others recording."""

    enabled = True  # a class attribute, so every new thread starts recording


_grad_mode = _GradMode()

# The fast check on the hot path: True while no thread is inside ``no_grad()``,
# so a recording forward pass reads one global and never the thread-local; only
# while some thread has recording off does an op look up its own thread's mode.
_grad_enabled = True
_threads_without_grad = 0
_grad_mode_lock = threading.Lock()


def _set_grad_enabled(enabled: bool) -> bool:
    """Switch this thread's grad mode; return its previous mode."""
    global _grad_enabled, _threads_without_grad
    previous = _grad_mode.enabled
    if enabled is not previous:
        with _grad_mode_lock:
            _grad_mode.enabled = enabled
            _threads_without_grad += -1 if enabled else 1
            _grad_enabled = _threads_without_grad == 0
    return previous


# -- the core's hooks: UI code plugs in here, it never swaps the core's functions --

#: Called with every node an op makes, when set: ``anomaly.detect_anomaly()``
#: uses it to check values and remember where each node was created.
_on_new_node: Callable[[Value], None] | None = None

#: The backward pass, ``autodiff.backpropagate``, installed by ``autodiff`` when
#: it is imported (always, by the package's ``__init__``): autodiff builds on
#: Value, so importing it here would make an import cycle.
_backpropagate: Callable[..., object] | None = None


def _unary_method(op: Op, doc: str = "") -> Callable[[Value], Value]:
    """The Value method for unary op row ``op`` (built once per op, at import)."""
    forward, rule, name = op.forward, op.rule, op.name

    def method(self: Value) -> Value:
        a = self.data
        try:
            out = forward(a)
            node: Value = _new(Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node.attr = None
            if _grad_enabled or _grad_mode.enabled:
                node.op = name
                node.parents = (self,)
                node.local_grads = rule(FLOAT_MATH, a, out)
            else:  # no_grad(): a leaf that records nothing
                node.op = ""
                node.parents = node.local_grads = ()
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise _domain_error(op, error, a) from None
        except TypeError:  # .data was assigned something that is not a number
            raise _data_error(op, self) from None
        if _on_new_node is not None:
            _on_new_node(node)
        return node

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc or f"{op.describe('self')}."
    return method


def _binary_method(op: Op, reflected: bool = False) -> Callable[[Value, Any], Value]:
    """The Value method ``self <op> other`` for binary op row ``op`` (built once
    per op, at import), or with ``reflected`` ``other <op> self`` (Python's
    ``__radd__`` and friends); a number ``other`` becomes a constant leaf."""
    forward, rule, name = op.forward, op.rule, op.name

    def method(self: Value, other: Any) -> Value:
        if other.__class__ is not Value:
            other = _lift(other, op)
        if reflected:
            x = other
            y = self
        else:
            x = self
            y = other
        a = x.data
        b = y.data
        try:
            out = forward(a, b)
            node: Value = _new(Value)
            node.data = out
            node.grad = 0.0
            node.label = ""
            node.attr = None
            if _grad_enabled or _grad_mode.enabled:
                node.op = name
                node.parents = (x, y)
                node.local_grads = rule(FLOAT_MATH, a, b, out)
            else:  # no_grad(): a leaf that records nothing
                node.op = ""
                node.parents = node.local_grads = ()
        except (ValueError, OverflowError, ZeroDivisionError) as error:
            raise _domain_error(op, error, a, b) from None
        except TypeError:  # .data was assigned something that is not a number
            raise _data_error(op, x, y) from None
        if _on_new_node is not None:
            _on_new_node(node)
        return node

    method.__name__ = method.__qualname__ = ("r" if reflected else "") + name
    return method


class Value:
    """A scalar that remembers how it was computed, so it can be differentiated.

    Attributes:
        data: the value, a float.
        grad: d(root)/d(self) after ``root.backward()``; 0.0 before.
        label: an optional name shown in drawings and ledgers.
        op: the name of the op that made this node (a key of ``ops.OPS``); ``""``
            for a leaf.
        parents: the op's operands, in argument order (``x * x`` has ``x`` twice).
        local_grads: d(self)/d(parent) for each parent, computed in the forward
            pass and aligned with ``parents``.
        attr: the op's constant where it has one (the ``2`` of ``x ** 2``), else
            None.

    Example:
        >>> x = Value(2.0, label="x")
        >>> y = x * x + 3 * x
        >>> y.backward()
        >>> x.grad
        7.0
    """

    __slots__ = ("__weakref__", "attr", "data", "grad", "label", "local_grads", "op", "parents")

    data: float
    grad: float
    label: str
    op: str
    parents: tuple[Value, ...]
    local_grads: tuple[float, ...]
    attr: float | None

    def __init__(self, data: float | numbers.Real, label: str = "") -> None:
        """Make a leaf holding ``data`` (any real number, stored as a float)."""
        self.data = _to_float(data, "Value")
        if label.__class__ is not str:
            raise TypeError(
                f"Value(..., label={label!r}): label must be a str, got {type(label).__name__}"
            )
        self.grad = 0.0
        self.label = label
        self.op = ""
        self.parents = ()
        self.local_grads = ()
        self.attr = None

    # -- arithmetic: each line names its op-table row ------------------------------

    # Each operator and method is built from its op-table row; numbers on either
    # side become constant leaves.
    __add__ = _binary_method(OPS["add"])  # self + other
    __radd__ = _binary_method(OPS["add"], reflected=True)  # other + self
    __sub__ = _binary_method(OPS["sub"])  # self - other
    __rsub__ = _binary_method(OPS["sub"], reflected=True)  # other - self
    __mul__ = _binary_method(OPS["mul"])  # self * other
    __rmul__ = _binary_method(OPS["mul"], reflected=True)  # other * self
    __truediv__ = _binary_method(OPS["div"])  # self / other
    __rtruediv__ = _binary_method(OPS["div"], reflected=True)  # other / self
    __neg__ = _unary_method(OPS["neg"])  # -self
    __abs__ = _unary_method(OPS["abs"])  # |self|; abs'(0) = 0
    exp = _unary_method(OPS["exp"], "e ** self.")
    log = _unary_method(OPS["log"], "Natural logarithm; defined for self > 0.")
    sqrt = _unary_method(OPS["sqrt"], "Square root; defined for self > 0 (infinite slope at 0).")
    tanh = _unary_method(OPS["tanh"], "Hyperbolic tangent, stable for every finite input.")
    sigmoid = _unary_method(OPS["sigmoid"], "1 / (1 + exp(-self)), stable for any finite input.")
    relu = _unary_method(OPS["relu"], "max(self, 0); its derivative at 0 is taken to be 0.")
    sin = _unary_method(OPS["sin"], "Sine (radians).")
    cos = _unary_method(OPS["cos"], "Cosine (radians).")
    step = _unary_method(OPS["step"], "1.0 if self > 0 else 0.0: relu's slope; derivative 0.")
    sign = _unary_method(
        OPS["sign"], "-1.0, 0.0 or 1.0, the sign of self: abs's slope; derivative 0."
    )
    _vpow = _binary_method(OPS["vpow"])

    def __pow__(self, other: Value | float) -> Value:
        if other.__class__ is Value:
            return self._vpow(other)  # self ** other, both Values
        return _with_constant(_POW, self, other)  # self ** c

    def __rpow__(self, other: float) -> Value:
        return _with_constant(_RPOW, self, other)  # c ** self

    def __pos__(self) -> Value:
        return self

    # -- graph --------------------------------------------------------------------

    def backward(
        self,
        gradient: float = 1.0,
        *,
        create_graph: bool = False,
        nonfinite: Literal["raise", "warn"] = "raise",
        trace: bool = False,
        grad: float | None = None,
    ) -> None:
        """Fill in ``.grad`` of every node this Value depends on.

        Starts ``self.grad`` at ``gradient`` (1.0: d(self)/d(self)) and applies the
        chain rule in reverse topological order. Leaves accumulate across calls,
        as in PyTorch, so gradients of several losses (a mini-batch) add up;
        intermediate nodes are recomputed on each call. Zero the leaves between
        steps with ``autograd_lite.zero_grad(root)`` or ``model.zero_grad()``.

        Args:
            gradient: d(final)/d(self) when self feeds a larger computation (the
                name PyTorch uses); ``grad=`` is its deprecated old name.
            create_graph: record the backward pass itself with Values, so that each
                ``.grad`` becomes a Value that can be differentiated again (higher
                derivatives). The functional ``grad``/``hessian`` use this.
            nonfinite: ``"raise"`` (default) or ``"warn"`` when the root or a
                gradient is inf or NaN.
            trace: removed; ``autograd_lite.trace(root)`` runs this pass and
                returns its ledger.
        """
        if trace:
            raise TypeError(
                "backward(trace=True) was removed: call autograd_lite.trace(root), which "
                "runs the same backward pass and returns its ledger"
            )
        if grad is not None:
            warnings.warn(
                "backward(grad=...) is deprecated: the argument is called gradient, as in "
                "PyTorch (backward(gradient=...), or pass it first)",
                DeprecationWarning,
                stacklevel=2,
            )
            gradient = grad
        if _backpropagate is None:  # only if autograd_lite/__init__.py was bypassed
            raise RuntimeError("import autograd_lite (it installs the backward pass) first")
        _backpropagate(self, gradient, create_graph=create_graph, nonfinite=nonfinite)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)

    # -- conveniences ---------------------------------------------------------------

    # float(), int() and round() of a Value raise rather than return the number:
    # math.sin(x), math.exp(x), np.float64(x) and the like call float() and would
    # compute on the bare number, dropping x's gradient without a word (the
    # mistake a learner coming from NumPy makes first). Formatting still works:
    # f"{x:.3f}" goes through __format__.
    def __float__(self) -> float:
        raise TypeError(_number_hint(self, "float()"))

    def __int__(self) -> int:
        raise TypeError(_number_hint(self, "int()"))

    def __round__(self, ndigits: int | None = None) -> float:
        raise TypeError(_number_hint(self, "round()"))

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else repr(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"


# -- the fast path: building nodes ------------------------------------------------------


def _node(
    data: float,
    op: str,
    parents: tuple[Value, ...],
    local_grads: tuple[Any, ...],
    attr: float | None,
) -> Value:
    """Make a non-leaf node without re-validating ``data`` (op results are floats)."""
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out.parents = parents
    out.local_grads = local_grads
    out.attr = attr
    return out


def _with_constant(op: Op, x: Value, c: Any) -> Value:
    c = _to_float(c, op.describe("x", c=repr(c)))
    a = x.data
    try:
        out = op.forward(a, c)
        if _grad_enabled or _grad_mode.enabled:
            node = _node(out, op.name, (x,), op.rule(FLOAT_MATH, a, out, c), c)
        else:
            node = _node(out, "", (), (), None)
    except (ValueError, OverflowError, ZeroDivisionError) as error:
        raise _domain_error(op, error, a, c=c) from None
    except TypeError:  # .data was assigned something that is not a number
        raise _data_error(op, x, c=c) from None
    if _on_new_node is not None:
        _on_new_node(node)
    return node


def _lift(number: Any, op: Op) -> Value:
    """Turn a plain number operand into a constant leaf."""
    if number.__class__ is not float or number - number != 0.0:  # not a finite float
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(
                f"unsupported operand for {op.describe('Value', 'y')}: y is "
                f"{type(number).__name__} ({number!r}); Value arithmetic takes a Value or a "
                "real number (int, float)"
            )
        number = _to_float(number, "Value")
    leaf: Value = _new(Value)
    leaf.data = number
    leaf.grad = 0.0
    leaf.label = leaf.op = ""
    leaf.parents = leaf.local_grads = ()
    leaf.attr = None
    return leaf


def _to_float(data: Any, where: str) -> float:
    """Check ``data`` is a finite real number and return it as a float.

    ``where`` names the call in error messages: ``"Value"`` reads ``Value('3')``,
    anything else is used as it is (``"x ** '2'"``).
    """
    if data.__class__ is float and data - data == 0.0:  # false for inf and nan
        return data
    if where == "Value":
        where = f"Value({data!r})"
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        if isinstance(data, Value):
            hint = "it is already a Value: use it directly, or .detach() for a new leaf"
        elif isinstance(data, bool):
            hint = "bool is refused as a likely mistake: pass 1.0 or 0.0"
        elif isinstance(data, complex):
            hint = "complex numbers are not supported: autograd_lite works on real scalars"
        elif isinstance(data, str):
            hint = f"convert it first, e.g. float({data!r})"
        else:
            hint = "pass a single real number"
        raise TypeError(
            f"{where}: expected a real number (int, float, Fraction, numpy scalar), "
            f"got {type(data).__name__}; {hint}"
        )
    try:
        number = float(data)
    except OverflowError:
        raise ValueError(f"{where}: too large for a float") from None
    if not math.isfinite(number):
        raise ValueError(
            f"{where}: data must be finite; inf and nan would make every "
            "gradient that touches it meaningless"
        )
    return number


def number_of(x: Any) -> float:
    """The float in ``x``: its ``.data`` when it is a Value (a gradient recorded
    with ``create_graph=True`` is one), else ``float(x)``. The package's own code
    uses this where a number or a Value may come; ``float(value)`` itself raises,
    so that ``math.sin(value)`` cannot drop a gradient without a word."""
    return x.data if x.__class__ is Value else float(x)


def _number_hint(x: Value, call: str) -> str:
    """What to write instead of ``float(x)``, ``math.sin(x)``, ``round(x)``..."""
    name = f"{x.label}" if x.label else "x"
    return (
        f"{call} of a Value ({x!r}) would hand out the bare number and drop its gradient "
        f"(math.sin({name}) and math.exp({name}) do this too): use the Value's own methods, "
        f"{name}.sin(), {name}.exp(), {name}.log(), {name}.tanh() ..., to keep the gradient, "
        f"or {name}.data for the plain float"
    )


def _data_error(op: Op, *operands: Value, c: float | None = None) -> TypeError:
    """The error for an op whose operand's ``.data`` was assigned a non-number."""
    bad = next(
        (v for v in operands if isinstance(v.data, bool) or not isinstance(v.data, numbers.Real)),
        operands[0],
    )
    names = [v.label or repr(v.data) for v in operands] + [""]
    where = f"{bad.label}.data" if bad.label else "an operand's .data"
    return TypeError(
        f"{op.describe(names[0], names[1], repr(c))}: {where} is {bad.data!r} "
        f"({type(bad.data).__name__}), assigned after the Value was made; a Value holds one "
        f"finite real number: assign a float ({bad.label or 'x'}.data = 1.0), or make a new Value"
    )


def _domain_error(
    op: Op, error: Exception, a: float, b: float | None = None, c: float | None = None
) -> ValueError:
    """A ValueError that names the op, the offending operands and the domain."""
    infix = op.template.startswith("{")
    call = op.describe(_operand(a, infix), _operand(b, infix), _operand(c, infix))
    if isinstance(error, OverflowError):
        return ValueError(f"{call}: the result overflows a float (the largest is about 1.8e308)")
    domain = op.domain or "finite results"
    # The domain is written in the op table's letters; say which number each one is here
    # (1/x at x = 0 said "for y != 0", and the learner's expression has no y).
    letters = [
        f"{letter} = {number!r}"
        for _, letter, number in sorted(
            (op.template.find("{" + letter + "}"), letter, number)
            for letter, number in (("x", a), ("y", b), ("c", c))
            if number is not None and "{" + letter + "}" in op.template
        )
    ]
    return ValueError(
        f"{call}: {op.name} is defined (with a finite derivative) for {domain}; "
        f"here {op.describe()} has {', '.join(letters)}"
    )


def _operand(number: float | None, infix: bool) -> str:
    return f"({number!r})" if infix and number is not None and number < 0 else repr(number)


def _value_pow(x: Value, c: Any) -> Value:
    return x.__pow__(c)


#: Value versions of the functions derivative rules call (for create_graph=True).
VALUE_MATH = SimpleNamespace(
    exp=Value.exp,
    log=Value.log,
    sin=Value.sin,
    cos=Value.cos,
    pow=_value_pow,
    step=Value.step,
    sign=Value.sign,
)

_POW, _RPOW = OPS["pow"], OPS["rpow"]
