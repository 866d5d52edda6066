"""Drawings of a computation graph and of a network, as Graphviz DOT.

``draw(root)`` shows every Value as a box with its name, ``data`` and ``grad``,
every op as a circle with its symbol, and every edge with its local derivative
(formula from the op table, and number) and, after ``backward()``, the
gradient that flowed along it. A node used more than once carries a Σ row
listing the contributions that summed into its gradient. ``draw_network(mlp)``
shows the neuron-level picture: neurons as circles, weights as edges.
``steps(root)`` and ``step_through(root)`` draw the backward pass one ledger
row at a time.

The DOT text is built here as plain text, numbered by topological order (never
``id()``), so the same graph always gives the same text: ``Graph.source`` can be
snapshot-tested and ``Graph.save("g.dot")`` needs nothing installed. Rendering
to SVG/PNG/PDF uses the ``graphviz`` package (the ``viz`` extra) and Graphviz's
``dot`` program, both looked up only when a picture is asked for.

The package: ``dot`` (the DOT builder and renderer every drawing uses),
``graphs`` (``draw``), ``networks`` (``draw_network``) and ``stepthrough``
(``steps``, ``step_through``). Drawing reads graphs through the engine and the
ledger (``autograd_lite.text``) and never changes them; it imports ``nn`` only to
recognise activation modules.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.viz.dot import Graph
from autograd_lite.viz.graphs import MAX_NODES, draw
from autograd_lite.viz.networks import MAX_WEIGHTS, draw_network
from autograd_lite.viz.stepthrough import StepThrough, step_through, steps

__all__ = [
    "MAX_NODES",
    "MAX_WEIGHTS",
    "Graph",
    "StepThrough",
    "draw",
    "draw_network",
    "step_through",
    "steps",
]

shown_as_part_of(__name__, globals(), __all__)
