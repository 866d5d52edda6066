"""Speed and memory of autograd_lite against micrograd (and PyTorch on scalars).

Runs the same workloads on each engine in one process, interleaved round by
round, and prints ratios of median times (how many times faster autograd_lite
is). Each timed step ends with ``gc.collect()``, so every engine pays for
freeing its own graph: micrograd's closures make reference cycles that only the
cycle collector frees, and without this its garbage would be collected (and
timed) inside whichever engine ran next.

Usage:
    pip install -e ".[bench,torch]"
    python benchmarks/bench.py            # all workloads (a few minutes)
    python benchmarks/bench.py --quick    # fewer rounds, no 1,000,000-step chain

Workloads:
    1. micrograd's demo training step: MLP 2-16-16-1 (ReLU), 100 moons points,
       max-margin loss + 1e-4 L2, forward + backward + SGD update. Both engines
       start from the same weights and must produce the same losses.
    2. a deep chain x = tanh(0.9*x + 0.1), forward + backward.
    3. a wide sum of 100,000 products w_i * x_i, forward + backward.
    4. memory per live graph node (tracemalloc), on the training step's graph.
    5. the compiled path (jit) on the deep chain; compile time per 1,000 nodes at
       10k to 200k nodes (flat is the goal), and the cost of refusing a graph past
       the node limit.
    6. graph building with the cycle collector on and inside
       ``autograd_lite.graph_building()``: the deep chain's forward pass per node
       at 1k to 1M steps;
    7. micrograd's demo step written as users write it, inside the context;
    8. memory per node built inside the context and outside it.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import autograd_lite
from autograd_lite import Value, topological_order
from autograd_lite.datasets import moons
from autograd_lite.nn import MLP

try:
    import micrograd.engine as mg_engine
    import micrograd.nn as mg_nn
except ImportError:  # pragma: no cover - a usage error, reported below
    sys.exit('micrograd is not installed: pip install -e ".[bench]"')


def _micrograd_tanh(self: Any) -> Any:
    """tanh for micrograd, written the way micrograd writes its ops (its PyPI
    release has relu only; this is the version from karpathy's lecture)."""
    t = math.tanh(self.data)
    out = mg_engine.Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t * t) * out.grad

    out._backward = _backward
    return out


mg_engine.Value.tanh = _micrograd_tanh  # type: ignore[attr-defined]


def timed(run: Callable[[], Any]) -> float:
    """Seconds for run() plus freeing what it left behind."""
    gc.collect()
    start = time.perf_counter()
    run()
    gc.collect()
    return time.perf_counter() - start


