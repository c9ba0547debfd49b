"""Run a SymPy computation under a hard deadline, abandoning it when time is up.

SymPy is pure Python, so in the main thread a SIGALRM timer interrupts it cleanly. Elsewhere
(a worker thread) the computation runs in a daemon thread that is abandoned at the deadline:
the caller gets its answer on time and the leftover thread cannot keep the process alive.
"""
from __future__ import annotations

import signal
import threading
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class DeadlineExceeded(BaseException):
    """The computation did not finish within its time.

    A BaseException so that SymPy's own `except Exception` blocks cannot swallow it.
    """


def _can_use_alarm() -> bool:
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and signal.getitimer(signal.ITIMER_REAL)[0] == 0.0)


def run_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """fn() if it finishes within `seconds`, else DeadlineExceeded."""
    if seconds <= 0:
        raise DeadlineExceeded("no time left")
    if _can_use_alarm():
        def on_alarm(signum: int, frame: Any) -> None:
            raise DeadlineExceeded(f"stopped after {seconds:.3g} s")

        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            return fn()
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
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
