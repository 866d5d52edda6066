"""``draw_network``: a network as layers of neurons, edges coloured and sized by
their weights, optionally with one sample's activations and the dead neurons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from autograd_lite._helpers import is_real, is_whole, number_of
from autograd_lite.autodiff import topological_order
from autograd_lite.nn import Pointwise
from autograd_lite.ops import OPS
from autograd_lite.text.notation import (
    format_number,
)
from autograd_lite.value import Value
from autograd_lite.viz.dot import _FLOW, _FONT, _GREY, _INK, _STYLE, Graph, _esc, _quote

#: ``draw_network`` refuses networks with more weights than this unless told otherwise
#: (``max_weights=...``, or ``None``): each weight is an edge of the picture.
MAX_WEIGHTS = 2_000


def _model_layers(model: Any) -> list[Any] | None:
    """``model.layers``, or for a composition without it (a ``Sequential``) its
    parts that have neurons, in order."""
    layers = getattr(model, "layers", None)
    if layers is None and callable(getattr(model, "modules", None)):
        layers = [m for m in model.modules() if getattr(m, "neurons", None)] or None
    return None if layers is None else list(layers)


def _layers(model: Any) -> list[list[Any]]:
    """The model's neurons, layer by layer, checked to have ``w`` and ``b``."""
    hint = (
        "expected a model with .layers, each with .neurons, each with .w (a list of "
        "Values) and .b (a Value), such as autograd_lite.nn.MLP"
    )
    layers = _model_layers(model)
    if layers is None:
        raise TypeError(f"{type(model).__name__} has no .layers: {hint}")
    result = []
    for i, layer in enumerate(layers):
        neurons = list(getattr(layer, "neurons", None) or [])
        if not neurons:
            raise TypeError(f"layer {i} has no .neurons: {hint}")
        for neuron in neurons:
            w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
            if not isinstance(b, Value) or not all(isinstance(v, Value) for v in w or [None]):
                raise TypeError(f"a neuron of layer {i} lacks .w/.b Values: {hint}")
        result.append(neurons)
    for i in range(1, len(result)):
        if any(len(n.w) != len(result[i - 1]) for n in result[i]):
            raise ValueError(
                f"layer {i}'s neurons do not take layer {i - 1}'s {len(result[i - 1])} outputs"
            )
    return result


def _activation(neuron: Any, layer: Any = None) -> str:
    """The neuron's activation as an op name ("relu", "tanh", ...) or "" for linear."""
    for owner in (neuron, layer):
        if owner is None:
            continue
        act = getattr(owner, "activation", None)
        if isinstance(act, str):
            return "" if act in ("linear", "identity", "none", "") else act
        if act is not None and not isinstance(act, str):
            name = getattr(act, "__name__", "")
            return "" if name in ("linear", "identity") else name
        nonlin = getattr(owner, "nonlin", None)
        if isinstance(nonlin, bool):  # micrograd: True means ReLU
            return "relu" if nonlin else ""
    return ""


def _applied_activations(model: Any, layers: list[list[Any]]) -> list[list[str]]:
    """The activation each neuron's output goes through, read from the model's
    composition: the neuron's own, or (when the neuron is linear) the activation
    module that follows its layer before the next layer, e.g. after a batch norm.
    So the picture shows what the network computes, however it is composed."""
    model_layers = _model_layers(model) or []
    applied = [
        [_activation(n, model_layers[i]) for n in neurons] for i, neurons in enumerate(layers)
    ]
    modules = getattr(model, "modules", None)
    if not callable(modules):
        return applied
    index = {id(layer): i for i, layer in enumerate(model_layers)}
    current = None
    for module in modules():
        if id(module) in index:
            current = index[id(module)]
        elif isinstance(module, Pointwise) and current is not None:
            applied[current] = [act or module.activation for act in applied[current]]
            current = None  # one activation per layer
    return applied


def _symbol(activation: str) -> str:
    if not activation:
        return "linear"
    return OPS[activation].symbol if activation in OPS else activation


def _dead_neurons(model: Any, inputs: Sequence[Sequence[float]]) -> set[tuple[int, int]]:
    """ReLU neurons whose output is 0 on every input: they pass no gradient."""
    from autograd_lite.autodiff import no_grad

    layers = _layers(model)
    model_layers = _model_layers(model) or []
    always_zero: dict[tuple[int, int], bool] = {}
    with no_grad():
        for sample in inputs:
            x: list[Any] = [Value(v) if not isinstance(v, Value) else v for v in sample]
            for i, layer in enumerate(model_layers):
                out = layer(x)
                outs = list(out) if isinstance(out, (list, tuple)) else [out]
                for j, value in enumerate(outs):
                    zero = float(value.data if isinstance(value, Value) else value) == 0.0
                    always_zero[(i, j)] = always_zero.get((i, j), True) and zero
                x = outs
    return {
        key
        for key, zero in always_zero.items()
        if zero and _activation(layers[key[0]][key[1]], model_layers[key[0]]) == "relu"
    }


