"""The documentation site cannot drift from the code.

Every page's Python examples are doctests (``--doctest-glob=*.md`` over README.md
and ``docs/``), and this module checks the rest: that every example is in a form
the tests run, that the terminal sessions on the pages print what the command
prints, that every page is in the navigation and every link from the README into
the docs resolves. ``mkdocs build --strict`` (CI, and ``test_browser.py``) checks
the rendering.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from autograd_lite.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)


def fenced_blocks(path: Path) -> list[tuple[str, str]]:
    """(language, body) of every fenced code block in a Markdown file."""
    return FENCE.findall(path.read_text(encoding="utf-8"))


def test_the_pages_exist() -> None:
    names = {page.name for page in PAGES}
    assert {"index.md", "engine.md", "seeing.md", "training.md", "cli.md"} <= names
    assert {"notebooks.md", "architecture.md", "benchmarks.md", "changelog.md"} <= names


@pytest.mark.parametrize("path", [ROOT / "README.md", *PAGES], ids=lambda p: p.name)
def test_every_python_example_is_a_doctest(path: Path) -> None:
    # A ```python block without ">>>" would be shown but never run.
    for language, body in fenced_blocks(path):
        if language in ("python", "py", "pycon"):
            assert body.lstrip().startswith(">>>"), f"{path.name}: not a doctest:\n{body}"


def terminal_sessions() -> list[tuple[str, str, str]]:
    """(page, command, shown output) for each ``$ autograd-lite ...`` in a bash block."""
    sessions = []
    for path in [ROOT / "README.md", *PAGES]:
        for language, body in fenced_blocks(path):
            if language != "bash":
                continue
            for chunk in re.split(r"^(?=\$ )", body, flags=re.MULTILINE):
                if chunk.startswith("$ autograd-lite "):
                    command, _, shown = chunk.partition("\n")
                    sessions.append((path.name, command[2:], shown.rstrip("\n")))
    return sessions


SESSIONS = terminal_sessions()


def test_the_cli_page_has_sessions() -> None:
    assert sum(page == "cli.md" for page, _, _ in SESSIONS) >= 5


@pytest.mark.parametrize(
    ("page", "command", "shown"), SESSIONS, ids=[f"{p}:{c[14:40]}" for p, c, _ in SESSIONS]
)
def test_terminal_sessions_print_what_the_page_shows(
    page: str, command: str, shown: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = shlex.split(command)[1:]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(argv)
    printed = (out.getvalue() + err.getvalue()).rstrip("\n")
    # Wall-clock time is the one line that differs from run to run.
    time_line = re.compile(r"^time        \d+\.\d+ s$", re.MULTILINE)
    assert time_line.sub("time", printed) == time_line.sub("time", shown), page


def test_every_page_is_in_the_navigation() -> None:
    yaml = pytest.importorskip("yaml", reason='mkdocs is not installed: pip install -e ".[docs]"')
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))

    def listed(nav: object) -> set[str]:
        if isinstance(nav, str):
            return {nav}
        if isinstance(nav, list):
            return set().union(*(listed(entry) for entry in nav)) if nav else set()
        if isinstance(nav, dict):
            return set().union(*(listed(entry) for entry in nav.values()))
        return set()

    in_nav = listed(config["nav"])
    pages = {page.name for page in PAGES}
    # Pages other developers add (the playground, compiling) may land before their nav line.
    assert pages - in_nav <= {"playground.md", "compiling.md"}, pages - in_nav
    assert {entry for entry in in_nav if "/" not in entry} <= pages


def test_readme_links_into_the_docs_resolve() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(((?:docs|notebooks)/[^)#\s]+)", readme)
    assert any(link.startswith("docs/") for link in links)
    for link in links:
        assert (ROOT / link).exists(), f"README.md links to a missing file: {link}"


def test_readme_is_a_front_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme) < 10_000, "the manual belongs in docs/; README.md is the front page"
    assert "## Quick start" in readme
