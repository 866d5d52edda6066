"""``main``: parse the arguments, run the subcommand, turn every failure into one
message and an exit status.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from autograd_lite.autodiff import graph_building
from autograd_lite.cli.arguments import build_parser
from autograd_lite.cli.errors import (
    EXIT_RUNTIME_ERROR,
    EXIT_USAGE_ERROR,
    PROG,
    CommandError,
    UsageError,
    _fail,
)
from autograd_lite.cli.output import _silence_stdout
from autograd_lite.expression import (
    EvaluationError,
    ExpressionError,
)


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
