"""The benchmark's graph-building workload: it runs, and its reference chain of
plain Python objects holds the bytes per step it claims (the same as the deep
chain's nodes), so the floor it reports is a fair one."""

from __future__ import annotations

import gc
import importlib.util
import re
import sys
import tracemalloc
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    pytest.importorskip("micrograd", reason='micrograd not installed (pip install -e ".[bench]")')
    spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    spec.loader.exec_module(module)
    return module


def bytes_per_step(build: Any, n: int = 5_000) -> float:
    gc.collect()
    tracemalloc.start()
    root = build(n)
    used = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del root
    return used / n


def test_plain_chain_holds_the_same_bytes_per_step_as_the_graph(bench: ModuleType) -> None:
    ours, plain = bytes_per_step(bench.chain_forward), bytes_per_step(bench.plain_chain)
    if sys.version_info[:2] == (3, 11):  # the version benchmarks/README.md reports
        assert ours == pytest.approx(840, rel=0.01)
        assert plain == pytest.approx(ours, rel=0.01)
    else:  # object layouts differ a little across versions (3.12: a Value is 8 bytes more)
        assert plain == pytest.approx(ours, rel=0.06)


def test_graph_building_chain_reports_wall_cpu_and_kernel_time(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    was_enabled = gc.isenabled()
    bench.bench_graph_building_chain(1, [200, 400])
    out = capsys.readouterr().out
    assert gc.isenabled() is was_enabled
    assert not gc.get_freeze_count()  # what it froze, it unfroze
    assert re.search(r"200 steps: collector on 1\.00x, graph_building\(\) 1\.00x", out)
    assert re.search(r"400 steps: collector on \d+\.\d\dx, graph_building\(\) \d+\.\d\dx", out)
    assert out.count("inside it: CPU time in Python") == 2
    assert out.count("plain Python objects of the same bytes") == 2
    assert re.search(r"[\d.]+ page faults per node", out)
