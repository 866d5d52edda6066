"""The compiled path: trace a function once, replay it as straight-line Python.

``jit(fn)`` calls ``fn`` once with Values (the *trace*), records the graph it
built as a small program (one instruction per node, named after its op-table
row), and writes that program out as Python source: one assignment per node for
the forward pass, then one accumulation per edge for the backward pass, in the
order the dynamic engine visits them. Later calls run that source on plain
floats, with no Value objects and no graph walk. The same graph shape at every
training step is what makes this pay: only the numbers change.

The generated backward pass *is* the chain rule, written out: print
``compiled.source`` next to the ledger (``explain``) and read the same steps.

Safety, because generated code is code we run:
- the source is built only from the op table's ``code`` strings, names we make
  (``v17``, or a label that passes a strict identifier check) and ``repr`` of
  finite floats; comments come from the op table. No user text reaches it.
- it runs in a namespace holding ``ops.CODE_FUNCTIONS`` and no builtins.

What a trace cannot see (as with ``jax.jit`` and ``torch.jit.trace``): Python
control flow in ``fn`` that reads ``.data`` (``if x.data > 0:``) is decided
once, at the trace, and baked in. ``jit(fn, check=True)`` re-runs the dynamic
engine at every call and names the first node where the two differ.

The package reads in the order the work is done, as JAX's Autodidax separates
tracing, the program it builds, and each interpreter over it: ``tracing``
(record the graph), ``program`` (the recorded instructions and their names),
``emit`` (write and compile the source), ``check`` (``check=True``'s comparison
with the dynamic engine) and ``functions`` (``jit``, ``Compiled``,
``CompiledWithAux``). It imports only the engine (``ops``, ``value``,
``autodiff``). It is not named ``jit``, so that ``autograd_lite.jit`` is always
the function.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.compiled.functions import Aux, Compiled, CompiledWithAux, jit
from autograd_lite.compiled.tracing import MAX_NODES, JitError, is_tracing

__all__ = ["MAX_NODES", "Aux", "Compiled", "CompiledWithAux", "JitError", "is_tracing", "jit"]

shown_as_part_of(__name__, globals(), __all__)
