"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by selenium
through Debian's ``chromium-driver``. Nothing here downloads a browser or a driver.

Shared by ``test_browser.py`` (the docs site, step-through exports) and
``test_playground.py`` (the Pyodide playground).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (
    os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
)
#: How long a browser test waits for anything (a page, a state, an answer) before calling it
#: a hang. Not a speed limit: a loaded CI machine can take many times a quiet one's seconds,
#: and the tests assert what is shown, never how fast (times are printed as figures).
HANG_GUARD = 180.0  # seconds


def missing(message: str) -> None:
    """Skip with the reason, or fail under CI, where every piece is installed."""
    if os.environ.get("CI"):
        pytest.fail(message + " (CI installs it: see .ci/run)")
    pytest.skip(message)


def require_chromium() -> None:
    """Skip (fail under CI) unless Chromium, its driver and selenium are here."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            missing(f"{path} not found: apt-get install {package}")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing('selenium not installed: pip install -e ".[test]"')


@contextlib.contextmanager
def chromium(window: str, extra_flags: Sequence[str] = ()) -> Iterator[Any]:
    """A headless Chromium (as root: no sandbox; no background traffic), its console
    log recorded, with a fresh profile that is removed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium must never fetch a driver or browser
    profile = tempfile.mkdtemp(prefix="agl-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",  # needed as root
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--window-size={window}",
        f"--user-data-dir={profile}",
        *extra_flags,
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(HANG_GUARD)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextlib.contextmanager
def screenshot_on_failure(driver: Any, name: str, folder: Path) -> Iterator[None]:
    """Save a screenshot of the page into ``folder`` when the block fails."""
    try:
        yield
    except BaseException:
        folder.mkdir(parents=True, exist_ok=True)
        # The test's id (with its parameters), so parametrized failures keep their own pictures.
        test = os.environ.get("PYTEST_CURRENT_TEST", name).split("::")[-1].split(" ")[0]
        path = folder / (re.sub(r"[^\w.-]+", "_", f"{test}_{name}")[:120] + ".png")
        driver.save_screenshot(str(path))
        print(f"screenshot of the failing page: {path}")
        raise


def emulate(driver: Any, width: int) -> None:
    """A screen ``width`` CSS pixels wide (a phone is 390), as Chromium's device mode does."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 844 if width < 600 else 1000, "deviceScaleFactor": 1,
         "mobile": width < 600},
    )  # fmt: skip
