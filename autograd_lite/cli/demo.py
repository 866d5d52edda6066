"""``autograd-lite demo``: a short tour, an expression explained and drawn and a
tiny network trained.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from autograd_lite.autodiff import no_grad
from autograd_lite.cli.errors import EXIT_OK, PROG, CommandError
from autograd_lite.cli.output import _indent, _Indented, _save_drawing
from autograd_lite.cli.training import _has_module, _plot_training, _print_training, _train
from autograd_lite.expression import (
    parse,
)
from autograd_lite.value import Value

#: Where ``demo`` writes its pictures unless told otherwise.
DEMO_FOLDER = "autograd-lite-demo"


def _run_demo(args: argparse.Namespace) -> int:
    from autograd_lite.text.ledger import explain
    from autograd_lite.viz import draw, draw_network

    start = time.perf_counter()
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot create the folder {folder}: {error.strerror or error}"
        ) from None
    out = sys.stdout
    written: list[Path] = []
    hints: list[str] = []

    print("1. Differentiate an expression", file=out)
    print(f'   {PROG} grad "x*y + sin(x)" x=2 y=3 --explain\n', file=out)
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = parse("x*y + sin(x)").evaluate({"x": x, "y": y})
    f.label = "f"
    ledger = explain(f)
    f.backward()
    print(
        f"   f = {f.data!r}   df/dx = y + cos(x) = {x.grad!r}   df/dy = x = {y.grad!r}\n", file=out
    )
    summed = next(row.step for row in ledger if row.accumulated)
    print("   The backward pass, one row per chain-rule step (x is used twice, so its", file=out)
    print(f"   gradient is a sum, step {summed}):", file=out)
    print(_indent(ledger.to_text(), "   "), file=out)
    written.append(
        _save_drawing(
            draw(f, title="f = x*y + sin(x) at x = 2, y = 3"), folder / "expression", hints
        )
    )

    print("\n2. Train a tiny network: 2-4-1, tanh, on XOR", file=out)
    print(f"   {PROG} train xor --hidden 4 --epochs 60\n", file=out)
    run = _train("xor", hidden=(4,), epochs=60)
    _print_training(run, _Indented(out, "   "))
    with no_grad():
        outputs = [run.model(sample).data for sample in run.X]
    pairs = ", ".join(
        f"{int(a)} xor {int(b)} -> {'1' if o > 0 else '0'}"
        for (a, b), o in zip(run.X, outputs, strict=True)
    )
    print(f"   predictions: {pairs}", file=out)
    title = f"XOR network after {run.history.epochs} epochs"
    written.append(
        _save_drawing(draw_network(run.model, inputs=run.X, title=title), folder / "network", hints)
    )
    if _has_module("matplotlib"):
        plot = folder / "training.png"
        _plot_training(run, str(plot))
        written.append(plot)
    else:
        hints.append('the training plot needs matplotlib: pip install "autograd-lite[plot]"')

    print(f"\n3. Pictures, in {folder}{os.sep}:", file=out)
    for path in written:
        print(f"   {path.name}", file=out)
    for hint in dict.fromkeys(hints):
        print(f"   note: {hint}", file=out)
    print(
        f"\nDone in {time.perf_counter() - start:.1f} s. "
        f"Next: {PROG} grad --help, {PROG} train --help",
        file=out,
    )
    return EXIT_OK
