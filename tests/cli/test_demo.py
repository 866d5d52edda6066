"""``autograd-lite demo``: the tour, with and without the optional packages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lite.cli import EXIT_OK, EXIT_RUNTIME_ERROR
from tests.cli.running import (
    command,
    installed_command,
    run,
    without_dot,
)

# -- demo -------------------------------------------------------------------------------------


def test_demo_runs_and_writes_its_pictures(tmp_path: Path) -> None:
    # No wall-clock threshold (it measured the machine, not the code): the demo's speed
    # is the "Done in ... s" it prints, a figure, not an assertion.
    import xml.etree.ElementTree as ET

    done = command("demo", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stderr
    folder = tmp_path / "autograd-lite-demo"
    names = sorted(p.name for p in folder.iterdir())
    if "expression.dot" in names:
        pytest.skip("Graphviz's dot program is not installed (the .dot fallback is tested below)")
    assert names == ["expression.svg", "network.svg", "training.png"]
    for svg in ("expression.svg", "network.svg"):
        assert ET.parse(folder / svg).getroot().tag.endswith("svg")
    assert (folder / "training.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "accuracy    100.0% (4 of 4 training samples)" in done.stdout
    assert "2.5838531634528574" in done.stdout
    assert "autograd-lite-demo" in done.stdout


def test_demo_without_dot_writes_dot_files_with_a_one_line_hint(tmp_path: Path) -> None:
    done = command("demo", "--out", str(tmp_path / "tour"), env=without_dot(tmp_path))
    assert done.returncode == EXIT_OK, done.stderr
    folder = tmp_path / "tour"
    assert (folder / "expression.dot").read_text().startswith("digraph")
    assert (folder / "network.dot").read_text().startswith("digraph")
    assert not (folder / "expression.svg").exists()
    hints = [line for line in done.stdout.splitlines() if "note:" in line]
    assert len(hints) == 1
    assert "apt-get install graphviz" in hints[0]


def test_demo_into_a_file_path_exits_1(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run("demo", "--out", str(blocker))
    assert status == EXIT_RUNTIME_ERROR
    assert "cannot create the folder" in err


@pytest.mark.parametrize("argv", [["train", "--help"], ["demo", "--help"]])
def test_every_subcommand_help_has_examples_and_exit_codes(argv: list[str]) -> None:
    status, out, _ = run(*argv)
    assert status == EXIT_OK
    assert "examples:" in out
    assert "exit status" in out


def test_train_progress_bar_on_request() -> None:
    pytest.importorskip("tqdm", reason='the progress bar needs tqdm: pip install -e ".[progress]"')
    status, _, err = run("train", "xor", "--epochs", "7", "--progress")
    assert status == EXIT_OK
    assert "7/7" in err
    assert "7/7" not in run("train", "xor", "--epochs", "7")[2]  # not a terminal: no bar


def test_a_closed_pipe_stops_quietly() -> None:
    # More output than a pipe buffers, and a reader that leaves after one line (200 terms
    # in five bracketed groups, so the nesting stays within MAX_DEPTH).
    groups = [range(40 * g + 1, 40 * g + 41) for g in range(5)]
    text = "+".join("(" + "+".join(f"sin(x*{k})" for k in group) + ")" for group in groups)
    with subprocess.Popen(
        [installed_command(), "grad", text, "x=1", "--explain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        assert process.stdout.readline().startswith("expression")
        process.stdout.close()
        err = process.stderr.read()
        status = process.wait(timeout=60)
    assert "Traceback" not in err
    assert status == EXIT_RUNTIME_ERROR


def test_demo_with_no_optional_package_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # graphviz (the Python package) and matplotlib both missing: .dot files and two hints.
    monkeypatch.setitem(sys.modules, "graphviz", None)
    monkeypatch.setattr("autograd_lite.cli.demo._has_module", lambda name: name != "matplotlib")
    status, out, err = run("demo", "--out", str(tmp_path))
    assert (status, err) == (EXIT_OK, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["expression.dot", "network.dot"]
    notes = [line for line in out.splitlines() if "note:" in line]
    assert len(notes) == 2
    assert any("pip install" in note and "[plot]" in note for note in notes)


def test_train_plot_without_matplotlib_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status, _, err = run("train", "xor", "--epochs", "2", "--plot", str(tmp_path / "p.png"))
    assert status == EXIT_RUNTIME_ERROR
    assert 'pip install "autograd-lite[plot]"' in err
