"""Questions about a graph (questions.py): why, paths, count_paths, summary, tree."""

from __future__ import annotations

import math
import random
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite.text.questions as questions
from autograd_lite import Value
from autograd_lite.text.ledger import explain
from autograd_lite.text.notation import node_names
from autograd_lite.text.questions import MAX_EDGES, count_paths, paths, summary, tree, why
from tests.graphs import COS2, example

# -- explanations -----------------------------------------------------------------------


def test_why_lists_the_contributions_of_a_nonzero_gradient() -> None:
    f, x, _ = example()
    answer = why(x, f)
    assert answer.reason == "nonzero"
    assert answer.grad == 3.0 + COS2
    assert len(answer.contributions) == 2
    assert "x.grad = 2.5839" in answer.text
    assert "backward() has not run" in answer.text
    f.backward()
    assert "not run" not in why(x, f).text


def test_why_zero_because_of_a_relu_names_the_relu() -> None:
    x, w = Value(-1.0, label="x"), Value(2.0, label="w")
    h = (x * w).relu()
    h.label = "h1"
    out = h * 3 + w
    answer = why(x, out)
    assert answer.reason == "blocked"
    assert "ReLU h1 has input -2.0 <= 0" in answer.text
    assert [(n.label, p.data) for n, p in answer.blockers] == [("h1", -2.0)]


def test_why_zero_because_of_another_zero_local_derivative() -> None:
    x = Value(0.0, label="x")
    answer = why(x, abs(x) + 1)
    assert answer.reason == "blocked"
    assert "sign(x) = 0.0" in answer.text


def test_why_unreachable_and_detached() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    assert why(x, y * 2).reason == "unreachable"
    assert "does not reach" in why(x, y * 2).text
    detached = why(x, x.detach() * y)
    assert detached.reason == "detached"
    assert "detach" in detached.text


def test_why_zero_because_contributions_cancel() -> None:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y - x * y
    answer = why(x, f)
    assert answer.reason == "cancelled"
    assert sorted(r.contribution for r in answer.contributions) == [-3.0, 3.0]
    assert "cancel" in answer.text


def test_why_zero_because_the_product_underflows() -> None:
    x = Value(1.0, label="x")
    answer = why(x, (x * 1e-200) * 1e-200)
    assert answer.reason == "underflow"
    assert "vanishing" in answer.text


def test_why_of_the_root() -> None:
    f, _, _ = example()
    assert why(f, f).reason == "root"


def test_paths_list_products_that_sum_to_the_gradient() -> None:
    f, x, _ = example()
    found = paths(f, x)
    assert found.count == 2
    assert not found.truncated
    assert sorted(p.product for p in found) == [COS2, 3.0]
    assert [len(p.nodes) for p in found] == [3, 3]
    assert found.total == pytest.approx(3.0 + COS2, rel=1e-15)
    text = str(found)
    assert text.startswith("2 paths from x to f:")
    assert text.endswith("sum = 2.5839 = x.grad")
    assert "cos(x) = -0.4161" in text


def test_paths_are_capped_with_a_message() -> None:
    x = Value(1.0001, label="x")
    v = x
    for _ in range(12):
        v = v * v  # every level doubles the number of paths: 2**12 in all
    found = paths(v, x, limit=10)
    assert found.count == 4096
    assert len(found) == 10
    assert found.truncated
    assert found.total is None
    assert "4086 more not listed" in str(found)
    with pytest.raises(ValueError, match="limit"):
        paths(v, x, limit=0)


def sin_chain(n: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    v = x
    for _ in range(n):
        v = v.sin()
    return v, x


def test_paths_on_a_long_chain_cost_linear_in_its_length() -> None:
    # The defect: each step down copied the whole trail so far, so a chain of n nodes
    # cost n**2 (40,000 nodes: 6.4 s; 100,000: 65.7 s). Twenty times the nodes must cost
    # about twenty times as much, not four hundred: timed in the same run, best of three,
    # with a wide margin (a ratio, not a wall-clock threshold).
    def seconds(n: int) -> float:
        root, x = sin_chain(n)
        best = math.inf
        for _ in range(3):
            start = time.process_time()
            found = paths(root, x)
            best = min(best, time.process_time() - start)
        assert found.count == 1
        assert len(found.paths[0].nodes) == n + 1
        return best

    small, large = seconds(1_000), seconds(20_000)
    assert large < 45 * small  # linear: ~20x; the quadratic walk was ~80x


def test_paths_are_counted_before_any_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    # ten stages of v = sin(v) + cos(v): 2**10 paths; forty stages: 2**40, which are
    # counted (one pass, by dynamic programming) and never enumerated
    x = Value(0.3, label="x")
    v = x
    for _ in range(40):
        v = v.sin() + v.cos()
    listed = []
    original = questions.local_formula
    monkeypatch.setattr(questions, "local_formula", lambda *a: listed.append(a) or original(*a))
    found = paths(v, x, limit=5)
    assert found.count == 2**40
    assert len(found) == 5
    assert len(listed) == 5 * 80  # five paths of 80 edges each, and nothing more


def test_paths_refuse_up_front_past_max_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    root, x = sin_chain(2_000)
    monkeypatch.setattr(questions, "_listed_paths", None)  # listing would fail
    with pytest.raises(ValueError, match=r"2,000 edges, more than max_edges=1,000") as info:
        paths(root, x, max_edges=1_000)
    assert "max_edges=None" in str(info.value)
    assert "limit=" in str(info.value)
    v = x = Value(0.3, label="x")
    for _ in range(30):
        v = v.sin() + v.cos()
    with pytest.raises(ValueError, match=r"the 1,000,000 listed \(of 1,073,741,824\)") as info:
        paths(v, x, limit=1_000_000)
    assert f"max_edges={MAX_EDGES:,}" in str(info.value)
    for bad in (0, 2.5, "many"):
        with pytest.raises(ValueError, match="max_edges="):
            paths(root, x, max_edges=bad)  # type: ignore[arg-type]


def test_paths_max_edges_none_lists_them_all() -> None:
    root, x = sin_chain(300)
    found = paths(root, x, max_edges=None)
    assert len(found.paths[0].nodes) == 301
    assert paths(root, x, max_edges=300).count == 1  # exactly at the limit: listed


def test_paths_from_a_node_not_in_the_graph() -> None:
    f, _, _ = example()
    assert paths(f, Value(1.0, label="z")).count == 0


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[Value, list[Value]]:
    leaves = [Value(draw(st.floats(-2, 2)), label=f"x{i}") for i in range(3)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(["add", "mul", "sin", "tanh", "sub"]))
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        if kind == "add":
            new = a + b
        elif kind == "mul":
            new = a * b
        elif kind == "sub":
            new = a - b
        else:
            new = a.sin() if kind == "sin" else a.tanh()
        nodes.append(new)
    return nodes[-1], leaves


@given(random_graphs())
def test_ledger_and_paths_agree_with_backward_on_random_graphs(
    graph: tuple[Value, list[Value]],
) -> None:
    root, leaves = graph
    ledger = explain(root)
    root.backward()
    in_graph = node_names(root)
    for leaf in leaves:
        if leaf not in in_graph:
            assert paths(root, leaf).count == 0
            continue
        assert ledger.grad(leaf) == leaf.grad
        found = paths(root, leaf, limit=10_000)
        assert found.count >= 1
        assert found.total == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)


