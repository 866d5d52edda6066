"""``autograd-lite train`` and ``evaluate``: a small network on a toy data set,
with each data set's recipe, saving, loading, histories and plots.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import math
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd_lite._helpers import finite_or_none
from autograd_lite.cli.errors import EXIT_OK, CommandError, UsageError, _one_line
from autograd_lite.cli.output import _cannot_write, _write
from autograd_lite.value import Value

#: The largest training step, in samples times parameters: a step holds the graph of
#: its whole batch, about 0.55 KB per sample and parameter (measured: 1,000 moons
#: samples through 337 parameters take 185 MB), so this is about half a gigabyte.
#: ``--compile`` builds no graph per step and is not limited by it.
MAX_STEP_SIZE = 1_000_000


_BYTES_PER_STEP_SIZE = 550


@dataclass(frozen=True)
class _Recipe:
    """A data set's training defaults (100% training accuracy at seed 0, spirals ~99%)."""

    hidden: tuple[int, ...]
    activation: str
    optimizer: str
    lr: float
    epochs: int
    batch_size: int | None
    samples: int | None  # None: the data set is fixed


_RECIPES = {
    "xor": _Recipe((8,), "tanh", "adam", 0.1, 100, None, None),
    "moons": _Recipe((16, 16), "relu", "adam", 0.05, 50, None, 100),
    "spirals": _Recipe((16, 16), "relu", "adam", 0.05, 50, None, 150),
    "worked-example": _Recipe((2,), "sigmoid", "sgd", 0.5, 1000, 1, None),
}


