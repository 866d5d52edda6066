"""graph_building(): graphs are built with the cycle collector paused, and the user's
collector state (on/off, thresholds, frozen objects) is exactly as it was afterwards.

Speed is checked by counting the collector's runs (``gc.callbacks``), not by wall
time: a paused collector runs zero times however large the graph, so its cost per
node is flat; the undecorated code, as a control, shows the runs being counted.
"""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from autograd_lite import (
    Value,
    grad,
    gradients,
    graph_building,
    hessian,
    jit,
    losses,
    nn,
    optim,
    value_and_grad,
)
from autograd_lite import value as _value
from autograd_lite.cli import main
from autograd_lite.train import fit

# -- helpers ----------------------------------------------------------------------------


def chain(n: int) -> Value:
    x = Value(0.5)
    for _ in range(n):
        x = (0.9 * x + 0.1).tanh()
    return x


def collections_during(fn: Callable[[], Any]) -> list[int]:
    """The generation of every collection the collector ran while ``fn`` ran."""
    runs: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        fn()
    finally:
        gc.callbacks.remove(count)
    return runs


def collector_states_of_new_nodes(fn: Callable[[], Any]) -> list[bool]:
    """``gc.isenabled()`` at the creation of each node ``fn`` makes (via the
    per-node hook that ``detect_anomaly`` uses)."""
    states: list[bool] = []
    previous = _value._on_new_node
    _value._on_new_node = lambda node: states.append(gc.isenabled())
    try:
        fn()
    finally:
        _value._on_new_node = previous
    return states


def collector_state() -> tuple[bool, tuple[int, int, int]]:
    return gc.isenabled(), gc.get_threshold()


class Frozen:
    """The user's frozen objects: a witness among them, and how many there were."""

    def __init__(self) -> None:
        self.witness = [object()]  # a tracked object, moved to the permanent generation
        gc.freeze()
        self.count = gc.get_freeze_count()

    def intact(self) -> bool:
        """Nothing was frozen since (the count can only fall, as frozen objects die)
        and nothing unfrozen (the witness is in no collected generation)."""
        return gc.get_freeze_count() <= self.count and not any(
            o is self.witness for o in gc.get_objects()
        )


@pytest.fixture(params=[True, False], ids=["collector-on", "collector-off"])
def frozen(request: pytest.FixtureRequest) -> Iterator[Frozen]:
    """A collector state a user might have set: custom thresholds, frozen objects,
    and switched on or off; put back to the session's afterwards."""
    saved = collector_state()
    frozen = Frozen()
    gc.set_threshold(555, 7, 3)
    if request.param:
        gc.enable()
    else:
        gc.disable()
    try:
        yield frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved[1])
        (gc.enable if saved[0] else gc.disable)()


@pytest.fixture
def collector_on() -> Iterator[None]:
    # Python 3.13 raised the first generation's threshold from 700 to 2000 allocations;
    # counting collections needs the same threshold on every version.
    was, thresholds = gc.isenabled(), gc.get_threshold()
    gc.enable()
    gc.set_threshold(700, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        (gc.enable if was else gc.disable)()


def small_model() -> nn.MLP:
    return nn.MLP(2, [4, 1], output_activation="sigmoid", seed=0)


def train(*callbacks: Callable[[Any], None]) -> None:
    model = small_model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    X, y = [[0.0, 1.0], [1.0, 0.0]], [0, 1]
    fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2, callbacks=callbacks)


def stop(history: Any) -> None:
    raise KeyError("a callback failed")


@graph_building()  # so that the nodes made with the collector on are the entry point's
def cubic() -> tuple[Value, Value]:
    x = Value(1.5)
    return x * x * x.sin(), x


def pair_of(graph: tuple[Value, Value]) -> tuple[Value, list[Value]]:
    out, x = graph
    return out, [x]


def fails_inside(fn: Any) -> Callable[..., Any]:
    def failing(*args: Any) -> Any:
        fn(*args)
        raise KeyError("the user's function failed")

    return failing


