"""The text views of a graph: how nodes, numbers and formulas are written
(``notation``), plain-text tables (``tables``), the forward table and the backward
ledger (``ledger``: ``explain``, ``trace``, ``forward_table``), questions about the
graph (``questions``: ``why``, ``paths``, ``summary``, ``tree``), and the search for
the first non-finite value (``anomaly``: ``detect_anomaly``).

They import only the engine (``ops``, ``value``, ``autodiff``, ``forward``) and the
shared helpers, read graphs and never change them; nothing here draws
(``autograd_lite.viz`` draws, using the ledger).
"""

from autograd_lite.text.anomaly import NonFiniteError, detect_anomaly
from autograd_lite.text.ledger import Ledger, LedgerRow, explain, forward_table, trace
from autograd_lite.text.questions import paths, summary, tree, why

__all__ = [
    "Ledger",
    "LedgerRow",
    "NonFiniteError",
    "detect_anomaly",
    "explain",
    "forward_table",
    "paths",
    "summary",
    "trace",
    "tree",
    "why",
]
