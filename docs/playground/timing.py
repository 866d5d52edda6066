"""Time the playground to its first answer, cold and warm: ``python docs/playground/timing.py``.

``--before COMMIT`` times that commit's page files too, in the same run (same machine,
same load), served beside this one: the figures for a before/after comparison.

Builds the playground into a temporary site, serves it on 127.0.0.1 and opens
``app.html`` in headless Chromium twice with one profile: the first load is cold
(an empty cache), the second warm (what a returning visitor gets). For each it
prints the seconds from the request to "ready" and to the first answer on the
page, and the worker's own phases when the page reports them
(``window.playgroundTimings``). A benchmark figure, printed, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import http.server
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT))

from tests.chromium import chromium  # noqa: E402


def _build(site: Path) -> None:
    spec = importlib.util.spec_from_file_location("playground_build", HERE / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(site)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _first_answer(driver: Any, url: str) -> dict[str, Any]:
    driver.get(url)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        shown = driver.execute_script(
            # (a page without playgroundFirstAnswerSeconds: the time it was seen, to 50 ms)
            "return window.playgroundLast && {ready: window.playgroundLoadSeconds,"
            " answer: window.playgroundFirstAnswerSeconds ?? performance.now() / 1000,"
            " phases: window.playgroundTimings || null}"
        )
        if shown:
            return dict(shown)
        time.sleep(0.05)
    raise RuntimeError("the playground gave no answer in 300 s")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


#: The page files an older commit's playground had (its build.py is not run: the
#: package files and runtimes come from this build).
OLD_PAGE_FILES = ("app.html", "playground.css", "playground.js", "worker.js", "playground.py")


def _old_page(site: Path, commit: str) -> None:
    """``site/before/``: this build's runtimes with ``commit``'s page and package files
    (its package listed in its manifest as that commit's build listed it)."""
    shutil.copytree(site / "playground", site / "before")
    shutil.rmtree(site / "before" / "autograd_lite")
    (site / "before" / "snapshot.bin.gz").unlink(missing_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "autograd_lite"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(site / "before")], input=archive, check=True)
    manifest = json.loads((site / "playground" / "manifest.json").read_text(encoding="utf-8"))
    package = site / "before" / "autograd_lite"
    manifest["package"] = [
        {"name": path.relative_to(package).as_posix(), "sha256": _sha256(path)}
        for path in sorted(package.rglob("*.py"))
    ]
    manifest.pop("snapshot", None)
    (site / "before" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    for name in OLD_PAGE_FILES:
        text = subprocess.run(
            ["git", "show", f"{commit}:docs/playground/{name}"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        (site / "before" / name).write_bytes(text)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", metavar="COMMIT", help="also time this commit's page")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder)
        _build(site)
        pages = [("now", "playground")]
        if args.before:
            _old_page(site, args.before)
            pages.insert(0, (f"before ({args.before})", "before"))
        handler = functools.partial(_Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            for name, folder_name in pages:
                # A fresh profile per page: its first visit is cold, its second warm.
                with chromium("1280,1000") as driver:
                    for visit in ("cold", "warm"):
                        times = _first_answer(driver, f"{origin}/{folder_name}/app.html")
                        print(
                            f"{name}, {visit}: ready {times['ready']:.2f} s, first answer "
                            f"{times['answer']:.2f} s; phases {times['phases']}",
                            flush=True,
                        )
                        with contextlib.suppress(Exception):
                            driver.get("about:blank")
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