_OPTIMIZERS = {
    "sgd": "SGD",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


# The worked example's published starting weights: (weights, biases) per layer.
_WORKED_EXAMPLE_WEIGHTS = [
    ([[0.15, 0.25], [0.20, 0.30]], [0.35, 0.35]),
    ([[0.40, 0.45]], [0.60]),
]


@dataclass
class _Training:
    """What ``_train`` did, for printing and for the demo."""

    dataset: str
    X: list[list[float]]
    y: list[int]
    model: Any
    loss_name: str
    optimizer: str
    lr: float
    batch_size: int | None
    history: Any
    final_loss: float
    accuracy: float
    seconds: float
    start_from: str | None = None


class _DivergenceError(CommandError):
    """Training met a non-finite loss or parameter: reported with exit status 1.

    ``what`` says what happened and ``advice`` what to do; the message is both, the
    advice last.
    """

    def __init__(self, what: str, advice: str) -> None:
        super().__init__(f"{what}; {advice}")
        self.what = what
        self.advice = advice


def _train(
    dataset: str,
    *,
    hidden: tuple[int, ...] | None = None,
    activation: str | None = None,
    optimizer: str | None = None,
    lr: float | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    samples: int | None = None,
    seed: int = 0,
    progress: bool = False,
    compile: bool = False,
    start_from: str | None = None,
) -> _Training:
    """Train a new model (or the one saved in ``start_from``) on ``dataset``.

    Raises ``_DivergenceError`` at the first epoch whose loss or parameters are not
    finite, whether ``fit`` raises there or not.
    """
    from autograd_lite import optim
    from autograd_lite.train import evaluate, fit

    recipe = _RECIPES[dataset]
    if start_from is not None and (hidden is not None or activation is not None):
        flag = "--hidden" if hidden is not None else "--activation"
        raise UsageError(
            f"{flag}: the architecture comes from {start_from} (--from); leave {flag} out"
        )
    X, y = _dataset(dataset, samples, seed)
    if start_from is not None:
        model = _load_model(start_from)
        loss_name = _loss_for(model, start_from, dataset, X, y)
        _evaluated(model, start_from, dataset, X, y, loss_name)  # finite before any step
    else:
        model, loss_name = _new_model(dataset, X, y, hidden, activation, seed)
    batch = batch_size or recipe.batch_size
    if not compile:
        _check_step_size(len(X), batch, len(model.parameters()))
    optimizer_name = optimizer or recipe.optimizer
    rate = lr or recipe.lr
    opt = getattr(optim, _OPTIMIZERS[optimizer_name])(model.parameters(), lr=rate)
    n_epochs = epochs or recipe.epochs
    watch = _Watch(model)
    advice = (
        f"try a smaller --lr (this run: {optimizer_name} --lr {rate:g}; "
        f"the {dataset} default: {recipe.optimizer} --lr {recipe.lr:g})"
    )
    start = time.perf_counter()
    try:
        history = fit(
            model,
            X,
            y,
            loss=loss_name,
            optimizer=opt,
            epochs=n_epochs,
            batch_size=batch,
            shuffle=dataset != "worked-example",  # the article updates after each sample, in order
            seed=seed,
            progress=progress,
            compile=compile,
            callbacks=[watch],
        )
    except (ValueError, ArithmeticError) as error:
        epoch = f"epoch {watch.epochs + 1} of {n_epochs}"
        if isinstance(error, ArithmeticError) or _NON_FINITE.search(str(error)):
            raise _DivergenceError(
                f"training diverged in {epoch}: {_cause(error)}", advice
            ) from None
        raise CommandError(f"training failed in {epoch}: {_one_line(error)}") from None
    if watch.problem:
        raise _DivergenceError(
            f"training diverged in epoch {watch.epochs} of {n_epochs}: {watch.problem}", advice
        )
    try:
        final_loss, accuracy = evaluate(model, X, y, loss=loss_name)
    except (ValueError, ArithmeticError) as error:
        raise _DivergenceError(f"training diverged: {_one_line(error)}", advice) from None
    if not math.isfinite(final_loss):
        raise _DivergenceError(f"training diverged: the final loss is {final_loss}", advice)
    seconds = time.perf_counter() - start
    return _Training(
        dataset, X, y, model, loss_name, optimizer_name, rate, batch, history, final_loss,
        accuracy if accuracy is not None else math.nan, seconds, start_from,
    )  # fmt: skip


# How the library's messages about overflow read ("is inf", "non-finite", "nan").
_NON_FINITE = re.compile(r"\b(?:non-?finite|nan|inf|overflow\w*|diverged)\b", re.IGNORECASE)


# What the command line says itself in front of the cause: "fit: training diverged in epoch 3: ".
_SAID_ALREADY = re.compile(r"^(?:fit: )?(?:training diverged (?:in|at) epoch \d+[^:]*: )?")


def _cause(error: BaseException) -> str:
    """The first sentence of a training error, which says what became non-finite; the
    command line says the epoch and what to do itself, in its own terms."""
    text = _SAID_ALREADY.sub("", _one_line(error)).removeprefix("backward(): ")
    text = text.replace("the root is ", "the loss is ", 1)  # backward()'s root: the loss
    return re.split(r"(?<=\.)\s+(?=[A-Z])", text, maxsplit=1)[0].rstrip(" .;,")


class _Watch:
    """A ``fit`` callback: stops training at the first epoch whose loss or parameters
    are not finite, and remembers what it saw (nothing after a NaN means anything)."""

    __name__ = "divergence check"

    def __init__(self, model: Any) -> None:
        self.named: list[tuple[str, Value]] = model.named_parameters()
        self.epochs = 0
        self.problem = ""

    def __call__(self, history: Any) -> bool:
        self.epochs = history.epochs
        loss = history.loss[-1]
        if not math.isfinite(loss):
            self.problem = f"the loss is {loss}"
        else:
            self.problem = _first_non_finite(self.named)
        return bool(self.problem)


def _first_non_finite(named: list[tuple[str, Value]]) -> str:
    """``"parameter 'name' is nan"`` for the first non-finite parameter, or ""."""
    if math.isfinite(math.fsum(p.data for _, p in named)):  # one pass in the common case
        return ""
    for name, p in named:
        if not math.isfinite(p.data):
            return f"parameter {name!r} is {p.data}"
    return ""  # the sum overflowed, but every parameter is finite


def _dataset(dataset: str, samples: int | None, seed: int) -> tuple[list[list[float]], list[int]]:
    from autograd_lite import datasets

    recipe = _RECIPES[dataset]
    if samples is not None and recipe.samples is None:
        raise UsageError(
            f"--samples: the {dataset} data set is fixed; only moons and spirals take it"
        )
    n = samples or recipe.samples or 0
    try:
        if dataset == "xor":
            return datasets.xor()
        if dataset == "worked-example":
            return datasets.worked_example()
        if dataset == "moons":
            return datasets.moons(n, seed=seed)
        return datasets.spirals(n, seed=seed)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _new_model(
    dataset: str,
    X: list[list[float]],
    y: list[int],
    hidden: tuple[int, ...] | None,
    activation: str | None,
    seed: int,
) -> tuple[Any, str]:
    """The recipe's network for ``dataset`` (changed by --hidden, --activation) and its loss."""
    from autograd_lite.nn import MLP

    recipe = _RECIPES[dataset]
    n_classes = len(set(y))
    hidden_sizes = hidden or recipe.hidden
    hidden_activation = activation or recipe.activation
    article = dataset == "worked-example"
    if n_classes > 2:
        outputs, output_activation, loss_name = n_classes, "linear", "cross_entropy"
    elif article:
        # As in the article: a sigmoid output and binary cross-entropy on probabilities.
        outputs, output_activation, loss_name = 1, "sigmoid", "binary_cross_entropy"
    else:
        # Logits and the fused loss: stable where a saturated sigmoid would give log(0).
        outputs, output_activation, loss_name = 1, "linear", "binary_cross_entropy_with_logits"
    model = MLP(
        len(X[0]),
        [*hidden_sizes, outputs],
        activation=hidden_activation,  # type: ignore[arg-type]
        output_activation=output_activation,  # type: ignore[arg-type]
        seed=seed,
    )
    if article and hidden_sizes == (2,) and hidden_activation == "sigmoid":
        model.load_weights(_WORKED_EXAMPLE_WEIGHTS)
    return model, loss_name


def _load_model(path: str) -> Any:
    """The MLP saved in ``path`` (by ``train --save`` or ``Module.save``), architecture and all."""
    from autograd_lite import nn

    try:
        model = nn.load(path)
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror or error}") from None
    except (ValueError, TypeError) as error:
        raise CommandError(f"cannot use {path}: {_one_line(error)}") from None
    if not isinstance(model, nn.MLP):
        raise UsageError(
            f"{path} holds a {type(model).__name__}; the command line trains and evaluates "
            "MLPs (what train --save writes): load other modules in Python with nn.load"
        )
    return model


