"""The playground's network mode (docs/playground/network_mode.py and
network_pictures.py) under CPython: the same files the page runs in Pyodide, checked
against the engine itself (Values built here, from the package) and against PyTorch.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, datasets, losses, nn, optim
from tests.test_playground import _load

network = _load("network_mode")

TOL = 1e-12

#: The seven features, written out here rather than read from the module under test.
FEATURE_FORMULAS: dict[str, Callable[[float, float], float]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a**2,
    "x2^2": lambda a, b: b**2,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: math.sin(a),
    "sin(x2)": lambda a, b: math.sin(b),
}


def make(**config: Any) -> Any:
    return network.Trainer(json.dumps(config))


def answer(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data


def inputs_of(trainer: Any, point: list[float]) -> list[float]:
    return [FEATURE_FORMULAS[name](point[0], point[1]) for name in trainer.features]


def twin(trainer: Any) -> nn.MLP:
    """A fresh MLP of the trainer's shape, loaded with its current parameters."""
    model = trainer.model
    out = nn.MLP(
        len(trainer.features),
        model.layer_sizes,
        activation=model.activation,
        output_activation=model.output_activation,
    )
    out.load_parameters([p.data for p in trainer.params])
    return out


def weights_of(model: nn.MLP) -> list[Value]:
    return [w for layer in model.layers for n in layer.neurons for w in n.w]


def data_loss(trainer: Any, model: nn.MLP, points: list[list[float]], targets: list[Any]) -> Value:
    """The mean per-example loss over ``points``, built from Values here."""
    outs = [model(inputs_of(trainer, p)) for p in points]
    if trainer.kind == "regression":
        return losses.mse(outs, targets)
    if trainer.n_classes == 2:
        return losses.binary_cross_entropy(outs, targets)
    return losses.cross_entropy(outs, targets)


def update_loss(trainer: Any, model: nn.MLP, batch: list[int]) -> Value:
    """One update's loss: the batch's mean loss plus the penalty on the weights."""
    loss = data_loss(
        trainer, model, [trainer.X_train[i] for i in batch], [trainer.y_train[i] for i in batch]
    )
    kind, rate = trainer.settings["regularization"], trainer.settings["rate"]
    if kind == "l2":
        loss = loss + losses.l2_penalty(weights_of(model), alpha=rate)
    elif kind == "l1":
        terms = [abs(w) for w in weights_of(model)]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        loss = loss + rate * total
    return loss


OPTIMIZER_CLASSES = {"sgd": optim.SGD, "adam": optim.Adam}


class Reference:
    """The engine's own update, step for step beside a trainer: a fresh MLP loaded with
    the trainer's parameters before each step, its own optimizer of the same class."""

    def __init__(self, trainer: Any) -> None:
        self.trainer = trainer
        self.model = twin(trainer)
        self.optimizer = self._optimizer()

    def _optimizer(self) -> optim.Optimizer:
        settings = self.trainer.settings
        return OPTIMIZER_CLASSES[settings["optimizer"]](self.model.parameters(), lr=settings["lr"])

    def step(self) -> tuple[list[float], list[float], float]:
        """The parameters and gradients after one update, and the update's loss."""
        self.model.load_parameters([p.data for p in self.trainer.params])
        batch = json.loads(self.trainer.next_batch())
        self.optimizer.zero_grad()
        loss = update_loss(self.trainer, self.model, batch)
        loss.backward()
        grads = [p.grad for p in self.model.parameters()]
        self.optimizer.step()
        return [p.data for p in self.model.parameters()], grads, loss.data


def assert_close(ours: list[float], theirs: list[float], tol: float = TOL) -> None:
    assert len(ours) == len(theirs)
    worst = max(abs(a - b) for a, b in zip(ours, theirs, strict=True))
    assert worst <= tol, worst


