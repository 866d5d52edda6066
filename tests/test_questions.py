"""Questions about a graph (questions.py): why, paths, summary, tree."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.ledger import explain
from autograd_lite.notation import node_names
from autograd_lite.questions import paths, summary, tree, why
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
