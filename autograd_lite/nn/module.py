"""``Module``, the base of every network part: parameters and buffers by name,
training and evaluation modes, the state dict, and checkpoint files (JSON,
written whole or not at all, validated before anything changes).
"""

from __future__ import annotations

import json
import math
import os
import types
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast, overload

from autograd_lite._helpers import (
    is_real,
    write_atomically,
)
from autograd_lite.autodiff import graph_building
from autograd_lite.nn._checks import (
    _checked_batch,
    _checked_number,
    _describe_config,
    _Path,
    _short,
    _some,
)
from autograd_lite.value import Value

_CHECKPOINT_FORMAT = "autograd_lite.checkpoint"


_CHECKPOINT_VERSION = 1


_M = TypeVar("_M", bound="Module")


class _Load:
    """``load`` as a class and as a model method, told apart by how it is reached:
    ``MLP.load(path)`` builds a new MLP from the file (``_load_new``), and
    ``model.load(path)`` reads the file's parameters into ``model`` (``_load_into``)."""

    @overload
    def __get__(self, model: None, owner: type[_M]) -> Callable[[_Path], _M]: ...

    @overload
    def __get__(
        self, model: Module, owner: type[Module] | None = None
    ) -> Callable[[_Path], None]: ...

    def __get__(
        self, model: Module | None, owner: type[Module] | None = None
    ) -> Callable[[_Path], Any]:
        if model is None:
            assert owner is not None  # reached through a class
            return types.MethodType(_load_new, owner)
        return types.MethodType(_load_into, model)


