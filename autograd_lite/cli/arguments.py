"""The command line's grammar: ``build_parser`` and each subcommand's options, with
the limits (learning rate, epochs, samples, network size) and their checks.
"""

from __future__ import annotations

import argparse
import math
import textwrap
from collections.abc import Callable
from typing import Any

from autograd_lite.cli.demo import DEMO_FOLDER, _run_demo
from autograd_lite.cli.derivatives import _run_grad, _run_jacobian
from autograd_lite.cli.errors import _EXIT_CODES, PROG
from autograd_lite.cli.grading import _run_check
from autograd_lite.cli.training import (
    _OPTIMIZERS,
    _RECIPES,
    MAX_STEP_SIZE,
    _run_evaluate,
    _run_train,
)
from autograd_lite.expression import (
    FUNCTIONS,
    MAX_LENGTH,
)

#: The largest learning rate: above it a step only overflows or saturates the network.
MAX_LR = 100.0


#: The most epochs one run trains.
MAX_EPOCHS = 100_000


#: The most samples ``--samples`` generates (the library's own limit is 10 times more).
MAX_SAMPLES = 100_000


#: The most neurons in all hidden layers together.
MAX_NEURONS = 1_000


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
    _add_jacobian(commands)
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
  {PROG} grad "x*y + sin(x)" x=2 y=3 --mode forward

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
    grad.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        help="compute the gradient by reverse mode (one backward pass) or forward mode (one "
        "forward sweep per variable), and print what the sweeps cost in multiply-adds",
    )
    grad.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    grad.set_defaults(handler=_run_grad)


def _add_jacobian(commands: Any) -> None:
    jacobian = commands.add_parser(
        "jacobian",
        help="the Jacobian of several expressions, by forward or reverse mode, and its cost",
        description=_paragraph(
            "Evaluate each EXPR (one output each) at the given point and print the matrix of "
            "partial derivatives d(output)/d(variable) with what it cost: forward mode runs one "
            "sweep per variable, reverse mode one per output, each sweep one multiply-add per "
            "edge it crosses. Give the expressions, then the values, then the options."
        ),
        epilog=f"""\
examples:
  {PROG} jacobian "x*y" "x + y" "sin(x)" x=2 y=3
  {PROG} jacobian "x*y" "x + y" "sin(x)" x=2 y=3 --mode forward
  {PROG} jacobian "x*y*z" x=1 y=2 z=3 --json

{_LANGUAGE}

{_EXIT_CODES}""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    jacobian.add_argument(
        "items",
        metavar="EXPR|NAME=VALUE",
        nargs="+",
        help='the expressions, one output each ("x*y" "sin(x)"), then a value for each '
        "variable (x=2 y=3)",
    )
    jacobian.add_argument(
        "--mode",
        choices=("reverse", "forward"),
        default="reverse",
        help="reverse (one backward pass per expression; the default) or forward (one forward "
        "sweep per variable)",
    )
    jacobian.add_argument("--json", action="store_true", help="print one JSON object instead")
    jacobian.set_defaults(handler=_run_jacobian)


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
