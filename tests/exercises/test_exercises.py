"""exercises: the grader passes correct learner engines and names each planted mistake."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, topological_order
from autograd_lite.exercises import (
    CHAIN_LENGTH,
    PARENT_NAMES,
    Report,
    check_backward,
    check_engine,
    check_step,
    check_topological_sort,
)
from tests import learner_engines as engines

# -- correct engines pass: the grader is never wrong about them ----------------------


@pytest.mark.parametrize("value_class", [engines.Closures, engines.Stored, Value])
def test_a_correct_engine_passes(value_class: Any) -> None:
    report = check_engine(value_class)
    assert report.ok, str(report)
    assert report.mistake is None
    assert str(report).startswith("✓")
    assert f"{CHAIN_LENGTH:,}-node chain" in str(report)


def test_ops_a_class_lacks_are_listed_as_not_checked_not_failed() -> None:
    report = check_engine(engines.Stored)
    assert report.ok
    assert "not checked: x - y (Stored has no __sub__)" in str(report)
    assert "not checked: x ** c (Stored has no __pow__)" in str(report)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), shape=st.sampled_from([engines.Closures, engines.Stored]))
def test_a_correct_engine_passes_on_any_random_graphs(seed: int, shape: Any) -> None:
    report = check_engine(shape, seed=seed, graphs=4)
    assert report.ok, str(report)


def test_a_backward_function_is_checked_like_a_method() -> None:
    def backward(root: Any) -> None:
        root.grad = 1.0
        for node in reversed(engines.iterative_order(root)):
            node._backward()

    assert check_backward(backward, engines.Closures).ok

    def forgets_to_reverse(root: Any) -> None:
        root.grad = 1.0
        for node in engines.iterative_order(root):
            node._backward()

    assert check_backward(forgets_to_reverse, engines.Closures).mistake == "order"


def test_the_grader_leaves_the_recursion_limit_alone() -> None:
    before = sys.getrecursionlimit()
    assert check_engine(engines.RecursiveTopo).mistake == "recursion"
    assert sys.getrecursionlimit() == before


# -- each planted mistake is named ---------------------------------------------------


@pytest.mark.parametrize(
    ("engine", "mistake", "words"),
    [
        (engines.Assigns, "assign", "last contribution, not the sum: use +="),
        (engines.StoredAssigns, "assign", "last contribution, not the sum: use +="),
        (engines.Recursive, "order", "visit the nodes in reverse topological order"),
        (engines.RecursiveSet, "order", "before all its consumers had finished"),
        (engines.ForwardOrder, "order", "reverse topological order"),
        (engines.StoredForwardOrder, "order", "reverse topological order"),
        (engines.RecursiveTopo, "recursion", "recursion limit"),
        (engines.TanhRule, "local_derivative", "d(x.tanh())/dx = 1 - tanh(x)^2"),
        (engines.StoredTanhRule, "local_derivative", "stored local derivative = 0.537883"),
        (engines.ExpRule, "local_derivative", "d(x.exp())/dx = exp(x)"),
        (engines.MulSign, "wrong_sign", "sign is flipped"),
        (engines.NoRadd, "missing_reflected", "def __radd__(self, other): return self + other"),
        (engines.NoRmul, "missing_reflected", "def __rmul__(self, other): return self * other"),
        (engines.NoNumbers, "number_operand", "does not take a plain number"),
        (engines.ForgetsParents, "missing_parent", "does not list x0 among its parents"),
        (engines.NoRootGrad, "root_gradient", "root.grad = 1.0"),
    ],
)
def test_a_planted_mistake_is_named(engine: Any, mistake: str, words: str) -> None:
    report = check_engine(engine)
    assert not report.ok
    assert report.mistake == mistake, str(report)
    assert words in str(report)
    assert str(report).startswith("✗")


def test_the_recursive_backward_gives_72_not_36_and_says_so() -> None:
    """micrograd's first version: z = 3x, y = z * z gave dy/dx = 72."""
    message = str(check_engine(engines.Recursive))
    assert "z = 3x, y = z * z at x = 2 (dy/dx = 36)" in message
    assert "is 72, expected 36" in message
    assert "n1 pushed its gradient 2 time(s)" in message


def test_a_mismatch_names_the_node_its_edges_upstream_gradients_and_local_derivatives() -> None:
    message = str(check_engine(engines.Assigns))
    assert "the gradient of leaf x0 = 1.5 is 1.5, expected 3" in message
    assert "x0 feeds 2 edge(s)" in message
    assert "from n1 = x0 * x0: upstream gradient 1 (right) × local derivative 1.5 = 1.5" in message