class Module(ABC):
    """Base class: anything with parameters that can be called on inputs.

    Subclasses implement ``named_parameters()`` and ``__call__`` (and
    ``children()`` when they hold other modules); everything else
    (``parameters``, ``zero_grad``, ``train``/``eval``, ``forward_batch``,
    ``state_dict``, ``save``/``load``) is built on those.
    """

    #: True in training mode (every module starts in it), False after ``eval()``.
    training: bool = True

    @abstractmethod
    def __call__(self, x: Sequence[Value | float]) -> Any:
        """The module's output for one sample."""

    @graph_building()
    def forward_batch(self, X: Sequence[Sequence[Value | float]]) -> list[Any]:
        """The outputs for a batch of samples, one output per sample.

        A module whose samples are independent (most of them) just calls
        itself once per sample; ``BatchNorm`` (and a model holding one) needs
        the whole batch at once, which is why ``fit`` calls this.

        Example:
            >>> from autograd_lite.nn import Layer
            >>> layer = Layer(1, 1, activation="linear")
            >>> layer.load_weights([[2.0]], [0.5])
            >>> [[v.data for v in out] for out in layer.forward_batch([[1.0], [3.0]])]
            [[2.5], [6.5]]
        """
        return [self(x) for x in _checked_batch(X, self)]

    @abstractmethod
    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs in ``parameters()`` order; names like ``neurons.1.w.0``."""

    def named_buffers(self) -> list[tuple[str, Value]]:
        """State that is saved with the parameters but not trained (``(name, Value)``
        pairs), such as batch norm's running statistics; empty for most modules."""
        return []

    def children(self) -> list[Module]:
        """The modules this one is directly built from (a layer's neurons, ...)."""
        return []

    def modules(self) -> list[Module]:
        """This module and every module inside it, depth first, itself first."""
        found: list[Module] = []
        stack: list[Module] = [self]
        while stack:
            module = stack.pop()
            found.append(module)
            stack.extend(reversed(module.children()))
        return found

    def train(self: _M, mode: bool = True) -> _M:
        """Put this module and all modules inside it in training mode (or, with
        ``mode=False``, evaluation mode); returns the module, as PyTorch does.

        In training mode ``Dropout`` drops inputs and ``BatchNorm`` uses the
        batch's statistics (and updates its running averages); in evaluation
        mode dropout is the identity and batch norm uses the running averages.

        Example:
            >>> from autograd_lite.nn import MLP
            >>> model = MLP(2, [4, 1], dropout=0.5, seed=0)
            >>> model.eval().training, model.train().training
            (False, True)
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode={mode!r}): mode must be True or False")
        for module in self.modules():
            module.training = mode
        return self

    def eval(self: _M) -> _M:
        """Evaluation mode (``train(False)``): dropout off, batch norm on running averages."""
        return self.train(False)

    def parameters(self) -> list[Value]:
        """The trainable leaves in micrograd's order (weights, then bias, per neuron)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0 (do it before each ``backward()``)."""
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor arguments, as JSON-ready data (stored in checkpoints)."""
        return {"type": type(self).__name__}

    def load_parameters(self, values: Sequence[float]) -> None:
        """Set every parameter from a flat list in ``parameters()`` order.

        This is how weights move from micrograd:
        ``ours.load_parameters([p.data for p in theirs.parameters()])``. The
        list is checked in full before anything changes.

        Example:
            >>> from autograd_lite.nn import Neuron
            >>> n = Neuron(2, activation="linear")
            >>> n.load_parameters([0.5, -1.0, 0.25])
            >>> n([2.0, 1.0]).data
            0.25
        """
        params = self.parameters()
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(
                f"load_parameters: expected a list of {len(params)} numbers, "
                f"got {type(values).__name__}"
            )
        if len(values) != len(params):
            raise ValueError(
                f"load_parameters: {self!r} has {len(params)} parameters, got {len(values)} "
                "values; list them in parameters() order (each neuron's weights, then its bias)"
            )
        numbers_ = [_checked_number(v, f"load_parameters: value {i}") for i, v in enumerate(values)]
        for p, v in zip(params, numbers_, strict=True):
            p.data = v

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, e.g. ``{"w.0": 0.3, ..., "b": 0.0}``,
        followed by the buffers (batch norm's running statistics), if any."""
        return {name: p.data for name, p in self._named_state()}

    def _named_state(self) -> list[tuple[str, Value]]:
        return self.named_parameters() + self.named_buffers()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set the parameters from ``state_dict()`` output.

        The names must match exactly, every value must be a finite real number,
        and a variance (batch norm's running variance) must not be negative;
        everything is checked before any parameter changes, so on error the
        model is left as it was.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: expected a mapping of name -> number, got {type(state).__name__}"
            )
        named = self._named_state()
        expected = [name for name, _ in named]
        missing = [name for name in expected if name not in state]
        known = set(expected)
        unexpected = [str(name) for name in state if name not in known]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing {_some(missing)}")
            if unexpected:
                parts.append(f"unexpected {_some(unexpected)}")
            raise ValueError(
                f"load_state_dict: the state does not fit {self!r}: {'; '.join(parts)}. "
                "It was saved from a model of another shape; build the same architecture first."
            )
        new = [_checked_number(state[name], f"load_state_dict: {name!r}") for name in expected]
        variances = {v for module in self.modules() for v in module._variances()}
        for (name, p), v in zip(named, new, strict=True):
            if v < 0.0 and p in variances:
                raise ValueError(
                    f"load_state_dict: {name!r} is {v!r}, but it is a variance, which cannot "
                    "be negative; the state was edited or corrupted"
                )
        for (_, p), v in zip(named, new, strict=True):
            p.data = v

    def _variances(self) -> list[Value]:
        """State that must never be negative (checked on loading); none by default."""
        return []

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and parameters to ``path`` as JSON (never pickle),
        whole or not at all.

        The checkpoint is built, serialised and checked in full first: a
        parameter that is not a finite number (training diverged) raises one
        ValueError naming it, and nothing is written. Only then is the file
        replaced, atomically (a temporary file in the same folder, fsync,
        ``os.replace``): a full disk or an unwritable folder raises OSError and
        leaves the file that was there byte for byte. Floats are written with
        ``repr`` precision, so loading restores them bit for bit.
        """
        write_atomically(path, _checkpoint_text(self, f"save({str(path)!r})"))

    load = _Load()
    """Read a checkpoint written by ``save``, on a class or on a model.

    ``MLP.load(path)`` (on the class) builds a new MLP from the file, its
    architecture and parameters, and refuses a file that holds another kind of
    model (``nn.load(path)`` takes any). ``model.load(path)`` (on a model)
    reads the parameters into this model, whose architecture must be the
    file's. Either raises ValueError, leaving any model unchanged, when the
    file is not an autograd_lite checkpoint, describes what cannot be built,
    or holds values that are not finite real numbers.
    """

    def _label(self, prefix: str) -> None:
        """Name every parameter and buffer after its place in the model (drawings show it)."""
        for name, p in self._named_state():
            p.label = prefix + name


#: Builds a new model of a class from a checkpoint file, refusing a file that holds
#: another kind (``MLP.load(path)``). ``nn.rebuild`` knows every kind of module and
#: registers it on import (this module knows none, so it cannot import them).
_rebuild: Callable[[_Path, str, type[Module]], Module] | None = None


def register_rebuilder(rebuild: Callable[[_Path, str, type[Module]], Module]) -> None:
    """Give ``cls.load(path)`` the function that rebuilds models from files."""
    global _rebuild
    _rebuild = rebuild


def _load_new(cls: type[_M], path: _Path) -> _M:
    """``cls.load(path)``: a new model of class ``cls`` built from the checkpoint in
    ``path`` (see ``nn.load``); ValueError when the file holds another class."""
    assert _rebuild is not None, "autograd_lite.nn registers nn.rebuild on import"
    return cast("_M", _rebuild(path, f"{cls.__name__}.load({str(path)!r})", cls))


def _load_into(model: Module, path: _Path) -> None:
    """``model.load(path)``: read parameters written by ``save`` into this model.

    Raises ValueError, leaving the model unchanged, when the file is not an
    autograd_lite checkpoint, was saved from a different architecture, or
    holds non-numeric or non-finite values.
    """
    where = f"load({str(path)!r})"
    document = _read_checkpoint(path, where)
    if document.get("model") != model.config():
        raise ValueError(
            f"{where}: the file holds a {_describe_config(document.get('model'))}, "
            f"but this model is {model!r}; build that architecture, then load (or let "
            f"{type(model).__name__}.load(path) build it)"
        )
    model.load_state_dict(_parameters(document, where))


def _checkpoint_text(model: Module, where: str) -> str:
    """``model``'s checkpoint as JSON text, checked in full: what ``save`` writes."""
    buffers = {v for _, v in model.named_buffers()}
    state: dict[str, float] = {}
    bad: list[tuple[str, Value]] = []
    for name, p in model._named_state():
        if name in state:
            raise ValueError(
                f"{where}: two parameters of {model!r} are named {name!r}, so a checkpoint "
                "would keep only one of them; give each its own name in named_parameters()"
            )
        number = _float_or_none(p.data)
        state[name] = 0.0 if number is None else number
        if number is None or not math.isfinite(number):
            bad.append((name, p))
    if bad:
        name, p = bad[0]
        kind = "buffer" if p in buffers else "parameter"
        label = f" (labelled {p.label!r})" if p.label and p.label != name else ""
        data = p.data
        what = f"is {_short(data)}" if is_real(data) else f"is {type(data).__name__} {_short(data)}"
        others = len(bad) - 1
        more = (
            (f", and {others} more {'is not a finite number' if others == 1 else 'are not either'}")
            if others
            else ""
        )
        raise ValueError(
            f"{where}: {kind} {name!r}{label} {what}{more}. A checkpoint holds finite numbers "
            "only, so nothing was written (a file already there is unchanged). If training "
            f"diverged, reload the last good checkpoint ({type(model).__name__}.load(path)) "
            "and train again with a lower learning rate (or clip the gradients)"
        )
    config = model.config()
    document = {
        "format": _CHECKPOINT_FORMAT,
        "version": _CHECKPOINT_VERSION,
        "model": config,
        "parameters": state,
    }
    try:
        text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    except (TypeError, ValueError) as error:  # the parameters are finite floats by now
        raise ValueError(
            f"{where}: {type(model).__name__}.config() returns {_short(config)}, which JSON "
            f"cannot hold ({error}); return only dicts with str keys, lists, strings, finite "
            "numbers, bools and None"
        ) from None
    if json.loads(text) != document:
        raise ValueError(
            f"{where}: {type(model).__name__}.config() returns {_short(config)}, which does "
            "not read back the same from JSON (a tuple becomes a list, an int key a string), "
            "so load could not recognise the model; return lists and str keys"
        )
    return text


