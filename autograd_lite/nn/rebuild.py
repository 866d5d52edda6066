"""``nn.load``: rebuild a model of any kind from its checkpoint file."""

from __future__ import annotations

import itertools
import os
from typing import Any

from autograd_lite._helpers import (
    is_whole,
)
from autograd_lite.nn._checks import (
    _NORM_DEFAULTS,
    _a,
    _checked_norm_settings,
    _describe_config,
    _Path,
    _short,
    _some,
)
from autograd_lite.nn.activations import ReLU, Sigmoid, Tanh
from autograd_lite.nn.containers import Sequential
from autograd_lite.nn.layers import Layer, Neuron
from autograd_lite.nn.mlp import MLP
from autograd_lite.nn.module import Module, _parameters, _read_checkpoint, register_rebuilder
from autograd_lite.nn.regularisation import BatchNorm, Dropout
from autograd_lite.nn.residual import Residual

#: How deep nn.load rebuilds modules inside modules; a real network is far shallower,
#: and the limit keeps a hostile file from exhausting Python's recursion.
_MAX_DEPTH = 100


def load(path: str | os.PathLike[str]) -> Module:
    """Build the model saved in ``path`` (by ``Module.save``): its architecture,
    parameters and buffers, whatever kind of module it is.

    ``MLP.load(path)`` does the same and also checks that the file holds an
    MLP (``Sequential.load``, ``Layer.load`` ... likewise). The model starts
    in training mode, as a new model does, and dropout draws fresh masks.
    Anything the file does not describe exactly (another kind of model, an
    unknown module, bad settings, parameters that do not fit) raises
    ValueError, and an OSError comes through when the file cannot be read.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> model = MLP(2, [3, 1], batch_norm=True, seed=0)
        >>> model.save(path)
        >>> load(path)
        MLP(2, [3, 1], activation='relu', output_activation='linear', batch_norm=True)
        >>> MLP.load(path).state_dict() == model.state_dict()
        True
        >>> Layer.load(path)
        Traceback (most recent call last):
        ...
        ValueError: Layer.load(...): the file holds an MLP, not a Layer; ...
    """
    return _built_from_file(path, f"nn.load({str(path)!r})", None)


def _built_from_file(path: _Path, where: str, cls: type[Module] | None) -> Module:
    """The model saved in ``path``, refused unless it is a ``cls`` (any module for None)."""
    document = _read_checkpoint(path, where)
    config = document.get("model")
    kind = _kind(config, where)
    if cls is not None and not issubclass(kind, cls):
        raise ValueError(
            f"{where}: the file holds {_a(kind.__name__)}, not {_a(cls.__name__)}; load it "
            f"with nn.load(path) (or {kind.__name__}.load(path))"
        )
    parameters = _parameters(document, where)
    # A model far larger than the values in the file is refused before it is built
    # (layer_sizes=[10**9] would fill the memory); one about the file's size is built,
    # so that the names missing from the file can be listed.
    size, held = _state_size(config, where, 0), len(parameters)
    if size > 2 * held + 1000:
        raise ValueError(
            f"{where}: the file describes {_a(_describe_config(config))} with {size} "
            f"parameters and buffers, but holds {held} values; it was edited or is corrupt"
        )
    model = _build(config, where, 0)
    if model.config() != config:
        raise ValueError(
            f"{where}: the file's {_describe_config(config)} is not what Module.save writes "
            f"for the model it describes ({_describe_config(model.config())}); it was edited "
            "by hand: write the settings as save does, or build the model and call model.load"
        )
    expected = [name for name, _ in model._named_state()]
    missing = [name for name in expected if name not in parameters]
    unexpected = sorted(set(parameters) - set(expected))
    if missing or unexpected:
        parts = [f"missing {_some(missing)}"] if missing else []
        parts += [f"unexpected {_some(unexpected)}"] if unexpected else []
        raise ValueError(
            f"{where}: the file's parameters do not fit the {_describe_config(config)} it "
            f"describes: {'; '.join(parts)}; the file was edited or is corrupt"
        )
    model.load_state_dict(parameters)
    return model


#: What nn.load can rebuild: each kind's class, and its settings (required, optional).
_KINDS: dict[str, tuple[type[Module], tuple[str, ...], tuple[str, ...]]] = {
    "MLP": (
        MLP,
        ("n_inputs", "layer_sizes", "activation", "output_activation"),
        ("dropout", "batch_norm", "residual", "norm_settings"),
    ),
    "Sequential": (Sequential, ("modules",), ()),
    "Layer": (Layer, ("n_inputs", "n_outputs", "activation"), ()),
    "Neuron": (Neuron, ("n_inputs", "activation"), ()),
    "ReLU": (ReLU, (), ()),
    "Tanh": (Tanh, (), ()),
    "Sigmoid": (Sigmoid, (), ()),
    "Dropout": (Dropout, ("p",), ()),
    "BatchNorm": (BatchNorm, ("n_features",), ("momentum", "eps")),
    "Residual": (Residual, ("module",), ()),
}


