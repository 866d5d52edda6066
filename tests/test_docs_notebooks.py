"""The docs site's notebook pages: hidden solutions are collapsed there too.

mkdocs-jupyter rendered every cell open, so the printed answer of each exercise showed right
under it on the site although the notebook hides it. ``docs/hooks/notebooks.py`` wraps each
cell tagged ``solution`` in a closed ``<details>``; these tests render a small notebook with
mkdocs-jupyter itself and run the hook's page event on it, without building the whole site.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

HOOKS = Path(__file__).resolve().parent.parent / "docs" / "hooks"


def _hook() -> object:
    spec = importlib.util.spec_from_file_location("notebooks_hook", HOOKS / "notebooks.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _rendered(tmp_path: Path) -> str:
    """A two-exercise notebook as mkdocs-jupyter renders it (stored outputs, no kernel)."""
    nbformat = pytest.importorskip("nbformat")
    convert = pytest.importorskip("mkdocs_jupyter.convert", reason="pip install -e '.[docs]'")
    notebook = nbformat.v4.new_notebook()
    question = nbformat.v4.new_code_cell("print('the question')")
    question.outputs = [nbformat.v4.new_output("stream", text="QUESTION-OUTPUT\n")]
    question.execution_count = 1
    notebook.cells.append(question)
    for k in (1, 2):
        answer = nbformat.v4.new_code_cell(f"print('answer {k}')")
        answer.outputs = [nbformat.v4.new_output("stream", text=f"ANSWER-{k}\n")]
        answer.execution_count = k + 1
        answer.metadata["tags"] = ["solution"]
        answer.metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
        notebook.cells.append(answer)
    path = tmp_path / "exercise.ipynb"
    nbformat.write(notebook, path)
    html: str = convert.nb2html(str(path), include_requirejs=False)
    return html


def test_hidden_solutions_are_collapsed_on_the_site(tmp_path: Path) -> None:
    html = _rendered(tmp_path)
    page = SimpleNamespace(file=SimpleNamespace(src_path="notebooks/exercise.ipynb"))
    out = _hook().on_page_content(html, page=page, config={}, files=[])  # type: ignore[attr-defined]
    blocks = re.findall(r"<details class=\"solution\">(.*?)</details>", out, re.DOTALL)
    assert len(blocks) == 2, f"expected one closed <details> per solution, found {len(blocks)}"
    for k, block in enumerate(blocks, 1):
        assert f"ANSWER-{k}" in block
        assert f"answer {k}" in block
    assert "<details open" not in out
    outside = re.sub(r"<details class=\"solution\">.*?</details>", "", out, flags=re.DOTALL)
    assert "QUESTION-OUTPUT" in outside
    assert "ANSWER" not in outside
    assert outside.count("<div") == outside.count("</div")  # each cell wrapped whole


def test_other_pages_are_left_alone() -> None:
    html = '<div class="jp-Cell celltag_solution">an admonition that says solution</div>'
    page = SimpleNamespace(file=SimpleNamespace(src_path="training.md"))
    assert _hook().on_page_content(html, page=page, config={}, files=[]) == html  # type: ignore[attr-defined]


def test_an_unclosed_cell_is_an_error_not_a_silently_cut_page() -> None:
    with pytest.raises(ValueError, match="never closed"):
        _hook().collapse_solutions('<div class="celltag_solution"><div>42</div>')  # type: ignore[attr-defined]
