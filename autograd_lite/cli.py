"""The ``autograd-lite`` command: differentiate, explain and draw an expression; train a demo.

Subcommands:

- ``grad EXPR NAME=VALUE ...``: the value and every partial derivative, with
  ``--explain`` (forward table and backward ledger), ``--draw FILE``,
  ``--hessian``, ``--check`` (gradcheck) and ``--json``.
- ``train DATASET``: train a small network on a toy data set.
- ``demo``: a short tour that explains and draws an expression and trains a
  tiny network, writing its pictures into a folder.

Expressions are parsed by ``autograd_lite.expression`` (a whitelist over
Python's ``ast``; nothing is executed). Errors are one-line messages, never
tracebacks, and the exit status says what kind: 0 ok, 1 runtime error (a
domain error such as ``log(x)`` at x = -1, a failed gradient check, a file
that cannot be written), 2 usage error (a bad expression or argument).

Example:
    >>> main(["grad", "x*y + sin(x)", "x=2", "y=3"])
    expression  x*y + sin(x)
    at          x = 2.0, y = 3.0
    value       6.909297426825682
    df/dx       2.5838531634528574
    df/dy       2.0
    0
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import math
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd_lite._helpers import finite_or_none
from autograd_lite.autodiff import graph_building, hessian, no_grad
from autograd_lite.expression import (
    FUNCTIONS,
    MAX_LENGTH,
    EvaluationError,
    Expression,
    ExpressionError,
    name_is_valid,
    normalize_name,
    parse,
)
from autograd_lite.gradcheck import GradcheckReport, gradcheck
from autograd_lite.jit import jit
from autograd_lite.value import Value

__all__ = ["EXIT_OK", "EXIT_RUNTIME_ERROR", "EXIT_USAGE_ERROR", "build_parser", "main"]

#: Exit status: success.
EXIT_OK = 0
#: Exit status: the input was fine but the work failed (domain error, failed check, I/O).
EXIT_RUNTIME_ERROR = 1
#: Exit status: the command line was wrong (bad expression, option or assignment).
EXIT_USAGE_ERROR = 2

PROG = "autograd-lite"

_EXIT_CODES = """\
exit status (errors are one message on stderr, also with --json):
  0  success
  1  runtime error: the expression is undefined at the point (log(x) at x = -1),
     a gradient check failed, a file could not be written, an optional
     dependency is missing
  2  usage error: a rejected expression, a missing or unused variable, a bad
     option"""

_LANGUAGE = (
    "expressions:\n"
    + textwrap.fill(
        "numbers, variable names, + - * / ** (power), unary minus, parentheses and the "
        f"functions {' '.join(sorted(FUNCTIONS))}. Nothing else is accepted (no attributes, "
        "other calls, strings, comparisons...) and nothing is ever executed; at most "
        f"{MAX_LENGTH:,} characters. Quote the expression for the shell. If it starts with "
        "a minus sign, put -- before it (options first):",
        width=79,
        initial_indent="  ",
        subsequent_indent="  ",
    )
    + f'\n    {PROG} grad --json -- "-x**2" x=3'
)


def _paragraph(text: str) -> str:
    """``text`` wrapped for a terminal (the raw help formatter keeps our line breaks)."""
    return textwrap.fill(text, width=79)


class UsageError(Exception):
    """A problem with the command line: reported with exit status 2."""


class CommandError(Exception):
    """The command line was fine but the work failed: reported with exit status 1."""


# -- the parser ----------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``autograd-lite`` argument parser, with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_paragraph(
            "Differentiate an expression and see how: values, partial derivatives, the "
            "backward ledger and the graph. Or train a tiny network on a toy data set."
        ),
        epilog=f"""\
examples:
  {PROG} demo
  {PROG} grad "x*y + sin(x)" x=2 y=3
  {PROG} grad "x*y + sin(x)" x=2 y=3 --explain --draw graph.svg
  {PROG} train xor

run "{PROG} COMMAND --help" for a command's options.

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_grad(commands)
    _add_train(commands)
    _add_demo(commands)
    return parser


