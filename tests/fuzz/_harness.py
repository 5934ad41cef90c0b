"""The fuzz harness: run one generated input, classify the outcome, keep a tally.

Every reader under test must, for every input, either raise a *domain* error
(:class:`hkfactor.errors.HKFactorError`) whose text names the place (file, line/row, element,
step) — "clean" — or return a result that an independent oracle accepts — "correct". Anything
else fails the test: another exception ("traceback"), running past the per-example time limit
("hang"), or a result the oracle rejects ("silent").

The tally (input class × tried / clean / correct / traceback / hang / silent) is printed at the
end of the session by ``conftest.py``.
"""

from __future__ import annotations

import signal
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from hkfactor.errors import HKFactorError, InputError

__all__ = ["OUTCOMES", "TALLY", "Hang", "run_case"]

OUTCOMES = ("tried", "clean", "correct", "traceback", "hang", "silent")
#: input class → Counter of outcomes
TALLY: dict[str, Counter[str]] = {}

#: seconds one example may take before it counts as a hang
TIME_LIMIT = 10.0


class Hang(BaseException):  # BaseException: code under test catching Exception cannot swallow it
    """Raised by the alarm when an example runs past :data:`TIME_LIMIT`."""


def _alarm(signum: int, frame: Any) -> None:
    raise Hang()


def _names_place(exc: HKFactorError, places: Iterable[str]) -> bool:
    text = str(exc)
    if isinstance(exc, InputError):
        text += " " + " ".join(f"{p.file} {p.field or ''}" for p in exc.problems)
    return any(p and p in text for p in places)


def run_case(
    cls: str,
    fn: Callable[[], Any],
    *,
    places: Iterable[str],
    check: Callable[[Any], str | None] | None = None,
    describe: str = "",
) -> str:
    """Run ``fn`` once and classify it; raise AssertionError for traceback, hang or silent.

    ``places`` are strings at least one of which a clean error must contain (the file name,
    element codes, step names …). ``check(result)`` returns ``None`` when the result is right,
    otherwise what is wrong with it.
    """
    tally = TALLY.setdefault(cls, Counter())
    tally["tried"] += 1
    places = list(places)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT)
    try:
        try:
            result = fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except Hang:
        tally["hang"] += 1
        raise AssertionError(f"[{cls}] hang (> {TIME_LIMIT} s) on {describe}") from None
    except HKFactorError as exc:
        if not str(exc).strip() or not _names_place(exc, places):
            tally["silent"] += 1
            raise AssertionError(f"[{cls}] domain error that names no place ({places[:5]}): {exc!s:.500} "
                                 f"— input: {describe}") from None
        tally["clean"] += 1
        return "clean"
    except Exception:
        tally["traceback"] += 1
        raise AssertionError(f"[{cls}] traceback on {describe}:\n{traceback.format_exc()}") from None
    finally:
        signal.signal(signal.SIGALRM, old)
    problem = check(result) if check is not None else None
    if problem:
        tally["silent"] += 1
        raise AssertionError(f"[{cls}] silently wrong result: {problem} — input: {describe}")
    tally["correct"] += 1
    return "correct"