def _float_or_none(data: Any) -> float | None:
    """``data`` as a float (inf for an int too large for one); None if not a number."""
    if not is_real(data):
        return None
    try:
        return float(data)
    except OverflowError:
        return math.inf


class _DuplicateKeyError(ValueError):
    """A JSON object with the same key twice (json keeps the last without a word)."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key that appears twice."""
    found: dict[str, Any] = {}
    for key, item in pairs:
        if key in found:
            raise _DuplicateKeyError(key)
        found[key] = item
    return found


def _read_checkpoint(path: _Path, where: str) -> dict[str, Any]:
    """The JSON document in ``path``, if it is a checkpoint of a version we read."""
    with open(path, encoding="utf-8") as f:
        try:
            document = json.load(f, object_pairs_hook=_unique_keys)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError(
                f"{where}: not valid JSON (is it a checkpoint written by Module.save?): {error}"
            ) from None
        except RecursionError:  # brackets nested deeper than the decoder recurses
            raise ValueError(
                f"{where}: not a checkpoint written by Module.save: its JSON is nested far "
                "deeper than a checkpoint ever is"
            ) from None
        except _DuplicateKeyError as error:
            raise ValueError(
                f"{where}: the key {str(error)!r} appears twice in one object, and only one of "
                "the two could be read; Module.save never writes that: the file was edited"
            ) from None
        except ValueError:  # an integer of more digits than Python converts (4300)
            raise ValueError(
                f"{where}: not a checkpoint written by Module.save: it holds an integer of "
                "thousands of digits, which no parameter needs (a float holds at most about "
                "1.8e308); the file was edited or is corrupt"
            ) from None
    if not isinstance(document, dict) or document.get("format") != _CHECKPOINT_FORMAT:
        raise ValueError(f"{where}: not an autograd_lite checkpoint (written by Module.save)")
    if document.get("version") != _CHECKPOINT_VERSION:
        raise ValueError(
            f"{where}: checkpoint version {_short(document.get('version'))} is not "
            f"supported (this autograd_lite reads version {_CHECKPOINT_VERSION})"
        )
    return document


def _parameters(document: dict[str, Any], where: str) -> dict[str, Any]:
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: the checkpoint has no 'parameters' mapping")
    return parameters
