"""nn.Module: JSON checkpoints that leave the model unchanged on error, and the
training and evaluation modes every module has."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import strategies as st

from autograd_lite.nn import (
    MLP,
)

finite = st.floats(min_value=-5.0, max_value=5.0, allow_nan=False)


def values(model: Any) -> list[float]:
    return [p.data for p in model.parameters()]


# -- checkpoints ---------------------------------------------------------------------------


def test_state_dict_round_trip() -> None:
    a, b = MLP(2, [4, 3], seed=0), MLP(2, [4, 3], seed=1)
    b.load_state_dict(a.state_dict())
    assert values(b) == values(a)


def test_save_and_load_json_bit_for_bit(tmp_path: Any) -> None:
    a = MLP(2, [4, 1], activation="tanh", seed=0)
    path = tmp_path / "model.json"
    a.save(path)
    document = json.loads(path.read_text(encoding="utf-8"))  # plain JSON, never pickle
    assert document["model"]["layer_sizes"] == [4, 1]
    b = MLP(2, [4, 1], activation="tanh", seed=9)
    b.load(path)
    assert values(b) == values(a)


def _saved(tmp_path: Any, edit: Any) -> Any:
    path = tmp_path / "model.json"
    MLP(2, [2, 1], seed=0).save(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _set_first(document: dict[str, Any], value: Any) -> None:
    document["parameters"]["layers.0.neurons.0.w.0"] = value


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["model"].update(layer_sizes=[3, 1]), "holds a MLP"),
        (lambda d: d["parameters"].pop("layers.1.neurons.0.b"), "missing"),
        (lambda d: d["parameters"].update(extra=1.0), "unexpected 'extra'"),
        (lambda d: _set_first(d, "0.5"), "real number"),
        (lambda d: _set_first(d, [0.5]), "real number"),
        (lambda d: _set_first(d, True), "real number"),
        (lambda d: _set_first(d, float("nan")), "not finite"),
        (lambda d: _set_first(d, float("inf")), "not finite"),
        (lambda d: d.update(format="other"), "not an autograd_lite checkpoint"),
        (lambda d: d.update(version=99), "version 99"),
    ],
)
def test_load_rejects_bad_files_and_leaves_the_model_unchanged(
    tmp_path: Any, edit: Any, message: str
) -> None:
    path = _saved(tmp_path, edit)
    model = MLP(2, [2, 1], seed=5)
    before = values(model)
    with pytest.raises(ValueError, match=message):
        model.load(path)
    assert values(model) == before


def test_load_rejects_non_json(tmp_path: Any) -> None:
    path = tmp_path / "model.json"
    path.write_bytes(b"\x80\x04not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        MLP(2, [1], seed=0).load(path)


def test_load_rejects_deeply_nested_json_with_a_value_error(tmp_path: Any) -> None:
    # A hostile file: 100,000 brackets deep makes the JSON decoder recurse too far.
    path = tmp_path / "model.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    model = MLP(2, [2, 1], seed=5)
    before = values(model)
    with pytest.raises(ValueError, match="nested far deeper"):
        model.load(path)
    assert values(model) == before


def test_load_state_dict_rejects_a_negative_running_variance() -> None:
    model = MLP(2, [3, 1], batch_norm=True, seed=0)
    state = model.state_dict()
    state["norms.0.running_var.1"] = -0.5
    state["layers.0.neurons.0.w.0"] = 123.0  # would change first: must not
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"'norms\.0\.running_var\.1' is -0\.5.*variance"):
        model.load_state_dict(state)
    assert model.state_dict() == before
    state["norms.0.running_var.1"] = 0.0  # zero is a valid variance (eps keeps it finite)
    model.load_state_dict(state)
    assert model.state_dict()["layers.0.neurons.0.w.0"] == 123.0


# -- train / eval modes --------------------------------------------------------------------


def test_train_and_eval_reach_every_module_and_return_the_model() -> None:
    model = MLP(2, [3, 3, 1], dropout=0.2, batch_norm=True, residual=True, seed=0)
    kinds = {type(m).__name__ for m in model.modules()}
    assert kinds == {
        "MLP", "Sequential", "Residual", "Layer", "Neuron", "BatchNorm", "ReLU", "Dropout"
    }  # fmt: skip
    assert all(m.training for m in model.modules())  # every module starts in training mode
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    assert model.train() is model
    assert all(m.training for m in model.modules())
    assert model.train(False) is model
    assert not model.training
    with pytest.raises(TypeError, match="True or False"):
        model.train("eval")  # type: ignore[arg-type]