def _samples(inputs: Any, n_inputs: int) -> list[list[Any]]:
    """``draw_network(inputs=...)`` as a list of samples of ``n_inputs`` numbers each.

    A flat list of ``n_inputs`` numbers is one sample (``inputs=[0.5, -0.3]`` for a
    two-input network: what a user writing it means); for a one-input network a
    flat list is one number per sample. Anything else gets a message saying what
    ``inputs`` must be.
    """
    shape = (
        f"inputs= must be a list of samples, each a list of {n_inputs} numbers (one per "
        f"input), e.g. inputs=[[{', '.join(['0.5'] * n_inputs)}]]"
    )

    def is_number(v: Any) -> bool:
        return isinstance(v, Value) or is_real(v)

    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Iterable):
        raise TypeError(f"{shape}; got {type(inputs).__name__}")
    listed = list(inputs)
    if listed and all(is_number(v) for v in listed):
        if len(listed) == n_inputs:
            return [listed]  # one sample
        if n_inputs == 1:
            return [[v] for v in listed]  # one number per sample
        raise ValueError(
            f"{shape}; got a flat list of {len(listed)} numbers, which is neither one sample "
            f"({n_inputs} numbers) nor a list of samples"
        )
    samples = []
    for k, sample in enumerate(listed):
        if isinstance(sample, (str, bytes)) or not isinstance(sample, Iterable):
            raise TypeError(f"{shape}; inputs[{k}] is {type(sample).__name__} ({sample!r})")
        numbers = list(sample)
        if len(numbers) != n_inputs or not all(is_number(v) for v in numbers):
            raise ValueError(f"{shape}; inputs[{k}] is {sample!r}")
        samples.append(numbers)
    return samples


