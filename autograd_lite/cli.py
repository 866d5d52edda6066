"""The ``autograd-lite`` command: differentiate, explain and draw an expression; train a demo.

Subcommands:

- ``grad EXPR NAME=VALUE ...``: the value and every partial derivative, with
  ``--explain`` (forward table and backward ledger), ``--draw FILE``,
  ``--hessian``, ``--check`` (gradcheck) and ``--json``.
- ``train DATASET``: train a small network on a toy data set (or continue
  training a saved one, ``--from MODEL``), optionally saving the model, the
  plot and the history.
- ``evaluate MODEL DATASET``: the loss and accuracy of a saved model.
- ``demo``: a short tour that explains and draws an expression and trains a
  tiny network, writing its pictures into a folder.
- ``check FILE``: grade a learner's own engine (a ``Value`` class in a .py
  file) with ``autograd_lite.exercises``. It imports that file, so it runs the
  learner's own Python, and says so first; text given to the other commands
  is never executed.

Expressions are parsed by ``autograd_lite.expression`` (a whitelist over
Python's ``ast``; nothing is executed). Errors are one-line messages, never
tracebacks, and the exit status says what kind: 0 ok, 1 runtime error (a
domain error such as ``log(x)`` at x = -1, a failed gradient check, training
that diverged, a file that cannot be written), 2 usage error (a bad expression
or argument, or more work than the command line's limits allow).

Every file is written whole or not at all (``write_atomically``): a failed
write leaves the file that was there byte for byte.

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
import contextlib
import importlib.util
import io
import json
import math
import os
import re
import shutil
import sys
import textwrap
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd_lite._helpers import finite_or_none, write_atomically
from autograd_lite.autodiff import graph_building, hessian, no_grad
from autograd_lite.expression import (
    FUNCTIONS,
    MAX_LENGTH,
    EvaluationError,
    Expression,
    ExpressionError,
    lookalike_note,
    name_is_valid,
    normalize_name,
    parse,
)
from autograd_lite.gradcheck import GradcheckReport, gradcheck
from autograd_lite.jit import jit
from autograd_lite.value import Value

__all__ = [
    "EXIT_OK",
    "EXIT_RUNTIME_ERROR",
    "EXIT_USAGE_ERROR",
    "MAX_EPOCHS",
    "MAX_LR",
    "MAX_NEURONS",
    "MAX_SAMPLES",
    "MAX_STEP_SIZE",
    "build_parser",
    "main",
]

#: Exit status: success.
EXIT_OK = 0
#: Exit status: the input was fine but the work failed (domain error, failed check, I/O).
EXIT_RUNTIME_ERROR = 1
#: Exit status: the command line was wrong (bad expression, option or assignment).
EXIT_USAGE_ERROR = 2

PROG = "autograd-lite"

# The command line's limits: what it refuses up front, before any work. They keep a
# typo (1e3 for 1e-3, an extra three zeros) from becoming a run that fills the memory
# or never ends; the Python API has none of them, so it is the way past them.

#: The largest learning rate: above it a step only overflows or saturates the network.
MAX_LR = 100.0
#: The most epochs one run trains.
MAX_EPOCHS = 100_000
#: The most samples ``--samples`` generates (the library's own limit is 10 times more).
MAX_SAMPLES = 100_000
#: The most neurons in all hidden layers together.
MAX_NEURONS = 1_000
#: The largest training step, in samples times parameters: a step holds the graph of
#: its whole batch, about 0.55 KB per sample and parameter (measured: 1,000 moons
#: samples through 337 parameters take 185 MB), so this is about half a gigabyte.
#: ``--compile`` builds no graph per step and is not limited by it.
MAX_STEP_SIZE = 1_000_000
_BYTES_PER_STEP_SIZE = 550

_EXIT_CODES = """\
exit status (errors are one message on stderr, also with --json):
  0  success
  1  runtime error: the expression is undefined at the point (log(x) at x = -1),
     a gradient check failed, training diverged, a file could not be read or
     written (a failed write leaves the old file as it was), an optional
     dependency is missing
  2  usage error: a rejected expression, a missing or unused variable, a bad
     option, more than a limit allows, a model that does not fit the data"""

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
  {PROG} train xor --save model.json
  {PROG} evaluate model.json xor
  {PROG} check my_engine.py

run "{PROG} COMMAND --help" for a command's options.

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_grad(commands)
    _add_train(commands)
    _add_evaluate(commands)
    _add_demo(commands)
    _add_check(commands)
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
  {PROG} train moons --save moons.json --history moons.csv
  {PROG} train moons --from moons.json --epochs 20 --save moons.json
  {PROG} train xor --json

limits (refused up front; the Python API has none): --lr at most {MAX_LR:g},
--epochs at most {MAX_EPOCHS:,}, --samples at most {MAX_SAMPLES:,}, --hidden at
most {MAX_NEURONS:,} neurons in all, and a step of at most {MAX_STEP_SIZE:,}
samples x parameters (about half a gigabyte of graph) unless --compile.
Training stops at the first non-finite loss or parameter (exit status 1, no
file written).

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
    train.add_argument(
        "--lr", type=_learning_rate, metavar="RATE", help=f"the learning rate (at most {MAX_LR:g})"
    )
    train.add_argument(
        "--epochs",
        type=_epoch_count,
        metavar="N",
        help=f"passes over the data (at most {MAX_EPOCHS:,})",
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="N",
        help="samples per update (default: the whole data set, except worked-example: 1)",
    )
    train.add_argument(
        "--samples",
        type=_sample_count,
        metavar="N",
        help=f"how many points to generate (moons and spirals only; at most {MAX_SAMPLES:,})",
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
        "--from",
        dest="start_from",
        metavar="MODEL",
        help="continue training a model saved with --save (its architecture comes from "
        "the file, so --hidden and --activation do not apply; the optimizer starts afresh)",
    )
    train.add_argument(
        "--history",
        metavar="FILE",
        help="save the loss (and accuracy, learning rate) of every epoch: .csv or .json",
    )
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


def _add_evaluate(commands: Any) -> None:
    evaluate = commands.add_parser(
        "evaluate",
        help="the loss and accuracy of a saved model on a toy data set",
        description=_paragraph(
            "Load a model saved by train --save and print its loss and accuracy on a data "
            "set. The data is generated as train generates it: the same --seed (default 0) "
            "gives the very points the model was trained on; another seed draws fresh "
            "points from the same distribution, a test set."
        ),
        epilog=f"""\