def _kind(config: Any, where: str) -> type[Module]:
    """The class a module's config names, once its settings are the ones it takes."""
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        raise ValueError(
            f"{where}: the file does not describe a model (expected a mapping with a 'type', "
            f"got {_short(config)}); was it written by Module.save?"
        )
    name = config["type"]
    if name not in _KINDS:
        raise ValueError(
            f"{where}: the file holds {_a(_short(name))} module, which nn.load cannot rebuild "
            f"(it rebuilds {', '.join(_KINDS)}); build the model in code and call "
            "model.load(path) on it"
        )
    kind, required, optional = _KINDS[name]
    missing = [key for key in required if key not in config]
    unknown = [key for key in config if key != "type" and key not in required + optional]
    if missing or unknown:
        parts = [f"no {key!r}" for key in missing] + [f"an unknown {_short(k)}" for k in unknown]
        raise ValueError(
            f"{where}: the {name} in the file has {' and '.join(parts)} ({_a(name)} is described "
            f"by {', '.join(required + optional) or 'its type alone'}); the file was edited"
        )
    return kind


def _state_size(config: Any, where: str, depth: int) -> int:
    """How many parameters and buffers ``config`` describes, without building it
    (0 for what ``_build`` will refuse), so a file cannot make nn.load build a
    model far larger than the values it holds."""
    if depth > _MAX_DEPTH:
        raise ValueError(
            f"{where}: the file nests modules more than {_MAX_DEPTH} deep, deeper than "
            "nn.load rebuilds; build the model in code and call model.load(path) on it"
        )
    if not isinstance(config, dict):
        return 0
    name = config.get("type")
    if name in ("Sequential", "Residual"):
        parts = config.get("modules") if name == "Sequential" else [config.get("module")]
        if not isinstance(parts, list):
            return 0
        return sum(_state_size(part, where, depth + 1) for part in parts)
    layer_sizes = config.get("layer_sizes")
    sizes = _whole_numbers(
        [config.get("n_inputs"), *(layer_sizes if isinstance(layer_sizes, list) else [None])]
        if name == "MLP"
        else [config.get(key) for key in ("n_inputs", "n_outputs", "n_features") if key in config]
    )
    if not sizes:
        return 0
    if name == "MLP":
        weights = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
        return weights + (4 * sum(sizes[1:-1]) if config.get("batch_norm") is True else 0)
    if name == "Layer" and len(sizes) == 2:
        return (sizes[0] + 1) * sizes[1]
    if name == "Neuron":
        return sizes[0] + 1
    return 4 * sizes[0] if name == "BatchNorm" else 0


def _whole_numbers(items: Any) -> list[int]:
    """``items`` when it is a list of ints, else empty."""
    if not isinstance(items, list) or not all(is_whole(n) for n in items):
        return []
    return items


def _build(config: Any, where: str, depth: int) -> Module:
    """A new module as ``config`` describes it (its parameters still to be loaded).

    Seeds are fixed, so building never draws from the global ``random``."""
    kind = _kind(config, where)
    name = config["type"]
    if name == "Sequential" and not (isinstance(config["modules"], list) and config["modules"]):
        raise ValueError(f"{where}: the Sequential in the file has no list of modules")
    parts = (
        [_build(c, where, depth + 1) for c in config["modules"]]
        if name == "Sequential"
        else [_build(config["module"], where, depth + 1)]
        if name == "Residual"
        else []
    )
    try:
        return _construct(kind, config, parts)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where}: the file's {_describe_config(config)} cannot be built: {error}"
        ) from None


def _construct(kind: type[Module], config: dict[str, Any], parts: list[Module]) -> Module:
    """Call ``kind``'s constructor with the settings in ``config``."""
    if kind is MLP:
        model = MLP(
            config["n_inputs"],
            config["layer_sizes"],
            config["activation"],
            config["output_activation"],
            seed=0,
            dropout=config.get("dropout", 0.0),
            batch_norm=config.get("batch_norm", False),
            residual=config.get("residual", False),
        )
        settings = config.get("norm_settings", [{}] * len(model.norms))
        if not (isinstance(settings, list) and len(settings) == len(model.norms)):
            raise ValueError(f"norm_settings must be a list of {len(model.norms)} mappings")
        for norm, setting in zip(model.norms, settings, strict=True):
            if not isinstance(setting, dict) or set(setting) - set(_NORM_DEFAULTS):
                raise ValueError(f"norm_settings holds {_short(setting)}, not momentum and eps")
            norm.momentum, norm.eps = _checked_norm_settings(**{**_NORM_DEFAULTS, **setting})
        return model
    if kind is Sequential:
        return Sequential(*parts)
    if kind is Residual:
        return Residual(parts[0])
    if kind is Layer:
        return Layer(config["n_inputs"], config["n_outputs"], config["activation"], seed=0)
    if kind is Neuron:
        return Neuron(config["n_inputs"], config["activation"], seed=0)
    if kind is Dropout:
        return Dropout(config["p"], seed=0)
    if kind is BatchNorm:
        settings = {**_NORM_DEFAULTS, **{k: config[k] for k in _NORM_DEFAULTS if k in config}}
        return BatchNorm(config["n_features"], **settings)
    return kind()  # the activations take no settings


register_rebuilder(_built_from_file)
