"""Expressions typed as text, parsed safely and built into Value graphs.

``parse("x*y + sin(x)")`` reads a formula with Python's own parser (``ast``)
and keeps it only if every part is on a short whitelist: numbers, variable
names, ``+ - * / **``, unary minus (and plus), parentheses, and one-argument
calls of the engine's functions (``exp log sqrt tanh sigmoid relu sin cos
abs step sign``). Nothing is ever executed: the text is parsed into a syntax tree, the
tree is checked node by node, and the accepted tree is copied into this
module's own small node type. ``Expression.evaluate`` then builds a Value graph
from that copy with Value operators, so an expression can only ever do what
those operators do.

Everything the parser rejects raises ``ExpressionError`` with a message and the
columns of the offending part, so a caller can print a caret under it:

    >>> try:
    ...     parse("x.__class__")
    ... except ExpressionError as error:
    ...     print(error)
    attribute access (.__class__) is not allowed: use a function call such as sin(x)
      x.__class__
       ^^^^^^^^^^

Limits keep hostile input cheap to refuse, and both are checked on the text
before Python's parser sees it: at most ``MAX_LENGTH`` characters and
``MAX_DEPTH`` levels of nesting, where every bracket and every operator adds a
level (an upper bound on the depth of the syntax tree). Python's own parser
gives up on deep input at a depth that differs between Python versions (3.11
and 3.12 raise ``RecursionError`` where 3.10 and 3.13 parse), so measuring first
makes the answer, and the message, the same on every version. The tree walks
here use explicit stacks, so they never recurse.

The package: ``grammar`` (what is allowed, and the limits), ``parser``
(``parse``), ``syntax`` (``Expression``), ``names`` (valid and look-alike names) and
``errors``. It imports only the engine; the command line and the playground
use it.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.expression.errors import EvaluationError, ExpressionError
from autograd_lite.expression.grammar import FUNCTIONS, MAX_DEPTH, MAX_LENGTH
from autograd_lite.expression.names import lookalike_note, name_is_valid, normalize_name
from autograd_lite.expression.parser import parse
from autograd_lite.expression.syntax import Expression

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "EvaluationError",
    "Expression",
    "ExpressionError",
    "lookalike_note",
    "name_is_valid",
    "normalize_name",
    "parse",
]

shown_as_part_of(__name__, globals(), __all__)
