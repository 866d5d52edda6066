"""The backward ledger, the forward table and the forward-mode ledger (ledger.py),
checked against hand-computed values and the seed articles' worked examples.

Hand-computed values use ``math`` directly, never the engine; the seed articles'
numbers (002: graph examples, 003: a 2-2-1 sigmoid network with BCE) are
checked to 4 decimals, and where a seed is wrong the test says so.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from autograd_lite import Value
from autograd_lite.forward import push_tangents
from autograd_lite.text.ledger import Ledger, explain, forward_ledger, forward_table, trace
from autograd_lite.text.notation import format_number, node_names
from autograd_lite.text.questions import paths, summary
from tests.graphs import COS2, example

# -- the ledger -------------------------------------------------------------------------


def test_ledger_rows_equal_hand_computed_values() -> None:
    f, x, y = example()
    ledger = explain(f)
    got = {
        (r.name, r.parent_name): (r.op, r.formula, r.upstream, r.local, r.contribution)
        for r in ledger
    }
    assert got == {
        ("f", "x * y"): ("add", "1", 1.0, 1.0, 1.0),
        ("f", "sin(x)"): ("add", "1", 1.0, 1.0, 1.0),
        ("x * y", "x"): ("mul", "y", 1.0, 3.0, 3.0),
        ("x * y", "y"): ("mul", "x", 1.0, 2.0, 2.0),
        ("sin(x)", "x"): ("sin", "cos(x)", 1.0, COS2, COS2),
    }
    assert [r.step for r in ledger] == [1, 2, 3, 4, 5]
    assert ledger.grad(x) == 3.0 + COS2
    assert ledger.grad(y) == 2.0
    assert ledger.grad(f) == 1.0


def test_the_shared_node_is_x_and_its_running_sum_is_visible() -> None:
    f, x, _ = example()
    ledger = explain(f)
    into_x = ledger.contributions(x)
    assert len(into_x) == 2
    first, second = into_x
    assert (first.before, first.after, first.accumulated) == (0.0, first.contribution, False)
    assert second.accumulated
    assert second.before == first.after
    assert second.after == first.contribution + second.contribution == 3.0 + COS2
    assert [r.parent_name for r in ledger if r.accumulated] == ["x"]
    b, c = format_number(second.before), format_number(second.contribution)
    c = f"- {c[1:]}" if c.startswith("-") else f"+ {c}"
    assert second.update_text() == f"{b} → {b} {c} = 2.5839"


def test_ledger_grads_equal_backward_grads_and_explain_changes_nothing() -> None:
    f, x, y = example()
    ledger = explain(f)
    assert (x.grad, y.grad, f.grad) == (0.0, 0.0, 0.0)  # explain() only reads
    f.backward()
    assert ledger.grad(x) == x.grad
    assert ledger.grad(y) == y.grad
    grads = {n: n.grad for n in node_names(f)}
    again = explain(f)  # after backward(): still the gradients of f alone
    assert {n: n.grad for n in grads} == grads
    assert again.grad(x) == x.grad


def test_rows_follow_the_order_the_pass_ran() -> None:
    # A node passes its gradient on only after every contribution to it arrived.
    f, _, _ = example()
    ledger = explain(f)
    for i, row in enumerate(ledger):
        later = ledger.rows[i + 1 :]
        assert not any(r.parent is row.node for r in later)


def test_trace_returns_the_ledger_and_accumulates_like_backward() -> None:
    f, x, _y = example()
    ledger = trace(f)
    assert isinstance(ledger, Ledger)
    assert x.grad == ledger.grad(x) == 3.0 + COS2
    with pytest.warns(UserWarning, match="without zeroing"):
        assert f.backward() is None
    assert x.grad == pytest.approx(2 * (3.0 + COS2), rel=1e-15)
    before = x.grad
    with pytest.warns(UserWarning, match="without zeroing"):
        third = trace(f)
    # Leaves carry what earlier calls left: the ledger shows the real before/after.
    first_into_x = third.contributions(x)[0]
    assert first_into_x.before == before
    assert third.contributions(x)[-1].after == x.grad == pytest.approx(3 * (3.0 + COS2))


def test_the_roots_gradient_is_called_gradient_and_seed_is_deprecated() -> None:
    f, x, _y = example()
    ledger = explain(f, gradient=2.0)
    assert ledger.gradient == 2.0
    assert ledger.grad(x) == 2 * (3.0 + COS2)
    assert "(gradient 2.0)" in ledger.title
    with pytest.warns(DeprecationWarning, match="explain\\(seed=...\\) is deprecated"):
        old = explain(f, seed=2.0)
    assert old.grad(x) == ledger.grad(x)
    with pytest.warns(DeprecationWarning, match="use Ledger.gradient"):
        assert ledger.seed == 2.0


def test_backward_trace_true_was_removed_and_names_its_replacement() -> None:
    x = Value(3.0)
    with pytest.raises(TypeError, match=r"autograd_lite\.trace\(root\)"):
        (x * x).backward(trace=True)
    assert x.grad == 0.0


def test_trace_with_create_graph_records_floats() -> None:
    x = Value(3.0, label="x")
    ledger = trace(x**3, create_graph=True)
    assert isinstance(x.grad, Value)
    assert ledger.rows[0].local == 27.0
    assert isinstance(ledger.rows[0].local, float)


def test_x_times_x_has_two_rows_one_per_operand() -> None:
    x = Value(3.0, label="x")
    ledger = explain(x * x)
    assert [(r.index, r.formula, r.after) for r in ledger] == [(0, "x", 3.0), (1, "x", 6.0)]
    assert [r.accumulated for r in ledger] == [False, True]


def test_ledger_renders_as_text_markdown_latex_and_html() -> None:
    f, _, _ = example()
    ledger = explain(f)
    text = str(ledger).splitlines()
    assert text[0].split() == [
        "step", "node", "op", "upstream", "parent", "∂node/∂parent", "contribution", "parent.grad"
    ]  # fmt: skip
    assert len(text) == 6
    (sin_row,) = [line for line in text if "cos(x) = -0.4161" in line]
    assert sin_row.split()[1:5] == ["sin(x)", "sin", "1.0", "x"]
    (sum_row,) = [line for line in text if line.endswith("= 2.5839")]
    assert " x " in sum_row
    markdown = ledger.to_markdown().splitlines()
    assert markdown[1] == "|---:|---|---|---:|---|---|---:|---|"
    assert "| `x * y` |" in markdown[2] + markdown[3] + markdown[4] + markdown[5] + markdown[6]
    latex = ledger.to_latex()
    assert latex.startswith("\\begin{tabular}{rllrllrl}")
    assert latex.isascii()
    body = [line for line in latex.splitlines() if line.endswith(r"\\")]
    assert len(body) == 6
    assert all(line.count(" & ") == 7 for line in body)
    assert r"$\times$" in latex
    assert r"$\to$" in latex
    html = ledger._repr_html_()
    assert html.startswith("<table")
    assert html.count("<tr>") == 6
    assert html.count("background:#fff4ce") == 8  # the one accumulating row, 8 cells
    assert "∂node/∂parent" in html


def test_forward_table() -> None:
    f, _, _ = example()
    table = forward_table(f)
    rows = {r.name: (r.op, r.expression, r.inputs, r.value) for r in table}
    assert rows == {
        "x": ("", "", (), 2.0),
        "y": ("", "", (), 3.0),
        "x * y": ("mul", "x * y", (("x", 2.0), ("y", 3.0)), 6.0),
        "sin(x)": ("sin", "sin(x)", (("x", 2.0),), math.sin(2.0)),
        "f": ("add", "(x * y) + sin(x)", (("x * y", 6.0), ("sin(x)", math.sin(2.0))),
              6.0 + math.sin(2.0)),
    }  # fmt: skip
    assert table.rows[-1].node is f
    assert "6.9093" in str(table)
    assert table.to_latex().isascii()
    assert table._repr_html_().count("<tr>") == 6


# -- seed 003: a 2-2-1 sigmoid network with binary cross-entropy --------------------------


def seed003_network(x1: float = 0.1, x2: float = 0.2, target: float = 0.0) -> dict[str, Value]:
    """Seed 003's network, built from Values: z1 = w1*x1 + w2*x2 + b1, a1 = σ(z1),
    z2 = w3*x1 + w4*x2 + b2, a2 = σ(z2), z3 = w5*a1 + w6*a2 + b3, ŷ = σ(z3),
    L = -(y log ŷ + (1 - y) log(1 - ŷ)). Weights from the seed's update table."""
    v = {name: Value(data, label=name) for name, data in [
        ("x1", x1), ("x2", x2), ("w1", 0.15), ("w2", 0.25), ("w3", 0.20), ("w4", 0.30),
        ("w5", 0.40), ("w6", 0.45), ("b1", 0.35), ("b2", 0.35), ("b3", 0.60),
    ]}  # fmt: skip
    v["z1"] = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b1"]
    v["z2"] = v["w3"] * v["x1"] + v["w4"] * v["x2"] + v["b2"]
    v["a1"], v["a2"] = v["z1"].sigmoid(), v["z2"].sigmoid()
    v["z3"] = v["w5"] * v["a1"] + v["w6"] * v["a2"] + v["b3"]
    v["yhat"] = v["z3"].sigmoid()
    v["L"] = -(target * v["yhat"].log() + (1 - target) * (1 - v["yhat"]).log())
    for name in ("z1", "z2", "a1", "a2", "z3", "yhat", "L"):
        v[name].label = name
    return v


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_seed_003_forward_table_sample_1() -> None:
    v = seed003_network()
    table = {r.name: r.value for r in forward_table(v["L"])}
    # Independent hand computation.
    z1, z2 = 0.15 * 0.1 + 0.25 * 0.2 + 0.35, 0.20 * 0.1 + 0.30 * 0.2 + 0.35
    a1, a2 = _sigmoid(z1), _sigmoid(z2)
    z3 = 0.40 * a1 + 0.45 * a2 + 0.60
    yhat = _sigmoid(z3)
    hand = {"z1": z1, "z2": z2, "a1": a1, "a2": a2, "z3": z3, "yhat": yhat}
    hand["L"] = -math.log(1 - yhat)
    for name, expected in hand.items():
        assert table[name] == pytest.approx(expected, abs=1e-15), name
    # The seed's row for sample 1, to 4 decimals, where it is right ...
    seed = {"z1": 0.415, "z2": 0.430, "a1": 0.6023, "yhat": 0.7528}
    for name, number in seed.items():
        assert round(table[name], 4) == number, name
    # ... and where it is not: a2 = σ(0.43) = 0.605874 (seed: 0.6058), z3 = 1.113558
    # (seed: 1.1135), L = -ln(1 - 0.752792) = 1.397524 (seed: 1.3976).
    assert (round(table["a2"], 4), round(table["z3"], 4), round(table["L"], 4)) == (
        0.6059, 1.1136, 1.3975,
    )  # fmt: skip