examples:
  {PROG} train moons --save moons.json
  {PROG} evaluate moons.json moons
  {PROG} evaluate moons.json moons --seed 1 --samples 1000
  {PROG} evaluate moons.json moons --json

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    evaluate.add_argument("model", metavar="MODEL", help="a model saved by train --save (JSON)")
    evaluate.add_argument(
        "dataset", choices=tuple(_RECIPES), metavar="DATASET", help=", ".join(_RECIPES)
    )
    evaluate.add_argument(
        "--samples",
        type=_sample_count,
        metavar="N",
        help=f"how many points to generate (moons and spirals only; at most {MAX_SAMPLES:,})",
    )
    evaluate.add_argument(
        "--seed", type=int, default=0, help="seeds the data (default 0, as train's default)"
    )
    evaluate.add_argument(
        "--json", action="store_true", help="print one JSON object instead of text"
    )
    evaluate.set_defaults(handler=_run_evaluate)


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


def _add_check(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="grade your own engine: your Value class, run beside autograd_lite's",
        description=_paragraph(
            "Import FILE, your own engine, and grade its Value class with "
            "autograd_lite.exercises: the same graphs built with your class and with "
            "autograd_lite's, values and gradients compared node by node, the first wrong "
            "node named with what to change. Importing runs the file as Python (it is your "
            'code; its if __name__ == "__main__": block is skipped). The class is --class '
            "NAME, else the class named Value, else the only class whose objects have .data, "
            ".grad and +. A module-level function named topological_sort, topo_sort or "
            "build_topo is checked too, with check_topological_sort."
        ),
        epilog=f"""\
examples:
  {PROG} check my_engine.py
  {PROG} check my_engine.py --class Scalar --seed 3
  {PROG} check my_engine.py --json

exit status (errors are one message on stderr, also with --json):
  0  every check passed
  1  a check found a mistake (its message says what to change), or the file
     raised an exception when imported
  2  usage error: not an existing .py file, no Value class found or more than
     one (pass --class), a bad option""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", metavar="FILE", help="your engine: a .py file")
    check.add_argument(
        "--class",
        dest="class_name",
        metavar="NAME",
        help="the class to grade (default: Value, else the only Value-like class)",
    )
    check.add_argument(
        "--seed", type=int, default=0, metavar="N", help="seeds the random graphs (default 0)"
    )
    check.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    check.set_defaults(handler=_run_check)


def _layer_sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give whole numbers separated by commas, e.g. 16,16"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"{text!r}: every layer needs at least one neuron")
    if sum(sizes) > MAX_NEURONS:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {sum(sizes):,} neurons is far too many for a scalar engine; the "
            f"command line takes at most {MAX_NEURONS:,} in all (for more, build an nn.MLP "
            "in Python)"
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


def _at_most(limit: int, what: str, beyond: str) -> Callable[[str], int]:
    """An argparse type: a whole number from 1 to ``limit`` (``what`` names it in errors)."""

    def checked(text: str) -> int:
        number = _positive_int(text)
        if number > limit:
            raise argparse.ArgumentTypeError(
                f"{number:,} {what}: the command line takes at most {limit:,}; {beyond}"
            )
        return number

    return checked


_epoch_count = _at_most(MAX_EPOCHS, "epochs", "for longer runs use fit() in Python")
_sample_count = _at_most(
    MAX_SAMPLES,
    "samples",
    "for more, generate them in Python (datasets.moons(n)) and train with fit(..., "
    "batch_size=..., compile=True)",
)


def _learning_rate(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(number) and number > 0):
        raise argparse.ArgumentTypeError(f"{text!r}: must be a finite number > 0")
    if number > MAX_LR:
        raise argparse.ArgumentTypeError(
            f"{text!r}: at most {MAX_LR:g}; a larger rate only overflows or saturates the "
            "network (did you mean 1e-3 rather than 1e3?)"
        )
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
            raise CommandError(f"second derivatives: {_one_line(error)}") from None
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
        # A Cyrillic х and a Latin x print the same: say which letter differs.
        notes = (lookalike_note(name, expression.variables) for name in unused)
        raise UsageError(
            f"{listed} {'is' if len(unused) == 1 else 'are'} given but not used by the "
            f"expression (its variables: {its})" + "".join(f"; {n}" for n in notes if n)
        )
    missing = [name for name in expression.variables if name not in point]
    if missing:
        expression.evaluate(point)  # raises ExpressionError pointing at the first missing one
    return point


def _backward(root: Value) -> None:
    try:
        root.backward()
    except FloatingPointError as error:
        raise CommandError(
            f"{_one_line(error)}: the derivatives overflow a float at this point (the largest "
            "is about 1.8e308); try a point where the numbers are smaller"
        ) from None


# Advice that only the Python API can follow ("pass nonfinite='warn'"): the command
# line has no such option, so its messages leave that sentence out.
_API_ADVICE = re.compile(r"nonfinite\s*=")


def _one_line(error: BaseException) -> str:
    """The library's message for a command line: one line, without the ``backward(): ``
    prefix and without sentences of advice about arguments it has no option for."""
    text = " ".join(str(error).split())
    text = text.removeprefix("backward(): ")
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Za-z])", text)
    kept = [sentence for sentence in sentences if not _API_ADVICE.search(sentence)]
    return " ".join(kept).rstrip(" .;,") or text


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
        raise CommandError(f"--source: {_one_line(error)}") from None
    return compiled.source


def _explain_tables(root: Value) -> tuple[Any, Any]:
    """The forward table and the backward ledger of ``root`` (gradients left unchanged)."""
    from autograd_lite.ledger import explain, forward_table

    try:
        return forward_table(root), explain(root)
    except FloatingPointError as error:
        raise CommandError(_one_line(error)) from None


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
        picture = _rendered(draw(root), path)
    except ImportError as error:
        raise CommandError(str(error)) from None
    except RuntimeError as error:  # Graphviz's dot program is missing
        raise CommandError(f"{_one_line(error)}; or draw to a .dot file") from None
    except ValueError:  # too many nodes to draw; the advice of viz's message is Python's
        from autograd_lite.autodiff import topological_order
        from autograd_lite.viz import MAX_NODES

        raise CommandError(
            f"cannot draw this graph: it has {len(topological_order(root)):,} nodes, more than "
            f"the {MAX_NODES:,} a readable drawing holds; draw a smaller expression, or draw "
            "it from Python with autograd_lite.draw(root, max_nodes=None)"
        ) from None
    _write(path, picture)
    return path


def _rendered(graph: Any, path: str) -> str | bytes:
    """The drawing as the file named ``path`` holds it: DOT text, or rendered by Graphviz.

    Rendered in memory, so that the file is then written whole (``_write``).
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in ("dot", "gv"):
        source: str = graph.source
        return source
    rendered: bytes = graph.pipe(suffix)
    return rendered


def _write(path: str | Path, content: str | bytes) -> None:
    """Write a file whole or not at all; a failure is a one-line CommandError."""
    try:
        write_atomically(path, content)
    except OSError as error:
        raise CommandError(_cannot_write(path, error)) from None


def _cannot_write(path: str | Path, error: OSError) -> str:
    text = " ".join((error.strerror or str(error)).split())
    return text if text.startswith("cannot write") else f"cannot write {path}: {text}"


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


# -- check ----------------------------------------------------------------------------

#: The module-level functions ``check`` grades as a topological sort, when present.
_TOPOLOGICAL_SORT_NAMES = ("topological_sort", "topo_sort", "build_topo")

_learner_modules = 0  # numbers each imported learner file's module name


def _run_check(args: argparse.Namespace) -> int:
    from autograd_lite.exercises import check_engine, check_topological_sort

    path = Path(args.file)
    if path.suffix.lower() != ".py":
        raise UsageError(f"{path} is not a .py file: check takes your engine's Python file")
    if not path.is_file():
        missing = "is not a file" if path.exists() else "does not exist"
        raise UsageError(f"{path} {missing}: check takes your engine's Python file")
    print(
        f"running {path} as Python, as `python {path}` would: it is your code "
        '(its if __name__ == "__main__": block is skipped)',
        file=sys.stderr if args.json else sys.stdout,
    )
    # With --json, whatever the learner's code prints goes to stderr: stdout stays JSON.
    printed = contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext()
    with printed, _learner_module(path) as module:
        cls = _learner_class(module, path, args.class_name)
        reports = [("check_engine", check_engine(cls, seed=args.seed))]
        sorts = [name for name in _TOPOLOGICAL_SORT_NAMES if callable(getattr(module, name, None))]
        for name in sorts:
            report = check_topological_sort(getattr(module, name), cls, seed=args.seed)
            reports.append((f"check_topological_sort({name})", report))
    out = sys.stdout
    if args.json:
        result = {
            "file": str(path),
            "class": cls.__name__,
            "checks": [
                {"check": check, "ok": r.ok, "mistake": r.mistake, "message": str(r)}
                for check, r in reports
            ],
        }
        json.dump(result, out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print(f"class       {cls.__name__}", file=out)
        for _, report in reports:
            print(f"\n{report}", file=out)
        if not sorts:
            names = ", ".join(_TOPOLOGICAL_SORT_NAMES[:-1]) + f" or {_TOPOLOGICAL_SORT_NAMES[-1]}"
            print(f"\n(no function named {names} in {path}: no sort checked)", file=out)
    return EXIT_OK if all(report.ok for _, report in reports) else EXIT_RUNTIME_ERROR


@contextlib.contextmanager
def _learner_module(path: Path) -> Iterator[Any]:
    """Import ``path`` under a fresh module name, with its folder on ``sys.path``
    (so that its own imports work), as ``pytest`` imports a test file; both are
    undone afterwards. An exception the file raises becomes one line naming its
    type, message and line."""
    global _learner_modules
    _learner_modules += 1
    stem = re.sub(r"\W", "_", path.stem)
    name = f"_autograd_lite_check_{_learner_modules}_{stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module  # dataclasses and friends look their module up here
    try:
        try:
            spec.loader.exec_module(module)
        except SyntaxError as error:
            same = error.filename is None or Path(error.filename).resolve() == path.resolve()
            where = f"{path if same else error.filename}:{error.lineno}"
            raise CommandError(
                f"{path} does not parse: SyntaxError: {error.msg} ({where})"
            ) from None
        except SystemExit as error:
            raise CommandError(
                f"{path} called sys.exit({error.code!r}) when imported{_where(error, path)}: "
                'move the script part under if __name__ == "__main__":'
            ) from None
        except Exception as error:
            message = " ".join(str(error).split())
            if len(message) > 300:
                message = message[:300] + "..."
            raise CommandError(
                f"{path} raised {type(error).__name__} when imported"
                f"{_where(error, path)}: {message or '(no message)'}"
            ) from None
        yield module
    finally:
        sys.modules.pop(name, None)
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)


def _where(error: BaseException, path: Path) -> str:
    """`` (at FILE:LINE)``: the last line of ``path`` in the traceback, and the line
    that raised when that is in another file."""
    frames = traceback.extract_tb(error.__traceback__)
    target = os.path.realpath(path)
    own = [f for f in frames if os.path.realpath(f.filename) == target]
    places = [f"{path}:{own[-1].lineno}"] if own else []
    if frames and (not own or frames[-1] is not own[-1]):
        places.append(f"{frames[-1].filename}:{frames[-1].lineno}")
    return f" (at {', in '.join(places)})" if places else ""


def _learner_class(module: Any, path: Path, name: str | None) -> Any:
    """``--class NAME``, else ``Value``, else the only class that looks like one."""
    classes = {
        key: item
        for key, item in vars(module).items()
        if isinstance(item, type) and item.__module__ == module.__name__
    }
    found = ", ".join(classes) or "none"
    if name is not None:
        chosen = getattr(module, name, None)
        if not isinstance(chosen, type):
            raise UsageError(f"{path} has no class named {name} (classes defined there: {found})")
        return chosen
    value = getattr(module, "Value", None)
    if isinstance(value, type):
        if value.__module__.split(".")[0] != "autograd_lite":
            return value  # defined here, or imported from the learner's own module
        if not classes:
            raise UsageError(
                f"the Value in {path} is autograd_lite's own (imported), and the file "
                "defines no class: write your Value there, or pass --class NAME"
            )
    candidates = [key for key, item in classes.items() if _looks_like_value(item)]
    if len(candidates) == 1:
        return classes[candidates[0]]
    if candidates:
        raise UsageError(
            f"{path} has {len(candidates)} classes that look like a Value "
            f"({', '.join(candidates)}): say which with --class NAME"
        )
    raise UsageError(
        f"{path} has no class named Value and none that looks like one (objects with "
        f".data, .grad and +); classes defined there: {found}. Pass --class NAME"
    )


def _looks_like_value(cls: type) -> bool:
    """Has ``__add__``, and ``cls(1.0)`` has ``.data`` and ``.grad``."""
    if not hasattr(cls, "__add__"):
        return False
    try:
        node = cls(1.0)
    except Exception:  # a class that cannot be built from a number is not one
        return False
    return hasattr(node, "data") and hasattr(node, "grad")


def _save_drawing(graph: Any, stem: Path, hints: list[str]) -> Path:
    """Save as SVG, or as DOT text (with a hint saying what is missing) when Graphviz
    cannot render."""
    svg = stem.with_suffix(".svg")
    try:
        _write(svg, graph.pipe("svg"))
        return svg
    except ImportError:
        hints.append(_graphviz_hint(package=False, dot=shutil.which("dot") is not None))
    except RuntimeError:
        hints.append(_graphviz_hint(package=True, dot=False))
    dot = stem.with_suffix(".dot")
    _write(dot, graph.source)
    return dot


def _graphviz_hint(*, package: bool, dot: bool) -> str:
    """Why the drawings are .dot text, naming only what is missing: the graphviz Python
    package (the ``viz`` extra), Graphviz's dot program, or both."""
    missing = []
    if not package:
        missing.append('the graphviz Python package (pip install "autograd-lite[viz]")')
    if not dot:
        missing.append("Graphviz's dot program (apt-get install graphviz / brew install graphviz)")
    hint = (
        f"the drawings are .dot text because {' and '.join(missing)} "
        f"{'is' if len(missing) == 1 else 'are'} missing"
    )
    if dot:
        return f"{hint}; the dot program is there: `dot -Tsvg NAME.dot -o NAME.svg` renders them"
    return f"{hint}; or paste the text into an online Graphviz viewer"


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