def test_a_node_pushed_before_its_consumers_finished_shows_the_gradient_it_pushed() -> None:
    message = str(check_engine(engines.ForwardOrder))
    assert "n3 pushed its gradient 1 time(s), with gradient(s) 0" in message


# -- objects the grader cannot read ---------------------------------------------------


def test_an_object_without_data_is_refused_with_what_is_needed() -> None:
    report = check_engine(engines.Opaque)
    assert report.mistake == "unreadable"
    assert "no .data" in str(report)


def test_an_object_without_known_parents_lists_the_names_tried() -> None:
    report = check_engine(engines.NoParents)
    assert report.mistake == "unreadable"
    for name in PARENT_NAMES:
        assert name in str(report)


def test_a_class_whose_constructor_needs_more_says_how_leaves_are_made() -> None:
    class NeedsLabel(engines.Closures):
        def __init__(self, data: float, label: str) -> None:
            super().__init__(data)

    report = check_engine(NeedsLabel)
    assert report.mistake == "unreadable"
    assert "value_class(number)" in str(report)


def test_an_instance_instead_of_a_class_is_refused() -> None:
    report = check_engine(engines.Closures(1.0))
    assert report.mistake == "unreadable"


def test_a_class_without_backward_points_to_check_backward() -> None:
    class NoBackward:
        def __init__(self, data: float) -> None:
            self.data, self.grad, self._prev = data, 0.0, set()

    report = check_engine(NoBackward)
    assert report.mistake == "unreadable"
    assert "check_backward" in str(report)


def test_a_missing_required_op_is_named() -> None:
    class NoExp(engines.Closures):
        exp = None  # type: ignore[assignment]

    report = check_engine(NoExp)
    assert report.mistake == "missing_op"
    assert "has no exp" in str(report)


def test_a_backward_that_raises_is_reported_not_raised() -> None:
    class Raises(engines.Closures):
        def backward(self) -> None:
            raise ValueError("boom")

    report = check_engine(Raises)
    assert report.mistake == "backward_error"
    assert "ValueError: boom" in str(report)


def test_a_wrong_forward_value_is_named() -> None:
    class WrongAdd(engines.Closures):
        def __add__(self, other: Any) -> Any:
            out = super().__add__(other)
            out.data += 1.0
            return out

    report = check_engine(WrongAdd)
    assert report.mistake == "forward"
    assert "x0 + x1 at x0 = 0.7, x1 = -1.6 gives 0.1, expected -0.9" in str(report)


# -- the topological sort --------------------------------------------------------------


def _duplicates(root: Any) -> list[Any]:
    out: list[Any] = []

    def visit(node: Any) -> None:
        for parent in node._prev:
            visit(parent)
        out.append(node)

    visit(root)
    return out


def _breadth_first_reversed(root: Any) -> list[Any]:
    out, seen = [root], {id(root)}
    for node in out:
        for parent in node._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                out.append(parent)
    return out[::-1]


def _reversed_order(root: Any) -> list[Any]:
    return engines.iterative_order(root)[::-1]


def _without_root(root: Any) -> list[Any]:
    return engines.iterative_order(root)[:-1]


def _with_a_stranger(root: Any) -> list[Any]:
    return [*engines.iterative_order(root), engines.Closures(0.0)]


@pytest.mark.parametrize(
    ("fn", "mistake"),
    [
        (engines.recursive_order, "recursion"),
        (_duplicates, "duplicate"),
        (_breadth_first_reversed, "order"),
        (_reversed_order, "reversed"),
        (_without_root, "missing_node"),
        (_with_a_stranger, "topological_stranger"),
    ],
)
def test_a_wrong_topological_sort_is_named(fn: Callable[[Any], list[Any]], mistake: str) -> None:
    report = check_topological_sort(fn, engines.Closures)
    assert report.mistake == mistake, str(report)


def test_a_correct_topological_sort_passes_on_both_shapes() -> None:
    assert check_topological_sort(engines.iterative_order, engines.Closures).ok
    assert check_topological_sort(topological_order, Value).ok


def test_a_topological_sort_that_raises_is_reported() -> None:
    report = check_topological_sort(engines.iterative_order, engines.Stored)
    assert report.mistake == "topological_error"
    assert "AttributeError" in str(report)


# -- the training step -----------------------------------------------------------------

XOR = [((0.0, 0.0), -1.0), ((0.0, 1.0), 1.0), ((1.0, 0.0), 1.0), ((1.0, 1.0), -1.0)]