def test_seed_003_backward_steps_in_ledger_form() -> None:
    v = seed003_network()
    ledger = explain(v["L"])
    rows = {(r.name, r.parent_name): r for r in ledger}
    # Step 1: the output error. BCE derivative dL/dŷ = 1/(1 - ŷ) (y = 0), the sigmoid
    # derivative ŷ(1 - ŷ), and their product δ = ŷ - y, as one ledger row.
    yhat = v["yhat"].data
    step1 = rows[("yhat", "z3")]
    assert step1.upstream == pytest.approx(1 / (1 - yhat), rel=1e-14)
    assert step1.formula == "sigmoid(z3)*(1 - sigmoid(z3))"
    assert step1.local == pytest.approx(yhat * (1 - yhat), rel=1e-14)
    assert step1.contribution == pytest.approx(yhat - 0.0, rel=1e-14)
    assert (round(step1.upstream, 4), round(step1.local, 4)) == (4.0452, 0.1861)
    grad = {name: ledger.grad(v[name]) for name in v}
    expected = {
        "z3": 0.7528,  # δ_out (output error)
        "w5": 0.4534,  # seed: 0.4533, but δ_out * a1 = 0.752792 * 0.602286 = 0.453396
        "w6": 0.4561, "b3": 0.7528,  # step 2: output-layer gradients
        "z1": 0.0721, "z2": 0.0809,  # step 3: hidden errors
        "w1": 0.0072, "w2": 0.0144, "w3": 0.0081, "w4": 0.0162,  # step 4
        "b1": 0.0721, "b2": 0.0809,
    }  # fmt: skip
    assert {name: round(grad[name], 4) for name in expected} == expected
    # The seed prints the hidden-weight gradients to 5 decimals (0.00721, 0.01442,
    # 0.00809, 0.01618); 0.01442 truncates 0.0144258 (rounded: 0.01443).
    assert [round(grad[n], 5) for n in ("w1", "w2", "w3", "w4")] == [
        0.00721, 0.01443, 0.00809, 0.01618,
    ]  # fmt: skip
    # Step 3's rows: hidden error = upstream (δ_out * w5) * σ'(z1).
    hidden = rows[("a1", "z1")]
    a1 = v["a1"].data
    assert hidden.upstream == pytest.approx(grad["z3"] * 0.40, rel=1e-14)
    assert hidden.local == pytest.approx(a1 * (1 - a1), rel=1e-14)
    # Step 5: the seed's update table, lr = 0.5, new = old - lr * grad (4 decimals).
    # The seed truncates w6: 0.45 - 0.5 * 0.456097 = 0.221952, which rounds to 0.2220.
    new = {name: round(v[name].data - 0.5 * grad[name], 4) for name in expected if name[0] in "wb"}
    assert new == {
        "w1": 0.1464, "w2": 0.2428, "w3": 0.1960, "w4": 0.2919, "b1": 0.3139, "b2": 0.3096,
        "w5": 0.1733, "w6": 0.2220, "b3": 0.2236,
    }  # fmt: skip


