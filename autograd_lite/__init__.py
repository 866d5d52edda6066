"""autograd_lite: a scalar reverse-mode automatic differentiation engine.

Build expressions from ``Value`` nodes, call ``backward()``, read ``.grad``.
Every node records its parents and its local derivatives, so the whole chain
rule can be inspected, drawn (``draw``), tabulated (``explain``) and stepped
through (``step_through``). ``nn``, ``losses``, ``optim``, ``datasets`` and
``train`` build and train tiny networks on top.

The explaining layer is split by what it holds: ``notation`` (names, numbers,
formulas), ``tables``, ``ledger`` (``explain``, ``trace``, ``forward_table``),
``questions`` (``why``, ``paths``, ``summary``, ``tree``) and ``anomaly``
(``detect_anomaly``); ``viz`` draws, including ``steps``/``step_through``.
"""

from autograd_lite import _moved, datasets, exercises, losses, nn, optim, train, viz
from autograd_lite.autodiff import (
    enable_grad,
    grad,
    gradients,
    graph_building,
    hessian,
    is_grad_enabled,
    no_grad,
    topological_order,
    value_and_grad,
    zero_grad,
)
from autograd_lite.compiled import Compiled, CompiledWithAux, JitError, jit
from autograd_lite.forward import (
    Dual,
    ForwardSweep,
    Jacobian,
    graph_jacobian,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    linearize,
    push_tangents,
    vjp,
)
from autograd_lite.numerical import GradcheckReport, gradcheck
from autograd_lite.ops import OPS, Op
from autograd_lite.text.anomaly import NonFiniteError, detect_anomaly
from autograd_lite.text.ledger import Ledger, explain, forward_ledger, forward_table, trace
from autograd_lite.text.questions import count_paths, paths, summary, tree, why
from autograd_lite.train import DivergenceError
from autograd_lite.value import Value
from autograd_lite.viz import draw, draw_network, step_through, steps

__version__ = "0.1.0"

_moved.install()  # autograd_lite.ledger and the other old module paths still import

__all__ = [
    "OPS",
    "Compiled",
    "CompiledWithAux",
    "DivergenceError",
    "Dual",
    "ForwardSweep",
    "GradcheckReport",
    "Jacobian",
    "JitError",
    "Ledger",
    "NonFiniteError",
    "Op",
    "Value",
    "__version__",
    "count_paths",
    "datasets",
    "detect_anomaly",
    "draw",
    "draw_network",
    "enable_grad",
    "exercises",
    "explain",
    "forward_ledger",
    "forward_table",
    "grad",
    "gradcheck",
    "gradients",
    "graph_building",
    "graph_jacobian",
    "hessian",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jit",
    "jvp",
    "linearize",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "paths",
    "push_tangents",
    "step_through",
    "steps",
    "summary",
    "topological_order",
    "trace",
    "train",
    "tree",
    "value_and_grad",
    "viz",
    "vjp",
    "why",
    "zero_grad",
]
