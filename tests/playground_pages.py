"""Browser helpers shared by the playground's browser tests (``test_playground.py``,
``test_playground_network_browser.py``): the site built and served once per session,
headless Chromium with every host but 127.0.0.1 unresolvable, and the learner's
actions (open, type, wait, read).

The fixtures that use these (``playground_site``, ``playground_browser``) are in
``conftest.py``, session-scoped, so both files share one build (about a minute of CI).
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.chromium import HANG_GUARD, chromium, require_chromium
from tests.chromium import screenshot_on_failure as chromium_screenshot

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND = ROOT / "docs" / "playground"
SCREENSHOTS = ROOT / "out" / "playground-screenshots"
#: Chromium's flag: every host but the loopback does not exist, so a CDN fetch fails.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"


def load_build() -> ModuleType:
    """``docs/playground/build.py`` as a module (it is not in a package)."""
    spec = importlib.util.spec_from_file_location("playground_build", PLAYGROUND / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def needs_node_modules(build: ModuleType) -> None:
    """Skip unless ``npm ci`` has installed the runtimes the site copies."""
    for package in ("pyodide", "@viz-js/viz"):
        if not (build.NODE_MODULES / package / "package.json").is_file():
            pytest.skip(f"node_modules/{package} is missing: run `npm ci` (package-lock.json)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def served_site(root: Path) -> Iterator[str]:
    """The playground built into ``root`` (plus a tampered copy, for the integrity test)
    and served on a loopback port; yields the page's URL."""
    require_chromium()
    build = load_build()
    needs_node_modules(build)
    build.build(root)
    # A copy with one package file changed after the build, for the integrity check.
    tampered = root / "tampered"
    shutil.copytree(root / "playground", tampered)
    with (tampered / "autograd_lite" / "value.py").open("a") as source:
        source.write("\nprint('changed after the build')\n")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + HANG_GUARD  # a guard against a hang, not a speed limit
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                pytest.fail("the http.server serving the playground did not start")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/playground/app.html"
    finally:
        server.terminate()
        server.wait(10)


@contextlib.contextmanager
def offline_chromium() -> Iterator[Any]:
    """Headless Chromium that can reach 127.0.0.1 only."""
    with chromium("1400,1600", [OFFLINE]) as driver:
        yield driver


def screenshot_on_failure(driver: Any, name: str) -> contextlib.AbstractContextManager[None]:
    return chromium_screenshot(driver, name, SCREENSHOTS)


def wait_for(condition: Callable[[], Any], what: str, timeout: float = HANG_GUARD) -> Any:
    """Poll ``condition`` until it holds; fail only after ``timeout`` seconds (a hang)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def open_page(driver: Any, url: str) -> float:
    """Open the playground and wait until Python is loaded; return the load time in seconds."""
    driver.get(url)
    state = wait_for(
        lambda: driver.execute_script(
            "return document.body.dataset.state !== 'loading' && document.body.dataset.state"
        ),
        "the playground to load",
    )
    assert state == "ready", driver.find_element("id", "loading").text
    seconds: float = driver.execute_script("return window.playgroundLoadSeconds")
    return seconds


def by_id(driver: Any, element_id: str) -> Any:
    return driver.find_element("id", element_id)


def type_into(driver: Any, element_id: str, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = by_id(driver, element_id)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(Keys.DELETE)
    box.send_keys(text)


def commit(driver: Any, element_id: str, text: str) -> None:
    """Type ``text`` into a box and leave it (Tab), which commits it ("change")."""
    from selenium.webdriver.common.keys import Keys

    type_into(driver, element_id, text)
    by_id(driver, element_id).send_keys(Keys.TAB)


def close(got: float, want: float, tol: float = 1e-12) -> bool:
    return math.isclose(got, want, rel_tol=tol, abs_tol=tol)


# -- network mode ------------------------------------------------------------------------


def network_state(driver: Any) -> str:
    """``body[data-network]``: idle, building, paused, playing, done or error."""
    state: str = driver.execute_script("return document.body.dataset.network || ''")
    return state


def wait_network(driver: Any, *states: str, what: str = "the network") -> str:
    """Wait until network mode is in one of ``states`` (and not building)."""
    return str(
        wait_for(
            lambda: network_state(driver) in states and network_state(driver),
            f"{what} ({' or '.join(states)})",
        )
    )


def page_network(driver: Any) -> dict[str, Any]:
    """What the page shows, read in one script: parameters, state, data, drawn maps."""
    shown: dict[str, Any] = driver.execute_script(
        "const n = window.playgroundNetwork;"
        "return {parameters: n.parameters(), state: n.state(), data: n.data(), drawn: n.drawn()}"
    )
    return shown


def epochs_and_updates(driver: Any) -> dict[str, tuple[str, str]]:
    """data-epoch and data-update of the status, the network view, the plot and the chart."""
    found: dict[str, list[str]] = driver.execute_script(
        "const out = {};"
        "for (const id of ['net-status', 'network-view', 'boundary', 'loss-curve'])"
        "  out[id] = [document.getElementById(id).dataset.epoch,"
        "             document.getElementById(id).dataset.update];"
        "return out"
    )
    return {key: (value[0], value[1]) for key, value in found.items()}


# -- layouts ----------------------------------------------------------------------------


def no_sideways_scroll(driver: Any) -> bool:
    return bool(
        driver.execute_script(
            "const page = document.documentElement; return page.scrollWidth <= page.clientWidth"
        )
    )


def overflow(driver: Any, selector: str) -> list[str]:
    """Elements matching ``selector`` whose right edge is past the screen's."""
    found: list[str] = driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].filter(e => e.checkVisibility()"
        " && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
        ".map(e => e.id || e.tagName)",
        selector,
    )
    return found


# -- the accessibility tree ----------------------------------------------------------------


def accessibility_tree(driver: Any) -> list[dict[str, Any]]:
    """Chromium's accessibility tree (what a screen reader is given): role, name, live."""
    nodes = driver.execute_cdp_cmd("Accessibility.getFullAXTree", {})["nodes"]
    tree = []
    for node in nodes:
        if node.get("ignored"):
            continue
        properties = {p["name"]: p["value"].get("value") for p in node.get("properties", [])}
        tree.append(
            {
                "role": node.get("role", {}).get("value"),
                "name": node.get("name", {}).get("value", ""),
                "live": properties.get("live"),
                "selected": properties.get("selected"),
                "focused": properties.get("focused"),
            }
        )
    return tree


def named(tree: list[dict[str, Any]], role: str) -> list[str]:
    return [node["name"] for node in tree if node["role"] == role]