def tiny_mlp(
    value_class: Any, *, zero: bool = True, lr: float = 0.1, sign: float = 1.0, zeroed: int = 9
) -> tuple[list[Any], Callable[[], None]]:
    """A 2-2-1 tanh network on XOR and one gradient-descent step, written with
    ``value_class`` the way a learner writes it."""
    rng = random.Random(1)
    params = [value_class(rng.uniform(-1.0, 1.0)) for _ in range(9)]

    def forward(x: tuple[float, float]) -> Any:
        hidden = [
            (params[2 * j] * x[0] + params[2 * j + 1] * x[1] + params[4 + j]).tanh()
            for j in range(2)
        ]
        return (params[6] * hidden[0] + params[7] * hidden[1] + params[8]).tanh()

    def step() -> None:
        if zero:
            for p in params[:zeroed]:
                p.grad = 0.0
        loss = sum(((forward(x) - y) ** 2 for x, y in XOR), value_class(0.0))
        loss.backward()
        for p in params:
            p.data -= sign * lr * p.grad

    return params, step


def test_a_correct_training_step_matches_ours() -> None:
    report = check_step(*tiny_mlp(engines.Closures), *tiny_mlp(Value))
    assert report.ok, str(report)
    assert "all 9 parameters equal ours to 1e-12" in str(report)


def test_a_step_that_never_zeroes_the_gradients_is_named_on_the_second_step() -> None:
    report = check_step(*tiny_mlp(engines.Closures, zero=False), *tiny_mlp(Value))
    assert report.mistake == "not_zeroed"
    assert "after step 2" in str(report)
    assert "Gradients doubled on the second call: for every parameter" in str(report)


def test_a_step_that_zeroes_only_some_gradients_names_the_others() -> None:
    report = check_step(*tiny_mlp(engines.Closures, zeroed=6), *tiny_mlp(Value))
    assert report.mistake == "not_zeroed"
    assert "for 3 of the 9 parameters (#6, #7, #8)" in str(report)


def test_one_step_alone_cannot_see_unzeroed_gradients() -> None:
    """They start at zero, so the first step is right: no false alarm after one."""
    assert check_step(*tiny_mlp(engines.Closures, zero=False), *tiny_mlp(Value), steps=1).ok


def test_a_wrong_learning_rate_is_shown_as_a_ratio() -> None:
    report = check_step(*tiny_mlp(engines.Closures, lr=0.05), *tiny_mlp(Value))
    assert report.mistake == "step"
    assert "0.5 times our move" in str(report)


def test_an_update_in_the_wrong_direction_is_named() -> None:
    report = check_step(*tiny_mlp(engines.Closures, sign=-1.0), *tiny_mlp(Value))
    assert report.mistake == "step"
    assert "It went the other way" in str(report)


def test_parameters_that_start_different_are_a_setup_mistake() -> None:
    params, step = tiny_mlp(engines.Closures)
    params[3].data += 1.0
    report = check_step(params, step, *tiny_mlp(Value))
    assert report.mistake == "setup"
    assert "parameter #3 starts at" in str(report)
    report = check_step(params[:-1], step, *tiny_mlp(Value))
    assert report.mistake == "setup"


def test_a_step_that_raises_is_reported() -> None:
    params, _ = tiny_mlp(engines.Closures)

    def step() -> None:
        raise RuntimeError("shape mismatch")

    report = check_step(params, step, *tiny_mlp(Value))
    assert report.mistake == "step_error"
    assert "RuntimeError: shape mismatch" in str(report)


# -- the report ------------------------------------------------------------------------


def test_the_drawing_marks_the_node_at_fault_in_our_graph() -> None:
    report = check_engine(engines.Recursive)
    assert report.node is not None
    assert report.graph is not None
    assert report.node.label == "x0"  # the name stays clean: edge formulas use it
    assert report.mark == "✗ x0: yours 72"
    source = report.draw(radius=1).source
    assert "✗ x0: yours 72" in source  # the box around the node at fault
    assert "x0 ✗" not in source
    assert "n1" in source
    assert source.count("penwidth=2.5") == 1  # the one edge x0's gradient came back along


def test_a_report_about_no_node_has_nothing_to_draw() -> None:
    for report in (check_engine(engines.Closures), check_engine(engines.NoRadd)):
        with pytest.raises(ValueError, match="points at no node"):
            report.draw()


def test_the_report_renders_as_escaped_html() -> None:
    report = Report(False, "x", "✗ a < b")
    assert "a &lt; b" in report._repr_html_()
    assert "#cf222e" in report._repr_html_()