def draw_network(
    model: Any,
    *,
    inputs: Sequence[Sequence[float]] | Sequence[float] | None = None,
    input_names: Sequence[str] | None = None,
    labels: bool | None = None,
    precision: int = 3,
    rankdir: str = "LR",
    title: str = "",
    max_weights: int | None = MAX_WEIGHTS,
) -> Graph:
    """The neuron-level picture of a multilayer perceptron.

    Neurons are circles showing their activation (σ, ReLU, tanh, id) and bias;
    weights are edges whose width grows with ``|w|`` and whose colour is the
    sign of ``w.grad`` (red: positive, so gradient descent will decrease w;
    blue: negative; grey: zero). With ``inputs`` (a list of samples), ReLU
    neurons that output 0 on every sample are marked dead (grey, dashed).

    Args:
        model: anything with ``.layers[i].neurons[j].w`` (list of Values) and
            ``.b`` (a Value), such as ``autograd_lite.nn.MLP``.
        inputs: samples to run through the model (layer by layer) to find dead
            ReLUs: a list of samples, each a list of one number per input (a
            single sample may be given as it is, ``inputs=[0.5, -0.3]``).
        input_names: names of the inputs (default ``x1, x2, ...``).
        labels: print ``w`` and its gradient on every edge; the default does so
            when there are at most 24 weights and no layer (the inputs included)
            is wider than 4, past which the labels of the edges fanning out of one
            node overlap. Every edge's tooltip shows them either way.
        precision: decimals in labels.
        rankdir: ``"LR"`` or ``"TB"``.
        title: a caption above the drawing.
        max_weights: refuse networks with more weights (edges) than this (the
            default is ``viz.MAX_WEIGHTS``); ``None``: no limit.

    Example:
        >>> from autograd_lite.nn import MLP
        >>> model = MLP(2, [3, 1], seed=0)
        >>> draw_network(model, inputs=[0.5, -0.3]).source.startswith("digraph network")
        True
    """
    layers = _layers(model)
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"rankdir={rankdir!r}: use 'LR' (left to right) or 'TB' (top to bottom)")
    n_inputs = len(layers[0][0].w)
    names = list(input_names) if input_names is not None else [f"x{i + 1}" for i in range(n_inputs)]
    if len(names) != n_inputs:
        raise ValueError(f"input_names has {len(names)} names for {n_inputs} inputs")
    n_weights = sum(len(n.w) for layer in layers for n in layer)
    if max_weights is not None and (not is_whole(max_weights) or max_weights < 1):
        raise ValueError(f"max_weights={max_weights!r}: use a whole number >= 1, or None")
    if max_weights is not None and n_weights > max_weights:
        raise ValueError(
            f"draw_network: the network has {n_weights:,} weights, more than "
            f"max_weights={max_weights:,}: one edge each would be an unreadable drawing, and "
            "Graphviz can take minutes to lay it out. Draw a smaller network, or pass "
            "max_weights=None (or a larger number) to draw it anyway."
        )
    dead = _dead_neurons(model, _samples(inputs, n_inputs)) if inputs is not None else set()
    if labels is None:
        widest = max(n_inputs, *(len(layer) for layer in layers))
        labels = n_weights <= 24 and widest <= 4
    biggest = max((abs(v.data) for layer in layers for n in layer for v in n.w), default=1.0)
    biggest = biggest or 1.0

    def fmt(number: float) -> str:
        return format_number(number, precision)

    ranksep = 3.0 if labels else 1.4
    lines = [
        "digraph network {",
        f'  graph [rankdir={rankdir}, fontname="{_FONT}", fontsize=11, bgcolor="white", '
        f"nodesep={0.6 if labels else 0.15}, ranksep={ranksep}, pad=0.25, "
        "splines=line];",
        f'  node [fontname="{_FONT}", fontsize=10, fontcolor="{_INK}"];',
        f'  edge [fontname="{_FONT}", fontsize=8, arrowhead=none];',
    ]
    lines.append("  subgraph inputs { rank=same;")
    fill, border = _STYLE["leaf"]
    for i, name in enumerate(names):
        lines.append(
            f'    i{i} [shape=circle, style=filled, fillcolor="{fill}", color="{border}", '
            f"width=0.6, fixedsize=true, label={_quote(name)}];"
        )
    lines.append("  }")
    last = len(layers) - 1
    applied = _applied_activations(model, layers)
    for li, layer in enumerate(layers):
        lines.append(f"  subgraph layer{li} {{ rank=same;")
        for ni, neuron in enumerate(layer):
            activation = applied[li][ni]
            fill, border = _STYLE["root"] if li == last else ("#ffffff", "#57606a")
            style = "filled"
            symbol = _esc(_symbol(activation))
            extra = ""
            if (li, ni) in dead:
                fill, border, style = "#e6e6e6", _GREY, "filled,dashed"
                symbol = "ReLU ✕"
                extra = '<br/><font point-size="7">dead</font>'
            label = (
                f'<{symbol}<br/><font point-size="7" color="#57606a">b {_esc(fmt(neuron.b.data))}'
                f"</font>{extra}>"
            )
            tooltip = (
                f"layer {li + 1} neuron {ni + 1}: b = {fmt(neuron.b.data)}, "
                f"∂L/∂b = {fmt(number_of(neuron.b.grad))}"
            )
            lines.append(
                f'    n{li}_{ni} [shape=circle, style="{style}", fillcolor="{fill}", '
                f'color="{border}", penwidth=1.4, width=0.75, fixedsize=true, '
                f"label={label}, tooltip={_quote(tooltip)}];"
            )
        lines.append("  }")
    for li, layer in enumerate(layers):
        sources = (
            [f"i{i}" for i in range(n_inputs)]
            if li == 0
            else [f"n{li - 1}_{k}" for k in range(len(layers[li - 1]))]
        )
        for ni, neuron in enumerate(layer):
            for wi, w in enumerate(neuron.w):
                grad = number_of(w.grad)
                colour = _FLOW if grad > 0 else ("#1f6feb" if grad < 0 else "#b8bec6")
                width = 0.6 + 4.4 * abs(w.data) / biggest
                attrs = f'color="{colour}", penwidth={width:.2f}'
                text = f"w {fmt(w.data)}, ∂L/∂w {fmt(grad)}"
                attrs += f", tooltip={_quote(text)}"
                if labels:
                    # On the edge itself, on a white ground, at a fraction of its
                    # length that is different for every edge leaving one node and
                    # for every edge reaching one neuron (a Latin square), so
                    # labels of edges that meet or cross do not pile up.
                    k = max(len(sources), len(layer))
                    along = ((wi - ni) % k + 0.5) / k * ranksep * 72 / 10
                    attrs += (
                        ', taillabel=<<table border="0" cellborder="0" cellpadding="1" '
                        f'bgcolor="white"><tr><td>w {_esc(fmt(w.data))}</td></tr><tr><td>'
                        f'<font color="{colour}">grad {_esc(fmt(grad))}</font></td></tr>'
                        f"</table>>, labeldistance={along:.2f}, labelangle=0"
                    )
                lines.append(f"  {sources[wi]} -> n{li}_{ni} [{attrs}];")
    lines.append(f"  labelloc={'t' if title else 'b'}; label={_network_legend(title, bool(dead))};")
    lines.append("}")
    return Graph("\n".join(lines) + "\n", title)


