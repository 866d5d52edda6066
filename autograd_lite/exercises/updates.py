"""``check_step``: after one (and a second) training step, do a learner's
parameters equal ours to 1e-12? Names the classic mistakes (gradients not
zeroed, the sign of the update).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from autograd_lite.value import Value

if TYPE_CHECKING:
    pass
from autograd_lite.exercises.report import Report, _close, _fail, _fmt, _number, _Stop


def check_step(
    learner_params: Sequence[Any],
    learner_step: Callable[[], object],
    our_params: Sequence[Value],
    our_step: Callable[[], object],
    *,
    steps: int = 2,
) -> Report:
    """Check a learner's training step against the same step written with ours.

    ``learner_params`` and ``our_params`` are the parameters, in the same order
    and starting from the same numbers; each ``*_step()`` does one whole step
    (forward, backward, update) on its own parameters. After each of ``steps``
    steps every parameter must equal ours to 1e-12: one step checks the update,
    the second catches gradients left over from the first.

    Example:
        >>> from autograd_lite import Value
        >>> def make():
        ...     w = Value(0.5)
        ...     def step():
        ...         w.grad = 0.0
        ...         ((w * 3.0 - 1.0) ** 2).backward()
        ...         w.data -= 0.1 * w.grad
        ...     return [w], step
        >>> (theirs, their_step), (ours, our_step) = make(), make()
        >>> print(check_step(theirs, their_step, ours, our_step))
        ✓ after 2 steps all 1 parameters equal ours to 1e-12.
    """
    if len(learner_params) != len(our_params):
        return Report(
            False,
            "setup",
            f"✗ {len(learner_params)} learner parameters but {len(our_params)} of ours: pass "
            "the same parameters, in the same order.",
        )
    try:
        before = [_number(p, "data") for p in learner_params]
        ours_before = [p.data for p in our_params]
        for k, (a, b) in enumerate(zip(before, ours_before)):
            if a != b:
                raise _fail(
                    "setup",
                    f"parameter #{k} starts at {_fmt(a)} but ours at {_fmt(b)}: build ours from "
                    "the same numbers, e.g. [Value(p.data) for p in params].",
                )
        moves: list[list[float]] = []
        for step in range(1, steps + 1):
            try:
                learner_step()
            except Exception as error:
                raise _fail(
                    "step_error", f"step {step} raised {type(error).__name__}: {error}"
                ) from None
            our_step()
            now = [_number(p, "data") for p in learner_params]
            ours_now = [p.data for p in our_params]
            our_move = [b - a for a, b in zip(ours_before, ours_now)]
            their_move = [b - a for a, b in zip(before, now)]
            bad = [
                k
                for k, (a, b) in enumerate(zip(now, ours_now))
                if abs(a - b) > 1e-12 * max(1.0, abs(b))
            ]
            if bad:
                raise _step_mistake(step, bad, now, ours_now, their_move, our_move, moves)
            moves.append(our_move)
            before, ours_before = now, ours_now
    except _Stop as stop:
        return stop.report
    return Report(
        True,
        None,
        f"✓ after {steps} steps all {len(our_params)} parameters equal ours to 1e-12.",
    )


def _step_mistake(
    step: int,
    bad: list[int],
    now: list[float],
    ours_now: list[float],
    their_move: list[float],
    our_move: list[float],
    moves: list[list[float]],
) -> _Stop:
    k = bad[0]
    head = (
        f"after step {step}, {len(bad)} parameter(s) differ from ours; the first, #{k}, is "
        f"{now[k]!r}, ours {ours_now[k]!r}. Your step moved it by {_fmt(their_move[k])}, "
        f"ours by {_fmt(our_move[k])}."
    )
    if moves:
        # Not zeroed: this step moved each wrong parameter by our last two moves
        # added up (its gradient kept the previous step's).
        leftover = [a + b for a, b in zip(moves[-1], our_move)]
        if any(moves[-1][j] != 0.0 for j in bad) and all(
            _close(their_move[j], leftover[j], 1e-9) for j in bad
        ):
            which = (
                "every parameter"
                if len(bad) == len(now)
                else f"{len(bad)} of the {len(now)} parameters (#{', #'.join(map(str, bad))})"
            )
            return _fail(
                "not_zeroed",
                head + f" Gradients doubled on the second call: for {which}, step {step} used "
                f"step {step - 1}'s gradients plus its own, because .grad adds up across "
                "backward() calls. Zero them: p.grad = 0.0 for every parameter before "
                "backward().",
            )
    if our_move[k] != 0.0 and _close(their_move[k], -our_move[k], 1e-9):
        hint = " It went the other way: subtract lr * grad (p.data -= lr * p.grad)."
    elif our_move[k] != 0.0:
        hint = (
            f" That is {their_move[k] / our_move[k]:.6g} times our move: check the learning "
            "rate and the update p.data -= lr * p.grad, with the gradient of the same loss."
        )
    else:
        hint = " Ours did not move it: is its gradient from the same loss?"
    return _fail("step", head + hint)