def test_summary_counts() -> None:
    f, _, _ = example()
    s = summary(f)
    assert (s.nodes, s.edges, s.depth) == (5, 5, 2)
    assert sorted(s.leaves) == ["x", "y"]
    assert s.shared == (("x", 2),)
    assert s.ops == (("add", 1), ("mul", 1), ("sin", 1))
    assert "5 nodes (2 leaves, 3 ops)" in str(s)


def test_tree_marks_shared_nodes_and_caps_its_length() -> None:
    f, _, _ = example()
    text = tree(f)
    assert text.splitlines()[0] == "f = 6.9093  grad 0.0  [+]"
    assert text.count("x = 2.0") == 1
    assert "x ↑" in text
    v = Value(1.0, label="a")
    for _ in range(50):
        v = v + Value(1.0)
    assert tree(v, max_lines=10).splitlines()[-1].startswith("… (more")


# -- count_paths: how many paths, without listing them -------------------------------------


def _brute_force_paths(root: Value, x: Value) -> int:
    """Every path from x up to root, enumerated one by one (a parent used twice, as in
    x * x, is two edges, so two paths)."""
    if root is x:
        return 1
    return sum(_brute_force_paths(parent, x) for parent in root.parents)


def test_count_paths_is_the_product_of_the_widths_on_a_layered_graph() -> None:
    # Dense layers of widths 3, 4, 2 and one output neuron: from the input, a path picks
    # one neuron per layer, so there are 3 * 4 * 2 of them.
    for widths in ([3, 4, 2], [5], [2, 2, 2, 2, 2, 2], [7, 1, 3]):
        x = Value(0.3, label="x")
        layer = [x]
        rng = random.Random(len(widths))
        for width in [*widths, 1]:
            layer = [
                sum((Value(rng.uniform(-1, 1)) * h for h in layer), Value(0.0)).tanh()
                for _ in range(width)
            ]
        assert count_paths(layer[0], x) == math.prod(widths)


def test_count_paths_matches_brute_force_on_small_random_graphs() -> None:
    rng = random.Random(0)
    for trial in range(200):
        leaves = [Value(rng.uniform(0.5, 1.5), label=f"x{k}") for k in range(rng.randint(1, 3))]
        nodes = list(leaves)
        for _ in range(rng.randint(1, 9)):
            if rng.random() < 0.5:
                nodes.append(rng.choice(nodes).tanh())
            else:
                nodes.append(rng.choice(nodes) * rng.choice(nodes))  # may be x * x
        root = nodes[-1]
        for x in nodes:
            assert count_paths(root, x) == _brute_force_paths(root, x), trial
        assert count_paths(root, leaves[0]) == paths(root, leaves[0], limit=1).count


def test_count_paths_counts_2_to_the_80_without_listing_them() -> None:
    x = Value(0.5, label="x")
    v = x
    for _ in range(80):
        v = v.sin() + v.cos()
    assert count_paths(v, x) == 2**80  # an exact int, out of reach of any listing
    assert count_paths(v, Value(1.0)) == 0  # not in the graph
    assert count_paths(x, x) == 1


def test_count_paths_never_lists_the_paths() -> None:
    # 200 stages have 2**200 paths: listing even a billion a second would outlast the sun,
    # while counting reads each of the 800 edges once.
    x = Value(0.5, label="x")
    v = x
    for _ in range(200):
        v = v.sin() + v.cos()
    assert count_paths(v, x) == 2**200


def test_count_paths_errors() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"count_paths\(root, x\): x is float, not a Value"):
        count_paths(x * 2, 1.0)  # type: ignore[arg-type]