def _add_grad(commands: Any) -> None:
    grad = commands.add_parser(
        "grad",
        help="value and partial derivatives of an expression",
        description=_paragraph(
            "Evaluate EXPR at the given point and print its value and its partial "
            "derivative with respect to every variable."
        ),
        epilog=f"""\
examples:
  {PROG} grad "x*y + sin(x)" x=2 y=3
  {PROG} grad "x*y + sin(x)" x=2 y=3 --explain
  {PROG} grad "x*y + sin(x)" x=2 y=3 --draw graph.svg
  {PROG} grad "x**2 * y + y**3" x=1 y=2 --hessian
  {PROG} grad "relu(x) * abs(y)" x=0.5 y=-2 --check
  {PROG} grad "exp(-x**2)" x=0.5 --json
  {PROG} grad "x*y + sin(x)" x=2 y=3 --source

{_LANGUAGE}

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grad.add_argument("expression", metavar="EXPR", help='the expression, e.g. "x*y + sin(x)"')
    grad.add_argument(
        "assignments",
        metavar="NAME=VALUE",
        nargs="*",
        help="a value for each variable of EXPR, e.g. x=2 y=-0.5",
    )
    grad.add_argument(
        "--hessian", action="store_true", help="also print the second partial derivatives"
    )
    grad.add_argument(
        "--check",
        action="store_true",
        help="compare the gradient with central differences (exit status 1 if they disagree)",
    )
    grad.add_argument(
        "--explain",
        action="store_true",
        help="also print the forward table and the backward ledger (every chain-rule step)",
    )
    grad.add_argument(
        "--explain-format",
        choices=("text", "markdown", "latex"),
        help="print the --explain tables as text (the default), Markdown or LaTeX; "
        "implies --explain",
    )
    grad.add_argument(
        "--draw",
        metavar="FILE",
        help="write the graph picture; the suffix picks the format: .svg, .png, .pdf "
        "(these need Graphviz's dot program) or .dot",
    )
    grad.add_argument(
        "--source",
        action="store_true",
        help="also print the Python that jit generates for EXPR: its forward pass and the "
        "chain rule, one line per node and per edge",
    )
    grad.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    grad.set_defaults(handler=_run_grad)


def _add_train(commands: Any) -> None:
    train = commands.add_parser(
        "train",
        help="train a small network on a toy data set",
        description=_paragraph(
            "Train a multilayer perceptron on a toy data set with autograd_lite's own "
            "engine, then print the final loss and accuracy. Each data set has defaults "
            "that train in seconds (spirals: about half a minute) and, at seed 0, reach 100% "
            "training accuracy (spirals about 99%: its noisy arms overlap); the options "
            "change them."
        ),
        epilog=f"""\
data sets and their defaults:
{_recipes_help()}

worked-example is the 2-2-1 sigmoid network of the classic worked example,
starting from its published weights (unless --hidden or --activation change the
architecture) and updated after every sample, in order.

examples:
  {PROG} train xor
  {PROG} train moons --hidden 16,16 --activation relu --optimizer adam --lr 0.05
  {PROG} train spirals --epochs 100 --plot spirals.png
  {PROG} train worked-example --epochs 200 --save model.json
  {PROG} train xor --json

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    train.add_argument(
        "dataset", choices=tuple(_RECIPES), metavar="DATASET", help=", ".join(_RECIPES)
    )
    train.add_argument(
        "--hidden",
        metavar="SIZES",
        type=_layer_sizes,
        help="hidden layer sizes, comma separated, e.g. 16,16",
    )
    train.add_argument(
        "--activation", choices=("relu", "tanh", "sigmoid"), help="the hidden layers' activation"
    )
    train.add_argument("--optimizer", choices=tuple(_OPTIMIZERS), help="the optimizer")
    train.add_argument("--lr", type=_positive_float, metavar="RATE", help="the learning rate")
    train.add_argument("--epochs", type=_positive_int, metavar="N", help="passes over the data")
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="samples per update (default: the whole data set, except worked-example: 1)",
    )
    train.add_argument(
        "--samples",
        type=_positive_int,
        metavar="N",
        help="how many points to generate (moons and spirals only)",
    )
    train.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seeds the data, the weights and the shuffling (default 0)",
    )
    train.add_argument(
        "--plot",
        metavar="FILE",
        help="save the loss curve and the decision boundary (.png, .svg, .pdf)",
    )
    train.add_argument("--save", metavar="FILE", help="save the trained model as JSON")
    train.add_argument(
        "--compile",
        action="store_true",
        help="train through the compiled path (jit): the same losses, much faster steps",
    )
    train.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal and tqdm is installed)",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    train.set_defaults(handler=_run_train)