def _network_legend(title: str, dead: bool) -> str:
    """``draw_network``'s caption: the title (if any) above a one-line legend.

    NOTE: the items are separated by no-break spaces (``&#160;``), never by
    ordinary ones: Graphviz lays out ordinary spaces next to a tag unreliably
    (some versions drop them, which glued "grey: 0" to "dashed grey: dead
    ReLU"), and SVG viewers strip a text run's leading spaces.
    """
    items = [
        "edge width ∝ |w|",
        f'<font color="{_FLOW}">red: ∂L/∂w &gt; 0</font>',
        '<font color="#1f6feb">blue: ∂L/∂w &lt; 0</font>',
        '<font color="#8c959f">grey: 0</font>',
    ]
    if dead:
        items.append("dashed grey: dead ReLU")
    legend = '<font point-size="9">' + ("&#160;" * 4).join(items) + "</font>"
    return f"<<b>{_esc(title)}</b><br/>{legend}>" if title else f"<{legend}>"


def _draw_neurons(
    root: Value, model: Any, rankdir: str, precision: int, title: str, own_labels: bool = False
) -> Graph:
    """``draw(root, collapse=model)``: one box per neuron with its weights' grads."""
    layers = _layers(model)
    in_graph = set(topological_order(root))
    params = [v for layer in layers for n in layer for v in (*n.w, n.b)]
    if not any(v in in_graph for v in params):
        raise ValueError(
            "collapse=model: none of the model's parameters is in root's graph; "
            "pass the model whose output root was computed from"
        )

    def fmt(number: float) -> str:
        return format_number(number, precision)

    n_inputs = len(layers[0][0].w)
    lines = [
        "digraph neurons {",
        f'  graph [rankdir={rankdir}, fontname="{_FONT}", fontsize=11, bgcolor="white", '
        "nodesep=0.2, ranksep=0.6, pad=0.2];",
        f'  node [fontname="{_FONT}", fontsize=9, shape=plain, fontcolor="{_INK}"];',
        '  edge [color="#8c959f", arrowsize=0.6];',
    ]
    if title:
        lines.append(f"  labelloc=t; label={_quote(title)};")
    fill, border = _STYLE["leaf"]
    for i in range(n_inputs):
        lines.append(
            f'  i{i} [shape=circle, style=filled, fillcolor="{fill}", color="{border}", '
            f'label="x{i + 1}"];'
        )
    pfill, pborder = _STYLE["parameter"]
    applied = _applied_activations(model, layers)
    for li, layer in enumerate(layers):
        for ni, neuron in enumerate(layer):
            act = _esc(_symbol(applied[li][ni]))
            rows = [
                f'<tr><td colspan="3" bgcolor="{pfill}"><b>layer {li + 1} · neuron {ni + 1}'
                f"</b> ({act})</td></tr>",
                "<tr><td><i>param</i></td><td><i>data</i></td><td><i>grad</i></td></tr>",
            ]
            for wi, w in enumerate(neuron.w):
                colour = _GREY if number_of(w.grad) == 0.0 else _INK
                name = _esc(w.label) if own_labels and w.label else f"w{wi + 1}"
                rows.append(
                    f"<tr><td>{name}</td><td>{_esc(fmt(w.data))}</td>"
                    f'<td><font color="{colour}">{_esc(fmt(number_of(w.grad)))}</font></td></tr>'
                )
            colour = _GREY if number_of(neuron.b.grad) == 0.0 else _INK
            name = _esc(neuron.b.label) if own_labels and neuron.b.label else "b"
            rows.append(
                f"<tr><td>{name}</td><td>{_esc(fmt(neuron.b.data))}</td>"
                f'<td><font color="{colour}">{_esc(fmt(number_of(neuron.b.grad)))}</font></td></tr>'
            )
            lines.append(
                f'  n{li}_{ni} [label=<<table border="1" cellborder="0" cellspacing="0" '
                f'cellpadding="2" color="{pborder}">{"".join(rows)}</table>>];'
            )
            sources = (
                [f"i{k}" for k in range(n_inputs)]
                if li == 0
                else [f"n{li - 1}_{k}" for k in range(len(layers[li - 1]))]
            )
            for source in sources:
                lines.append(f"  {source} -> n{li}_{ni};")
    rfill, rborder = _STYLE["root"]
    name = _esc(root.label or "output")
    lines.append(
        f'  root [label=<<table border="2" cellborder="1" cellspacing="0" cellpadding="4" '
        f'color="{rborder}"><tr><td bgcolor="{rfill}"><b>{name}</b></td>'
        f'<td bgcolor="{rfill}">data {_esc(fmt(root.data))}</td></tr></table>>];'
    )
    for ni in range(len(layers[-1])):
        lines.append(f'  n{len(layers) - 1}_{ni} -> root [style=dashed, label=" … "];')
    lines.append("}")
    return Graph("\n".join(lines) + "\n", title)
