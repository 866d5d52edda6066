"""The grader for learners who write the engine themselves.

A learner writes their own ``Value`` (and maybe their own topological sort and
training step); the checks here run it side by side with ``autograd_lite.Value``
on the same graphs and say, in words, where the two first disagree and what to
change. Every check returns a ``Report`` (``.ok``, ``.mistake``, the message as
``str(report)``); none raises on a wrong engine.

- ``check_engine(value_class)``: the ops (forward values and local derivatives,
  numbers on either side), then the classic graphs (a node used twice, z = 3x
  with y = z*z, a diamond, a 5,000-node chain) and random graphs, node by node.
- ``check_backward(backward, value_class)``: the same, for a learner whose
  backward pass is a function ``backward(root)`` rather than a method.
- ``check_topological_sort(topological_sort, value_class)``: every node once,
  each after its parents, no recursion limit on a long chain.
- ``check_step(learner_params, learner_step, our_params, our_step)``: after one
  (and a second) training step, do the parameters equal ours to 1e-12?

The learner's class is read, never its source: leaves are made with
``value_class(number)``; nodes need a number ``.data`` and ``.grad`` and their
parents in one of ``_prev``, ``_children``, ``parents``, ``prev``,
``children``, ``_parents`` (a set, tuple or list); a backward closure in
``_backward`` (micrograd's shape) or stored local derivatives in
``local_grads`` (ours) both work. The ops are ``+``, ``*``, ``.tanh()`` and
``.exp()``, with numbers on either side; ``-``, ``/``, unary ``-`` and ``**``
(a number exponent) are checked when the class has them.

The package: ``engine`` (``check_engine``, ``check_backward``), ``sorting``
(``check_topological_sort``), ``updates`` (``check_step``), ``report``
(``Report``), ``programs`` (the graphs built in both engines) and ``reading``
(a learner's node, read through its attributes). It imports the engine and,
for ``Report.draw``, the drawings.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.exercises.engine import check_backward, check_engine

# Public names outside __all__, at the paths they always had.
from autograd_lite.exercises.programs import CHAIN_LENGTH as CHAIN_LENGTH
from autograd_lite.exercises.reading import LOCAL_GRAD_NAMES as LOCAL_GRAD_NAMES
from autograd_lite.exercises.reading import PARENT_NAMES as PARENT_NAMES
from autograd_lite.exercises.report import RTOL as RTOL
from autograd_lite.exercises.report import Report
from autograd_lite.exercises.sorting import check_topological_sort
from autograd_lite.exercises.updates import check_step

__all__ = [
    "Report",
    "check_backward",
    "check_engine",
    "check_step",
    "check_topological_sort",
]

shown_as_part_of(__name__, globals(), __all__)