def _add_demo(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="a short tour: an expression explained and drawn, a tiny network trained",
        description=_paragraph(
            "A tour in a few seconds: differentiate x*y + sin(x), print the backward "
            "ledger, draw the graph, train a 2-4-1 network on XOR, draw it and plot its "
            "training. Pictures go into a folder (created if needed). Without "
            "Graphviz's dot program the drawings are written as .dot text files; "
            "without matplotlib the plot is skipped; both with a hint."
        ),
        epilog=f"""\
examples:
  {PROG} demo
  {PROG} demo --out /tmp/tour

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--out",
        metavar="FOLDER",
        default=DEMO_FOLDER,
        help=f"where to write the pictures (default: ./{DEMO_FOLDER}/)",
    )
    demo.set_defaults(handler=_run_demo)


def _layer_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give whole numbers separated by commas, e.g. 16,16"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every layer needs at least one neuron")
    if sum(sizes) > 1_000:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {sum(sizes)} neurons is far too many for a scalar engine; stay under 1000"
        )
    return sizes


def _positive_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: must be at least 1")
    return number


def _positive_float(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number > 0")
    return number


# -- grad -----------------------------------------------------------------------------


def _run_grad(args: argparse.Namespace) -> int:
    if args.draw is not None:
        _check_picture_name(args.draw)
    expression = parse(args.expression)
    point = _assignments(args.assignments, expression)
    names = list(point)
    if not names and (args.hessian or args.check):
        flag = "--hessian" if args.hessian else "--check"
        raise UsageError(f"{flag} needs a variable; {args.expression!r} has none")
    leaves = {name: Value(number, label=name) for name, number in point.items()}
    root = expression.evaluate(leaves)
    if root.parents and not root.label:
        # Tables and drawings then call the result f, as df/dx does (unless f is a variable).
        root.label = "f" if "f" not in point else "result"
    tables: tuple[Any, Any] | None = None
    if args.explain or args.explain_format is not None:
        tables = _explain_tables(root)
    _backward(root)
    gradient = {name: leaves[name].grad for name in names}
    result: dict[str, Any] = {
        "expression": expression.text,
        "at": point,
        "value": root.data,
        "gradient": gradient,
    }
    fn = expression.function(names)
    if args.hessian:
        try:
            # Labelled Values, so that an error names the variable rather than arg0.
            matrix = hessian(fn)(*(Value(number, label=name) for name, number in point.items()))
        except (ValueError, ArithmeticError) as error:
            raise CommandError(f"second derivatives: {error}") from None
        result["hessian"] = {
            a: dict(zip(names, row, strict=True)) for a, row in zip(names, matrix, strict=True)
        }
    report: GradcheckReport | None = None
    if args.check:
        report = gradcheck(fn, *(Value(number, label=name) for name, number in point.items()))
        result["check"] = _report_json(report)

    if tables is not None:
        result["explain"] = {
            "forward": [_forward_row_json(row) for row in tables[0]],
            "backward": [_ledger_row_json(row) for row in tables[1]],
        }
    if args.draw is not None:
        result["drawing"] = _draw(root, args.draw)
    if args.source:
        result["source"] = _generated_source(fn, point, root.label)

    out = sys.stdout
    if args.json:
        json.dump(finite_or_none(result), out, indent=2, allow_nan=False)
        out.write("\n")
    else:
        _print_grad(result, report, out)
        if tables is not None:
            _print_tables(tables, args.explain_format or "text", out)
        if args.source:
            out.write("\ngenerated by jit (the forward pass, then the chain rule):\n")
            out.write(result["source"] + "\n")
    if report is not None and not report.passed:
        raise CommandError("the gradient check failed: see the MISMATCH rows above")
    return EXIT_OK


def _assignments(items: Sequence[str], expression: Expression) -> dict[str, float]:
    """Read ``NAME=VALUE`` arguments, in order, checking them against the expression."""
    point: dict[str, float] = {}
    given: dict[str, str] = {}
    for item in items:
        raw_name, equals, raw_value = item.partition("=")
        name = normalize_name(raw_name.strip())
        if not equals:
            raise UsageError(
                f"{item!r}: give each variable a value as NAME=VALUE, e.g. x=2 (no spaces "
                "around =, or quote the pair)"
            )
        if not name_is_valid(name):
            why = "a function name" if name in FUNCTIONS else "not a valid variable name"
            raise UsageError(f"{item!r}: {raw_name.strip()!r} is {why}; use a name such as x or w1")
        if name in point:
            raise UsageError(f"{name} is given twice ({given[name]} and {item}); give it once")
        try:
            number = float(raw_value.strip())
        except ValueError:
            raise UsageError(
                f"{item!r}: {raw_value.strip()!r} is not a number; give a plain number such as "
                "2, -0.5 or 1e-3"
            ) from None
        if not math.isfinite(number):
            raise UsageError(f"{item!r}: the value must be a finite number")
        point[name] = number
        given[name] = item
    unused = [name for name in point if name not in expression.variables]
    if unused:
        its = ", ".join(expression.variables) or "none"
        listed = " ".join(given[name] for name in unused)
        raise UsageError(
            f"{listed} {'is' if len(unused) == 1 else 'are'} given but not used by the "
            f"expression (its variables: {its})"
        )
    missing = [name for name in expression.variables if name not in point]
    if missing:
        expression.evaluate(point)  # raises ExpressionError pointing at the first missing one
    return point


def _backward(root: Value) -> None:
    try:
        root.backward()
    except FloatingPointError as error:
        raise CommandError(str(error)) from None


def _print_grad(result: dict[str, Any], report: GradcheckReport | None, out: Any) -> None:
    point: dict[str, float] = result["at"]
    rows = [("expression", result["expression"])]
    if point:
        rows.append(("at", ", ".join(f"{name} = {number!r}" for name, number in point.items())))
    rows.append(("value", repr(result["value"])))
    rows.extend((f"df/d{name}", repr(g)) for name, g in result["gradient"].items())
    width = max(len(label) for label, _ in rows) + 2
    for label, text in rows:
        print(f"{label:<{width}}{text}", file=out)
    if "hessian" in result:
        print("\nsecond partials d2f/(da db), the Hessian:", file=out)
        names = list(point)
        table = [["", *names]] + [
            [a, *(repr(result["hessian"][a][b]) for b in names)] for a in names
        ]
        widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
        for row in table:
            print(
                "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip(),
                file=out,
            )
    if "drawing" in result:
        print(f"{'drawing':<{width}}{result['drawing']}", file=out)
    if report is not None:
        print("\ngradient check (central differences):", file=out)
        print(str(report), file=out)


def _generated_source(fn: Callable[..., Value], point: dict[str, float], label: str) -> str:
    """The Python ``jit`` writes for the expression, its variables named as in EXPR."""

    def labelled(*args: Value) -> Value:
        out = fn(*args)
        if out.parents and not out.label:
            out.label = label
        return out

    labelled.__name__ = label or "f"
    compiled = jit(labelled, names=list(point))
    try:
        compiled.value_and_grad(*point.values())
    except (ValueError, ArithmeticError) as error:
        raise CommandError(f"--source: {error}") from None
    return compiled.source


def _explain_tables(root: Value) -> tuple[Any, Any]:
    """The forward table and the backward ledger of ``root`` (gradients left unchanged)."""
    from autograd_lite.ledger import explain, forward_table

    try:
        return forward_table(root), explain(root)
    except FloatingPointError as error:
        raise CommandError(str(error)) from None


def _print_tables(tables: tuple[Any, Any], style: str, out: Any) -> None:
    forward, ledger = tables
    for heading, table in (
        ("forward pass: each node from its inputs, leaves first", forward),
        ("backward pass: the chain rule, one accumulation parent.grad += upstream * local "
         "per row", ledger),
    ):  # fmt: skip
        print(f"\n{heading}", file=out)
        if style == "markdown":
            print(table.to_markdown(), file=out)
        elif style == "latex":
            print(table.to_latex(), file=out)
        else:
            print(table.to_text(), file=out)


def _forward_row_json(row: Any) -> dict[str, Any]:
    return {
        "step": row.step,
        "node": row.name,
        "op": row.op,
        "computes": row.expression,
        "inputs": [{"name": name, "value": value} for name, value in row.inputs],
        "value": row.value,
    }


def _ledger_row_json(row: Any) -> dict[str, Any]:
    return {
        "step": row.step,
        "node": row.name,
        "op": row.op,
        "upstream": row.upstream,
        "parent": row.parent_name,
        "local_formula": row.formula,
        "local": row.local,
        "contribution": row.contribution,
        "parent_grad_before": row.before,
        "parent_grad_after": row.after,
        "accumulated": row.accumulated,
    }


_PICTURE_SUFFIXES = (".svg", ".png", ".pdf", ".dot", ".gv")


def _check_picture_name(path: str) -> None:
    if not path.lower().endswith(_PICTURE_SUFFIXES):
        raise UsageError(
            f"--draw {path}: the file name must end in one of {' '.join(_PICTURE_SUFFIXES)}"
        )


def _draw(root: Value, path: str) -> str:
    """Draw ``root``'s graph (after backward, so gradients show) into ``path``."""
    from autograd_lite.viz import draw

    try:
        return draw(root).save(path)
    except ImportError as error:
        raise CommandError(str(error)) from None
    except RuntimeError as error:  # Graphviz's dot program is missing
        raise CommandError(f"{error}; or draw to a .dot file") from None
    except ValueError as error:  # too many nodes to draw
        raise CommandError(f"cannot draw this graph: {error}") from None
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None


def _report_json(report: GradcheckReport) -> dict[str, Any]:
    return {
        "passed": report.passed,
        "rows": [
            {
                "name": row.name,
                "at": row.point,
                "analytic": row.analytic,
                "numeric": row.numeric,
                "error": row.error,
                "verdict": row.verdict,
                "note": row.note,
            }
            for row in report.rows
        ],
    }


# -- train ----------------------------------------------------------------------------


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


def _recipes_help() -> str:
    lines = []
    for name, r in _RECIPES.items():
        size = f"{r.samples} points" if r.samples else "fixed"
        batch = f", batch {r.batch_size}" if r.batch_size else ""
        lines.append(
            f"  {name:<15}{size:<11}hidden {','.join(map(str, r.hidden)):<6} {r.activation:<8}"
            f"{r.optimizer} lr {r.lr:g}, {r.epochs} epochs{batch}"
        )
    return "\n".join(lines)


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
) -> _Training:
    from autograd_lite import datasets, optim
    from autograd_lite.nn import MLP
    from autograd_lite.train import evaluate, fit

    recipe = _RECIPES[dataset]
    if samples is not None and recipe.samples is None:
        raise UsageError(
            f"--samples: the {dataset} data set is fixed; only moons and spirals take it"
        )
    n = samples or recipe.samples or 0
    try:
        if dataset == "xor":
            X, y = datasets.xor()
        elif dataset == "worked-example":
            X, y = datasets.worked_example()
        elif dataset == "moons":
            X, y = datasets.moons(n, seed=seed)
        else:
            X, y = datasets.spirals(n, seed=seed)
    except ValueError as error:
        raise UsageError(str(error)) from None
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
        2,
        [*hidden_sizes, outputs],
        activation=hidden_activation,  # type: ignore[arg-type]
        output_activation=output_activation,  # type: ignore[arg-type]
        seed=seed,
    )
    if article and hidden_sizes == (2,) and hidden_activation == "sigmoid":
        model.load_weights(_WORKED_EXAMPLE_WEIGHTS)
    optimizer_name = optimizer or recipe.optimizer
    rate = lr or recipe.lr
    opt = getattr(optim, _OPTIMIZERS[optimizer_name])(model.parameters(), lr=rate)
    batch = batch_size or recipe.batch_size
    start = time.perf_counter()
    try:
        history = fit(
            model,
            X,
            y,
            loss=loss_name,
            optimizer=opt,
            epochs=epochs or recipe.epochs,
            batch_size=batch,
            shuffle=not article,  # the article updates after each sample, in order
            seed=seed,
            progress=progress,
            compile=compile,
        )
        final_loss, accuracy = evaluate(model, X, y, loss=loss_name)
    except (ValueError, ArithmeticError) as error:
        raise CommandError(f"training failed: {error}") from None
    seconds = time.perf_counter() - start
    return _Training(
        dataset, X, y, model, loss_name, optimizer_name, rate, batch, history, final_loss,
        accuracy if accuracy is not None else math.nan, seconds,
    )  # fmt: skip


