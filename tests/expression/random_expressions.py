"""Random valid expressions (a hypothesis strategy over a small tree type) and a
reference evaluator in plain Python, for the parser's tests and the command line's."""

from __future__ import annotations

import math
from dataclasses import dataclass

from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.expression import (
    parse,
)

# -- random valid expressions and a reference evaluator ---------------------------------

VARIABLES = ("x", "y", "z")


@dataclass(frozen=True)
class Tree:
    """A random expression: ``kind`` is var, num, neg, bin (``op`` + - * / **) or call."""

    kind: str
    op: str = ""
    children: tuple[Tree, ...] = ()
    name: str = ""
    number: float = 0.0

    def text(self) -> str:
        """Fully parenthesized source text."""
        if self.kind == "var":
            return self.name
        if self.kind == "num":
            return repr(self.number)
        if self.kind == "neg":
            return f"(-{self.children[0].text()})"
        if self.kind == "bin":
            left, right = self.children
            return f"({left.text()} {self.op} {right.text()})"
        return f"{self.op}({self.children[0].text()})"


def reference(tree: Tree, env: dict[str, Value]) -> float | Value:
    """What Python computes for the expression with Values for variables.

    Independent of the parser: plain recursion on the generated tree, with the
    documented rule that parts without variables are computed on floats.
    """
    if tree.kind == "var":
        return env[tree.name]
    if tree.kind == "num":
        return tree.number
    args = [reference(child, env) for child in tree.children]
    if tree.kind == "neg":
        (a,) = args
        return -a if isinstance(a, Value) else (-Value(a)).data
    if tree.kind == "bin":
        a, b = args
        fn = {
            "+": lambda p, q: p + q,
            "-": lambda p, q: p - q,
            "*": lambda p, q: p * q,
            "/": lambda p, q: p / q,
            "**": lambda p, q: p**q,
        }[tree.op]
        if isinstance(a, Value) or isinstance(b, Value):
            return fn(a, b)
        return fn(Value(a), b).data
    (a,) = args
    method = abs if tree.op == "abs" else getattr(Value, tree.op)
    return method(a) if isinstance(a, Value) else method(Value(a)).data


def _var() -> st.SearchStrategy[Tree]:
    return st.sampled_from(VARIABLES).map(lambda name: Tree("var", name=name))


def _num() -> st.SearchStrategy[Tree]:
    return st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25, 1.5]).map(lambda n: Tree("num", number=n))


def _grow(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    """One more level: every form stays inside its op's domain for any finite input."""

    def positive(t: Tree) -> Tree:  # 1 + t**2 > 0
        square = Tree("bin", "**", (t, Tree("num", number=2.0)))
        return Tree("bin", "+", (Tree("num", number=1.0), square))

    bounded = st.sampled_from(["sin", "cos", "tanh", "sigmoid"])
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children).map(
            lambda t: Tree("bin", t[0], (t[1], t[2]))
        ),
        st.tuples(children, children).map(lambda t: Tree("bin", "/", (t[0], positive(t[1])))),
        st.tuples(children, st.sampled_from([2.0, 3.0, -1.0])).map(
            lambda t: Tree("bin", "**", (positive(t[0]), Tree("num", number=t[1])))
        ),
        st.tuples(children, children).map(
            lambda t: Tree("bin", "**", (positive(t[0]), Tree("call", "tanh", (t[1],))))
        ),
        children.map(
            lambda t: Tree("bin", "**", (Tree("num", number=2.0), Tree("call", "sin", (t,))))
        ),
        st.tuples(bounded, children).map(lambda t: Tree("call", t[0], (t[1],))),
        st.tuples(st.sampled_from(["relu", "abs"]), children).map(
            lambda t: Tree("call", t[0], (t[1],))
        ),
        children.map(lambda t: Tree("call", "exp", (Tree("call", "tanh", (t,)),))),
        st.tuples(st.sampled_from(["log", "sqrt"]), children).map(
            lambda t: Tree("call", t[0], (positive(t[1]),))
        ),
        children.map(lambda t: Tree("neg", children=(t,))),
    )


def expressions() -> st.SearchStrategy[Tree]:
    """Random valid expressions over every whitelisted construct."""
    return st.recursive(st.one_of(_var(), _num()), _grow, max_leaves=10)


def points() -> st.SearchStrategy[dict[str, float]]:
    """Values for x, y and z."""
    coordinate = st.floats(-3.0, 3.0, allow_nan=False).map(lambda v: round(v, 3))
    return st.fixed_dictionaries({name: coordinate for name in VARIABLES})


def reference_value_and_gradient(
    tree: Tree, point: dict[str, float]
) -> tuple[float, dict[str, float]] | None:
    """The reference's value and partials at ``point`` (only the variables used), or None."""
    env = {name: Value(v, label=name) for name, v in point.items()}
    out = reference(tree, env)
    if not isinstance(out, Value):
        out = Value(out)
    if not math.isfinite(out.data):
        return None
    try:
        out.backward()
    except FloatingPointError:
        return None
    used = parse(tree.text()).variables
    return out.data, {name: env[name].grad for name in used}