def _loss_for(model: Any, path: str, dataset: str, X: list[list[float]], y: list[int]) -> str:
    """The loss that fits a loaded MLP's output on ``dataset``, or a UsageError saying
    why the model does not fit the data set."""
    width, n_classes = len(X[0]), len(set(y))
    described = f"{path} holds {_describe_model(model)}"
    if model.n_inputs != width:
        raise UsageError(
            f"{described}, which takes {model.n_inputs} inputs per sample, but {dataset}'s "
            f"samples have {width}"
        )
    outputs = model.layer_sizes[-1]
    if outputs == 1 and n_classes == 2:
        if model.output_activation == "sigmoid":
            return "binary_cross_entropy"
        return "binary_cross_entropy_with_logits"
    if outputs == n_classes:
        return "cross_entropy"
    needed = f"1 output or {n_classes}" if n_classes == 2 else f"{n_classes} outputs"
    raise UsageError(
        f"{described}, which has {outputs} output{'s' if outputs != 1 else ''}, but {dataset} "
        f"has {n_classes} classes, "
        f"so the model needs {needed} (one per class)"
    )


def _check_step_size(n: int, batch_size: int | None, parameters: int) -> None:
    """Refuse, before any work, a step whose graph would not fit in memory."""
    size = n if batch_size is None else min(batch_size, n)
    if size * parameters <= MAX_STEP_SIZE:
        return
    largest = MAX_STEP_SIZE // parameters
    gigabytes = size * parameters * _BYTES_PER_STEP_SIZE / 1e9
    batch = f"--batch-size {largest} or smaller, or " if largest >= 1 else ""
    raise UsageError(
        f"a training step over {size:,} samples through {parameters:,} parameters would hold "
        f"about {gigabytes:.1f} GB of graph; the limit is {MAX_STEP_SIZE:,} samples x "
        f"parameters per step: use {batch}--compile (which builds no graph per step)"
    )