def _run_train(args: argparse.Namespace) -> int:
    for flag, path, suffixes in (
        ("--plot", args.plot, _PLOT_SUFFIXES),
        ("--save", args.save, (".json",)),
    ):
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
    )
    if args.plot is not None:
        _plot_training(run, args.plot)
    if args.save is not None:
        try:
            run.model.save(args.save)
        except OSError as error:
            raise CommandError(f"cannot write {args.save}: {error.strerror or error}") from None
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
    if args.plot is not None:
        result["plot"] = args.plot
    if args.save is not None:
        result["saved"] = args.save
    out = sys.stdout
    if args.json:
        json.dump(finite_or_none(result), out, indent=2, allow_nan=False)
        out.write("\n")
        return EXIT_OK
    _print_training(run, out)
    if args.plot is not None:
        print(f"{'plot':<12}{args.plot}", file=out)
    if args.save is not None:
        print(f"{'saved':<12}{args.save}", file=out)
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
    try:
        figure.savefig(path, dpi=100)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


# -- demo -----------------------------------------------------------------------------

#: Where ``demo`` writes its pictures unless told otherwise.
DEMO_FOLDER = "autograd-lite-demo"


def _run_demo(args: argparse.Namespace) -> int:
    from autograd_lite.ledger import explain
    from autograd_lite.viz import draw, draw_network

    start = time.perf_counter()
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot create the folder {folder}: {error.strerror or error}"
        ) from None
    out = sys.stdout
    written: list[Path] = []
    hints: list[str] = []

    print("1. Differentiate an expression", file=out)
    print(f'   {PROG} grad "x*y + sin(x)" x=2 y=3 --explain\n', file=out)
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = parse("x*y + sin(x)").evaluate({"x": x, "y": y})
    f.label = "f"
    ledger = explain(f)
    f.backward()
    print(
        f"   f = {f.data!r}   df/dx = y + cos(x) = {x.grad!r}   df/dy = x = {y.grad!r}\n", file=out
    )
    summed = next(row.step for row in ledger if row.accumulated)
    print("   The backward pass, one row per chain-rule step (x is used twice, so its", file=out)
    print(f"   gradient is a sum, step {summed}):", file=out)
    print(_indent(ledger.to_text(), "   "), file=out)
    written.append(
        _save_drawing(
            draw(f, title="f = x*y + sin(x) at x = 2, y = 3"), folder / "expression", hints
        )
    )

    print("\n2. Train a tiny network: 2-4-1, tanh, on XOR", file=out)
    print(f"   {PROG} train xor --hidden 4 --epochs 60\n", file=out)
    run = _train("xor", hidden=(4,), epochs=60)
    _print_training(run, _Indented(out, "   "))
    with no_grad():
        outputs = [run.model(sample).data for sample in run.X]
    pairs = ", ".join(
        f"{int(a)} xor {int(b)} -> {'1' if o > 0 else '0'}"
        for (a, b), o in zip(run.X, outputs, strict=True)
    )
    print(f"   predictions: {pairs}", file=out)
    title = f"XOR network after {run.history.epochs} epochs"
    written.append(
        _save_drawing(draw_network(run.model, inputs=run.X, title=title), folder / "network", hints)
    )
    if _has_module("matplotlib"):
        plot = folder / "training.png"
        _plot_training(run, str(plot))
        written.append(plot)
    else:
        hints.append('the training plot needs matplotlib: pip install "autograd-lite[plot]"')

    print(f"\n3. Pictures, in {folder}{os.sep}:", file=out)
    for path in written:
        print(f"   {path.name}", file=out)
    for hint in dict.fromkeys(hints):
        print(f"   note: {hint}", file=out)
    print(
        f"\nDone in {time.perf_counter() - start:.1f} s. "
        f"Next: {PROG} grad --help, {PROG} train --help",
        file=out,
    )
    return EXIT_OK