# Every library entry point that builds graphs, called normally ...
ENTRY_POINTS: dict[str, Callable[[], Any]] = {
    "MLP.__call__": lambda: small_model()([0.5, -1.0]),
    "MLP.forward_batch": lambda: small_model().forward_batch([[0.5, -1.0], [1.0, 2.0]]),
    "Module.forward_batch": lambda: nn.Layer(2, 3).forward_batch([[0.5, -1.0], [1.0, 2.0]]),
    "mse": lambda: losses.mse([Value(1.0), Value(2.0)], [0.0, 1.0]),
    "binary_cross_entropy": lambda: losses.binary_cross_entropy([Value(0.3)] * 3, [0, 1, 1]),
    "binary_cross_entropy_with_logits": lambda: losses.binary_cross_entropy_with_logits(
        [Value(0.3), Value(-2.0)], [0, 1]
    ),
    "softmax": lambda: losses.softmax([1.0, 2.0, 3.0]),
    "cross_entropy": lambda: losses.cross_entropy([[1.0, 2.0], [0.5, 0.1]], [1, 0]),
    "hinge": lambda: losses.hinge([Value(2.0), Value(0.5)], [1, -1]),
    "l2_penalty": lambda: losses.l2_penalty([Value(1.0), Value(-2.0)], 1e-4),
    "fit": train,
    "grad": lambda: grad(lambda x, y: x * y + x.sin())(2.0, 3.0),
    "grad(grad)": lambda: grad(grad(lambda x: x**3))(2.0),
    "value_and_grad": lambda: value_and_grad(lambda x: x.exp() * x)(0.5),
    "hessian": lambda: hessian(lambda x, y: x**2 * y + y**3)(1.0, 2.0),
    "gradients": lambda: gradients(*pair_of(cubic()), create_graph=True),
    "backward": lambda: cubic()[0].backward(create_graph=True),
    "cli grad": lambda: main(["grad", "x*y + sin(x)", "x=2", "y=3", "--hessian", "--json"]),
    "jit tracing": lambda: jit(lambda x: x * x.sin() + 1.0)(0.5),
}

# ... and made to fail with an exception escaping from inside it.
FAILING: dict[str, Callable[[], Any]] = {
    "MLP.__call__": lambda: small_model()([0.5]),
    "MLP.forward_batch": lambda: small_model().forward_batch([[0.5, -1.0], [1.0]]),
    "Module.forward_batch": lambda: nn.Layer(2, 3).forward_batch([[0.5, -1.0], [1.0]]),
    "mse": lambda: losses.mse([Value(1.0), Value(2.0)], [0.0]),
    "binary_cross_entropy": lambda: losses.binary_cross_entropy([Value(0.3), Value(2.0)], [0, 1]),
    "binary_cross_entropy_with_logits": lambda: losses.binary_cross_entropy_with_logits(
        [Value(0.3)], [2]
    ),
    "softmax": lambda: losses.softmax([1.0]),
    "cross_entropy": lambda: losses.cross_entropy([[1.0, 2.0], [0.5, 0.1]], [1, 5]),
    "hinge": lambda: losses.hinge([Value(2.0), Value(0.5)], [1, 0]),
    "l2_penalty": lambda: losses.l2_penalty([]),
    "fit": lambda: train(stop),
    "grad": lambda: grad(fails_inside(lambda x: x * x))(2.0),
    "value_and_grad": lambda: value_and_grad(fails_inside(lambda x: x * x))(2.0),
    "hessian": lambda: hessian(fails_inside(lambda x: x * x))(2.0),
    "gradients": lambda: gradients(Value(1e200) * 1e200, [Value(1.0)]),
    "backward": lambda: (Value(1e200) * Value(1e200)).backward(),
}


# -- the collector is paused while graphs are built -----------------------------------


@pytest.mark.usefixtures("collector_on")
def test_building_any_size_of_graph_runs_the_collector_zero_times() -> None:
    for n in (1_000, 30_000):
        with graph_building():
            assert collections_during(lambda n=n: chain(n)) == []
    # The control: the same graphs without the context run it, more for more nodes.
    small, large = (len(collections_during(lambda n=n: chain(n))) for n in (1_000, 30_000))
    assert 0 < small < large
    assert large > 100