def test_seed_003_all_samples_forward_and_the_seed_errors() -> None:
    # The seed's table for samples 2-5 has wrong predictions: e.g. sample 2's
    # ŷ = σ(1.1407) = 0.7578, not 0.7757. Our values, checked by hand:
    samples = [(0.1, 0.2, 0), (0.4, 0.5, 1), (0.3, 0.6, 1), (0.7, 0.1, 0), (0.9, 0.8, 1)]
    yhats, losses = [], []
    for x1, x2, target in samples:
        v = seed003_network(x1, x2, float(target))
        yhats.append(round(v["yhat"].data, 4))
        losses.append(round(v["L"].data, 4))
    assert yhats == [0.7528, 0.7578, 0.7582, 0.7557, 0.7638]
    assert losses == [1.3975, 0.2773, 0.2768, 1.4094, 0.2695]


def test_seed_003_matches_pytorch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch oracle not installed")
    v = seed003_network()
    ledger = explain(v["L"])
    w1 = torch.tensor([[0.15, 0.25], [0.20, 0.30]], dtype=torch.float64, requires_grad=True)
    b1 = torch.tensor([0.35, 0.35], dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor([0.40, 0.45], dtype=torch.float64, requires_grad=True)
    b2 = torch.tensor(0.60, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([0.1, 0.2], dtype=torch.float64)
    yhat = torch.sigmoid(w2 @ torch.sigmoid(w1 @ x + b1) + b2)
    loss = torch.nn.functional.binary_cross_entropy(yhat, torch.tensor(0.0, dtype=torch.float64))
    loss.backward()
    ours = [ledger.grad(v[n]) for n in ("w1", "w2", "w3", "w4", "b1", "b2", "w5", "w6", "b3")]
    theirs = [*w1.grad.flatten().tolist(), *b1.grad.tolist(), *w2.grad.tolist(), b2.grad.item()]
    assert ours == pytest.approx(theirs, rel=1e-12)


# -- seed 002: graph examples -----------------------------------------------------------


def test_seed_002_example_2_gradient_accumulation_over_two_paths() -> None:
    # Seed 002's Example 2 lost its formulas in extraction; its steps (an addition
    # node a, a subtraction node b, f = a * b, "verify by expanding") fit
    # f = (x + y)(x - y) = x^2 - y^2, so df/dx = 2x and df/dy = -2y. Checked at (3, 2).
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    a = x + y
    b = x - y
    a.label, b.label = "a", "b"
    f = a * b
    f.label = "f"
    ledger = explain(f)
    into_x = [(r.name, r.contribution) for r in ledger.contributions(x)]
    into_y = [(r.name, r.contribution) for r in ledger.contributions(y)]
    assert sorted(into_x) == [("a", 1.0), ("b", 5.0)]  # via a: b = 1; via b: a = 5
    assert sorted(into_y) == [("a", 1.0), ("b", -5.0)]
    assert (ledger.grad(x), ledger.grad(y)) == (2 * 3.0, -2 * 2.0)
    assert paths(f, x).total == 6.0
    assert paths(f, x).count == 2


@pytest.mark.parametrize(
    ("activation", "factor", "seed_numbers"),
    [
        # Sigmoid outputs around 0.9: factor 0.9 * 0.1 = 0.09 per layer; 5 layers give
        # 5.9e-06 (the seed: "roughly 0.0006%").
        (0.9, 0.09, [0.09, 0.0081, 0.000729, 6.561e-05, 5.9049e-06]),
        # At 0.5 the factor is the maximum 0.25 (the seed's diagram: 0.25, 0.063,
        # 0.016, 0.004 and "a factor of 1000" after 5 layers).
        (0.5, 0.25, [0.25, 0.0625, 0.015625, 0.00390625, 0.0009765625]),
    ],
)
def test_seed_002_example_3_vanishing_gradient_in_ledger_form(
    activation: float, factor: float, seed_numbers: list[float]
) -> None:
    # Five sigmoid layers, each biased so that its output is `activation`.
    z_target = math.log(activation / (1 - activation))
    h = Value(0.3, label="input")
    pre: list[Value] = []
    for k in range(1, 6):
        z = h * 1.0 + (z_target - h.data)
        z.label = f"z{k}"
        pre.append(z)
        h = z.sigmoid()
        h.label = f"h{k}"
    ledger = explain(h)
    sigmoid_rows = [r for r in ledger if r.op == "sigmoid"]
    assert [round(r.local, 12) for r in sigmoid_rows] == [round(factor, 12)] * 5
    cumulative = [ledger.grad(z) for z in reversed(pre)]  # from the output side
    assert cumulative == pytest.approx(seed_numbers, rel=1e-9)
    if factor == 0.25:
        assert [round(g, 3) for g in cumulative[:4]] == [0.25, 0.062, 0.016, 0.004]
        assert 1 / cumulative[-1] == pytest.approx(1024.0)


def test_seed_002_network_graph_has_the_articles_ops() -> None:
    # x -> W1 x -> +b1 -> σ -> W2 h -> +b2 -> σ -> loss <- y, at neuron level.
    v = seed003_network()
    s = summary(v["L"])
    ops = dict(s.ops)
    assert ops["sigmoid"] == 3
    assert ops["mul"] == 6 + 2  # six weights, and the two BCE terms
    assert ops["log"] == 2
    assert ("x1", 2) in s.shared
    assert ("x2", 2) in s.shared


def test_explain_rejects_a_non_value() -> None:
    with pytest.raises(TypeError, match="Value"):
        explain(3.0)  # type: ignore[arg-type]


def test_counter_sanity_for_shared_operands() -> None:
    x = Value(2.0, label="x")
    f = x * x * x
    uses = Counter(r.parent_name for r in explain(f))
    assert uses["x"] == 3


# -- the forward-mode ledger ---------------------------------------------------------------


def test_forward_ledger_has_one_row_per_edge_from_the_inputs() -> None:
    f, x, _y = example()
    ledger = forward_ledger(f, {x: 1.0})
    assert len(ledger) == len(explain(f)) == 5  # the same edges, in the other order
    assert [(r.name, r.parent_name) for r in ledger] == [
        ("x * y", "x"), ("x * y", "y"), ("sin(x)", "x"), ("f", "x * y"), ("f", "sin(x)"),
    ]  # fmt: skip
    assert [r.tangent_in for r in ledger] == [1.0, 0.0, 1.0, 3.0, COS2]
    assert ledger.tangent(f) == ledger[-1].after == 3.0 + COS2
    assert ledger.title == "forward sweep to f, seeded x = 1.0"
    assert x.grad == 0.0  # nothing changes a gradient


def test_forward_ledger_rows_are_the_sweeps_own_multiply_adds() -> None:
    # The same local derivatives backward() uses, read from the node, and each row's
    # after is before + local * tangent_in exactly as the sweep added it.
    f, x, y = example()
    ledger = forward_ledger(f, {x: 0.5, y: -2.0})
    for row in ledger:
        assert row.local == row.node.local_grads[row.index]
        assert row.after == row.before + row.local * row.tangent_in
    assert ledger.sweep.multiply_adds == len(ledger)
    assert ledger.tangent(f) == push_tangents(f, {x: 0.5, y: -2.0}).tangents[0]


def test_forward_ledger_of_x_times_x_has_two_rows_and_sums_them() -> None:
    x = Value(3.0, label="x")
    ledger = forward_ledger(x * x, {x: 1.0})
    assert [r.index for r in ledger] == [0, 1]
    assert [r.after for r in ledger] == [3.0, 6.0]
    assert ledger[1].update_text() == "3.0 → 3.0 + 3.0 = 6.0"


def test_forward_ledger_renders_like_the_backward_ledger() -> None:
    f, x, _ = example()
    ledger = forward_ledger(f, {x: 1.0})
    assert ledger.to_markdown().splitlines()[0].startswith("| step | node | op | parent |")
    assert "tangent in" in ledger.to_latex()
    assert "<table" in ledger._repr_html_()
    assert "into sin(x); sin(x)'s tangent: 0.0 → -0.4161" in ledger[2].sentence()


def test_forward_ledger_errors() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"forward_ledger\(\) needs a Value"):
        forward_ledger(2.0, {x: 1.0})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"has parents; use leaves"):
        forward_ledger(x * 2, {x * 3: 1.0})