# -- 1. one step is one update of the engine -----------------------------------------


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "dynamic"])
@pytest.mark.parametrize("dataset", ["moons", "spirals", "bumps"])
@pytest.mark.parametrize("batch_size", [0, 7, 1], ids=["batch", "mini-batch", "stochastic"])
@pytest.mark.parametrize("regularization", ["none", "l1", "l2"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_step_is_one_update_of_the_engine(
    optimizer: str, regularization: str, batch_size: int, dataset: str, compiled: bool
) -> None:
    trainer = make(
        dataset=dataset,
        hidden="4, 3",
        features=["x1", "x2", "x1*x2"],
        optimizer=optimizer,
        lr=0.05,
        regularization=regularization,
        rate=0.01 if regularization != "none" else 0,
        batch_size=batch_size,
        seed=3,
        compile=compiled,
    )
    assert trainer.n_classes == {"moons": 2, "spirals": 3, "bumps": None}[dataset]
    reference = Reference(trainer)
    for _ in range(3):
        before = [p.data for p in trainer.params]
        batch = json.loads(trainer.next_batch())
        values, grads, loss = reference.step()
        step = answer(trainer.step())
        assert step["batch"] == batch
        assert_close([p.data for p in trainer.params], values)
        by_index = {row["index"]: row for row in step["moved"]}
        assert_close([by_index[i]["grad"] for i in range(len(grads))], grads)
        assert_close([by_index[i]["before"] for i in range(len(grads))], before, 0.0)
        assert abs(step["loss_before"] - loss) <= TOL
        deltas = [abs(row["delta"]) for row in step["moved"]]
        assert deltas == sorted(deltas, reverse=True)
    descent = {0: "batch", 7: "mini-batch", 1: "stochastic"}[batch_size]
    assert step["descent"] == f"{descent} gradient descent"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "dynamic"])
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "linear"])
def test_every_activation_steps_as_the_engine(activation: str, compiled: bool) -> None:
    trainer = make(
        dataset="circles", hidden="5, 5", activation=activation, batch_size=9, compile=compiled
    )
    reference = Reference(trainer)
    for _ in range(4):
        values, _, _ = reference.step()
        trainer.step()
        assert_close([p.data for p in trainer.params], values)
    got = explain(trainer, 1, 3)
    assert abs(got["grad"] - engine_grad(trainer, 1, 3)[0]) <= TOL


def test_the_loss_after_a_step_is_the_same_batch_at_the_new_weights() -> None:
    trainer = make(dataset="moons", hidden="4", batch_size=5, regularization="l2", rate=0.1)
    step = answer(trainer.step())
    model = twin(trainer)
    assert abs(step["loss_after"] - update_loss(trainer, model, step["batch"]).data) <= TOL
    train = data_loss(trainer, model, trainer.X_train, trainer.y_train).data
    assert abs(step["train_loss_after"] - train) <= TOL
    following = answer(trainer.step())
    assert following["train_loss_before"] == step["train_loss_after"]


def torch_twin(trainer: Any) -> tuple[Any, list[Any], list[Any]]:
    """The trainer's network in PyTorch (float64), its parameters in the trainer's order,
    and its weight matrices (what the penalty covers)."""
    net = trainer.model.to_torch()
    linears = [m for m in net if type(m).__name__ == "Linear"]
    return net, linears, [linear.weight for linear in linears]


def torch_values(linears: list[Any]) -> list[float]:
    """PyTorch's parameters in named_parameters order: each neuron's weights, its bias."""
    out = []
    for linear in linears:
        for j in range(linear.weight.shape[0]):
            out += [float(v) for v in linear.weight[j].detach()] + [float(linear.bias[j].detach())]
    return out


@pytest.mark.parametrize(
    ("optimizer", "regularization"), [("sgd", "l2"), ("adam", "none"), ("adam", "l2")]
)
def test_steps_agree_with_pytorch(optimizer: str, regularization: str) -> None:
    torch = pytest.importorskip("torch")
    rate = 0.01 if regularization == "l2" else 0
    trainer = make(
        dataset="moons",
        hidden="5, 4",
        optimizer=optimizer,
        lr=0.05,
        regularization=regularization,
        rate=rate,
        batch_size=10,
        seed=4,
    )
    net, linears, weights = torch_twin(trainer)
    params = [p for linear in linears for p in (linear.weight, linear.bias)]
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(params, lr=0.05)
    for _ in range(4):
        batch = json.loads(trainer.next_batch())
        x = torch.tensor([trainer.rows_train[i] for i in batch], dtype=torch.float64)
        y = torch.tensor([[float(trainer.y_train[i])] for i in batch], dtype=torch.float64)
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy(net(x), y)
        if rate:
            loss = loss + rate * sum((w * w).sum() for w in weights)
        loss.backward()
        opt.step()
        step = answer(trainer.step())
        assert abs(step["loss_before"] - loss.item()) <= TOL
        assert_close([p.data for p in trainer.params], torch_values(linears))


# -- 2. one weight's gradient on one example -------------------------------------------


def engine_grad(trainer: Any, parameter: int, example: int) -> tuple[float, float]:
    """∂L_i/∂w and L_i for one training example, from Values built here."""
    model = twin(trainer)
    point, target = trainer.X_train[example], trainer.y_train[example]
    out = model(inputs_of(trainer, point))
    if trainer.kind == "regression":
        loss = losses.mse(out, target)
    elif trainer.n_classes == 2:
        loss = losses.binary_cross_entropy(out, target)
    else:
        loss = losses.cross_entropy(out, target)
    loss.backward()
    return model.parameters()[parameter].grad, loss.data


