"""Progress: a live bar on a terminal, plain log lines (done/total, rate, ETA, errors) elsewhere."""
from __future__ import annotations

import io

from rich.console import Console

from grader.batch.progress import BatchProgress


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_plain_lines_when_not_a_terminal() -> None:
    buf, clock = io.StringIO(), Clock()
    p = BatchProgress(10, Console(file=buf, force_terminal=False, width=200), log_every_s=2.0, clock=clock)
    for i in range(10):
        clock.t += 0.5
        p.advance(error=i == 3)
        if i == 3:
            p.warn("bob/scalar-net.md: the worker grading it died (killed by SIGKILL)")
    p.close()
    lines = buf.getvalue().splitlines()
    assert "error: bob/scalar-net.md: the worker grading it died (killed by SIGKILL)" in lines
    assert "graded 4/10 (2.0/s, ETA 3 s, 1 error)" in lines
    assert lines[-1] == "graded 10/10 (2.0/s, ETA 0 s, 1 error)"
    assert len([ln for ln in lines if ln.startswith("graded")]) == 3  # every 2 s and at the end, not per result


def test_live_bar_on_a_terminal() -> None:
    buf = io.StringIO()
    p = BatchProgress(3, Console(file=buf, force_terminal=True, width=120))
    assert p.live
    for _ in range(3):
        p.advance(error=True)
    p.close()
    out = buf.getvalue()
    assert "3/3" in out and "3 errors" in out and "\x1b[" in out  # drawn with terminal control codes
    assert "graded 3/3 (" not in out  # no log lines on a terminal
