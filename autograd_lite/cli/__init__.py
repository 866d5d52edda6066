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

The package, one module per subcommand: ``derivatives`` (``grad``), ``training``
(``train``, ``evaluate``), ``demo``, ``grading`` (``check``); around them
``arguments`` (the grammar and limits), ``output`` (files and pictures),
``errors`` (exit statuses) and ``command`` (``main``). Nothing in the package
imports it; it imports everything it drives.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.cli.arguments import MAX_EPOCHS, MAX_LR, MAX_NEURONS, MAX_SAMPLES, build_parser
from autograd_lite.cli.command import main

# Public names outside __all__, at the paths they always had.
from autograd_lite.cli.demo import DEMO_FOLDER as DEMO_FOLDER
from autograd_lite.cli.errors import EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR
from autograd_lite.cli.errors import PROG as PROG
from autograd_lite.cli.errors import CommandError as CommandError
from autograd_lite.cli.errors import UsageError as UsageError
from autograd_lite.cli.training import MAX_STEP_SIZE

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

shown_as_part_of(__name__, globals(), __all__)