def explain(trainer: Any, parameter: int, example: int) -> dict[str, Any]:
    return answer(trainer.explain(json.dumps({"parameter": parameter, "example": example})))


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "dynamic"])
@pytest.mark.parametrize(
    ("dataset", "regularization", "batch_size"),
    [("moons", "l2", 6), ("spirals", "none", 0), ("bumps", "l1", 4), ("xor", "none", 0)],
)
def test_an_explained_gradient_is_the_engines_and_the_next_updates(
    dataset: str, regularization: str, batch_size: int, compiled: bool
) -> None:
    trainer = make(
        dataset=dataset,
        hidden="3, 3",
        regularization=regularization,
        rate=0.05 if regularization != "none" else 0,
        batch_size=batch_size,
        seed=1,
        compile=compiled,
    )
    trainer.step()  # the weights moved once, and the last update's grads are set
    grads_before = [p.grad for p in trainer.params]
    batch = json.loads(trainer.next_batch())
    example = batch[0]
    checked = [0, 1, 2, len(trainer.params) // 2, len(trainer.params) - 1]
    totals = {}
    for parameter in checked:
        got = explain(trainer, parameter, example)
        assert got["ok"] is True
        grad, loss = engine_grad(trainer, parameter, example)
        assert abs(got["grad"] - grad) <= TOL
        assert abs(got["loss"] - loss) <= TOL
        into = [c for c, i in zip(got["ledger"]["contributions"], got["ledger"]["into"]) if i]
        assert into, "no ledger row adds into the parameter"
        assert abs(math.fsum(into) - grad) <= TOL
        listed = got["paths"]
        assert listed["count"] == len(listed["listed"])
        assert abs(math.fsum(q["product"] for q in listed["listed"]) - grad) <= TOL
        assert abs(listed["total"] - grad) <= TOL
        share = got["batch"]
        assert share["indices"] == batch
        assert share["size"] == len(batch)
        assert share["contains"] is True
        assert abs(share["share"] - grad / len(batch)) <= TOL
        assert len(share["shares"]) == len(batch)
        assert abs(share["shares"][0] - share["share"]) <= TOL
        others = [engine_grad(trainer, parameter, j)[0] / len(batch) for j in batch]
        assert_close(share["shares"], others)
        totals[parameter] = share["total"]
        assert len(got["steps"]) == len(got["ledger"]["rows"])
        assert got["drawing"]["drawn"]
        assert got["dot"].startswith("digraph")
        for k in (len(got["steps"]) - 1, 0):  # the last first: frames are made in order
            frame = answer(trainer.explain_step(k))["dot"]
            assert frame.startswith("digraph")
            # The step's edge, in the highlight colour, is drawn once; so is its parent.
            assert frame.count("penwidth=2.5") == 1
            parent = got["ledger"]["rows"][k][got["ledger"]["columns"].index("parent")]
            assert f"<b>{parent}</b>" in frame
    assert [p.grad for p in trainer.params] == grads_before  # explain changed no gradient
    step = answer(trainer.step())
    by_index = {row["index"]: row["grad"] for row in step["moved"]}
    for parameter, total in totals.items():
        assert abs(total - by_index[parameter]) <= TOL


def test_an_example_outside_the_next_batch_has_no_share() -> None:
    trainer = make(dataset="moons", hidden="3", batch_size=1)
    batch = json.loads(trainer.next_batch())
    outside = next(i for i in range(len(trainer.X_train)) if i not in batch)
    got = explain(trainer, 0, outside)
    assert got["batch"]["contains"] is False
    assert got["batch"]["share"] is None
    assert abs(got["grad"] - engine_grad(trainer, 0, outside)[0]) <= TOL
    assert got["batch"]["shares"] == [engine_grad(trainer, 0, batch[0])[0]]


def test_a_weight_on_several_paths_shows_accumulated_rows() -> None:
    # A first-layer weight reaches the loss through every second-layer neuron: its
    # neuron's activation gets one contribution per path, summed (Σ).
    trainer = make(dataset="moons", hidden="3, 4", seed=2)
    got = explain(trainer, 0, 5)
    assert got["parameter"]["title"] == "w: x1 → layer 1 neuron 1"
    assert got["paths"]["count"] == 4
    rows, flags = got["ledger"]["rows"], got["ledger"]["accumulated"]
    summed = [row for row, flag in zip(rows, flags) if flag]
    assert len(summed) == 3  # a1.1 receives 4 contributions: 3 of them add to a sum
    assert {row[4] for row in summed} == {"a1.1"}
    assert all(" + " in row[7] or " - " in row[7] for row in summed)
    # The rows are those of the paths only: none reaches another first-layer neuron.
    assert not any("a1.2" in (row[1], row[4]) for row in rows)
    # Every node of a path has a name the page explains (no "v98"): the first path goes
    # w -> p1.1.1 (x1 * w) -> s1.1.1 (b + that) -> z1.1 (+ x2's product) -> a1.1 -> ...
    first = got["paths"]["listed"][0]["names"]
    assert first[:5] == ["layers.0.neurons.0.w.0", "p1.1.1", "s1.1.1", "z1.1", "a1.1"]
    assert not any(
        name.startswith("v") and name[1:].isdigit()
        for q in got["paths"]["listed"]
        for name in q["names"]
    )
    assert "pK.J.I" in got["names"]


def test_parameter_titles_name_the_connection() -> None:
    trainer = make(dataset="spirals", hidden="2", features=["x1", "sin(x2)"])
    names = json.loads(trainer.parameters())["names"]
    titles = [network.explanation(trainer, i, 0)[0]["parameter"]["title"] for i in (0, 1, 2, 9, 14)]
    assert titles == [
        "w: x1 → layer 1 neuron 1",
        "w: sin(x2) → layer 1 neuron 1",
        "b: layer 1 neuron 1",
        "w: layer 1 neuron 1 → output 2",
        "b: output 3",
    ]
    assert len(names) == 6 + 9


# -- 3. the pictures are the engine's forward pass -------------------------------------


@pytest.mark.parametrize("dataset", ["moons", "spirals", "bumps"])
def test_the_pictures_are_the_engines_forward_pass(dataset: str) -> None:
    trainer = make(dataset=dataset, hidden="4, 3", features=["x1", "x2", "x2^2", "sin(x1)"])
    trainer.run(3)
    snap = answer(trainer.snapshot(json.dumps({"resolution": 12})))
    model = twin(trainer)
    xs, ys = snap["plane"]["xs"], snap["plane"]["ys"]
    assert len(xs) == len(ys) == 12
    for i, j in [(0, 0), (3, 7), (11, 11), (6, 2)]:
        out = model(inputs_of(trainer, [xs[j], ys[i]]))
        if dataset == "spirals":
            probs = [p.data for p in losses.softmax(out)]
            assert snap["output"]["class"][i][j] == probs.index(max(probs))
            assert abs(snap["output"]["strength"][i][j] - max(probs)) <= TOL
        else:
            assert abs(snap["output"][i][j] - out.data) <= TOL
    nxs, nys = snap["neuron_plane"]["xs"], snap["neuron_plane"]["ys"]
    assert len(nxs) == len(nys) == 16
    for i, j in [(0, 15), (8, 8), (15, 0)]:
        features = inputs_of(trainer, [nxs[j], nys[i]])
        layers = model.trace(features)
        for k, layer in enumerate(snap["neurons"]):
            assert len(layer) == len(layers[k].a)
            for n, neuron in enumerate(layer):
                assert (neuron["layer"], neuron["index"]) == (k, n)
                assert abs(neuron["map"][i][j] - layers[k].a[n].data) <= TOL
        for f, picture in enumerate(snap["inputs"]):
            assert picture["name"] == trainer.features[f]
            assert picture["map"][i][j] == features[f]
    for k, table in enumerate(snap["layers"]):
        layer = trainer.model.layers[k]
        weights = [w.data for n in layer.neurons for w in n.w]
        assert table["weights"] == [[w.data for w in n.w] for n in layer.neurons]
        assert table["biases"] == [n.b.data for n in layer.neurons]
        assert table["grads"] == [[w.grad for w in n.w] for n in layer.neurons]
        stats = table["stats"]
        assert stats["count"] == len(weights)
        assert abs(stats["mean"] - statistics.fmean(weights)) <= TOL
        assert abs(stats["std"] - statistics.pstdev(weights)) <= TOL
        assert (stats["min"], stats["max"]) == (min(weights), max(weights))
        mean_abs = statistics.fmean(abs(w.grad) for n in layer.neurons for w in n.w)
        assert abs(stats["mean_abs_grad"] - mean_abs) <= TOL
    train = data_loss(trainer, model, trainer.X_train, trainer.y_train).data
    test = data_loss(trainer, model, trainer.X_test, trainer.y_test).data
    assert abs(snap["loss"] - train) <= TOL
    assert abs(snap["test_loss"] - test) <= TOL
    assert (snap["epoch"], snap["update"]) == (3, 3)
    assert snap["kind"] == ("regression" if dataset == "bumps" else "classification")
    assert snap["train_points"] == [
        [x[0], x[1], t] for x, t in zip(trainer.X_train, trainer.y_train)
    ]
    assert len(snap["test_points"]) == len(trainer.X_test) > 0


def test_the_default_snapshot_is_as_fine_as_its_budget() -> None:
    snap = answer(make().snapshot("{}"))
    assert len(snap["plane"]["xs"]) == 60
    assert snap["network_dot"].startswith("digraph")
    assert snap["test_points"] == []
    assert snap["test_loss"] is None
    assert snap["classes"] == 2
    assert snap["notes"]


# -- 4. epochs, batches, data ----------------------------------------------------------


def test_epoch_bookkeeping() -> None:
    trainer = make(dataset="moons", hidden="3", batch_size=7, optimizer="sgd")
    assert len(trainer.X_train) == 50
    first = answer(trainer.step())
    assert (first["epoch"], first["update"], first["updates_per_epoch"]) == (0, 1, 8)
    assert first["epoch_done"] is False
    assert first["loss"] == []
    assert first["test_loss"] == []
    trainer.step()
    run = answer(trainer.run(1))  # finishes the epoch: updates 3 to 8
    assert (run["epoch"], run["update"]) == (1, 8)
    assert len(run["loss"]) == len(run["test_loss"]) == 1
    seen: list[int] = []
    for _ in range(8):
        seen += json.loads(trainer.next_batch())
        step = answer(trainer.step())
    assert sorted(seen) == list(range(50))  # one pass over the training set
    assert step["epoch_done"] is True
    assert (step["epoch"], step["update"]) == (2, 16)
    assert step["loss"] == trainer.loss_history[-1:]
    assert len(step["batch"]) == 1  # 50 = 7 * 7 + 1
    model = twin(trainer)
    train = data_loss(trainer, model, trainer.X_train, trainer.y_train).data
    test = data_loss(trainer, model, trainer.X_test, trainer.y_test).data
    assert abs(step["loss"][0] - train) <= TOL
    assert abs(step["test_loss"][0] - test) <= TOL
    assert train != test


def test_each_epoch_records_its_losses_at_its_end() -> None:
    trainer = make(dataset="circles", hidden="4", batch_size=10, train_percent=40)
    for epoch in range(1, 4):
        got = answer(trainer.run(1))
        model = twin(trainer)
        train = data_loss(trainer, model, trainer.X_train, trainer.y_train).data
        test = data_loss(trainer, model, trainer.X_test, trainer.y_test).data
        assert abs(got["loss"][0] - train) <= TOL
        assert abs(got["test_loss"][0] - test) <= TOL
        assert len(trainer.loss_history) == len(trainer.test_loss_history) == epoch
        assert got["updates_per_epoch"] == 4
        assert got["update"] == 4 * epoch


@pytest.mark.parametrize("batch_size", [0, 6])
def test_chunks_train_exactly_as_one_run(batch_size: int) -> None:
    config = {"dataset": "moons", "hidden": "4", "optimizer": "sgd", "lr": 0.2}
    chunked, whole = make(**config, batch_size=batch_size), make(**config, batch_size=batch_size)
    for _ in range(3):
        chunked.run(5)
    whole.run(15)
    assert chunked.loss_history == whole.loss_history
    assert chunked.test_loss_history == whole.test_loss_history
    assert [p.data for p in chunked.params] == [p.data for p in whole.params]


def test_features_are_the_networks_inputs_in_their_order() -> None:
    trainer = make(dataset="moons", features=["sin(x2)", "x1^2", "x1*x2", "x2"])
    assert trainer.features == ["x2", "x1^2", "x1*x2", "sin(x2)"]
    assert trainer.model.n_inputs == 4
    assert trainer.rows_train == [inputs_of(trainer, x) for x in trainer.X_train]
    every = make(dataset="moons", features=list(FEATURE_FORMULAS))
    assert every.features == list(FEATURE_FORMULAS)
    assert every.rows_test == [inputs_of(every, x) for x in every.X_test]


def test_noise_changes_the_data() -> None:
    quiet, loud = make(dataset="moons", noise=0), make(dataset="moons", noise=30)
    assert quiet.all_points == datasets.moons(100, noise=0.0, seed=0)[0]
    assert loud.all_points == datasets.moons(100, noise=0.3, seed=0)[0]
    assert make(dataset="moons").all_points == datasets.moons(100, noise=0.1, seed=0)[0]
    assert make(dataset="spirals").all_points == datasets.spirals(150, 3, noise=0.2)[0]
    bumps = make(dataset="bumps", noise=25)
    points, targets = datasets.bumps(100, noise=0.25, seed=0)
    assert bumps.all_points == points
    assert sorted(bumps.y_train + bumps.y_test) == sorted(targets)
    assert bumps.y_train != make(dataset="bumps", noise=0).y_train
    xor = make(dataset="xor", noise=40)
    assert xor.all_points == datasets.xor()[0]
    assert any("noise does not apply" in note for note in xor.notes)


@pytest.mark.parametrize("percent", [10, 30, 50, 90])
def test_train_percent_splits_the_data(percent: int) -> None:
    trainer = make(dataset="moons", train_percent=percent, seed=5)
    assert len(trainer.X_train) == percent
    assert len(trainer.X_test) == 100 - percent
    X, y = datasets.moons(100, noise=0.1, seed=5)
    split = datasets.train_test_split(X, y, test_size=100 - percent, seed=5)
    assert [trainer.X_train, trainer.X_test, trainer.y_train, trainer.y_test] == list(split)


def test_xor_trains_on_all_four_points_to_every_point_right() -> None:
    trainer = make(dataset="xor", hidden="8", lr=0.1, train_percent=20)
    assert len(trainer.X_train) == 4
    assert trainer.X_test == []
    assert any("no test set" in note for note in trainer.notes)
    first = answer(trainer.run(100))
    second = answer(trainer.run(200))
    assert (first["epoch"], second["epoch"]) == (100, 300)
    assert len(trainer.loss_history) == 300
    assert second["test_loss"] == [None] * 200
    assert second["test_accuracy"] is None
    assert second["loss"][-1] < first["loss"][0]
    assert second["accuracy"] == 1.0
    boundary = answer(trainer.boundary(20))
    assert boundary["accuracy"] == 1.0 == trainer.accuracy()
    assert len(boundary["grid"]) == 20
    assert all(len(row) == 20 for row in boundary["grid"])
    assert {cell for row in boundary["grid"] for cell in row} == {0, 1}
    assert sorted(boundary["points"]) == [
        [0.0, 0.0, 0],
        [0.0, 1.0, 1],
        [1.0, 0.0, 1],
        [1.0, 1.0, 0],
    ]
    assert trainer.network_dot().startswith("digraph")
    assert first["compiled"] is True


def test_three_classes_use_cross_entropy() -> None:
    trainer = make(dataset="spirals", hidden="4", seed=2)
    assert (trainer.n_classes, trainer.loss) == (3, "cross_entropy")
    assert len(trainer.model.forward_floats([0.0, 0.0])) == 3
    json.loads(trainer.run(1))
    grid = json.loads(trainer.boundary(8))["grid"]
    assert {cell for row in grid for cell in row} <= {0, 1, 2}


def test_regression_uses_mse_on_one_linear_output() -> None:
    trainer = make(dataset="bumps", hidden="6", lr=0.05)
    assert (trainer.kind, trainer.loss, trainer.n_classes) == ("regression", "mse", None)
    assert trainer.model.output_activation == "linear"
    assert trainer.model.n_outputs == 1
    got = answer(trainer.run(30))
    assert got["accuracy"] is None
    assert got["test_accuracy"] is None
    assert got["loss"][-1] < got["loss"][0]


def test_compiled_training_matches_the_dynamic_engine() -> None:
    config = {"dataset": "moons", "hidden": "8", "optimizer": "adam", "lr": 0.05}
    compiled = make(**config)
    dynamic = make(**config, compile=False)
    assert (compiled.compiled, dynamic.compiled) == (True, False)
    a, b = answer(compiled.run(20)), answer(dynamic.run(20))
    for x, y in zip(a["loss"], b["loss"], strict=True):
        assert math.isclose(x, y, rel_tol=1e-9)


def test_the_biggest_network_is_refused_with_the_limit_named() -> None:
    # 4 x 32 (3,363 weights and biases for spirals) spent 10.5 s compiling in the browser.
    with pytest.raises(ValueError, match="3,363 weights and biases; the playground trains at most"):
        make(dataset="spirals", hidden="32, 32, 32, 32")
    trainer = make(dataset="spirals", hidden="32, 32")
    assert trainer.weights == 1_251 <= network.MAX_WEIGHTS
    # Past the readable size the picture is a sentence, not a tangle.
    assert trainer.network_dot() == ""
    assert "is not drawn: past 400 weights" in trainer.network_note()
    # The boundary grid is as fine as its budget allows: the snapshot stays short.
    assert trainer.boundary_resolution() == 34
    small = make(dataset="xor", hidden="8")
    assert small.boundary_resolution() == 60
    assert small.network_note().startswith("The network 2 → 8 → 1 (tanh, 33 weights and biases)")


def test_a_network_is_compiled_one_class_per_call() -> None:
    # So a stop asked for while a big network compiles waits for one class, not all.
    trainer = make(dataset="spirals", hidden="4")
    assert [trainer.build_step() for _ in range(3)] == [False, False, True]
    assert len(trainer._compiled_losses) == 3
    assert trainer.build_step() is True
    assert make(dataset="bumps").build_step() is True  # one loss, the target an argument


# -- 5. bad settings and requests are refused ------------------------------------------


@pytest.mark.parametrize(("text", "sizes"), [("8", [8]), ("16, 16", [16, 16]), (" 4 2 ", [4, 2])])
def test_layer_sizes(text: str, sizes: list[int]) -> None:
    assert network.parse_layer_sizes(text) == sizes


@pytest.mark.parametrize("text", ["", "0", "8,x", "1e3", "-4", "99", "1,1,1,1,1", "__import__"])
def test_bad_layer_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="layer"):
        network.parse_layer_sizes(text)


