"""Assemble the browser playground into a built site: ``python docs/playground/build.py SITE``.

The page (``app.html``, its JavaScript, its Web Worker and the Python glue
``playground.py``) is copied from this folder into ``SITE/playground/``, with:

- ``pyodide/``: CPython on WebAssembly, from ``node_modules/pyodide`` (``npm ci``);
- ``viz/``: Graphviz on WebAssembly, from ``node_modules/@viz-js/viz``;
- ``snapshot.bin.gz``: Python with the package imported, as a Pyodide memory
  snapshot made by ``snapshot.mjs`` in Node, which the page restores instead of
  starting Python (most of a first visit's wait);
- ``autograd_lite/``: the package's own ``.py`` files, the ones the wheel ships,
  subpackages included (``nn/layers.py``), listed by their path inside the package
  with their SHA-256 in ``manifest.json`` so the page loads exactly these.

Nothing is fetched at run time from anywhere but the site itself. The same
function runs as a MkDocs hook: list this file under ``hooks:`` in mkdocs.yml
and ``mkdocs build`` calls ``on_post_build`` with the site folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PACKAGE = ROOT / "autograd_lite"
NODE_MODULES = ROOT / "node_modules"

#: The page's own files, copied as they are.
PAGE_FILES = (
    "app.html",
    "playground.css",
    "playground.js",
    "network.js",
    "network-view.js",
    "network-common.js",
    "worker.js",
    "viz-worker.js",
)

#: The Python glue the worker imports, next to the package: ``playground`` (expression
#: mode, and the entry point) imports ``network_mode`` (network mode).
GLUE_FILES = ("playground.py", "network_mode.py", "network_pictures.py")

#: What the page needs from each pinned npm package (package folder, files, target folder).
RUNTIME = (
    (
        "pyodide",
        (
            "pyodide.mjs",
            "pyodide.asm.mjs",
            "pyodide.asm.wasm",
            "python_stdlib.zip",
            "pyodide-lock.json",
        ),
        "pyodide",
    ),
    ("@viz-js/viz", ("dist/viz-global.js",), "viz"),
)


#: MathJax 2 for the notebook pages' formulas (nbconvert's template speaks MathJax 2's
#: API), copied to ``SITE/mathjax/``: the loader, the one configuration the pages ask for
#: (``TeX-AMS_CHTML-full`` and ``Safe``), and what that configuration loads.
MATHJAX = (
    "MathJax.js",
    "config/TeX-AMS_CHTML-full.js",
    "config/Safe.js",
    "extensions",
    "jax/input/TeX",
    "jax/output/CommonHTML",
    "jax/element",
    "fonts/HTML-CSS/TeX/woff",
    "localization/en",
)


class BuildError(RuntimeError):
    """Something the playground needs is missing; the message says how to get it."""


def package_files() -> list[Path]:
    """The package's source files, as the wheel ships them: every ``.py`` under
    ``autograd_lite/``, subpackages included (``autograd_lite/nn/layers.py``), sorted by
    their path inside the package. Caches (``__pycache__``) are not source."""
    files = sorted(
        (path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts),
        key=lambda path: path.relative_to(PACKAGE).as_posix(),
    )
    if not files:
        raise BuildError(f"no .py files in {PACKAGE}")
    return files


def _version(package: str) -> str:
    meta = json.loads((NODE_MODULES / package / "package.json").read_text(encoding="utf-8"))
    return str(meta["version"])


def _pinned(package: str) -> str:
    """The version package.json pins, which ``npm ci`` must have installed."""
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return str(pins[package])


def _check_installed(package: str) -> None:
    if not (NODE_MODULES / package / "package.json").is_file():
        raise BuildError(
            f"{NODE_MODULES / package} is missing: run `npm ci` in {ROOT} "
            "(it installs the pinned Pyodide, viz-js and MathJax from package-lock.json)"
        )
    installed, pinned = _version(package), _pinned(package)
    if installed != pinned:
        raise BuildError(
            f"node_modules has {package} {installed}, package.json pins {pinned}: run `npm ci`"
        )


def build_mathjax(site: str | Path) -> Path:
    """Copy the pinned MathJax into ``site/mathjax`` (the notebook pages load it from
    there, ``custom_mathjax_url`` in mkdocs.yml, so formulas render offline); return it."""
    _check_installed("mathjax")
    target = Path(site) / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    for name in MATHJAX:
        source = NODE_MODULES / "mathjax" / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target / name)
    return target


def build(site: str | Path, snapshot: bool = True) -> Path:
    """Write the playground into ``site/playground``; return that folder.

    ``snapshot=False`` skips the Python snapshot (``make_snapshot``), for a quick build.
    """
    target = Path(site) / "playground"
    for package, _, _ in RUNTIME:
        _check_installed(package)
    target.mkdir(parents=True, exist_ok=True)
    for name in PAGE_FILES:
        shutil.copyfile(HERE / name, target / name)
    for package, files, folder in RUNTIME:
        (target / folder).mkdir(exist_ok=True)
        for name in files:
            shutil.copyfile(NODE_MODULES / package / name, target / folder / Path(name).name)
    sources = target / "autograd_lite"
    if sources.exists():
        shutil.rmtree(sources)  # a file removed from the package must not linger
    sources.mkdir()
    listed = []
    for path in package_files():
        name = path.relative_to(PACKAGE).as_posix()  # "nn/layers.py": the worker makes nn/
        (sources / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, sources / name)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        listed.append({"name": name, "sha256": digest})
    glue = []
    for name in GLUE_FILES:
        shutil.copyfile(HERE / name, target / name)
        glue.append(
            {"name": name, "sha256": hashlib.sha256((HERE / name).read_bytes()).hexdigest()}
        )
    manifest = {
        "package": listed,
        "glue": glue,
        "versions": {package: _version(package) for package, _, _ in RUNTIME},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    made = make_snapshot(target) if snapshot else None
    if made is not None:
        digest = hashlib.sha256(made.read_bytes()).hexdigest()
        manifest["snapshot"] = {"name": made.name, "sha256": digest}
        text = json.dumps(manifest, indent=1) + "\n"
        (target / "manifest.json").write_text(text, encoding="utf-8")
    return target


def make_snapshot(target: Path) -> Path | None:
    """Python with the package imported, as a Pyodide memory snapshot (``snapshot.mjs``,
    run by Node): the page restores it instead of starting Python and importing the
    package. None without Node (the page then starts Python afresh, slower)."""
    node = shutil.which("node")
    stale = target / "snapshot.bin.gz"
    stale.unlink(missing_ok=True)
    if node is None:
        print("build.py: no node: the playground starts Python afresh on each first visit")
        return None
    shutil.copyfile(HERE / "snapshot.mjs", target / "snapshot.mjs")
    try:
        subprocess.run(
            [node, str(target / "snapshot.mjs"), str(target)],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except subprocess.CalledProcessError as error:
        raise BuildError(
            f"snapshot.mjs could not import the package in Pyodide:\n{error.stderr.strip()[-2000:]}"
        ) from None
    finally:
        (target / "snapshot.mjs").unlink()
    return stale


def on_post_build(config: Any, **kwargs: Any) -> None:
    """MkDocs hook: add the playground and MathJax to the site ``mkdocs build`` just wrote."""
    build(config["site_dir"])
    build_mathjax(config["site_dir"])


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python docs/playground/build.py SITE_DIR", file=sys.stderr)
        return 2
    try:
        target = build(argv[0])
    except BuildError as error:
        print(f"build.py: error: {error}", file=sys.stderr)
        return 1
    print(f"playground written to {target} (open {target / 'app.html'} through a web server)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
