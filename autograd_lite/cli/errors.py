"""How the command ends: its exit statuses and the two kinds of failure (a usage
error, a command that could not finish), each one message on stderr.
"""

from __future__ import annotations

import re
import sys

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
     a gradient check failed, training diverged, a file could not be read or
     written (a failed write leaves the old file as it was), an optional
     dependency is missing
  2  usage error: a rejected expression, a missing or unused variable, a bad
     option, more than a limit allows, a model that does not fit the data"""


class UsageError(Exception):
    """A problem with the command line: reported with exit status 2."""


class CommandError(Exception):
    """The command line was fine but the work failed: reported with exit status 1."""


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


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status
