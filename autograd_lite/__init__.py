"""autograd_lite: a scalar reverse-mode automatic differentiation engine.

Build expressions from ``Value`` nodes, call ``backward()``, read ``.grad``.
Every node records its parents and its local derivatives, so the whole chain
rule can be inspected, drawn and stepped through.
"""

from autograd_lite.autodiff import (
    grad,
    hessian,
    is_grad_enabled,
    no_grad,
    topological_order,
    value_and_grad,
    zero_grad,
)
from autograd_lite.gradcheck import GradcheckReport, gradcheck
from autograd_lite.ops import OPS, Op
from autograd_lite.value import Value

__version__ = "0.1.0"

__all__ = [
    "OPS",
    "GradcheckReport",
    "Op",
    "Value",
    "__version__",
    "grad",
    "gradcheck",
    "hessian",
    "is_grad_enabled",
    "no_grad",
    "topological_order",
    "value_and_grad",
    "zero_grad",
]
