"""Checkpoints (nn's save and load): a failed save never destroys the file that
was there (non-finite values, an unwritable folder, a full disk, a failed
rename), loading on the class rebuilds the model from the file and refuses what
it cannot rebuild, and hostile numbers in a checkpoint give a ValueError naming
the parameter."""

from __future__ import annotations

import errno
import json
import math
import os
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import nn

# -- a failed save leaves the old file ----------------------------------------------------


def test_a_save_that_fails_on_a_nan_parameter_leaves_the_good_checkpoint_byte_for_byte(
    tmp_path: Path,
) -> None:
    # The defect: save opened the file before serialising, so the ValueError for
    # the nan came after the good checkpoint was truncated (779 -> 770 bytes).
    path = tmp_path / "m.json"
    model = nn.MLP(2, [4, 1], seed=0)
    model.save(path)
    good = path.read_bytes()
    model.parameters()[3].data = math.nan
    with pytest.raises(ValueError, match=r"'layers\.0\.neurons\.1\.w\.0'.* nan"):
        model.save(path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["m.json"]
    assert nn.load(path).state_dict() == nn.MLP(2, [4, 1], seed=0).state_dict()


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (math.nan, "is nan"),
        (math.inf, "is inf"),
        (-math.inf, "is -inf"),
        (10**400, r"is 1000000000.*\(401 characters\)"),
        ("0.5", "is str '0.5'"),
        (None, "is NoneType None"),
    ],
    ids=["nan", "inf", "-inf", "10**400", "str", "None"],
)
def test_save_refuses_a_parameter_that_is_not_a_finite_number_naming_it(
    tmp_path: Path, value: Any, shown: str
) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [2, 1], seed=0)
    model.save(path)
    good = path.read_bytes()
    model.layers[1].neurons[0].b.data = value
    with pytest.raises(ValueError, match=shown) as caught:
        model.save(path)
    message = str(caught.value)
    assert message.count("'layers.1.neurons.0.b'") == 1
    assert "nothing was written" in message
    assert "lower learning rate" in message  # how to fix it
    assert "MLP.load(path)" in message
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_names_the_first_non_finite_value_once_and_counts_the_rest(tmp_path: Path) -> None:
    model = nn.MLP(2, [3, 3, 1], batch_norm=True, seed=0)
    model.norms[0].running_var[2].data = math.inf
    with pytest.raises(
        ValueError, match=r"^save\(.*\): buffer 'norms\.0\.running_var\.2' is inf\."
    ):
        model.save(tmp_path / "a.json")
    model.layers[2].neurons[0].w[1].data = math.nan  # parameters come before buffers
    with pytest.raises(
        ValueError, match=r"parameter 'layers\.2\.neurons\.0\.w\.1' is nan, and 1 more"
    ):
        model.save(tmp_path / "b.json")
    # Inside another composition the name in the file differs from the label.
    with pytest.raises(ValueError, match=r"'2\.neurons\.0\.w\.1' \(labelled 'layers\.2\.neurons"):
        nn.Sequential(*model.net).save(tmp_path / "c.json")
    assert os.listdir(tmp_path) == []


def test_save_refuses_a_model_whose_values_would_not_read_back(tmp_path: Path) -> None:
    class Twice(nn.Module):
        def __init__(self, config: dict[str, Any]) -> None:
            self.a, self.b, self._config = (
                autograd_lite.Value(1.0),
                autograd_lite.Value(2.0),
                config,
            )

        def __call__(self, x: Any) -> Any:
            return x

        def named_parameters(self) -> list[tuple[str, autograd_lite.Value]]:
            return [("w", self.a), ("w", self.b)] if "twice" in self._config else [("w", self.a)]

        def config(self) -> dict[str, Any]:
            return self._config

    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "Twice", "twice": True}, "are named 'w', so a checkpoint would keep only one"),
        ({"type": "Twice", "shape": (1, 2)}, "does not read back the same from JSON"),
        ({"type": "Twice", "sizes": {1, 2}}, "which JSON cannot hold"),
        ({"type": "Twice", "eps": math.nan}, "which JSON cannot hold"),
    ]
    for config, message in cases:
        with pytest.raises(ValueError, match=message):
            Twice(config).save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


# Failures of the file system at each stage of the write (patched, because the
# tests run as root, where a read-only folder does not stop a write).