def _save_drawing(graph: Any, stem: Path, hints: list[str]) -> Path:
    """Save as SVG, or as DOT text (with a hint) when Graphviz cannot render."""
    svg = stem.with_suffix(".svg")
    try:
        graph.save(svg)
        return svg
    except (RuntimeError, ImportError):
        hints.append(
            "Graphviz's dot program (or the graphviz package) is missing, so the drawings are "
            ".dot text: install it (apt-get install graphviz / brew install graphviz) and run "
            "`dot -Tsvg NAME.dot -o NAME.svg`, or paste the text into an online Graphviz viewer"
        )
    except OSError as error:
        raise CommandError(f"cannot write {svg}: {error.strerror or error}") from None
    dot = stem.with_suffix(".dot")
    try:
        graph.save(dot)
    except OSError as error:
        raise CommandError(f"cannot write {dot}: {error.strerror or error}") from None
    return dot


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines())


class _Indented:
    """A stream that indents every line written to it."""

    def __init__(self, stream: Any, prefix: str) -> None:
        self._stream = stream
        self._prefix = prefix
        self._at_line_start = True

    def write(self, text: str) -> int:
        for piece in text.splitlines(keepends=True):
            if self._at_line_start and piece.strip():
                self._stream.write(self._prefix)
            self._stream.write(piece)
            self._at_line_start = piece.endswith("\n")
        return len(text)

    def flush(self) -> None:
        self._stream.flush()


