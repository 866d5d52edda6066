"""Engines written the way learners write them, for the grader's tests.

``Closures`` is a correct engine in micrograd's shape (``_prev`` a set, a
``_backward`` closure per node, ``backward()`` over a topological order), and
``Stored`` a correct one in ours (``parents`` a tuple, ``local_grads`` stored in
the forward pass, one loop that adds ``grad * local``). Each other class plants
one classic mistake in one of them; the grader must name it. Nodes are made
with ``type(self)`` so that a subclass's nodes are of the subclass.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


def iterative_order(root: Any) -> list[Any]:
    """Each node after its parents, root last, with an explicit stack."""
    order: list[Any] = []
    visited: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._prev)
    return order


class Closures:
    """A correct learner engine in micrograd's shape."""

    def __init__(self, data: float, _children: tuple[Any, ...] = (), _op: str = "") -> None:
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = lambda: None
        self._prev = self._parents_of(_children)
        self._op = _op

    @staticmethod
    def _parents_of(children: tuple[Any, ...]) -> Any:
        return set(children)

    def _lift(self, other: Any) -> Any:
        return other if isinstance(other, Closures) else type(self)(other)

    def __add__(self, other: Any) -> Any:
        other = self._lift(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> Any:
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, k: float) -> Any:
        out = type(self)(self.data**k, (self,), f"**{k}")

        def _backward() -> None:
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def tanh(self) -> Any:
        # written with exp, as in the lecture: it rounds differently from math.tanh
        e = math.exp(2 * self.data)
        t = (e - 1) / (e + 1)
        out = type(self)(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t**2) * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Any:
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def __neg__(self) -> Any:
        return self * -1

    def __sub__(self, other: Any) -> Any:
        return self + (-self._lift(other))

    def __truediv__(self, other: Any) -> Any:
        return self * self._lift(other) ** -1

    def __radd__(self, other: Any) -> Any:
        return self + other

    def __rmul__(self, other: Any) -> Any:
        return self * other

    def _order(self) -> list[Any]:
        return iterative_order(self)

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(self._order()):
            node._backward()


class Stored:
    """A correct learner engine in autograd_lite's shape: stored local derivatives."""

    def __init__(
        self, data: float, parents: tuple[Any, ...] = (), local_grads: tuple[float, ...] = ()
    ) -> None:
        self.data = data
        self.grad = 0.0
        self.parents = parents
        self.local_grads = local_grads

    def _lift(self, other: Any) -> Any:
        return other if isinstance(other, Stored) else type(self)(other)

    def __add__(self, other: Any) -> Any:
        other = self._lift(other)
        return type(self)(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Any) -> Any:
        other = self._lift(other)
        return type(self)(self.data * other.data, (self, other), (other.data, self.data))

    def __radd__(self, other: Any) -> Any:
        return self + other

    def __rmul__(self, other: Any) -> Any:
        return self * other

    def tanh(self) -> Any:
        t = math.tanh(self.data)
        return type(self)(t, (self,), (1 - t * t,))

    def exp(self) -> Any:
        e = math.exp(self.data)
        return type(self)(e, (self,), (e,))

    def _order(self) -> list[Any]:
        order: list[Any] = []
        seen: set[int] = set()
        stack: list[tuple[Any, bool]] = [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        return order

    def backward(self) -> None:
        self.grad = 1.0
        for node in reversed(self._order()):
            self._push(node)

    @staticmethod
    def _push(node: Any) -> None:
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += node.grad * local


# -- planted mistakes, one per class --------------------------------------------------


class Assigns(Closures):
    """``=`` instead of ``+=`` in + and *: a node used twice keeps one contribution."""

    def __add__(self, other: Any) -> Any:
        other = self._lift(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Any) -> Any:
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out


class StoredAssigns(Stored):
    """``=`` instead of ``+=`` in the one loop of a stored-derivative engine."""

    @staticmethod
    def _push(node: Any) -> None:
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad = node.grad * local


class Recursive(Closures):
    """micrograd's first backward: recurse into each operand, no topological order.
    With the operands in a tuple, z * z pushes z's gradient twice (72, not 36)."""

    @staticmethod
    def _parents_of(children: tuple[Any, ...]) -> Any:
        return tuple(children)

    def backward(self) -> None:
        self.grad = 1.0
        self._push_down()

    def _push_down(self) -> None:
        self._backward()
        for parent in self._prev:
            parent._push_down()


class ForwardOrder(Closures):
    """Visits the nodes in topological order, not reversed: leaves first."""

    def backward(self) -> None:
        self.grad = 1.0
        for node in self._order():
            node._backward()


class StoredForwardOrder(Stored):
    """The stored-derivative engine walking its order forwards."""

    def backward(self) -> None:
        self.grad = 1.0
        for node in self._order():
            self._push(node)


def recursive_order(root: Any) -> list[Any]:
    """micrograd's build_topo: right on small graphs, too deep on a long chain."""
    order: list[Any] = []
    visited: set[int] = set()

    def build(node: Any) -> None:
        if id(node) not in visited:
            visited.add(id(node))
            for parent in node._prev:
                build(parent)
            order.append(node)

    build(root)
    return order


class RecursiveTopo(Closures):
    """Correct, except for the recursive topological sort."""

    def _order(self) -> list[Any]:
        return recursive_order(self)


class TanhRule(Closures):
    """tanh' = 1 - tanh instead of 1 - tanh**2."""

    def tanh(self) -> Any:
        t = math.tanh(self.data)
        out = type(self)(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t) * out.grad

        out._backward = _backward
        return out


class ExpRule(Closures):
    """exp' = x instead of exp(x)."""

    def exp(self) -> Any:
        out = type(self)(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += self.data * out.grad

        out._backward = _backward
        return out


class StoredTanhRule(Stored):
    """A stored local derivative of tanh that is wrong (1 - t)."""

    def tanh(self) -> Any:
        t = math.tanh(self.data)
        return type(self)(t, (self,), (1 - t,))


class MulSign(Closures):
    """``-=`` in *: the gradient flows with the wrong sign."""

    def __mul__(self, other: Any) -> Any:
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad -= other.data * out.grad
            other.grad -= self.data * out.grad

        out._backward = _backward
        return out


class NoRadd(Closures):
    """No __radd__: 2 + x and sum() fail."""

    __radd__ = None  # type: ignore[assignment]


class NoRmul(Closures):
    """No __rmul__: 2 * x fails."""

    __rmul__ = None  # type: ignore[assignment]


class NoNumbers(Closures):
    """+ and * accept only Values: x + 2 fails."""

    def _lift(self, other: Any) -> Any:
        return other


class ForgetsParents(Closures):
    """* records no operands, so backward never reaches them."""

    def __mul__(self, other: Any) -> Any:
        out = super().__mul__(other)
        out._prev = set()
        return out


class NoRootGrad(Closures):
    """backward forgets to start with root.grad = 1."""

    def backward(self) -> None:
        for node in reversed(self._order()):
            node._backward()


class Opaque:
    """An object the grader cannot read: it calls its number ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value
        self.grad = 0.0

    def backward(self) -> None:
        pass


class NoParents:
    """Readable numbers, but the operands are kept under a name the grader does not know."""

    def __init__(self, data: float, operands: tuple[Any, ...] = ()) -> None:
        self.data = data
        self.grad = 0.0
        self.operands = operands

    def backward(self) -> None:
        pass


class RecursiveSet(Recursive):
    """The recursive backward with operands in a set: right on z * z, but a node
    shared by two branches pushes its partial gradient before the second arrives."""

    @staticmethod
    def _parents_of(children: tuple[Any, ...]) -> Any:
        return set(children)