def _describe_model(model: Any) -> str:
    sizes = "-".join(str(size) for size in [model.n_inputs, *model.layer_sizes])
    return (
        f"an MLP {sizes}, {model.activation} hidden, {model.output_activation} output, "
        f"{len(model.parameters())} parameters"
    )


def _run_train(args: argparse.Namespace) -> int:
    outputs = (
        ("--plot", args.plot, _PLOT_SUFFIXES),
        ("--save", args.save, (".json",)),
        ("--history", args.history, (".csv", ".json")),
    )
    for flag, path, suffixes in outputs:
        if path is not None and not path.lower().endswith(suffixes):
            raise UsageError(
                f"{flag} {path}: the file name must end in "
                + (suffixes[0] if len(suffixes) == 1 else "one of " + " ".join(suffixes))
            )
    progress = args.progress
    if progress is None:
        progress = sys.stderr.isatty() and _has_module("tqdm")
    elif progress and not _has_module("tqdm"):
        raise CommandError('--progress needs tqdm: pip install "autograd-lite[progress]"')
    try:
        run = _train(
            args.dataset,
            hidden=args.hidden,
            activation=args.activation,
            optimizer=args.optimizer,
            lr=args.lr,
            epochs=args.epochs,
            batch_size=args.batch_size,
            samples=args.samples,
            seed=args.seed,
            progress=progress,
            compile=args.compile,
            start_from=args.start_from,
        )
    except _DivergenceError as error:
        files = [path for _, path, _ in outputs if path is not None]
        if files:
            what = f"{error.what}; nothing was written ({', '.join(files)})"
            raise _DivergenceError(what, error.advice) from None
        raise
    if args.plot is not None:
        _plot_training(run, args.plot)
    if args.save is not None:
        _save_model(run.model, args.save)
    if args.history is not None:
        _save_history(run.history, args.history)
    model = run.model
    result: dict[str, Any] = {
        "dataset": run.dataset,
        "samples": len(run.X),
        "classes": len(set(run.y)),
        "model": {**model.config(), "parameters": len(model.parameters())},
        "loss_function": run.loss_name,
        "optimizer": run.optimizer,
        "lr": run.lr,
        "batch_size": run.batch_size,
        "epochs": run.history.epochs,
        "loss": run.final_loss,
        "accuracy": run.accuracy,
        "seconds": run.seconds,
        "history": run.history.to_dict(),
    }
    if run.start_from is not None:
        result["from"] = run.start_from
    written = [("plot", args.plot), ("saved", args.save), ("history_file", args.history)]
    result.update((key, path) for key, path in written if path is not None)
    out = sys.stdout
    if args.json:
        json.dump(finite_or_none(result), out, indent=2, allow_nan=False)
        out.write("\n")
        return EXIT_OK
    _print_training(run, out)
    for label, path in written:
        if path is not None:
            print(f"{label.removesuffix('_file'):<12}{path}", file=out)
    return EXIT_OK


def _save_model(model: Any, path: str) -> None:
    """Save a finite model whole or not at all (``Module.save`` writes atomically)."""
    problem = _first_non_finite(model.named_parameters())
    if problem:  # _train stops a diverged run first; this keeps any other path honest
        raise CommandError(f"not saving {path}: {problem}; the old file, if any, is unchanged")
    try:
        model.save(path)
    except OSError as error:
        raise CommandError(_cannot_write(path, error)) from None
    except ValueError as error:
        raise CommandError(f"not saving {path}: {_one_line(error)}") from None


def _save_history(history: Any, path: str) -> None:
    """The loss, accuracy and learning rate of every epoch, as CSV or JSON."""
    if path.lower().endswith(".csv"):
        text = io.StringIO()
        history.to_csv(text)
        _write(path, text.getvalue())
    else:
        data = finite_or_none(history.to_dict())
        _write(path, json.dumps(data, indent=1, allow_nan=False) + "\n")


def _evaluated(
    model: Any, path: str, dataset: str, X: list[list[float]], y: list[int], loss_name: str
) -> tuple[float, float | None]:
    """The loaded model's loss and accuracy on the data, refusing a non-finite loss."""
    from autograd_lite.train import evaluate

    try:
        loss, accuracy = evaluate(model, X, y, loss=loss_name)
    except (ValueError, ArithmeticError) as error:
        raise CommandError(f"cannot evaluate {path} on {dataset}: {_cause(error)}") from None
    if not math.isfinite(loss):
        raise CommandError(
            f"the model in {path} gives a loss of {loss} on {dataset}: "
            "its outputs overflow a float; its weights are too large for this data"
        )
    return loss, accuracy


