"""Hypothesis strategies: an input domain for every op-table row.

``OP_DOMAINS`` is keyed by op name; ``test_ops.py`` fails if a row of the op
table has no entry here, so a new op cannot skip the sweep. Each entry draws
the op's arguments (and its constant, for ops that have one) inside the op's
domain and away from kinks, where derivatives are checked numerically.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Moderate magnitudes: central differences stay accurate and nothing overflows.
MODERATE = st.floats(-5.0, 5.0, allow_nan=False, allow_infinity=False)
POSITIVE = st.floats(0.05, 5.0)
AWAY_FROM_ZERO = MODERATE.filter(lambda v: abs(v) > 1e-2)
CONSTANTS = st.sampled_from([2.0, 3.0, -1.0, 0.5, 1.5, -2.0, 0.0, 1.0])


def _with_constant(xs: st.SearchStrategy[float], cs: st.SearchStrategy[float]) -> st.SearchStrategy:
    return st.tuples(st.tuples(xs), cs)


def _plain(*args: st.SearchStrategy[float]) -> st.SearchStrategy:
    return st.tuples(st.tuples(*args), st.none())


#: op name -> strategy of (args, constant or None)
OP_DOMAINS: dict[str, st.SearchStrategy] = {
    "add": _plain(MODERATE, MODERATE),
    "sub": _plain(MODERATE, MODERATE),
    "mul": _plain(MODERATE, MODERATE),
    "div": _plain(MODERATE, AWAY_FROM_ZERO),
    "neg": _plain(MODERATE),
    "pow": _with_constant(POSITIVE, CONSTANTS),
    "rpow": _with_constant(MODERATE, st.sampled_from([0.5, 2.0, 3.0, 10.0])),
    "vpow": _plain(POSITIVE, st.floats(-3.0, 3.0)),
    "exp": _plain(MODERATE),
    "log": _plain(POSITIVE),
    "sqrt": _plain(POSITIVE),
    "tanh": _plain(MODERATE),
    "sigmoid": _plain(MODERATE),
    "relu": _plain(AWAY_FROM_ZERO),
    "sin": _plain(MODERATE),
    "cos": _plain(MODERATE),
    "abs": _plain(AWAY_FROM_ZERO),
    "step": _plain(AWAY_FROM_ZERO),
    "sign": _plain(AWAY_FROM_ZERO),
}
