"""The pictures of the playground's network mode, from a ``network_mode.Trainer``.

The output over the input plane, each neuron's output on a coarser grid, each input
feature's map, the layers' weights with their statistics, and the ``draw_network``
picture. Every number is a float forward pass of the model's own weights
(``MLP.forward_floats`` and ``forward_floats_by_layer``: the engine's arithmetic in
the engine's order), so a picture agrees with ``model(x)`` to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd_lite import (
    Ledger,
    Value,
    draw,
    draw_network,
    paths,
    steps,
    topological_order,
    trace,
)
from autograd_lite._helpers import index_of_max, number_of

#: TensorFlow Playground's seven input features, in its order: each a function of the
#: point (x1, x2). The network's inputs are the chosen ones, in this order.
FEATURES: dict[str, Callable[[float, float], float]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: math.sin(a),
    "sin(x2)": lambda a, b: math.sin(b),
}

#: The per-neuron pictures' grid, cells a side (each cell is one forward pass).
NEURON_RESOLUTION = 16
#: ``draw_network`` draws one edge per weight: past this many the picture is a tangle.
NETWORK_DRAW_MAX_WEIGHTS = 400
#: The output grid costs (grid cells) x (weights) multiply-adds: at most this many, so
#: a snapshot between two chunks of training stays short (a 60 x 60 grid of a 4 x 32
#: network took 5 s under CPython, and the stop button waited for it).
BOUNDARY_BUDGET = 1_500_000
#: The explanation lists at most this many paths from the weight to the loss ...
PATHS_LIMIT = 64
#: ... and draws its paths' subgraph up to this many Value nodes (Graphviz in the page
#: lays out the ops' circles too, and past this it takes seconds).
EXPLAIN_DRAW_MAX_NODES = 150
#: The paths from a weight to the loss are a long chain: drawn top to bottom, they read
#: at full size and scroll down, where left to right they shrank to an unreadable width.
RANKDIR = "TB"
#: The plane reaches this share of the data's extent past the outermost points.
PAD = 0.15


def feature_row(features: Sequence[str], x1: float, x2: float) -> list[float]:
    """The network's inputs at the point (x1, x2): each chosen feature's value."""
    return [FEATURES[name](x1, x2) for name in features]


def softmax_top(scores: Sequence[float]) -> tuple[int, float]:
    """The predicted class and its softmax probability (the output's strength)."""
    top = max(scores)
    return index_of_max(scores), 1.0 / sum(math.exp(s - top) for s in scores)


def plane(points: Sequence[Sequence[float]], resolution: int) -> dict[str, Any]:
    """The grid over the data: bounds padded by ``PAD``, ``resolution`` cell centres a side."""
    xs_data = [p[0] for p in points]
    ys_data = [p[1] for p in points]
    pad_x = PAD * (max(xs_data) - min(xs_data)) or 1.0
    pad_y = PAD * (max(ys_data) - min(ys_data)) or 1.0
    x0, x1 = min(xs_data) - pad_x, max(xs_data) + pad_x
    y0, y1 = min(ys_data) - pad_y, max(ys_data) + pad_y
    return {
        "bounds": [x0, x1, y0, y1],
        "xs": [x0 + (x1 - x0) * (j + 0.5) / resolution for j in range(resolution)],
        "ys": [y0 + (y1 - y0) * (i + 0.5) / resolution for i in range(resolution)],
    }


def boundary_resolution(weights: int) -> int:
    """The finest output grid (16 to 60 cells a side) within ``BOUNDARY_BUDGET``."""
    return max(16, min(60, math.isqrt(BOUNDARY_BUDGET // weights)))


def output_grid(trainer: Any, xs: Sequence[float], ys: Sequence[float]) -> Any:
    """The output at every (xs[j], ys[i]): binary, the probability of class 1; three
    classes, ``{"class", "strength"}`` (the softmax's largest probability); regression,
    the prediction."""
    forward, features = trainer.model.forward_floats, trainer.features
    outputs = [[forward(feature_row(features, x, y)) for x in xs] for y in ys]
    if trainer.kind == "classification" and trainer.n_classes > 2:
        tops = [[softmax_top(out) for out in row] for row in outputs]
        return {
            "class": [[c for c, _ in row] for row in tops],
            "strength": [[s for _, s in row] for row in tops],
        }
    return [[out[0] for out in row] for row in outputs]


def neuron_pictures(trainer: Any) -> dict[str, Any]:
    """Each neuron's output map and each input's map on the ``NEURON_RESOLUTION`` grid:
    one recording forward pass per grid point."""
    model, features = trainer.model, trainer.features
    grid = plane(trainer.all_points, NEURON_RESOLUTION)
    xs, ys = grid["xs"], grid["ys"]
    rows = [[feature_row(features, x, y) for x in xs] for y in ys]
    passes = [[model.forward_floats_by_layer(row) for row in line] for line in rows]
    neurons = [
        [
            {
                "layer": k,
                "index": j,
                "bias": neuron.b.data,
                "map": [[cell[k][j] for cell in line] for line in passes],
            }
            for j, neuron in enumerate(layer.neurons)
        ]
        for k, layer in enumerate(model.layers)
    ]
    inputs = [
        {"name": name, "map": [[row[f] for row in line] for line in rows]}
        for f, name in enumerate(features)
    ]
    return {"neurons": neurons, "neuron_plane": {"xs": xs, "ys": ys}, "inputs": inputs}


def layer_tables(model: Any) -> list[dict[str, Any]]:
    """Per layer: the weights (a row per neuron), their gradients, the biases and theirs,
    and the weights' statistics (what a layer drawn as a block shows)."""
    tables = []
    for layer in model.layers:
        weights = [[w.data for w in n.w] for n in layer.neurons]
        grads = [[number_of(w.grad) for w in n.w] for n in layer.neurons]
        flat = [w for row in weights for w in row]
        mean = math.fsum(flat) / len(flat)
        tables.append(
            {
                "weights": weights,
                "grads": grads,
                "biases": [n.b.data for n in layer.neurons],
                "bias_grads": [number_of(n.b.grad) for n in layer.neurons],
                "stats": {
                    "count": len(flat),
                    "mean": mean,
                    "std": math.sqrt(math.fsum((w - mean) ** 2 for w in flat) / len(flat)),
                    "min": min(flat),
                    "max": max(flat),
                    "mean_abs_grad": math.fsum(abs(g) for row in grads for g in row) / len(flat),
                },
            }
        )
    return tables


def snapshot(trainer: Any, resolution: int) -> dict[str, Any]:
    """Everything the pictures need at the current weights (see the contract)."""
    grid = plane(trainer.all_points, resolution)
    train_loss, accuracy = trainer.training_eval()
    test_loss, test_accuracy = trainer.evaluate(trainer.rows_test, trainer.y_test)
    return {
        "epoch": trainer.epoch,
        "update": trainer.updates,
        "plane": grid,
        "output": output_grid(trainer, grid["xs"], grid["ys"]),
        **neuron_pictures(trainer),
        "layers": layer_tables(trainer.model),
        "train_points": [[x[0], x[1], t] for x, t in zip(trainer.X_train, trainer.y_train)],
        "test_points": [[x[0], x[1], t] for x, t in zip(trainer.X_test, trainer.y_test)],
        "kind": trainer.kind,
        "classes": trainer.n_classes,
        "features": list(trainer.features),
        "accuracy": accuracy,
        "test_accuracy": test_accuracy,
        "loss": train_loss,
        "test_loss": test_loss,
        "network_dot": network_dot(trainer),
        "network_note": network_note(trainer),
        "notes": list(trainer.notes),
    }


def network_dot(trainer: Any) -> str:
    """``draw_network`` of the model (dead ReLUs marked on the training data), or ""
    past ``NETWORK_DRAW_MAX_WEIGHTS`` (``network_note`` says why)."""
    if trainer.weights > NETWORK_DRAW_MAX_WEIGHTS:
        return ""
    return draw_network(
        trainer.model,
        inputs=trainer.rows_train,
        input_names=list(trainer.features),
        title=f"{trainer.dataset}: {trainer.model!r} after {trainer.epoch} epochs",
    ).source


def network_note(trainer: Any) -> str:
    """What the network picture shows, in words (its text alternative), or why it is
    not drawn."""
    model = trainer.model
    sizes = [model.n_inputs, *model.layer_sizes]
    shape = " → ".join(map(str, sizes))
    if trainer.weights > NETWORK_DRAW_MAX_WEIGHTS:
        return (
            f"The network {shape} ({trainer.weights:,} weights and biases) is not drawn: "
            f"past {NETWORK_DRAW_MAX_WEIGHTS} weights one edge per weight is a tangle."
        )
    return (
        f"The network {shape} ({trainer.activation}, {trainer.weights:,} weights and biases) "
        f"after {trainer.epoch} epochs: one circle per neuron with its bias, one edge per "
        "weight, its width the weight's size and its colour the sign of its gradient."
    )


# -- one weight's gradient on one example ----------------------------------------------


def title(trainer: Any, index: int) -> str:
    """A parameter in words: ``w: x1 → layer 1 neuron 3``, ``b: output``."""
    layers = trainer.model.layers
    place = 0
    for k, layer in enumerate(layers):
        for j, neuron in enumerate(layer.neurons):
            if index <= place + len(neuron.w):
                here = _neuron_name(layers, k, j)
                if index == place + len(neuron.w):
                    return f"b: {here}"
                i = index - place
                source = trainer.features[i] if k == 0 else _neuron_name(layers, k - 1, i)
                return f"w: {source} → {here}"
            place += len(neuron.w) + 1
    raise IndexError(index)


def _neuron_name(layers: Sequence[Any], k: int, j: int) -> str:
    if k == len(layers) - 1:
        return "output" if len(layers[k].neurons) == 1 else f"output {j + 1}"
    return f"layer {k + 1} neuron {j + 1}"


def example_graph(trainer: Any, index: int) -> tuple[Value, list[Value]]:
    """The Value graph of one training example's loss, its nodes named for the page:
    the inputs by feature, ``z``/``a`` per neuron (layer.neuron, from 1), the loss ``L``."""
    row = trainer.rows_train[index]
    inputs = [Value(v, label=name) for name, v in zip(trainer.features, row)]
    layers = trainer.model.trace(inputs)
    for k, layer in enumerate(layers):
        for j, (z, a) in enumerate(zip(layer.z, layer.a)):
            _name_weighted_sum(z, f"{k + 1}.{j + 1}")
            if a is not z:
                a.label = f"a{k + 1}.{j + 1}"
    out = layers[-1].a
    loss = trainer.loss_of(out[0] if len(out) == 1 else out, trainer.y_train[index])
    loss.label = "L"
    return loss, out


def _name_weighted_sum(z: Value, neuron: str) -> None:
    """Name the nodes of one neuron's ``b + w1*x1 + ... + wn*xn`` (built left to right):
    ``p{neuron}.{i}`` the i-th input times its weight, ``s{neuron}.{i}`` the bias plus
    the first i of them, ``z{neuron}`` the whole sum (``NODE_NAMES`` says it in words)."""
    z.label = f"z{neuron}"
    node, i = z, 0
    while node.op == "add" and len(node.parents) == 2 and node.parents[1].op == "mul":
        i += 1
        node = node.parents[0]
    total = i
    node = z
    for i in range(total, 0, -1):
        before, product = node.parents
        product.label = f"p{neuron}.{i}"
        if i > 1:
            before.label = f"s{neuron}.{i - 1}"
        node = before


#: The explanation's node names in words, for the page to show beside the ledger.
NODE_NAMES = (
    "zK.J is neuron J of layer K's weighted sum and aK.J its activation; pK.J.I is its "
    "input I times that input's weight, and sK.J.I the bias plus the first I of those "
    "products (a neuron adds them one at a time); L is the example's loss."
)


def explanation(trainer: Any, index: int, example: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The answer to ``Trainer.explain`` (the contract's shape), and what the
    step-through drawings need later (the graph, its ledger, the rows on the paths).

    The gradient is the engine's own backward pass of this example's loss (``trace``);
    the batch's shares come from the path the next update takes (``example_grads``).
    """
    params = trainer.params
    w = params[index]
    root, out = example_graph(trainer, example)
    on_path = {w}  # the nodes on some path from w to L
    for node in topological_order(root):
        if node is not w and any(p in on_path for p in node.parents):
            on_path.add(node)
    big = len(on_path) > EXPLAIN_DRAW_MAX_NODES
    saved = [p.grad for p in params]
    try:
        for p in params:
            p.grad = 0.0
        ledger = trace(root)  # backward for real, so the drawing shows these gradients
        grad = number_of(w.grad)
        dot = (
            ""
            if big
            else draw(
                root, nodes=on_path, parameters=params, max_nodes=None, rankdir=RANKDIR
            ).source
        )
    finally:
        for p, g in zip(params, saved):
            p.grad = g
    rows = [r for r in ledger if r.node in on_path and r.parent in on_path]
    sub = Ledger(root, ledger.gradient, rows, ledger.names, ledger.precision)
    found = paths(root, w, limit=PATHS_LIMIT, max_edges=None)
    batch = trainer._next_batch()
    size = len(batch)
    shares = [g * (1.0 / size) for g in trainer.example_grads(w, batch)]
    slope = trainer._penalty()[1](w)
    outputs = [v.data for v in out]
    prediction: Any = outputs[0]
    if len(outputs) > 1:
        top = max(outputs)
        exps = [math.exp(v - top) for v in outputs]
        prediction = [e / sum(exps) for e in exps]
    classification = trainer.kind == "classification"
    note = (
        f"The {len(on_path):,} nodes on the paths from {trainer.names[index]} to L are not "
        f"drawn: past {EXPLAIN_DRAW_MAX_NODES} Graphviz takes seconds to lay them out. The "
        "ledger and the paths are complete."
    )
    answer = {
        "ok": True,
        "parameter": {
            "index": index,
            "name": trainer.names[index],
            "title": title(trainer, index),
            "value": w.data,
        },
        "example": {
            "index": example,
            "point": list(trainer.X_train[example]),
            "features": dict(zip(trainer.features, trainer.rows_train[example])),
            "target": trainer.y_train[example],
            "prediction": prediction,
            "predicted_class": trainer.predicted(outputs) if classification else None,
        },
        "loss": root.data,
        "grad": grad,
        "batch": {
            "indices": batch,
            "size": size,
            "descent": trainer.descent,
            "contains": example in batch,
            "share": grad * (1.0 / size) if example in batch else None,
            "shares": shares,
            "penalty": slope,
            "total": math.fsum(shares) + slope,
        },
        "ledger": {
            "columns": list(sub.columns),
            "rows": sub._cells(),
            "accumulated": [r.accumulated for r in rows],
            "contributions": [r.contribution for r in rows],
            "into": [r.parent is w for r in rows],
        },
        "paths": {
            "count": found.count,
            "listed": [
                {"names": list(q.names), "locals": list(q.locals), "product": q.product}
                for q in found
            ],
            "total": found.total,
        },
        "dot": dot,
        "drawing": {"nodes": len(on_path), "drawn": not big, "note": note if big else ""},
        "names": NODE_NAMES,
        "steps": [
            {"caption": f"step {k + 1}/{len(rows)}: {r.sentence(4)}"} for k, r in enumerate(rows)
        ],
    }
    kept = {"ledger": ledger, "rows": rows, "nodes": on_path, "dots": {}, "frame_dots": []}
    return answer, kept


def step_dot(trainer: Any, last: dict[str, Any], k: int) -> str:
    """Step ``k`` of the paths' step-through: the k-th step of the backward pass along
    an edge on the paths, drawn as ``steps(root, nodes=...)`` draws it (the gradients
    known so far, ``?`` for the rest), on the paths' nodes only. Frames are made in
    order and kept, so stepping forward draws one more."""
    dots: list[str] = last["frame_dots"]
    if "frames" not in last:
        last["frames"] = steps(
            last["ledger"].root,
            nodes=last["nodes"],
            parameters=trainer.params,
            rankdir=RANKDIR,
            caption_in_picture=False,
            max_nodes=None,
        )
    while len(dots) <= k:
        dots.append(next(last["frames"]).source)
    return dots[k]
