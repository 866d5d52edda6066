"""``autograd-lite check FILE``: a learner's own engine, graded."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from autograd_lite.cli import EXIT_OK, EXIT_RUNTIME_ERROR, EXIT_USAGE_ERROR
from tests import learner_engines
from tests.cli.running import (
    command,
    run,
)

# -- check: a learner's own engine, graded ---------------------------------------------------

ENGINE_HEADER = """\
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any


"""


def engine_source(*objects: Any, extra: str = "") -> str:
    """A learner's file: the source of tests/learner_engines.py's classes and functions."""
    parts = [inspect.getsource(item) for item in objects]
    return ENGINE_HEADER + "\n\n".join(parts) + "\n\n" + extra


#: A correct micrograd-style engine whose class is named Value, with a topological sort.
CORRECT = engine_source(
    learner_engines.iterative_order,
    learner_engines.Closures,
    extra="class Value(Closures):\n    pass\n\n\ndef topological_sort(root):\n"
    "    return iterative_order(root)\n",
)


def learner_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, name: str) -> str:
    """Write ``source`` as ``tmp_path/name`` and work from ``tmp_path``; return ``name``."""
    (tmp_path / name).write_text(source, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return name


def test_check_passes_a_correct_engine_and_says_first_that_it_runs_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, CORRECT, "my_engine.py")
    status, out, err = run("check", name)
    assert (status, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0].startswith(
        "running my_engine.py as Python, as `python my_engine.py` would: it is your code"
    )
    assert lines[1] == "class       Value"
    assert "✓ Value agrees with autograd_lite" in out
    assert "✓ topological_sort puts every node once" in out


def test_check_names_equals_instead_of_plus_equals_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order, learner_engines.Closures, learner_engines.Assigns
    )
    name = learner_file(tmp_path, monkeypatch, source, "assigns.py")
    status, out, err = run("check", name, "--class", "Assigns")
    assert (status, err) == (EXIT_RUNTIME_ERROR, "")
    assert "class       Assigns" in out
    assert "✗ " in out
    assert "use +=" in out
    assert "no function named topological_sort, topo_sort or build_topo" in out


def test_check_json_has_each_check_and_keeps_the_learners_prints_off_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = CORRECT.replace(
        "import math\n", "import math\n\nprint('my engine loaded')\n", 1
    ) + engine_source(learner_engines.Assigns).removeprefix(ENGINE_HEADER)
    name = learner_file(tmp_path, monkeypatch, source, "engine.py")
    status, out, err = run("check", name, "--class", "Assigns", "--json")
    assert status == EXIT_RUNTIME_ERROR
    result = json.loads(out)  # nothing but the JSON object on stdout
    assert (result["file"], result["class"]) == ("engine.py", "Assigns")
    assert [c["check"] for c in result["checks"]] == [
        "check_engine",
        "check_topological_sort(topological_sort)",
    ]
    engine, sort = result["checks"]
    assert (engine["ok"], engine["mistake"]) == (False, "assign")
    assert "use +=" in engine["message"]
    assert (sort["ok"], sort["mistake"]) == (True, None)
    assert err.startswith("running engine.py as Python")
    assert "my engine loaded" in err


def test_check_grades_a_wrong_topological_sort_by_any_of_its_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order,
        learner_engines.Closures,
        extra="def topo_sort(root):\n    return iterative_order(root)[::-1]  # root first\n",
    )
    name = learner_file(tmp_path, monkeypatch, source, "engine.py")
    status, out, _ = run("check", name, "--json")
    result = json.loads(out)
    assert status == EXIT_RUNTIME_ERROR
    assert result["class"] == "Closures"  # the only class that looks like a Value
    engine, sort = result["checks"]
    assert engine["ok"]
    assert sort["check"] == "check_topological_sort(topo_sort)"
    assert not sort["ok"]
    assert sort["mistake"]


def test_check_asks_for_class_when_several_classes_look_like_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = engine_source(
        learner_engines.iterative_order, learner_engines.Closures, learner_engines.Assigns
    )
    name = learner_file(tmp_path, monkeypatch, source, "two.py")
    status, _out, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "2 classes that look like a Value (Closures, Assigns)" in err
    assert "--class NAME" in err
    status, _, err = run("check", name, "--class", "Nope")
    assert status == EXIT_USAGE_ERROR
    assert "no class named Nope" in err
    assert "Closures, Assigns" in err


def test_check_says_which_classes_it_found_when_none_looks_like_a_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "class Point:\n    pass\n\n\nclass Node:\n    def __init__(self):\n        pass\n"
    name = learner_file(tmp_path, monkeypatch, source, "none.py")
    status, _, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "none that looks like one" in err
    assert "Point, Node" in err
    assert "--class" in err


def test_check_does_not_grade_autograd_lites_own_value_as_the_learners(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, "from autograd_lite import Value\n", "ours.py")
    status, out, err = run("check", name)
    assert status == EXIT_USAGE_ERROR
    assert "autograd_lite's own" in err
    assert "✓" not in out


@pytest.mark.parametrize(
    ("name", "problem"),
    [("missing.py", "does not exist"), ("engine.txt", "is not a .py file")],
)
def test_check_refuses_what_is_not_an_existing_py_file_without_running_it(
    name: str, problem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = tmp_path / "ran"
    (tmp_path / "engine.txt").write_text(f"open({str(canary)!r}, 'w')\n", encoding="utf-8")
    (tmp_path / "folder.py").mkdir()
    monkeypatch.chdir(tmp_path)
    status, out, err = run("check", name)
    assert (status, out) == (EXIT_USAGE_ERROR, "")
    assert f"{name} {problem}" in err
    assert not canary.exists()
    status, _, err = run("check", "folder.py")
    assert status == EXIT_USAGE_ERROR
    assert "folder.py is not a file" in err


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "import math\n\n\ndef helper():\n    return math.sqrt(-1)\n\n\nhelper()\n",
            "raises.py raised ValueError when imported (at raises.py:5): math domain error",
        ),
        (
            "class Value:\n    def f(:\n        pass\n",
            "raises.py does not parse: SyntaxError: invalid syntax (raises.py:2)",
        ),
        (
            "import sys\n\nsys.exit(3)\n",
            "raises.py called sys.exit(3) when imported (at raises.py:3): move the script part",
        ),
        (
            "def f():\n    return f()\n\n\nf()\n",
            "raises.py raised RecursionError when imported (at raises.py:2): maximum recursion",
        ),
    ],
    ids=["exception", "syntax", "sys.exit", "recursion"],
)
def test_a_file_that_raises_on_import_is_one_line_with_type_message_and_line(
    source: str, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, source, "raises.py")
    path_before, modules_before = list(sys.path), set(sys.modules)
    status, out, err = run("check", name)
    assert status == EXIT_RUNTIME_ERROR
    assert out.startswith("running raises.py as Python")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"autograd-lite: error: {expected}")
    assert sys.path == path_before  # the file's folder is on sys.path only while it runs
    assert set(sys.modules) - modules_before == set()


def test_ctrl_c_while_the_file_is_imported_exits_130(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = learner_file(tmp_path, monkeypatch, "raise KeyboardInterrupt\n", "slow.py")
    status, _, err = run("check", name)
    assert status == 130
    assert "interrupted" in err


def test_the_learners_file_can_import_its_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "engine_parts.py").write_text(CORRECT, encoding="utf-8")
    name = learner_file(tmp_path, monkeypatch, "from engine_parts import Value\n", "main.py")
    monkeypatch.chdir(tmp_path.parent)  # not from the file's folder: its own imports still work
    status, out, err = run("check", str(Path(tmp_path.name) / name))
    assert (status, err) == (EXIT_OK, ""), err
    assert "✓ Value agrees with autograd_lite" in out
    sys.modules.pop("engine_parts", None)


def test_check_runs_from_the_installed_command(tmp_path: Path) -> None:
    (tmp_path / "my_engine.py").write_text(CORRECT, encoding="utf-8")
    done = command("check", "my_engine.py", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.startswith("running my_engine.py as Python")


def test_the_check_session_on_the_cli_page_is_what_check_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page's block is ```text (test_docs replays only ```bash, with no files):
    # replay it here, on the engine it describes, micrograd's with = for += in +.
    page = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text("utf-8")
    session = page.split("```text\n$ autograd-lite check my_engine.py\n", 1)[1]
    shown = session.split("```", 1)[0].rstrip("\n")
    buggy = CORRECT.replace("self.grad += out.grad", "self.grad = out.grad", 1)
    assert buggy != CORRECT
    name = learner_file(tmp_path, monkeypatch, buggy, "my_engine.py")
    status, out, err = run("check", name)
    assert (status, err) == (EXIT_RUNTIME_ERROR, "")
    assert out.rstrip("\n") == shown
