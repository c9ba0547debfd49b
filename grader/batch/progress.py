"""Progress of a batch: a live bar on a terminal, plain log lines everywhere else."""
from __future__ import annotations

import time
from typing import Callable

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


def _rate_eta(done: int, total: int, elapsed: float) -> tuple[float, float | None]:
    rate = done / elapsed if elapsed > 0 else 0.0
    eta = (total - done) / rate if rate > 0 else None
    return rate, eta


class BatchProgress:
    """`advance(error=...)` after each graded submission; `warn(text)` for an error line."""

    def __init__(self, total: int, console: Console, log_every_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.done, self.errors = total, 0, 0
        self.console = console
        self.clock = clock
        self.start = clock()
        self.live = console.is_terminal and not console.is_dumb_terminal
        self.log_every_s = log_every_s
        self._last_log = self.start
        self._bar: Progress | None = None
        if self.live and total:
            self._bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
                                 TextColumn("[red]{task.fields[errors]}"), console=console, transient=False)
            self._task = self._bar.add_task("grade", total=total, rate="", errors="")
            self._bar.start()

    def line(self) -> str:
        elapsed = self.clock() - self.start
        rate, eta = _rate_eta(self.done, self.total, elapsed)
        eta_text = f"{eta:.0f} s" if eta is not None else "?"
        return (f"graded {self.done}/{self.total} ({rate:.1f}/s, ETA {eta_text}, "
                f"{self.errors} error{'s' if self.errors != 1 else ''})")

    def advance(self, error: bool = False) -> None:
        self.done += 1
        self.errors += int(error)
        if self._bar is not None:
            rate, _ = _rate_eta(self.done, self.total, self.clock() - self.start)
            self._bar.update(self._task, advance=1, rate=f"{rate:.1f}/s",
                             errors=f"{self.errors} errors" if self.errors else "")
            return
        now = self.clock()
        if now - self._last_log >= self.log_every_s or self.done == self.total:
            self._last_log = now
            self.console.print(self.line(), markup=False, highlight=False)

    def warn(self, text: str) -> None:
        self.console.print(f"[red]error:[/] {escape(text)}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
