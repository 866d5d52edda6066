"""The interactive pieces, checked in a real browser: headless Chromium from
Debian's ``chromium`` package, driven by selenium through Debian's
``chromium-driver``. Nothing here downloads a browser or a driver.

- The built documentation site: the front page, an API page and rendered
  notebooks load with no JavaScript errors and nothing from another host (the
  browser is told no host but 127.0.0.1 exists), and their images (graph SVGs,
  PNG figures) are present and not empty; every notebook page's formulas are
  rendered by the MathJax the site serves; the pages read on a 390 px phone and
  a 1,280 px desktop (screenshots in ``out/browser/layouts/``).
- A ``step_through(f)`` HTML export: clicking "next" through every step shows
  the step counter, the highlighted node and edge, and the gradient cells the
  ledger says, and "previous" goes back.
- ``draw(f)`` and a step-through inline in a notebook exported to static HTML.

When a check fails, a screenshot is saved to ``out/browser/`` (or to
``$BROWSER_SCREENSHOTS``). The tests carry the ``browser`` marker and skip with
the reason where Chromium, its driver, selenium or mkdocs is missing (under CI,
with ``CI`` set, a missing piece is an error instead).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd_lite import Value, explain, step_through, topological_order
from autograd_lite.ops import OPS
from autograd_lite.text.notation import format_number
from tests.chromium import HANG_GUARD, chromium, emulate, missing, require_chromium
from tests.chromium import screenshot_on_failure as chromium_screenshot

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(os.environ.get("BROWSER_SCREENSHOTS", ROOT / "out" / "browser"))
HIGHLIGHT = "#e36209"  # viz's colour for the node and edge of the current step


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module, with its console log recorded."""
    require_chromium()
    # Every host but the loopback does not exist: the site must serve all it needs.
    with chromium(
        "1280,1000", ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
    ) as driver:
        yield driver


def screenshot_on_failure(driver: Any, name: str) -> contextlib.AbstractContextManager[None]:
    return chromium_screenshot(driver, name, SCREENSHOTS)


# -- the documentation site --------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Build the site (``mkdocs build --strict``) and serve it on 127.0.0.1."""
    if shutil.which("mkdocs", path=os.path.dirname(sys.executable)) is None:
        try:
            import mkdocs  # noqa: F401
        except ImportError:
            missing('mkdocs not installed: pip install -e ".[docs]"')
    if not (ROOT / "node_modules" / "pyodide").is_dir():
        missing("the playground's runtimes are missing (the site build copies them): npm ci")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert build.returncode == 0, build.stderr[-4000:]
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def console_errors(driver: Any, local: str) -> tuple[list[str], list[str]]:
    """(errors, unreachable): severe console messages, less failed loads from other hosts.

    The machines that run the tests have no internet; a page that asks a CDN for
    something optional (MathJax for the notebooks' formulas) logs a failed load,
    which is reported but is not a JavaScript error of ours.
    """
    errors, unreachable = [], []
    for entry in driver.get_log("browser"):
        if entry["level"] != "SEVERE":
            continue
        message = entry["message"]
        url = message.split(" ", 1)[0]
        elsewhere = url.startswith("http") and not url.startswith(local)
        if elsewhere and ("Failed to load" in message or "net::ERR_" in message):
            unreachable.append(message)
        else:
            errors.append(message)
    return errors, unreachable


def wait_until_loaded(driver: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, HANG_GUARD).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def broken_images(driver: Any) -> list[str]:
    """Sources of <img> elements that did not load or have no size."""
    return driver.execute_script(
        """return Array.from(document.images)
             .filter(img => !(img.complete && img.naturalWidth > 0 && img.naturalHeight > 0))
             .map(img => img.currentSrc || img.src);"""
    )


def graph_svgs(driver: Any) -> list[dict[str, float]]:
    """Size and node count of each Graphviz drawing shown inline (class "graph")."""
    return driver.execute_script(
        """return Array.from(document.querySelectorAll('svg'))
             .filter(svg => svg.querySelector('g.graph'))
             .map(svg => { const box = svg.getBoundingClientRect();
                           return {width: box.width, height: box.height,
                                   nodes: svg.querySelectorAll('g.node').length,
                                   visible: svg.checkVisibility()}; });"""
    )


def notebook_page(name_start: str) -> str:
    found = sorted((ROOT / "notebooks").glob(f"{name_start}*.ipynb"))
    assert found, f"no notebook {name_start}*"
    return f"notebooks/{found[0].stem}/"