BAD_CONFIGS = [
    ({"datset": "xor"}, "unknown setting 'datset': the settings are dataset, noise"),
    (
        {"dataset": "mnist"},
        "unknown dataset 'mnist': choose one of xor, moons, circles, spirals, bumps",
    ),
    ({"activation": "gelu"}, "unknown activation 'gelu'"),
    ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'"),
    ({"regularization": "l3"}, "unknown regularization 'l3': choose one of none, l1, l2"),
    ({"features": ["x3"]}, "unknown feature 'x3': choose one of x1, x2, x1\\^2"),
    ({"features": []}, "features \\[\\]: give a list of at least one of"),
    ({"features": "x1"}, "features 'x1': give a list"),
    ({"features": ["x1", "x1"]}, "each feature at most once"),
    ({"hidden": 8}, "hidden 8: give the layer widths as text"),
    ({"hidden": "8,0"}, "hidden layer width '0'"),
    ({"lr": 0}, "lr 0: use a number above 0 and at most 10 \\(the learning rate\\)"),
    ({"lr": 11}, "lr 11: use a number above 0 and at most 10"),
    ({"lr": "0.1"}, "lr '0.1': use a number"),
    ({"lr": True}, "lr True: use a number"),
    ({"rate": -1}, "rate -1: use a number from 0 to 10"),
    ({"rate": 10.5}, "rate 10.5: use a number from 0 to 10"),
    ({"rate": True}, "rate True"),
    ({"noise": 51}, "noise 51: use a whole number from 0 to 50 \\(percent\\)"),
    ({"noise": -1}, "noise -1"),
    ({"noise": 10.5}, "noise 10.5: use a whole number"),
    ({"noise": True}, "noise True"),
    ({"train_percent": 5}, "train_percent 5: use a whole number from 10 to 90"),
    ({"train_percent": 95}, "train_percent 95"),
    ({"batch_size": -1}, "batch_size -1: use a whole number >= 0"),
    ({"batch_size": True}, "batch_size True"),
    ({"dataset": "moons", "batch_size": 51}, "batch_size 51: the training set has 50 examples"),
    ({"dataset": "xor", "batch_size": 5}, "batch_size 5: the training set has 4 examples"),
    ({"seed": -1}, "seed -1: use a whole number >= 0"),
    ({"seed": 1.5}, "seed 1.5"),
    ({"seed": False}, "seed False"),
    ({"epochs": 0}, "epochs 0: use a whole number >= 1"),
    ({"compile": "yes"}, "compile 'yes': use true or false"),
    ({"compile": 1}, "compile 1: use true or false"),
]