def interleave(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    """Median seconds of each contender, run in turn each round."""
    # Everything alive now (PyTorch's modules, the models) is moved out of the
    # collector's sight, so each timed collection costs only what the workload
    # itself left behind.
    gc.collect()
    gc.freeze()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            times[name].append(timed(run))
    gc.unfreeze()
    return {name: statistics.median(ts) for name, ts in times.items()}


# -- 1. the training step ---------------------------------------------------------------


def training_step(
    model: Any,
    value: Callable[[float], Any],
    update: Callable[[Any, float], None],
    X: list[list[float]],
    y: list[int],
    k: int,
) -> float:
    """micrograd's demo step, written once for every engine."""
    inputs = [[value(a) for a in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    update(model, 1.0 - 0.9 * k / 100)
    return float(total.data)


def sgd(model: Any, lr: float) -> None:
    """The update of micrograd's demo, for autograd_lite's and micrograd's MLPs."""
    for p in model.parameters():
        p.data -= lr * p.grad


class TorchScalarMLP:
    """micrograd's MLP on 0-dim float64 tensors: PyTorch used as a scalar engine."""

    def __init__(self, torch: Any, source: Any) -> None:
        self.torch = torch
        self.layers = [
            [([self.leaf(w.data) for w in n.w], self.leaf(n.b.data), n.nonlin) for n in lay.neurons]
            for lay in source.layers
        ]

    def leaf(self, number: float) -> Any:
        return self.torch.tensor(float(number), dtype=self.torch.float64, requires_grad=True)

    def __call__(self, x: list[Any]) -> Any:
        for layer in self.layers:
            out = []
            for w, b, nonlin in layer:
                act = b
                for wi, xi in zip(w, x):
                    act = act + wi * xi
                out.append(act.relu() if nonlin else act)
            x = out
        return x[0]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for w, b, _ in layer for p in (*w, b)]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def value(self, number: float) -> Any:
        return self.torch.tensor(float(number), dtype=self.torch.float64)

    def sgd(self, lr: float) -> None:
        with self.torch.no_grad():
            for p in self.parameters():
                p -= lr * p.grad


def bench_training(rounds: int, with_torch: bool) -> None:
    X, labels = moons(100, noise=0.1, seed=1)
    y = [1 if v == 1 else -1 for v in labels]
    import random

    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    for p, q in zip(ours.parameters(), theirs.parameters()):
        p.data = float(q.data)
    contenders: dict[str, Callable[[], Any]] = {}
    losses: dict[str, list[float]] = {"autograd_lite": [], "micrograd": [], "torch": []}
    step = {"autograd_lite": 0, "micrograd": 0, "torch": 0}

    def make(name: str, fn: Callable[[int], float]) -> Callable[[], None]:
        def run() -> None:
            losses[name].append(fn(step[name]))
            step[name] += 1

        return run

    contenders["autograd_lite"] = make(
        "autograd_lite", lambda k: training_step(ours, Value, sgd, X, y, k)
    )
    compiled_model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    for p, q in zip(compiled_model.parameters(), theirs.parameters()):
        p.data = float(q.data)
    compiled_step, compile_seconds = compiled_training_step(compiled_model, X, y)
    losses["compiled"], step["compiled"] = [], 0
    contenders["compiled"] = make("compiled", compiled_step)
    contenders["micrograd"] = make(
        "micrograd", lambda k: training_step(theirs, mg_engine.Value, sgd, X, y, k)
    )
    if with_torch:
        import torch

        torch.set_num_threads(1)
        model = TorchScalarMLP(torch, theirs)
        contenders["torch"] = make(
            "torch", lambda k: training_step(model, model.value, TorchScalarMLP.sgd, X, y, k)
        )
    med = interleave(contenders, rounds)

    def worst(other: str) -> float:
        pairs = zip(losses["autograd_lite"], losses[other])
        return max(abs(a - b) / abs(b) for a, b in pairs)

    print("1. training step (MLP 2-16-16-1, 100 moons points, hinge + L2, SGD)")
    print(
        f"   same losses as micrograd over {rounds} steps: max relative difference "
        f"{worst('micrograd'):.1e}" + (f" (PyTorch: {worst('torch'):.1e})" if with_torch else "")
    )
    print(f"   autograd_lite is {med['micrograd'] / med['autograd_lite']:.1f}x micrograd's speed")
    print(
        f"   compiled (jit): {med['micrograd'] / med['compiled']:.0f}x micrograd's speed, "
        f"{med['autograd_lite'] / med['compiled']:.1f}x the dynamic engine's; same losses as "
        f"micrograd to {worst('compiled'):.1e}; compiling took {compile_seconds * 1e3:.0f} ms "
        "(once, not in the step times)"
    )
    if with_torch:
        ratio = med["torch"] / med["autograd_lite"]
        print(f"   autograd_lite is {ratio:.1f}x PyTorch-on-scalars' speed")
    medians = ", ".join(f"{name} {t * 1e3:.0f} ms" for name, t in med.items())
    print(f"   (medians: {medians})")


def compiled_training_step(
    model: MLP, X: list[list[float]], y: list[int]
) -> tuple[Callable[[int], float], float]:
    """micrograd's demo step through ``jit``: one sample's hinge loss and the L2 term
    compiled once, then replayed with ``backward_batch``; the same SGD update."""
    params = model.parameters()

    def sample_loss(x1: Value, x2: Value, target: Value) -> Value:
        return (1 + -target * model([x1, x2])).relu()

    start = time.perf_counter()
    data_loss = autograd_lite.jit(sample_loss, params=params)
    reg_loss = autograd_lite.jit(lambda: 1e-4 * sum(p * p for p in params), params=params)
    rows = [(a, b, float(t)) for (a, b), t in zip(X, y)]
    data_loss.backward_batch(rows[:1])
    reg_loss.backward()
    seconds = time.perf_counter() - start

    def step(k: int) -> float:
        model.zero_grad()
        total = data_loss.backward_batch(rows, scale=1.0 / len(rows)) + reg_loss.backward()
        sgd(model, 1.0 - 0.9 * k / 100)
        return total

    return step, seconds


# -- 2. the deep chain and 3. the wide sum ----------------------------------------------


def chain(value: Callable[[float], Any], n: int) -> float:
    x0 = value(0.5)
    x = x0
    for _ in range(n):
        x = (0.9 * x + 0.1).tanh()
    x.backward()
    return float(x0.grad)


def wide_sum(value: Callable[[float], Any], n: int) -> float:
    ws = [value(0.001 * (i % 100)) for i in range(n)]
    xs = [value(1.0 - 0.001 * (i % 50)) for i in range(n)]
    total = value(0.0)
    for w, x in zip(ws, xs):
        total = total + w * x
    total.backward()
    return float(ws[1].grad)


def micrograd_fails_at_default_limit(n: int) -> str:
    try:
        chain(mg_engine.Value, n)
    except RecursionError:
        return "RecursionError"
    return "ok"


def bench_graphs(rounds: int, sizes: list[int]) -> None:
    limit = sys.getrecursionlimit()
    print("2. deep chain x = tanh(0.9*x + 0.1), forward + backward")
    for n in sizes:
        verdict = micrograd_fails_at_default_limit(n)
        sys.setrecursionlimit(max(limit, 4 * n + 1000))
        r = rounds if n <= 100_000 else 1
        med = interleave(
            {
                "ours": lambda n=n: chain(Value, n),
                "micrograd": lambda n=n: chain(mg_engine.Value, n),
            },
            r,
        )
        sys.setrecursionlimit(limit)
        print(f"   {n:>9,} steps: {med['micrograd'] / med['ours']:.1f}x micrograd's speed "
              f"(micrograd at the default recursion limit: {verdict})")  # fmt: skip
    print("3. wide sum of 100,000 products, forward + backward")
    sys.setrecursionlimit(max(limit, 500_000))
    med = interleave(
        {
            "ours": lambda: wide_sum(Value, 100_000),
            "micrograd": lambda: wide_sum(mg_engine.Value, 100_000),
        },
        rounds,
    )
    sys.setrecursionlimit(limit)
    print(f"   {med['micrograd'] / med['ours']:.1f}x micrograd's speed")


# -- 4. memory ------------------------------------------------------------------------


def micrograd_nodes(root: Any) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        for child in stack.pop()._prev:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen)


def bytes_per_node(build: Callable[[], Any], count: Callable[[Any], int]) -> float:
    gc.collect()
    tracemalloc.start()
    root = build()
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return used / count(root)


def bench_compiled_graphs(rounds: int) -> None:
    """Compile time and replay speed of the deep chain, and the limit past which jit refuses."""

    def chain_fn(n: int) -> Callable[[Value], Value]:
        def fn(x: Value) -> Value:
            for _ in range(n):
                x = (0.9 * x + 0.1).tanh()
            return x

        return fn

    print("5. compiled path (jit) on the deep chain x = tanh(0.9*x + 0.1)")
    for n in (1_000, 30_000):
        start = time.perf_counter()
        compiled = autograd_lite.jit(chain_fn(n))
        compiled.value_and_grad(0.5)
        compile_seconds = time.perf_counter() - start
        gc.collect()
        tracemalloc.start()
        fresh = autograd_lite.jit(chain_fn(n))
        fresh.value_and_grad(0.5)
        kept = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del fresh
        med = interleave(
            {
                "dynamic": lambda n=n: chain(Value, n),
                "compiled": lambda c=compiled: c.value_and_grad(0.5),
            },
            rounds,
        )
        print(
            f"   {n:>9,} steps ({compiled.n_nodes:,} nodes): compiled in {compile_seconds:.2f} s; "
            f"replays {med['dynamic'] / med['compiled']:.1f}x the dynamic engine's speed; "
            f"the compiled function holds {kept / compiled.n_nodes:.0f} bytes per node"
        )
    start = time.process_time()
    try:
        autograd_lite.jit(chain_fn(1_000_000))(0.5)
    except ValueError as error:
        refused = time.process_time() - start
        print(
            f"   1,000,000 steps: refused in {refused:.2f} s of CPU (the trace stops at "
            f"jit.MAX_NODES): {str(error)[:60]}..."
        )


def bench_compile_scaling(sizes: list[int], rounds: int) -> None:
    """Trace + generate + compile time per 1,000 computed nodes of the deep chain, at
    each size, in one run: flat from 10k to 200k nodes is the goal.

    CPU time of this process (other work on the machine counts less), split as in
    workload 6 into time in Python (user) and the kernel's (system: page faults for
    fresh memory), the best of ``rounds`` for each; the sizes run in ascending order,
    then descending, and so on, because whichever runs first meets a smaller heap.
    """

    def chain_fn(steps: int) -> Callable[[Value], Value]:
        def fn(x: Value) -> Value:
            for _ in range(steps):
                x = (0.9 * x + 0.1).tanh()
            return x

        return fn

    user: dict[int, float] = {}
    system: dict[int, float] = {}
    for r in range(rounds):
        for n in sizes if r % 2 == 0 else sizes[::-1]:
            steps = n // 3  # mul, add and tanh are computed; the two constants are not
            compiled = autograd_lite.jit(chain_fn(steps), max_nodes=None)
            gc.collect()
            start = Usage.now()
            compiled.value_and_grad(0.5)  # the first call traces and compiles
            middle = Usage.now()
            compiled.value_and_grad(0.5)  # a replay, to leave out of the compile time
            stop = Usage.now()
            nodes = 3 * steps
            spent = [(2 * middle[k] - start[k] - stop[k]) / nodes * 1e3 for k in (1, 2)]
            user[n] = min(user.get(n, math.inf), spent[0])
            system[n] = min(system.get(n, math.inf), spent[1])
            del compiled
    print(
        "   compile time per 1,000 computed nodes (trace + generate + compile), CPU time "
        f"in Python and in the kernel, best of {rounds}:"
    )
    for n in sizes:
        print(
            f"   {3 * (n // 3):>9,} nodes: {user[n]:.4f} s in Python "
            f"({user[n] / user[sizes[0]]:.2f}x the first), {system[n]:.4f} s in the kernel"
        )


def bench_memory() -> None:
    def graph(value: Callable[[float], Any], n: int = 20_000) -> Any:
        x = value(0.5)
        for i in range(n):
            x = (x * 0.999 + 0.001 * (i % 3)).relu() + x * 0.5
        return x

    ours = bytes_per_node(lambda: graph(Value), lambda r: len(topological_order(r)))
    theirs = bytes_per_node(lambda: graph(mg_engine.Value), micrograd_nodes)
    print("4. memory per live graph node (a graph of 160,000 mul, add, relu and constant nodes)")
    print(
        f"   autograd_lite uses {100 * ours / theirs:.0f}% of micrograd's memory per node "
        f"({ours:.0f} vs {theirs:.0f} bytes)"
    )


# -- 6-8. graph building: the collector on, and paused by graph_building() --------------


def chain_forward(n: int) -> Value:
    x = Value(0.5)
    for _ in range(n):
        x = (0.9 * x + 0.1).tanh()
    return x


def plain_chain(n: int) -> tuple[Any, ...]:
    """A chain of plain tuples and floats holding as many bytes per step as
    chain_forward's nodes (840 on CPython 3.11), with no autograd in it: what any Python program
    pays to allocate and link that much memory, the floor for a flat cost."""
    x: tuple[Any, ...] = (0.5,)
    for i in range(n):
        for _ in range(5):
            d = i * 0.5
            x = (x, d, (x,), None, "", 0.0, 1)
    return x


class Usage:
    """Wall time, CPU time in this process (user) and in the kernel on its behalf
    (system, which is where page faults are served), and minor page faults, summed
    over several builds."""

    def __init__(self) -> None:
        self.wall = self.user = self.system = self.faults = self.after = 0.0

    @staticmethod
    def now() -> tuple[float, float, float, float]:
        try:
            import resource
        except ImportError:  # pragma: no cover - Windows: no split, no faults
            return time.perf_counter(), time.process_time(), 0.0, 0.0
        r = resource.getrusage(resource.RUSAGE_SELF)
        return time.perf_counter(), r.ru_utime, r.ru_stime, float(r.ru_minflt)

    def build(
        self, build: Callable[[int], Any], n: int, context: AbstractContextManager[Any]
    ) -> None:
        """Build the n-step chain once inside ``context``; then time the
        young-generation collection that runs over the graph still alive after
        leaving it (graph_building() only deferred that work on the new nodes)."""
        gc.collect()
        with context:
            start = self.now()
            root = build(n)
            stop = self.now()
        gc.collect(0)
        self.after += time.perf_counter() - stop[0]
        self.wall += stop[0] - start[0]
        self.user += stop[1] - start[1]
        self.system += stop[2] - start[2]
        self.faults += stop[3] - start[3]
        del root


def bench_graph_building_chain(rounds: int, sizes: list[int]) -> None:
    print("6. graph building: deep chain forward x = tanh(0.9*x + 0.1), cost per node")
    print("   relative to 1,000 steps in the same mode (flat is 1.00x)")
    contenders: dict[
        str, tuple[Callable[[int], Any], Callable[[], AbstractContextManager[Any]]]
    ] = {
        "on": (chain_forward, nullcontext),
        "paused": (chain_forward, autograd_lite.graph_building),
        "plain": (plain_chain, autograd_lite.graph_building),
    }
    per_step = len(topological_order(chain_forward(2))) - len(topological_order(chain_forward(1)))
    per_node: dict[str, dict[int, dict[str, float]]] = {name: {} for name in contenders}
    # As in interleave(): what is alive already (PyTorch's modules) is moved out of
    # the collector's sight, so its full collections scan only the graph.
    gc.collect()
    gc.freeze()
    for n in sizes:
        # Each sample builds at least 200,000 steps, so that the user/system split
        # (which the kernel accounts at clock ticks) is measured over a long run.
        builds = max(1, 200_000 // n)
        samples: dict[str, list[Usage]] = {name: [] for name in contenders}
        for _ in range(rounds if n <= 100_000 else max(2, rounds // 3)):
            for name, (build, context) in contenders.items():
                usage = Usage()
                for _ in range(builds):
                    usage.build(build, n, context())
                samples[name].append(usage)
        for name in contenders:
            per_node[name][n] = {
                field: statistics.median(getattr(u, field) for u in samples[name])
                / (builds * per_step * n)
                for field in ("wall", "user", "system", "faults", "after")
            }
    gc.unfreeze()
    first = sizes[0]
    for n in sizes:
        on, paused, plain = (per_node[name][n] for name in contenders)
        base = {name: per_node[name][first] for name in contenders}
        print(
            f"   {n:>9,} steps: collector on {on['wall'] / base['on']['wall']:.2f}x, "
            f"graph_building() {paused['wall'] / base['paused']['wall']:.2f}x "
            f"({on['wall'] / paused['wall']:.2f}x faster; "
            f"{paused['wall'] * 1e9:.0f} vs {on['wall'] * 1e9:.0f} ns per node)"
        )
        print(
            f"{'':20}inside it: CPU time in Python {paused['user'] / base['paused']['user']:.2f}x, "
            f"plus {paused['system'] * 1e9:.0f} ns per node in the kernel for "
            f"{paused['faults']:.3f} page faults per node; leaving it with the graph "
            f"alive adds {paused['after'] / paused['wall']:.2f}x"
        )
        print(
            f"{'':20}plain Python objects of the same bytes: "
            f"{plain['wall'] / base['plain']['wall']:.2f}x "
            f"(CPU time in Python {plain['user'] / base['plain']['user']:.2f}x, "
            f"{plain['faults']:.3f} page faults per node)"
        )


def bench_graph_building_step(rounds: int) -> None:
    X, labels = moons(100, noise=0.1, seed=1)
    y = [1 if v == 1 else -1 for v in labels]
    import random

    random.seed(1337)
    theirs = mg_nn.MLP(2, [16, 16, 1])
    plain = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    inside = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    for p, q, r in zip(plain.parameters(), inside.parameters(), theirs.parameters()):
        p.data = q.data = float(r.data)
    losses: dict[str, list[float]] = {"plain": [], "context": [], "micrograd": []}

    def step_in_context() -> None:
        # How a user's own loop gets the speed: the step inside graph_building().
        with autograd_lite.graph_building():
            k = len(losses["context"])
            losses["context"].append(training_step(inside, Value, sgd, X, y, k))

    def step_plain() -> None:
        losses["plain"].append(training_step(plain, Value, sgd, X, y, len(losses["plain"])))

    def step_micrograd() -> None:
        k = len(losses["micrograd"])
        losses["micrograd"].append(training_step(theirs, mg_engine.Value, sgd, X, y, k))

    med = interleave(
        {"context": step_in_context, "plain": step_plain, "micrograd": step_micrograd}, rounds
    )
    same = max(abs(a - b) for a, b in zip(losses["context"], losses["micrograd"]))
    print("7. micrograd's demo step written as users write it, inside graph_building()")
    print(f"   same losses as micrograd over {rounds} steps: max difference {same:.1e}")
    print(
        f"   with graph_building(): {med['micrograd'] / med['context']:.1f}x micrograd's speed; "
        f"without: {med['micrograd'] / med['plain']:.1f}x "
        f"(the context makes the step {med['plain'] / med['context']:.2f}x faster)"
    )


def bench_graph_building_memory() -> None:
    def graph(n: int = 20_000) -> Value:
        x = Value(0.5)
        for i in range(n):
            x = (x * 0.999 + 0.001 * (i % 3)).relu() + x * 0.5
        return x

    def graph_in_context() -> Value:
        with autograd_lite.graph_building():
            return graph()

    def count(root: Value) -> int:
        return len(topological_order(root))

    plain, inside = bytes_per_node(graph, count), bytes_per_node(graph_in_context, count)
    print(
        f"8. memory per node inside graph_building(): {inside / plain:.2f}x outside "
        f"({inside:.0f} vs {plain:.0f} bytes)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer rounds; skip the 1,000,000-step chain"
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the PyTorch column")
    args = parser.parse_args()
    rounds = 5 if args.quick else 15
    with_torch = not args.no_torch
    if with_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            print('PyTorch not installed (pip install -e ".[torch]"): skipping its column')
            with_torch = False
    print(
        f"autograd_lite {autograd_lite.__version__} vs micrograd 0.1.0, "
        f"Python {sys.version.split()[0]}, {rounds} interleaved rounds; "
        "ratios of median times (higher is better for autograd_lite)\n"
    )
    bench_training(rounds, with_torch)
    bench_graphs(
        3 if args.quick else 5, [1_000, 100_000] if args.quick else [1_000, 100_000, 1_000_000]
    )
    bench_memory()
    bench_compiled_graphs(3 if args.quick else 5)
    bench_compile_scaling([10_000, 50_000, 100_000, 200_000], 2 if args.quick else 4)
    bench_graph_building_chain(
        3 if args.quick else 7,
        [1_000, 10_000, 100_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000],
    )
    bench_graph_building_step(rounds)
    bench_graph_building_memory()


if __name__ == "__main__":
    main()