# -- main -----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with ``argv`` (default ``sys.argv[1:]``); return the exit status.

    Errors are printed to stderr as ``autograd-lite: error: ...``; nothing raises
    out of here except for bugs.
    """
    parser = build_parser()
    try:
        args = _parse_args(parser, argv)
    except SystemExit as stop:  # argparse exits on --help (0) and on usage errors (2)
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE_ERROR
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        with graph_building():  # every command builds graphs; see graph_building()
            status = handler(args)
        sys.stdout.flush()  # inside the try, so that a closed pipe is caught below
        return status
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and keep Python's exit-time
        # flush of the same pipe from printing a traceback.
        _silence_stdout()
        return EXIT_RUNTIME_ERROR
    except EvaluationError as error:
        return _fail(str(error), EXIT_RUNTIME_ERROR)
    except ExpressionError as error:
        return _fail(str(error), EXIT_USAGE_ERROR)
    except UsageError as error:
        return _fail(f"{error}\n(see {PROG} {args.command} --help)", EXIT_USAGE_ERROR)
    except CommandError as error:
        return _fail(str(error), EXIT_RUNTIME_ERROR)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


def _parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    args, extra = parser.parse_known_args(argv)
    if extra and args.command == "grad":
        # argparse stops collecting NAME=VALUE at the first option; take the rest here,
        # so that "grad EXPR x=1 --hessian y=2" works.
        assignments = [item for item in extra if "=" in item and not item.startswith("-")]
        args.assignments = [*args.assignments, *assignments]
        extra = [item for item in extra if item not in assignments]
    if extra:
        hint = ""
        if args.command == "grad" and any(item.startswith("-") for item in extra):
            hint = (
                f' (an expression that starts with "-" needs -- before it: {PROG} grad -- "-x" x=1)'
            )
        _subparser(parser, args.command).error(f"unrecognized arguments: {' '.join(extra)}{hint}")
    return args


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return parser


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests capture stdout): nothing is left to flush


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status