@pytest.mark.parametrize(("config", "message"), BAD_CONFIGS)
def test_bad_configs_are_refused(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make(**config)


@pytest.mark.parametrize("text", ["", "{", "[]", "3", '"xor"', "null"])
def test_a_config_that_is_not_a_json_object_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"config (is not JSON|must be a JSON object)"):
        network.Trainer(text)


@pytest.mark.parametrize("field", list(network.CHECKS))
def test_hostile_text_in_any_field_is_refused_and_never_run(field: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    hostile = f"__import__('os').system('touch {marker}')"
    with pytest.raises(ValueError, match=f"{field} |unknown {field} "):
        make(**{field: hostile})
    with pytest.raises(ValueError, match="unknown feature"):
        make(features=[hostile])
    trainer = make()
    with pytest.raises(ValueError, match=f"{field} |unknown {field} "):
        trainer.configure(json.dumps({field: hostile}))
    assert not answer(trainer.explain(json.dumps({"parameter": hostile, "example": 0})))["ok"]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"parameter": 33, "example": 0}, "parameter 33: use a whole number from 0 to 32"),
        ({"parameter": -1, "example": 0}, "parameter -1"),
        ({"parameter": True, "example": 0}, "parameter True"),
        ({"parameter": 1.0, "example": 0}, "parameter 1.0"),
        ({"parameter": "0", "example": 0}, "parameter '0'"),
        ({"example": 0}, "parameter None"),
        ({"parameter": 0, "example": 4}, "example 4: use a whole number from 0 to 3"),
        ({"parameter": 0, "example": False}, "example False"),
        ({"parameter": 0, "example": 0, "code": "x"}, "unknown field 'code'"),
        ("not json", "explain request is not JSON"),
        ([0, 0], "explain request must be a JSON object"),
    ],
)
def test_bad_explain_requests_are_refused(request_: Any, message: str) -> None:
    trainer = make()
    text = request_ if isinstance(request_, str) else json.dumps(request_)
    got = answer(trainer.explain(text))
    assert got["ok"] is False
    assert message in got["error"]


