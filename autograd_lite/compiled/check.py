"""``jit(fn, check=True)``: the graph the dynamic engine builds at a call, compared
node by node with the trace, so a trace that does not hold (control flow that
reads ``.data``) raises ``JitError`` naming the first node that differs."""

from __future__ import annotations

from collections.abc import Sequence

from autograd_lite.compiled.program import _Program
from autograd_lite.compiled.tracing import JitError
from autograd_lite.value import Value


def check_against_trace(program: _Program, nodes: Sequence[Value], values: Sequence[Value]) -> None:
    """Raise ``JitError`` unless ``nodes`` (a call's graph in topological order, its
    arguments ``values``) is the graph ``program`` recorded."""
    index = {id(n): i for i, n in enumerate(nodes)}
    args_at = {id(v): i for i, v in enumerate(values)}
    live_at = {id(v): i for i, v in enumerate(program.live)}
    for i, node in enumerate(nodes):
        if i >= len(program.names):
            raise JitError(_differs(i, node, "has more nodes than the trace"))
        kind = program.kinds[i]
        if node.parents:
            if kind == "const":
                continue  # folded at the trace; its parents were checked
            parents = tuple(index[id(p)] for p in node.parents)
            if kind != "op" or node.op != program.ops[i] or parents != program.parents[i]:
                recorded = f"{program.ops[i] or 'a leaf'}{program.parents[i]}"
                raise JitError(_differs(i, node, f"the trace recorded {recorded} there"))
            if node.op in ("pow", "rpow") and node.attr != program.attrs[i]:
                raise JitError(_differs(i, node, f"the trace's constant was {program.attrs[i]}"))
        elif id(node) in args_at:
            if program.arg_nodes[args_at[id(node)]] != i:
                raise JitError(_differs(i, node, "an argument is used in another place"))
        elif id(node) in live_at:
            if program.live_nodes[live_at[id(node)]] != i:
                raise JitError(_differs(i, node, "a param is used in another place"))
        elif kind != "const" or node.data != program.data[i]:
            shown = program.data[i] if kind == "const" else kind
            raise JitError(_differs(i, node, f"the trace had the constant {shown!r}"))
    if len(nodes) != len(program.names):
        raise JitError(
            f"jit(check=True): this call built {len(nodes)} nodes, the trace "
            f"{len(program.names)}; fn's control flow depends on the data, so its trace does "
            "not hold here: call fn directly (the dynamic engine) for such functions"
        )


def _differs(i: int, node: Value, why: str) -> str:
    what = f"{node.op} = {node.data!r}" if node.parents else f"leaf {node.data!r}"
    return (
        f"jit(check=True): node {i} ({what}) differs from the trace: {why}. fn's control flow "
        "or constants depend on the data (e.g. `if x.data > 0`), so the trace does not hold "
        "at these inputs: call fn directly (the dynamic engine) for such functions"
    )
