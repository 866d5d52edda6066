"""autograd_lite: a scalar reverse-mode automatic differentiation engine.

Build expressions from ``Value`` nodes, call ``backward()``, read ``.grad``.
Every node records its parents and its local derivatives, so the whole chain
rule can be inspected, drawn (``draw``), tabulated (``explain``) and stepped
through (``step_through``). ``nn``, ``losses``, ``optim``, ``datasets`` and
``train`` build and train tiny networks on top.

NOTE: ``autograd_lite.explain`` is the function ``explain(root)``; import the
module's other names with ``from autograd_lite.explain import why``.
"""

from autograd_lite import datasets, losses, nn, optim, train, viz
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
from autograd_lite.explain import (
    Ledger,
    NonFiniteError,
    detect_anomaly,
    explain,
    forward_table,
    paths,
    step_through,
    steps,
    summary,
    tree,
    why,
)
from autograd_lite.gradcheck import GradcheckReport, gradcheck
from autograd_lite.jit import Compiled, JitError, jit
from autograd_lite.ops import OPS, Op
from autograd_lite.value import Value
from autograd_lite.viz import draw, draw_network

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "Compiled",
    "GradcheckReport",
    "JitError",
    "Ledger",
    "NonFiniteError",
    "Op",
    "Value",
    "__version__",
    "datasets",
    "detect_anomaly",
    "draw",
    "draw_network",
    "enable_grad",
    "explain",
    "forward_table",
    "grad",
    "gradcheck",
    "gradients",
    "graph_building",
    "hessian",
    "is_grad_enabled",
    "jit",
    "losses",
    "nn",
    "no_grad",
    "optim",
    "paths",
    "step_through",
    "steps",
    "summary",
    "topological_order",
    "train",
    "tree",
    "value_and_grad",
    "viz",
    "why",
    "zero_grad",
]