@pytest.mark.parametrize(
    ("page", "expect"),
    [
        ("", {"images": 1}),
        ("api/value/", {"text": "Value"}),
        (notebook_page("01"), {"svgs": 1}),
        (notebook_page("04"), {"svgs": 1, "pngs": 1}),
    ],
    ids=["front page", "API page", "notebook 01", "notebook 04"],
)
def test_site_pages_load_without_errors_and_show_their_images(
    browser: Any, site: str, page: str, expect: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(site + page)
    with screenshot_on_failure(browser, f"site_{page or 'index'}"):
        wait_until_loaded(browser)
        errors, unreachable = console_errors(browser, site)
        assert unreachable == []  # MathJax came from a CDN: formulas showed raw offline
        assert errors == [], errors
        assert "404" not in browser.title
        assert broken_images(browser) == []
        images = browser.find_elements(By.CSS_SELECTOR, "article img")
        assert len(images) >= expect.get("images", 0)
        if "text" in expect:
            assert expect["text"] in browser.find_element(By.CSS_SELECTOR, "article").text
            assert browser.find_elements(By.CSS_SELECTOR, "div.doc-object")  # mkdocstrings ran
        # A notebook's drawings are inline <svg> (in HTML outputs such as a step-through)
        # or <img src="data:image/svg+xml..."> (image/svg+xml outputs); broken_images
        # has checked that every <img> loaded with a size.
        svgs = graph_svgs(browser)
        for svg in svgs:
            assert svg["nodes"] > 0
            if svg["visible"]:
                assert svg["width"] > 0, svg
                assert svg["height"] > 0, svg
        sources = [img.get_attribute("src") or "" for img in images]
        svg_images = [src for src in sources if src.startswith("data:image/svg+xml")]
        assert len(svgs) + len(svg_images) >= expect.get("svgs", 0)
        pngs = [src for src in sources if src.startswith("data:image/png")]
        assert len(pngs) >= expect.get("pngs", 0)
        assert cut_off_tables(browser) == []


def cut_off_tables(driver: Any) -> list[str]:
    """Tables wider than the box that holds them, which the reader cannot scroll."""
    return driver.execute_script(
        """const article = document.querySelector('article');
           if (!article) return [];
           return Array.from(article.querySelectorAll('table')).filter(table => {
               const right = table.getBoundingClientRect().right;
               for (let el = table.parentElement; el; el = el.parentElement) {
                   const overflow = getComputedStyle(el).overflowX;
                   if (overflow === 'auto' || overflow === 'scroll') return false;
                   const clips = overflow === 'hidden' || overflow === 'clip' || el === article;
                   if (clips && right > el.getBoundingClientRect().right + 1) return true;
                   if (el === article) return false;
               }
               return false;
           }).map(table => table.innerText.slice(0, 80));"""
    )


NOTEBOOK_PAGES = sorted(path.stem for path in (ROOT / "notebooks").glob("[0-9]*.ipynb"))


def wait_for_mathjax(driver: Any) -> None:
    """Wait until MathJax has typeset the page: its queue idle, no formula in progress,
    and the number of typeset formulas the same twice half a second apart."""
    import time

    deadline = time.monotonic() + HANG_GUARD
    last = -1
    while time.monotonic() < deadline:
        count = driver.execute_script(
            "const hub = window.MathJax && MathJax.isReady && MathJax.Hub;"
            "if (!hub) return -1;"
            "const q = hub.queue;"
            "if (q.pending || q.running || q.queue.length) return -1;"
            "if (document.querySelector('.MathJax_Processing')) return -1;"
            "return document.querySelectorAll('.mjx-chtml.MathJax_CHTML').length;"
        )
        if count >= 0 and count == last:
            return
        last = count
        time.sleep(0.5)
    raise AssertionError(f"MathJax did not finish in {HANG_GUARD} s")


def raw_formulas(driver: Any) -> dict[str, Any]:
    """Formulas MathJax rendered, and text that still reads as TeX (``$\\dfrac...``)."""
    result: dict[str, Any] = driver.execute_script(
        r"""const article = document.querySelector('article');
            const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
            const raw = [];
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
              if (n.parentElement.closest('pre, code, script, .MathJax_CHTML, .jp-OutputArea'))
                continue;
              if (/\$[^$]*\\[a-zA-Z]+|\\(frac|dfrac|partial|sum|sigma)\b/.test(n.textContent))
                raw.push(n.textContent.slice(0, 80));
            }
            return {rendered: article.querySelectorAll('.mjx-chtml.MathJax_CHTML').length,
                    errors: article.querySelectorAll('.MathJax_Error, merror').length, raw};"""
    )
    return result


@pytest.mark.parametrize("notebook", NOTEBOOK_PAGES)
def test_every_notebooks_formulas_render_offline(browser: Any, site: str, notebook: str) -> None:
    # MathJax came from a CDN (custom_mathjax_url): offline, 429 formula spans showed as
    # raw $\dfrac{\partial f}{\partial x}...$. The site serves MathJax itself now.
    browser.get_log("browser")
    browser.get(f"{site}notebooks/{notebook}/")
    with screenshot_on_failure(browser, f"mathjax_{notebook[:2]}"):
        wait_until_loaded(browser)
        source = (ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8")
        if "$" not in source:
            return
        wait_for_mathjax(browser)
        found = raw_formulas(browser)
        assert found["rendered"] > 0
        assert found["errors"] == 0
        assert found["raw"] == []
        assert console_errors(browser, site) == ([], [])


@pytest.mark.parametrize("width", [390, 1280])
def test_the_site_reads_on_a_phone_and_a_desktop(browser: Any, site: str, width: int) -> None:
    # At 390 px notebook code cells were 240 px wide (the "In [1]:" prompt beside them) and
    # figures shrank to an unreadable 358 px.
    folder = SCREENSHOTS / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    pages = {"index": "", "notebook": notebook_page("04"), "api": "api/value/"}
    try:
        emulate(browser, width)
        for name, page in pages.items():
            browser.get(site + page)
            with screenshot_on_failure(browser, f"layout_{name}_{width}"):
                wait_until_loaded(browser)
                assert browser.execute_script(
                    "const page = document.documentElement;"
                    "return page.scrollWidth <= page.clientWidth"
                ), "the page scrolls sideways"
                layout = browser.execute_script(
                    """const cells = [...document.querySelectorAll('.jp-InputArea-editor')]
                         .filter(e => e.checkVisibility());
                       const article = document.querySelector('article').getBoundingClientRect();
                       const shrunk = [...document.querySelectorAll('article img')]
                         .filter(i => i.naturalWidth > 0 && !i.src.startsWith('data:image/svg')
                                 && i.getBoundingClientRect().width < i.naturalWidth - 1)
                         .map(i => i.src.slice(0, 60));
                       const cell = cells.length ? cells[0].getBoundingClientRect().width : null;
                       return {article: article.width, shrunk, cell};"""
                )
                if layout["cell"] is not None:
                    assert layout["cell"] >= 0.8 * layout["article"], layout
                if width < 600:
                    # A figure keeps its own size on a phone and scrolls sideways in its box.
                    assert layout["shrunk"] == [], layout
                browser.save_screenshot(str(folder / f"site_{name}_{width}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_the_search_index_lists_the_pages(browser: Any, site: str) -> None:
    browser.get(site + "search/search_index.json")
    text = browser.find_element("tag name", "body").text
    for title in ("Getting started", "The engine", "Seeing the chain rule", "API reference"):
        assert title in text


# -- step-through and drawings, as a person clicks them ------------------------------------


def example() -> Value:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x.sin()
    f.label = "f"
    return f


def expected_frames(root: Value) -> list[dict[str, Any]]:
    """What each step-through frame must show, from the ledger alone."""
    ledger = explain(root)
    total = len(ledger)
    pending = Counter(row.parent for row in ledger)
    shown = {root: format_number(ledger.gradient)}
    frames = []
    for row in ledger:
        pending[row.parent] -= 1
        after = format_number(row.after)
        shown[row.parent] = after if pending[row.parent] == 0 else f"{after} + …"
        cells = Counter(f"grad {shown.get(node, '?')}" for node in topological_order(root))
        frames.append(
            {
                "caption": f"step {row.step}/{total}: {row.sentence(4)}",
                "symbol": OPS[row.node.op].symbol,
                "flow": f"grad ← {format_number(row.contribution)}",
                "cells": cells,
            }
        )
    return frames


def visible_frame(driver: Any, container: Any) -> Any:
    from selenium.webdriver.common.by import By

    frames = [f for f in container.find_elements(By.CSS_SELECTOR, ".frame") if f.is_displayed()]
    assert len(frames) == 1, f"{len(frames)} frames visible at once"
    return frames[0]


def frame_state(driver: Any, frame: Any) -> dict[str, Any]:
    """What the frame shows: caption, highlighted op symbol and edge flow, grad cells."""
    state = driver.execute_script(
        """const frame = arguments[0], hi = arguments[1];
           const texts = el => Array.from(el.querySelectorAll('text')).map(t => t.textContent);
           const lit = sel => Array.from(frame.querySelectorAll(sel)).filter(g =>
               Array.from(g.querySelectorAll('ellipse, path'))
                    .some(s => s.getAttribute('stroke') === hi));
           return {caption: frame.querySelector('.cap').textContent,
                   ops: lit('g.node').map(g => texts(g).join(' ')),
                   edges: lit('g.edge').map(g => texts(g).join(' ')),
                   cells: Array.from(frame.querySelectorAll('g.node text'))
                               .map(t => t.textContent).filter(t => t.startsWith('grad '))};""",
        frame,
        HIGHLIGHT,
    )
    state["cells"] = Counter(state["cells"])
    return state


def check_frame(driver: Any, container: Any, expected: dict[str, Any]) -> Any:
    frame = visible_frame(driver, container)
    state = frame_state(driver, frame)
    assert state["caption"] == expected["caption"]
    assert state["ops"] == [expected["symbol"]], state["ops"]
    assert len(state["edges"]) == 1, state["edges"]
    assert expected["flow"] in state["edges"][0], state["edges"]
    assert state["cells"] == expected["cells"]
    return frame


def click(driver: Any, frame: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    button = next(b for b in frame.find_elements(By.CSS_SELECTOR, "label.btn") if text in b.text)
    assert "off" not in (button.get_attribute("class") or ""), f"{text} is disabled"
    button.click()


def step_through_both_ways(driver: Any, container: Any, root: Value) -> None:
    from selenium.webdriver.common.by import By

    frames = expected_frames(root)
    assert len(frames) > 1
    for k, expected in enumerate(frames):
        frame = check_frame(driver, container, expected)
        buttons = frame.find_elements(By.CSS_SELECTOR, "label.btn")
        assert ("off" in buttons[0].get_attribute("class")) == (k == 0)  # previous
        assert ("off" in buttons[1].get_attribute("class")) == (k == len(frames) - 1)  # next
        if k < len(frames) - 1:
            click(driver, frame, "next")
    for expected in reversed(frames[:-1]):
        click(driver, visible_frame(driver, container), "previous")
        check_frame(driver, container, expected)


def test_step_through_export_steps_forward_and_back(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = example()
    page = tmp_path / "steps.html"
    step_through(root, widget=False).save(page)
    browser.get_log("browser")  # drop what earlier pages logged
    browser.get(page.as_uri())
    with screenshot_on_failure(browser, "step_through_export"):
        wait_until_loaded(browser)
        container = browser.find_element(By.CSS_SELECTOR, "div[id^='agl-steps-']")
        step_through_both_ways(browser, container, root)
        assert console_errors(browser, page.as_uri()) == ([], [])
        # The drawing fits a narrow window instead of running off its right edge.
        browser.set_window_size(800, 900)
        overflow = browser.execute_script(
            """const svg = Array.from(document.querySelectorAll('svg'))
                 .find(s => s.checkVisibility());
               return svg.getBoundingClientRect().right - document.documentElement.clientWidth;"""
        )
        browser.set_window_size(1280, 1000)
        assert overflow <= 0


def test_draw_and_step_through_inline_in_an_exported_notebook(browser: Any, tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat", reason='pip install -e ".[notebook]"')
    nbconvert = pytest.importorskip("nbconvert", reason='pip install -e ".[docs]"')
    from selenium.webdriver.common.by import By

    from autograd_lite import draw

    root = example()
    drawing = draw(root)._repr_mimebundle_()
    root_for_steps = example()
    steps_html = step_through(root_for_steps, widget=False).to_html()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# f = x*y + sin(x)"),
        nbformat.v4.new_code_cell(
            "draw(f)",
            outputs=[nbformat.v4.new_output("display_data", data=drawing)],
        ),
        nbformat.v4.new_code_cell(
            "step_through(f, widget=False)",
            outputs=[nbformat.v4.new_output("display_data", data={"text/html": steps_html})],
        ),
    ]
    exporter = nbconvert.HTMLExporter()
    body, _ = exporter.from_notebook_node(notebook)
    page = tmp_path / "exported.html"
    page.write_text(body, encoding="utf-8")
    browser.get_log("browser")
    browser.get(page.as_uri())
    with screenshot_on_failure(browser, "exported_notebook"):
        wait_until_loaded(browser)
        # nbconvert puts an image/svg+xml output in an <img> (a data: URL): it must load
        # at the drawing's size; the step-through's frames are inline <svg>, one visible.
        assert broken_images(browser) == []
        drawn = browser.execute_script(
            """const img = Array.from(document.images)
                 .find(i => i.src.startsWith('data:image/svg+xml'));
               return img && {width: img.naturalWidth, height: img.naturalHeight,
                              shown: img.getBoundingClientRect().width};"""
        )
        assert drawn is not None, "draw(f) is missing from the export"
        assert drawn["width"] > 300, drawn
        assert drawn["height"] > 50, drawn
        assert drawn["shown"] > 300, drawn
        svgs = graph_svgs(browser)
        assert len(svgs) == len(expected_frames(root_for_steps))
        assert [svg["visible"] for svg in svgs].count(True) == 1
        assert all(svg["nodes"] == len(topological_order(root)) + 3 for svg in svgs)  # + ops
        container = browser.find_element(By.CSS_SELECTOR, "div[id^='agl-steps-']")
        step_through_both_ways(browser, container, root_for_steps)
        errors, _ = console_errors(browser, page.as_uri())
        assert errors == [], errors