@pytest.mark.usefixtures("collector_on")
@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_every_entry_point_builds_its_graph_with_the_collector_paused(
    name: str, capsys: Any
) -> None:
    states = collector_states_of_new_nodes(ENTRY_POINTS[name])
    assert states, f"{name} made no nodes: the test would prove nothing"
    assert not any(states), f"{name}: {states.count(True)} of {len(states)} nodes built with gc on"
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
@pytest.mark.parametrize("method", ["__call__", "forward_batch"])
def test_a_large_model_runs_the_collector_at_most_once(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    x = [0.01 * i for i in range(20)]
    if method == "__call__":
        model, arg = nn.MLP(20, [48, 48, 1], seed=0), x
    else:  # batch norm: the whole batch goes through forward_batch, not model(x)
        model, arg = nn.MLP(20, [48, 48, 1], batch_norm=True, seed=0), [x, x[::-1], x]
    call = getattr(nn.MLP, method)
    # At most once: on leaving, the collector may run once over what is still alive.
    assert len(collections_during(lambda: call(model, arg))) <= 1
    # The control: the same method without graph_building() runs it many times
    # (unwrapped down to the composition, nn.Sequential, which pauses it too).
    plain = call.__wrapped__
    for name in ("__call__", "forward_batch"):
        monkeypatch.setattr(nn.Sequential, name, getattr(nn.Sequential, name).__wrapped__)
    assert len(collections_during(lambda: plain(model, arg))) > 10


# -- no lasting side effects ------------------------------------------------------------


@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_every_entry_point_restores_the_collector_state(
    name: str, frozen: Frozen, capsys: Any
) -> None:
    before = collector_state()
    ENTRY_POINTS[name]()
    assert collector_state() == before
    assert frozen.intact()


@pytest.mark.parametrize("name", list(FAILING))
def test_an_escaping_exception_restores_the_collector_state(name: str, frozen: Frozen) -> None:
    before = collector_state()
    with pytest.raises((ValueError, TypeError, KeyError, FloatingPointError)):
        FAILING[name]()
    assert collector_state() == before
    assert frozen.intact()


def test_a_failing_cli_command_restores_the_collector_state(frozen: Frozen, capsys: Any) -> None:
    before = collector_state()
    assert main(["grad", "log(x)", "x=-1"]) != 0
    assert collector_state() == before
    assert frozen.intact()


def test_the_context_restores_the_collector_state_even_when_an_exception_escapes(
    frozen: Frozen,
) -> None:
    before = collector_state()
    with graph_building():
        assert not gc.isenabled()
        assert gc.get_threshold() == before[1]
        assert frozen.intact()
    assert collector_state() == before

    @graph_building()
    def failing() -> None:
        chain(100)
        raise ZeroDivisionError("the user's code failed")

    with pytest.raises(ZeroDivisionError):
        failing()
    assert collector_state() == before
    assert frozen.intact()


@pytest.mark.usefixtures("collector_on")
def test_cycles_made_inside_are_collected_afterwards_by_the_collector_itself() -> None:
    class Node:
        partner: Any

    with graph_building():
        a, b = Node(), Node()
        a.partner, b.partner = b, a
        probe = weakref.ref(a)
        del a, b
        root = chain(1_000)  # kept alive, as a user's loss would be
    assert probe() is not None  # nothing collected it inside
    # No gc.collect(): enough allocations make the collector run on its own.
    junk = [[] for _ in range(5 * gc.get_threshold()[0])]
    assert probe() is None
    del junk, root


@pytest.mark.usefixtures("collector_on")
def test_cycles_made_in_a_decorated_function_are_collected_afterwards() -> None:
    class Node:
        self_ref: Any

    probes: list[weakref.ref[Node]] = []

    @graph_building()
    def make() -> None:
        n = Node()
        n.self_ref = n
        probes.append(weakref.ref(n))

    make()
    gc.collect()
    assert probes[0]() is None


# -- decorator, nesting, threads --------------------------------------------------------


@pytest.mark.usefixtures("collector_on")
def test_works_as_a_decorator_keeping_name_doc_and_result() -> None:
    @graph_building()
    def deep(n: int) -> tuple[bool, float]:
        """Build a chain."""
        return gc.isenabled(), chain(n).data

    assert deep(1_000) == (False, chain(1_000).data)
    assert deep.__name__ == "deep"
    assert deep.__doc__ == "Build a chain."
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_contexts_nest_and_only_the_outermost_restores() -> None:
    building = graph_building()
    with building:
        with graph_building(), building:  # the same instance may be reused
            assert not gc.isenabled()
        assert not gc.isenabled()
        chain(10).backward()  # backward() uses the same context inside
        assert not gc.isenabled()
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_contexts_closed_out_of_order_still_restore_the_collector() -> None:
    # Two threads' contexts interleave: the first to open is the first to close.
    first, second = graph_building(), graph_building()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second is still building
    second.__exit__(None, None, None)
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_threads_building_at_once_leave_the_collector_on() -> None:
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(20):
                with graph_building():
                    chain(200).backward()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_the_setting_found_on_entry_is_what_comes_back() -> None:
    gc.disable()
    with graph_building():
        gc.enable()  # code inside switched it on: leaving sets it back off
    assert not gc.isenabled()
    gc.enable()
    with graph_building():
        gc.disable()
    assert gc.isenabled()