class _HalfWrites:
    """A file that writes half of what it is given, then finds the disk full."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _HalfWrites:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _fails(errno_: int, text: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno_, text)

    return fail


def _half_writes() -> AbstractContextManager[Any]:
    real = os.fdopen
    return mock.patch("os.fdopen", lambda fd, *a, **k: _HalfWrites(real(fd, *a, **k)))


FAILURES: dict[str, Callable[[], AbstractContextManager[Any]]] = {
    "unwritable folder": lambda: mock.patch(
        "tempfile.mkstemp", _fails(errno.EACCES, "Permission denied")
    ),
    "disk full while writing": _half_writes,
    "disk full at fsync": lambda: mock.patch(
        "os.fsync", _fails(errno.ENOSPC, "No space left on device")
    ),
    "rename refused": lambda: mock.patch(
        "os.replace", _fails(errno.EPERM, "Operation not permitted")
    ),
}


@pytest.mark.parametrize("stage", list(FAILURES))
def test_a_failure_at_each_stage_of_the_write_leaves_the_old_file_and_no_temporary_one(
    tmp_path: Path, stage: str
) -> None:
    path = tmp_path / "m.json"
    old = nn.MLP(2, [3, 1], seed=0)
    old.save(path)
    good = path.read_bytes()
    with FAILURES[stage](), pytest.raises(OSError, match=r"cannot write .*m\.json") as caught:
        nn.MLP(2, [3, 1], seed=1).save(path)
    assert caught.value.errno in (errno.EACCES, errno.ENOSPC, errno.EPERM)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["m.json"]
    assert nn.load(path).state_dict() == old.state_dict()


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes into a 0o500 folder"
)
def test_a_read_only_folder_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    good = path.read_bytes()
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="cannot write"):
            nn.MLP(2, [1], seed=1).save(path)
    finally:
        tmp_path.chmod(0o700)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["m.json"]


def test_saving_onto_a_folder_or_into_a_missing_one_is_an_os_error_writing_nothing(
    tmp_path: Path,
) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(IsADirectoryError, match="cannot write"):
        nn.MLP(2, [1], seed=0).save(tmp_path / "folder")
    with pytest.raises(FileNotFoundError, match="cannot write"):
        nn.MLP(2, [1], seed=0).save(tmp_path / "missing" / "m.json")
    assert os.listdir(tmp_path) == ["folder"]
    assert os.listdir(tmp_path / "folder") == []


# The property: whatever the model and wherever the save fails, the old file stays.

activations: st.SearchStrategy[nn.Activation] = st.sampled_from(
    ["relu", "tanh", "sigmoid", "linear"]
)


@st.composite
def models(draw: st.DrawFn) -> nn.Module:
    """Small random models: MLPs with any remedies, or Sequentials of any parts."""
    n_inputs = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    if draw(st.booleans()):
        sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
        residual = draw(st.booleans()) and any(
            a == b for a, b in zip([n_inputs, *sizes], sizes[:-1], strict=False)
        )
        return nn.MLP(
            n_inputs,
            sizes,
            draw(activations),
            draw(activations),
            seed=seed,
            dropout=draw(st.sampled_from([0.0, 0.25])),
            batch_norm=draw(st.booleans()),
            residual=residual,
        )
    parts: list[nn.Module] = []
    width = n_inputs
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["layer", "norm", "act", "drop", "residual"]))
        if kind == "layer":
            out = draw(st.integers(1, 3))
            parts.append(nn.Layer(width, out, draw(activations), seed=seed))
            width = out
        elif kind == "norm":
            momentum = draw(st.sampled_from([0.1, 0.5]))
            parts.append(
                nn.BatchNorm(width, momentum=momentum, eps=draw(st.sampled_from([1e-5, 1e-3])))
            )
        elif kind == "act":
            parts.append(draw(st.sampled_from([nn.ReLU, nn.Tanh, nn.Sigmoid]))())
        elif kind == "drop":
            parts.append(nn.Dropout(draw(st.sampled_from([0.0, 0.5])), seed=seed))
        else:
            parts.append(nn.Residual(nn.Layer(width, width, draw(activations), seed=seed)))
    parts.append(nn.Layer(width, 1, draw(activations), seed=seed + 1))
    return nn.Sequential(*parts)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


STAGES = ["non-finite value", *FAILURES]


@given(old=models(), new=models(), stage=st.sampled_from(STAGES), data=st.data())
def test_for_any_model_and_any_failed_save_the_old_file_is_unchanged(
    old: nn.Module, new: nn.Module, stage: str, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        old.save(path)
        good = path.read_bytes()
        failure: AbstractContextManager[Any] = _nothing()
        if stage == "non-finite value":
            state = new._named_state()
            _, victim = state[data.draw(st.integers(0, len(state) - 1))]
            victim.data = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]))
        else:
            failure = FAILURES[stage]()
        with failure, pytest.raises((ValueError, OSError)):
            new.save(path)
        assert path.read_bytes() == good
        assert os.listdir(folder) == ["model.json"]
        back = nn.load(path)
        assert type(back) is type(old)
        assert back.config() == old.config()
        assert back.state_dict() == old.state_dict()


# -- loading builds the model --------------------------------------------------------------


def test_load_on_the_class_builds_the_model_from_the_file(tmp_path: Path) -> None:
    # The defect: MLP.load(path) raised "missing 1 required positional argument".
    path = tmp_path / "m.json"
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    model.save(path)
    loaded = nn.MLP.load(path)
    assert isinstance(loaded, nn.MLP)
    assert loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()
    assert loaded([0.5, -1.0]).data == model([0.5, -1.0]).data  # type: ignore[union-attr]
    assert autograd_lite.nn.load is nn.load  # the package's nn is this module


def _every_kind() -> list[nn.Module]:
    return [
        nn.Neuron(3, "tanh", seed=1),
        nn.Layer(2, 3, "sigmoid", seed=2),
        nn.MLP(2, [3, 3, 2], "tanh", "sigmoid", seed=3),
        nn.MLP(2, [3, 3, 1], batch_norm=True, dropout=0.2, residual=True, seed=4),
        nn.Sequential(
            nn.Layer(2, 2, "linear", seed=5),
            nn.BatchNorm(2, momentum=0.3, eps=1e-3),
            nn.ReLU(),
            nn.Dropout(0.25),
            nn.Residual(nn.Sequential(nn.Layer(2, 2, seed=6), nn.Tanh())),
            nn.MLP(2, [2, 2], seed=7),
            nn.Sigmoid(),
        ),
        nn.Residual(nn.Layer(2, 2, "relu", seed=8)),
        nn.BatchNorm(3),
        nn.Dropout(0.5),
        nn.Tanh(),
    ]


@pytest.mark.parametrize("model", _every_kind(), ids=lambda m: type(m).__name__)
def test_every_kind_of_module_is_rebuilt_with_its_values_and_outputs(
    tmp_path: Path, model: nn.Module
) -> None:
    path = tmp_path / "m.json"
    if any(isinstance(m, nn.BatchNorm) for m in model.modules()):
        width = next(w for w in (getattr(m, "n_inputs", None) for m in model.modules()) if w)
        model.forward_batch([[0.5 * i - j for j in range(width)] for i in range(3)])
    model.save(path)
    rng_state = random.getstate()
    for loaded in (nn.load(path), type(model).load(path), nn.Module.load(path)):
        assert type(loaded) is type(model)
        assert repr(loaded) == repr(model)
        assert loaded.config() == model.config()
        assert loaded.state_dict() == model.state_dict()
        assert loaded.training  # a new model, in training mode
        model.eval(), loaded.eval()
        width = getattr(model, "n_inputs", None) or 2
        sample = [0.25 * (j + 1) for j in range(width)]
        ours, theirs = model(sample), loaded(sample)
        if isinstance(ours, list):
            assert [v.data for v in ours] == [v.data for v in theirs]
        else:
            assert ours.data == theirs.data
        model.train()
    assert random.getstate() == rng_state  # building draws from no global random


def test_instance_load_keeps_working_and_now_also_compares_batch_norm_settings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [3, 1], batch_norm=True, seed=0)
    model.norms[0].eps = 1e-3  # as from_torch sets it from a BatchNorm1d(eps=1e-3)
    model.save(path)
    assert nn.MLP.load(path).norms[0].eps == 1e-3
    twin = nn.MLP(2, [3, 1], batch_norm=True, seed=1)
    with pytest.raises(ValueError, match=r"norm_settings.*build that architecture"):
        twin.load(path)  # once loaded silently, with another eps
    twin.norms[0].eps = 1e-3
    assert twin.load(path) is None
    assert twin.state_dict() == model.state_dict()


# A checkpoint as the previous release wrote it (BatchNorm without momentum and eps).
OLD_CHECKPOINT = {
    "format": "autograd_lite.checkpoint",
    "version": 1,
    "model": {
        "type": "Sequential",
        "modules": [
            {"type": "Layer", "n_inputs": 2, "n_outputs": 2, "activation": "linear"},
            {"type": "BatchNorm", "n_features": 2},
            {"type": "Tanh"},
            {"type": "Dropout", "p": 0.25},
            {
                "type": "Residual",
                "module": {"type": "Layer", "n_inputs": 2, "n_outputs": 2, "activation": "relu"},
            },
            {"type": "Layer", "n_inputs": 2, "n_outputs": 1, "activation": "sigmoid"},
        ],
    },
    "parameters": {
        "0.neurons.0.w.0": 0.6888437030500962, "0.neurons.0.w.1": 0.515908805880605,
        "0.neurons.0.b": 0.0, "0.neurons.1.w.0": -0.15885683833831,
        "0.neurons.1.w.1": -0.4821664994140733, "0.neurons.1.b": 0.0,
        "1.gamma.0": 1.0, "1.gamma.1": 1.0, "1.beta.0": 0.0, "1.beta.1": 0.0,
        "4.module.neurons.0.w.0": -0.7312715117751976, "4.module.neurons.0.w.1": 0.6948674738744653,
        "4.module.neurons.0.b": 0.0, "4.module.neurons.1.w.0": 0.5275492379532281,
        "4.module.neurons.1.w.1": -0.4898619485211566, "4.module.neurons.1.b": 0.0,
        "5.neurons.0.w.0": 0.9120685437784988, "5.neurons.0.w.1": 0.8956549741186988,
        "5.neurons.0.b": 0.0,
        "1.running_mean.0": 0.09467981059903986, "1.running_mean.1": -0.039994008804534666,
        "1.running_var.0": 1.1501122952385914, "1.running_var.1": 1.028858448369963,
    },
}  # fmt: skip


def test_a_checkpoint_of_the_previous_release_loads_both_ways_and_is_written_the_same(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.json"
    text = json.dumps(OLD_CHECKPOINT, indent=1) + "\n"  # as the previous save wrote it
    path.write_text(text, encoding="utf-8")
    model = nn.load(path)
    assert model.state_dict() == OLD_CHECKPOINT["parameters"]
    net = nn.Sequential(nn.Layer(2, 2, "linear"), nn.BatchNorm(2), nn.Tanh(), nn.Dropout(0.25),
                        nn.Residual(nn.Layer(2, 2, "relu")), nn.Layer(2, 1, "sigmoid"))  # fmt: skip
    net.load(path)
    assert net.state_dict() == model.state_dict()
    model.save(tmp_path / "new.json")
    assert (tmp_path / "new.json").read_text(encoding="utf-8") == text


def _checkpoint(tmp_path: Path, model: nn.Module, edit: Callable[[dict[str, Any]], Any]) -> Path:
    path = tmp_path / "m.json"
    model.save(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _model(d: dict[str, Any]) -> dict[str, Any]:
    return d["model"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: _model(d).update(type="MyBlock"), r"'MyBlock' module, which nn\.load cannot"),
        (lambda d: d.update(model=[1]), "does not describe a model"),
        (lambda d: d.update(model={"n_inputs": 2}), "does not describe a model"),
        (lambda d: _model(d).update(foo=1), "has an unknown 'foo'"),
        (lambda d: _model(d).pop("activation"), "has no 'activation'"),
        (lambda d: _model(d).update(activation="swish"), "cannot be built: activation='swish'"),
        (lambda d: _model(d).update(layer_sizes=[2, True]), "cannot be built: every entry"),
        (lambda d: _model(d).update(layer_sizes="21"), "cannot be built: MLP: layer_sizes"),
        (lambda d: _model(d).update(layer_sizes=[]), "cannot be built: MLP: layer_sizes is empty"),
        (lambda d: _model(d).update(n_inputs=2.0), "cannot be built: n_inputs must be a positive"),
        (lambda d: _model(d).update(dropout=1.5), r"cannot be built: MLP: dropout=1\.5"),
        (lambda d: _model(d).update(batch_norm="yes"), "cannot be built: MLP: batch_norm must"),
        (lambda d: _model(d).update(dropout=0), "is not what Module.save writes"),
        (
            lambda d: _model(d).update(norm_settings=[{"eps": 1e-3}]),
            "cannot be built: norm_settings",
        ),
        (lambda d: _model(d).update(layer_sizes=[3, 1]), r"missing 'layers\.0\.neurons\.2\.w\.0'"),
        (lambda d: d["parameters"].update(extra=1.0), "unexpected 'extra'"),
        (lambda d: d["parameters"].pop("layers.1.neurons.0.b"), "missing 'layers.1.neurons.0.b'"),
        (lambda d: d.update(parameters=[]), "no 'parameters' mapping"),
        (lambda d: d.update(version=2), "version 2 is not supported"),
    ],
)
def test_nn_load_refuses_what_it_cannot_rebuild_with_a_value_error(
    tmp_path: Path, edit: Callable[[dict[str, Any]], Any], message: str
) -> None:
    path = _checkpoint(tmp_path, nn.MLP(2, [2, 1], seed=0), edit)
    with pytest.raises(ValueError, match=message):
        nn.load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["model"]["modules"].append({"type": "Dropout", "p": 2}), r"Dropout\(p=2\)"),
        (lambda d: d["model"].update(modules=[]), "Sequential in the file has no list"),
        (lambda d: d["model"]["modules"][1].update(momentum=3), "momentum=3 must be in"),
        (lambda d: d["model"]["modules"][1].update(eps=0), "eps=0 must be > 0"),
        (lambda d: d["model"]["modules"][3].update(module={"type": "Layer"}), "has no 'n_inputs'"),
        (
            lambda d: d["model"]["modules"][3]["module"].update(n_outputs=3),
            "cannot be built: Residual: .* maps 2 inputs to 3 outputs",
        ),
    ],
)
def test_nn_load_refuses_bad_parts_inside_a_composition(
    tmp_path: Path, edit: Callable[[dict[str, Any]], Any], message: str
) -> None:
    net = nn.Sequential(
        nn.Layer(2, 2, seed=0), nn.BatchNorm(2), nn.ReLU(), nn.Residual(nn.Layer(2, 2))
    )
    path = _checkpoint(tmp_path, net, edit)
    with pytest.raises(ValueError, match=message):
        nn.load(path)


@pytest.mark.parametrize(
    ("saved", "asked", "message"),
    [
        (nn.MLP(2, [1], seed=0), nn.Sequential, "holds an MLP, not a Sequential"),
        (
            nn.Sequential(nn.Layer(2, 1)),
            nn.MLP,
            r"holds a Sequential, not an MLP.*nn\.load\(path\)",
        ),
        (nn.Layer(2, 1), nn.Neuron, "holds a Layer, not a Neuron"),
        (nn.ReLU(), nn.Tanh, "holds a ReLU, not a Tanh"),
    ],
)
def test_load_on_a_class_refuses_a_file_of_another_class(
    tmp_path: Path, saved: nn.Module, asked: type[nn.Module], message: str
) -> None:
    path = tmp_path / "m.json"
    saved.save(path)
    with pytest.raises(ValueError, match=message):
        asked.load(path)
    assert isinstance(nn.Pointwise.load(path), nn.ReLU) if isinstance(saved, nn.ReLU) else True


def test_a_file_describing_a_huge_model_is_refused_before_anything_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # layer_sizes=[10**9, 1] would build a billion neurons (and fill the memory)
    # for a file that holds 5 values; the size is checked first.
    built: list[int] = []
    real = nn.Neuron.__init__

    def counted(self: nn.Neuron, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        if len(built) > 1000:  # without the check, stop before the memory fills
            raise AssertionError("nn.load is building the huge model the file describes")
        real(self, *args, **kwargs)

    monkeypatch.setattr(nn.Neuron, "__init__", counted)
    for config in (
        lambda d: _model(d).update(layer_sizes=[10**9, 1]),
        lambda d: d.update(
            model={"type": "Layer", "n_inputs": 10**6, "n_outputs": 10**6, "activation": "relu"}
        ),
        lambda d: d.update(model={"type": "BatchNorm", "n_features": 10**12}),
    ):
        path = _checkpoint(tmp_path, nn.MLP(2, [1], seed=0), config)
        built.clear()
        with pytest.raises(ValueError, match="parameters and buffers, but holds 3 values"):
            nn.load(path)
        assert built == []


def test_modules_nested_deeper_than_the_limit_are_refused_and_a_deep_stack_loads(
    tmp_path: Path,
) -> None:
    model: nn.Module = nn.Layer(2, 2, seed=0)
    for _ in range(60):
        model = nn.Residual(model)
    model.save(tmp_path / "deep.json")
    assert nn.load(tmp_path / "deep.json").state_dict() == model.state_dict()
    config: dict[str, Any] = {"type": "ReLU"}
    for _ in range(101):
        config = {"type": "Residual", "module": config}
    document = {
        "format": "autograd_lite.checkpoint",
        "version": 1,
        "model": config,
        "parameters": {},
    }
    (tmp_path / "hostile.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="nests modules more than 100 deep"):
        nn.load(tmp_path / "hostile.json")


def test_a_load_error_names_the_call(tmp_path: Path) -> None:
    (tmp_path / "m.json").write_text("not json", encoding="utf-8")
    for call, prefix in [
        (nn.load, "nn.load"),
        (nn.MLP.load, "MLP.load"),
        (nn.MLP(2, [1]).load, "load"),
    ]:
        with pytest.raises(ValueError, match=rf"^{prefix}\('.*m\.json'\): not valid JSON"):
            call(tmp_path / "m.json")
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "missing.json")


# -- hostile numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (
            "1" + "0" * 400,
            r"'layers\.0\.neurons\.0\.b': 1000.*\(401 characters\) is too large for a float",
        ),
        ("1e999", r"'layers\.0\.neurons\.0\.b': inf is not finite \(a number beyond .* 1e999"),
        ("-1e999", r"'layers\.0\.neurons\.0\.b': -inf is not finite"),
        ("NaN", r"'layers\.0\.neurons\.0\.b': nan is not finite; parameters must"),
        ("true", r"'layers\.0\.neurons\.0\.b': expected a real number, got bool True"),
        ('"0.5"', r"'layers\.0\.neurons\.0\.b': expected a real number, got str '0\.5'"),
        ("[[0.5]]", r"'layers\.0\.neurons\.0\.b': expected a real number, got list \[\[0\.5\]\]"),
        ("null", r"'layers\.0\.neurons\.0\.b': expected a real number, got NoneType None"),
        ("1" + "0" * 5000, "an integer of thousands of digits|too large for a float"),
    ],
    ids=["10**400", "1e999", "-1e999", "NaN", "bool", "str", "list", "null", "10**5000"],
)
def test_a_hostile_number_in_a_checkpoint_is_a_value_error_naming_the_parameter(
    tmp_path: Path, written: str, message: str
) -> None:
    # The defect: an integer 10**400 gave a bare OverflowError from float().
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    text = path.read_text(encoding="utf-8")
    assert '"layers.0.neurons.0.b": 0.0' in text
    path.write_text(
        text.replace('"layers.0.neurons.0.b": 0.0', f'"layers.0.neurons.0.b": {written}')
    )
    for load in (nn.MLP(2, [1], seed=1).load, nn.load):
        model = nn.MLP(2, [1], seed=1)
        before = model.state_dict()
        with pytest.raises(ValueError, match=message):
            load(path)
        assert model.state_dict() == before


def test_minus_zero_is_a_fine_parameter(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    model = nn.MLP(2, [1], seed=0)
    model.layers[0].neurons[0].b.data = -0.0
    model.save(path)
    assert math.copysign(1.0, nn.load(path).state_dict()["layers.0.neurons.0.b"]) == -1.0


def test_a_key_written_twice_is_refused_rather_than_one_copy_kept_silently(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.MLP(2, [1], seed=0).save(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"parameters": {', '"parameters": {"layers.0.neurons.0.b": 3.0,'))
    for load in (nn.MLP(2, [1]).load, nn.load):
        with pytest.raises(ValueError, match=r"'layers\.0\.neurons\.0\.b' appears twice"):
            load(path)


# -- files written before the package became a tree (issue 23) -----------------------------

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


@pytest.mark.parametrize("name", ["checkpoint_mlp_remedies.json", "checkpoint_sequential.json"])
def test_a_checkpoint_written_by_the_flat_package_loads_and_saves_byte_for_byte(
    name: str, tmp_path: Path
) -> None:
    # Written by the last flat-module version (nn.py); nn.load must rebuild it, and
    # saving the rebuilt model must write the very same bytes.
    old = SNAPSHOTS / name
    model = nn.load(old)
    again = tmp_path / name
    model.save(again)
    assert again.read_bytes() == old.read_bytes()
