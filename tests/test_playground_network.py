"""The playground's network mode (docs/playground/network_mode.py) under CPython: the
same file the page runs in Pyodide, checked against the engine itself.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.test_playground import _load

network = _load("network_mode")


@pytest.mark.parametrize(("text", "sizes"), [("8", [8]), ("16, 16", [16, 16]), (" 4 2 ", [4, 2])])
def test_layer_sizes(text: str, sizes: list[int]) -> None:
    assert network.parse_layer_sizes(text) == sizes


@pytest.mark.parametrize("text", ["", "0", "8,x", "1e3", "-4", "99", "1,1,1,1,1", "__import__"])
def test_bad_layer_sizes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="layer"):
        network.parse_layer_sizes(text)


def test_xor_trains_to_every_point_right() -> None:
    trainer = network.Trainer(json.dumps({"dataset": "xor", "hidden": "8", "lr": 0.1}))
    first = json.loads(trainer.run(100))
    second = json.loads(trainer.run(200))
    assert (first["epoch"], second["epoch"]) == (100, 300)
    assert len(trainer.loss_history) == 300
    assert second["loss"][-1] < first["loss"][0]
    assert second["accuracy"] == 1.0
    boundary = json.loads(trainer.boundary(20))
    assert boundary["accuracy"] == 1.0 == trainer.accuracy()
    assert len(boundary["grid"]) == 20
    assert all(len(row) == 20 for row in boundary["grid"])
    assert {cell for row in boundary["grid"] for cell in row} == {0, 1}
    assert boundary["points"][1] == [0.0, 1.0, 1]
    assert trainer.network_dot().startswith("digraph")
    assert first["compiled"] is True


def test_chunks_train_exactly_as_one_run() -> None:
    config = json.dumps({"dataset": "moons", "hidden": "4", "optimizer": "sgd", "lr": 0.2})
    chunked, whole = network.Trainer(config), network.Trainer(config)
    for _ in range(3):
        chunked.run(5)
    whole.run(15)
    assert chunked.loss_history == whole.loss_history


def test_three_classes_use_cross_entropy() -> None:
    trainer = network.Trainer(json.dumps({"dataset": "spirals", "hidden": "4", "seed": 2}))
    assert (trainer.n_classes, trainer.loss) == (3, "cross_entropy")
    assert len(trainer.model.forward_floats([0.0, 0.0])) == 3
    json.loads(trainer.run(1))
    grid = json.loads(trainer.boundary(8))["grid"]
    assert {cell for row in grid for cell in row} <= {0, 1, 2}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"dataset": "mnist"}, "unknown dataset 'mnist'"),
        ({"activation": "gelu"}, "unknown activation"),
        ({"optimizer": "lbfgs"}, "unknown optimizer"),
        ({"lr": 0}, "learning rate 0"),
        ({"lr": "0.1"}, "learning rate '0.1'"),
        ({"seed": -1}, "seed -1"),
        ({"hidden": "8,0"}, "hidden layer width '0'"),
    ],
)
def test_bad_configs_are_refused(config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        network.Trainer(json.dumps(config))


def test_compiled_training_matches_the_dynamic_engine() -> None:
    config = {"dataset": "moons", "hidden": "8", "optimizer": "adam", "lr": 0.05}
    compiled = network.Trainer(json.dumps(config))
    dynamic = network.Trainer(json.dumps({**config, "compile": False}))
    assert (compiled.compiled, dynamic.compiled) == (True, False)
    a, b = json.loads(compiled.run(20)), json.loads(dynamic.run(20))
    for x, y in zip(a["loss"], b["loss"], strict=True):
        assert math.isclose(x, y, rel_tol=1e-9)


def test_the_biggest_network_is_refused_with_the_limit_named() -> None:
    # 4 x 32 (3,363 weights and biases for spirals) spent 10.5 s compiling in the browser.
    with pytest.raises(ValueError, match="3,363 weights and biases; the playground trains at most"):
        network.Trainer(json.dumps({"dataset": "spirals", "hidden": "32, 32, 32, 32"}))
    trainer = network.Trainer(json.dumps({"dataset": "spirals", "hidden": "32, 32"}))
    assert trainer.weights == 1_251 <= network.MAX_WEIGHTS
    # Past the readable size the picture is a sentence, not a tangle.
    assert trainer.network_dot() == ""
    assert "is not drawn: past 400 weights" in trainer.network_note()
    # The boundary grid is as fine as its budget allows: the snapshot stays short.
    assert trainer.boundary_resolution() == 34
    small = network.Trainer(json.dumps({"dataset": "xor", "hidden": "8"}))
    assert small.boundary_resolution() == 60
    assert small.network_note().startswith("The network 2 → 8 → 1 (tanh, 33 weights and biases)")


def test_a_network_is_compiled_one_class_per_call() -> None:
    # So a stop asked for while a big network compiles waits for one class, not all.
    trainer = network.Trainer(json.dumps({"dataset": "spirals", "hidden": "4"}))
    assert [trainer.build_step() for _ in range(3)] == [False, False, True]
    assert len(trainer._compiled_losses) == 3
    assert trainer.build_step() is True
