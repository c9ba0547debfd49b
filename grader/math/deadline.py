"""Run a SymPy computation under a hard deadline, abandoning it when time is up.

SymPy is pure Python, so in the main thread a SIGALRM timer interrupts it cleanly. Calls nest:
an inner call (the symbolic proof inside the whole check) gets its own, shorter deadline on
the same timer, and an outer deadline that passes during the inner call unwinds both. Elsewhere
(a worker thread) the computation runs in a daemon thread that is abandoned at the deadline:
the caller gets its answer on time and the leftover thread cannot keep the process alive.
"""
from __future__ import annotations

import signal
import threading
import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class DeadlineExceeded(BaseException):
    """The computation did not finish within its time.

    A BaseException so that SymPy's own `except Exception` blocks cannot swallow it.
    """


class _Level:
    __slots__ = ("deadline", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds


class _Expired(BaseException):
    """The timer fired for `level` (raised through every inner level up to it)."""

    def __init__(self, level: _Level) -> None:
        super().__init__(level)
        self.level = level


_levels: list[_Level] = []  # active alarm-timed calls of the main thread, outermost first


def _on_alarm(signum: int, frame: Any) -> None:
    now = time.monotonic()
    for lv in _levels:  # the outermost expired level: everything inside it unwinds
        if lv.deadline <= now + 1e-4:
            raise _Expired(lv)
    _arm()


def _arm() -> None:
    if _levels:
        signal.setitimer(signal.ITIMER_REAL, max(min(lv.deadline for lv in _levels) - time.monotonic(), 1e-4))
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _can_use_alarm() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and (bool(_levels) or signal.getitimer(signal.ITIMER_REAL)[0] == 0.0))


def run_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """fn() if it finishes within `seconds`, else DeadlineExceeded."""
    if seconds <= 0:
        raise DeadlineExceeded("no time left")
    if _can_use_alarm():
        lv = _Level(seconds)
        outermost = not _levels
        previous = signal.signal(signal.SIGALRM, _on_alarm) if outermost else None
        _levels.append(lv)
        _arm()
        try:
            return fn()
        except _Expired as e:
            if e.level is lv:
                raise DeadlineExceeded(f"stopped after {seconds:.3g} s") from None
            raise
        finally:
            _levels.remove(lv)
            if outermost:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
            else:
                _arm()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed back to the caller below
            box["error"] = e

    th = threading.Thread(target=target, daemon=True, name="grader-sympy-deadline")
    th.start()
    th.join(seconds)
    if th.is_alive():
        raise DeadlineExceeded(f"stopped after {seconds:.3g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]