def _run_evaluate(args: argparse.Namespace) -> int:
    X, y = _dataset(args.dataset, args.samples, args.seed)
    model = _load_model(args.model)
    loss_name = _loss_for(model, args.model, args.dataset, X, y)
    loss, accuracy = _evaluated(model, args.model, args.dataset, X, y, loss_name)
    result: dict[str, Any] = {
        "model_file": args.model,
        "model": {**model.config(), "parameters": len(model.parameters())},
        "dataset": args.dataset,
        "samples": len(X),
        "classes": len(set(y)),
        "seed": args.seed,
        "loss_function": loss_name,
        "loss": loss,
        "accuracy": accuracy,
    }
    out = sys.stdout
    if args.json:
        json.dump(finite_or_none(result), out, indent=2, allow_nan=False)
        out.write("\n")
        return EXIT_OK
    rows = [
        ("model", f"{args.model}: {_describe_model(model)}"),
        ("data", f"{args.dataset}: {len(X)} samples, {len(set(y))} classes, seed {args.seed}"),
        ("loss", f"{loss:.6g} ({loss_name})"),
    ]
    if accuracy is not None:
        correct = round(accuracy * len(X))
        rows.append(("accuracy", f"{accuracy:.1%} ({correct} of {len(X)} samples)"))
    for label, text in rows:
        print(f"{label:<12}{text}", file=out)
    return EXIT_OK


def _print_training(run: _Training, out: Any) -> None:
    model = run.model
    sizes = "-".join(str(size) for size in [model.n_inputs, *model.layer_sizes])
    correct = round(run.accuracy * len(run.X))
    batch = "full batch" if run.batch_size is None else f"batches of {run.batch_size}"
    losses = run.history.loss
    marks = sorted({0, len(losses) // 2, len(losses) - 1})
    curve = " -> ".join(f"{losses[i]:.4g} (epoch {i + 1})" for i in marks)
    rows = [
        ("data", f"{run.dataset}: {len(run.X)} samples, {len(set(run.y))} classes"),
        ("model", f"MLP {sizes}, {model.activation} hidden, {model.output_activation} output, "
                  f"{len(model.parameters())} parameters"),
        ("training", f"{run.optimizer} lr {run.lr:g}, {run.history.epochs} epochs, {batch}, "
                     f"loss {run.loss_name}"),
        ("loss curve", curve),
        ("final loss", f"{run.final_loss:.6g}"),
        ("accuracy", f"{run.accuracy:.1%} ({correct} of {len(run.X)} training samples)"),
        ("time", f"{run.seconds:.2f} s"),
    ]  # fmt: skip
    if run.start_from is not None:
        rows.insert(2, ("from", f"{run.start_from} (training continued)"))
    for label, text in rows:
        print(f"{label:<12}{text}", file=out)


_PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def _plot_training(run: _Training, path: str) -> None:
    """Save the loss curve beside the decision boundary."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CommandError('plotting needs matplotlib: pip install "autograd-lite[plot]"') from None
    from autograd_lite.train import plot_decision_boundary

    figure = Figure(figsize=(10.0, 4.2))
    loss_axes, boundary_axes = figure.subplots(1, 2)
    losses = run.history.loss
    loss_axes.plot(range(1, len(losses) + 1), losses)
    if min(losses) > 0 and max(losses) / min(losses) > 100:
        loss_axes.set_yscale("log")
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel(f"training loss ({run.loss_name})")
    loss_axes.set_title(f"{run.dataset}: loss per epoch")
    loss_axes.grid(alpha=0.3)
    plot_decision_boundary(run.model, run.X, run.y, ax=boundary_axes)
    boundary_axes.set_title(f"decision boundary, accuracy {run.accuracy:.0%}")
    figure.tight_layout()
    picture = io.BytesIO()  # rendered in memory, then written whole
    figure.savefig(picture, format=Path(path).suffix.lower().lstrip("."), dpi=100)
    _write(path, picture.getvalue())


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