def test_bad_steps_snapshots_and_runs_are_refused() -> None:
    trainer = make()
    assert "no explanation yet" in answer(trainer.explain_step(0))["error"]
    explain(trainer, 0, 0)
    assert "there is no step 999" in answer(trainer.explain_step(998))["error"]
    assert "step must be a whole number" in answer(trainer.explain_step(True))["error"]
    for bad in [1, 201, True, "10"]:
        with pytest.raises(ValueError, match="resolution"):
            trainer.snapshot(json.dumps({"resolution": bad}))
    with pytest.raises(ValueError, match="unknown snapshot field 'size'"):
        trainer.snapshot(json.dumps({"size": 3}))
    for bad in [0, True, "1", 1.0]:
        with pytest.raises(ValueError, match="epochs must be a whole number >= 1"):
            trainer.run(bad)


# -- 6. configure changes the training, not the network --------------------------------


def test_configure_changes_the_training_from_the_next_update_keeping_the_weights() -> None:
    trainer = make(dataset="moons", hidden="4", optimizer="adam", lr=0.05, seed=7)
    reference = Reference(trainer)
    for _ in range(2):
        reference.step()
        trainer.step()
    weights = [p.data for p in trainer.params]
    got = answer(trainer.configure(json.dumps({"lr": 0.02, "batch_size": 5})))
    assert got["changed"] == ["lr", "batch_size"]
    assert got["optimizer_reset"] is False
    assert got["descent"] == "mini-batch gradient descent"
    assert got["updates_per_epoch"] == 10
    assert [p.data for p in trainer.params] == weights
    assert trainer.optimizer.step_count == 2  # Adam's moments kept
    reference.optimizer.lr = 0.02
    values, _, _ = reference.step()
    assert len(answer(trainer.step())["batch"]) == 5
    assert_close([p.data for p in trainer.params], values)
    got = answer(
        trainer.configure(
            json.dumps({"optimizer": "sgd", "regularization": "l1", "rate": 0.1, "batch_size": 1})
        )
    )
    assert got["optimizer_reset"] is True
    assert "fresh state" in got["message"]
    assert got["descent"] == "stochastic gradient descent"
    assert trainer.optimizer.step_count == 0
    reference.optimizer = reference._optimizer()
    for _ in range(2):
        values, _, _ = reference.step()
        trainer.step()
        assert_close([p.data for p in trainer.params], values)
    longer = answer(trainer.configure(json.dumps({"epochs": 500})))
    assert longer["changed"] == ["epochs"]
    assert trainer.max_epochs == 500
    unchanged = answer(trainer.configure(json.dumps({"dataset": "moons", "lr": 0.02})))
    assert unchanged["changed"] == []
    assert unchanged["message"] == "Nothing changed."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dataset": "circles"}, "changing dataset needs a new network"),
        ({"hidden": "8, 8"}, "changing hidden needs a new network"),
        ({"features": ["x1"]}, "changing features needs a new network"),
        ({"seed": 1}, "changing seed needs a new network"),
        ({"noise": 30}, "changing noise needs a new network"),
        ({"activation": "relu"}, "changing activation needs a new network"),
        ({"compile": False}, "changing compile needs a new network"),
        ({"lr": 0.5, "batch_size": 999}, "batch_size 999: the training set has 50 examples"),
        ({"lr": 0.5, "rate": -2}, "rate -2"),
        ({"lr": 0.5, "speed": 2}, "unknown setting 'speed'"),
    ],
)
def test_configure_refuses_what_needs_a_new_network(change: dict[str, Any], message: str) -> None:
    trainer = make(dataset="moons", hidden="4", lr=0.05)
    weights = [p.data for p in trainer.params]
    with pytest.raises(ValueError, match=message):
        trainer.configure(json.dumps(change))
    assert trainer.settings["lr"] == 0.05
    assert trainer.optimizer.lr == 0.05
    assert [p.data for p in trainer.params] == weights
