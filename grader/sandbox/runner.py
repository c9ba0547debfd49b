"""The grader's side of a sandboxed run: start the child, feed it calls, watch the clock.

Everything that decides a verdict happens here, in the grader's process: the clock (each
call's duration is measured from the moment the request is written to the moment the whole
reply has arrived), the wall-clock kill, the output limit, the reading of exit statuses, and
the strict decoding of returned values. The child is believed about nothing but what its
code returned or raised.
"""
from __future__ import annotations

import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.errors import SubmissionError
from grader.sandbox import isolation as iso
from grader.sandbox import wire, worker
from grader.sandbox.limits import Limits
from grader.sandbox.source import read_sources

EXIT_CHANNEL_CLOSED = 87  # the harness's exit status when its reply pipe is gone (child.py)

#: how long a fresh sandbox may take to start Python and import numpy before the grader gives
#: up; generous because a loaded machine is slow, and never the student's fault
STARTUP_S = 60.0
TAIL_CHARS = 2000


@dataclass(frozen=True)
class ResultOf:
    """An argument standing for the value an earlier call (by label) of the same run returned.

    The value never leaves the child: `params = train(X, y)` then `predict(ResultOf("train"), X)`.
    """

    label: str


@dataclass
class Call:
    """One call of a student's function. `args`/`kwargs` are plain data or ResultOf."""

    function: str
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    #: False: keep the result inside the child only (for ResultOf), do not send it back
    want_value: bool = True

    def __post_init__(self) -> None:
        if not self.label:
            self.label = self.function


@dataclass
class CallOutcome:
    label: str
    ok: bool
    value: Any = None
    error: str | None = None  # "ValueError: ... (at softmax.py:12)", or why it did not run
    limit: str | None = None  # "exceeded the 10 s time limit in `train`"
    duration_s: float = 0.0  # measured by the grader, request sent → reply received
    function: str = ""
    limit_kind: str | None = None  # "wall", "cpu", "memory", "output", "processes", ...
    #: the program had to be stopped at this call (limit, crash, exit, channel misuse), or
    #: this call was never made because of that: the student's code, not the inputs, is at fault
    fatal: bool = False
    #: what kind of failure: "exception" (the function raised), "value" (its return value is not
    #: plain data or too big), "missing" (no such function), "not-run", "crash" (the process
    #: ended, broke the harness or misused the channel), "limit"
    error_kind: str | None = None

    @property
    def message(self) -> str:
        """What to tell the student about a failed call."""
        return self.limit or self.error or ""


@dataclass
class RunReport:
    outcomes: list[CallOutcome]
    load_error: str | None
    isolation: str  # "bubblewrap" | "rlimits"
    stdout_tail: str = ""
    messages: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)  # public functions the code defines

    def outcome(self, label: str) -> CallOutcome:
        for o in self.outcomes:
            if o.label == label:
                return o
        raise KeyError(label)

    @property
    def isolation_note(self) -> str:
        """One line for reports: how the student's code ran."""
        if self.isolation == "bubblewrap":
            return "Your code ran in a bubblewrap sandbox (no network, no files of the grader, resource limits)."
        return ("Your code ran with resource limits only (no bubblewrap sandbox here): "
                "no filesystem or network isolation.")


def _fmt_s(x: float) -> str:
    return f"{x:g}"


LIMIT_TEXT = {
    "wall": lambda lim, fn: f"exceeded the {_fmt_s(lim.wall_s)} s time limit {fn}",
    "cpu": lambda lim, fn: f"exceeded the {_fmt_s(lim.cpu_s)} s CPU time limit {fn}",
    "memory": lambda lim, fn: f"exceeded the {lim.memory_mb} MB memory limit {fn}",
    "output": lambda lim, fn: f"printed more than the {lim.output_kb} kB output limit {fn}",
    "processes": lambda lim, fn: f"tried to start more processes than allowed ({lim.processes}) {fn}",
    "file_size": lambda lim, fn: f"wrote a file larger than the {_fmt_s(lim.file_size_mb)} MB limit {fn}",
    "open_files": lambda lim, fn: f"opened more files than allowed ({lim.open_files}) {fn}",
    "network": lambda lim, fn: f"tried to use the network {fn}, which graded code may not do",
}


def limit_message(kind: str, limits: Limits, where: str) -> str:
    return LIMIT_TEXT[kind](limits, where)


class _Child:
    """One sandboxed child process and its three pipes (requests, replies, output).

    Started fresh (bubblewrap or a plain interpreter), or forked by a pre-started worker
    (`zygote`, see worker.py): the pipes, the clock and the verdicts are the same.
    """

    def __init__(self, mode: str, limits: Limits, zygote: "worker.Zygote | None" = None) -> None:
        self.mode, self.limits = mode, limits
        self.output_total = 0
        self.output_tail = bytearray()
        self.killed_by_us = False
        self.workdir: str | None = None
        self.zygote = zygote
        self.zpid = 0
        self.ended = False
        self.proc: subprocess.Popen | None = None
        req_r, self.req_w = os.pipe()
        self.rep_r, rep_w = os.pipe()
        self.out_r, out_w = os.pipe()
        try:
            if zygote is not None:
                self.uid = iso.sandbox_uid()
                self.zpid = zygote.spawn(self.uid, [req_r, rep_w, out_w], timeout=STARTUP_S * time_factor())
            else:
                if mode == "bubblewrap":
                    argv = iso.bwrap_argv(sys.executable, iso.sandbox_uid(), (req_r, rep_w))
                    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
                else:
                    self.workdir = tempfile.mkdtemp(prefix="grader-sandbox-")
                    inner = os.path.join(self.workdir, "work")  # created by the child itself
                    argv = iso.rlimits_argv(sys.executable, (req_r, rep_w), inner)
                    env = iso.rlimits_env(inner)
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                                             pass_fds=(req_r, rep_w), env=env, start_new_session=True,
                                             cwd=self.workdir or "/")
        except BaseException:
            for fd in (self.req_w, self.rep_r, self.out_r):
                os.close(fd)
            raise
        finally:
            for fd in (req_r, rep_w, out_w):
                os.close(fd)
        for fd in (self.rep_r, self.out_r, self.req_w):
            os.set_blocking(fd, False)
        self.reader = wire.FrameReader(max_blob_bytes=int(limits.value_mb * 1024 * 1024) + 1024)
        self.frames: list[tuple[dict, list[bytes]]] = []
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.rep_r, selectors.EVENT_READ, "rep")
        self.sel.register(self.out_r, selectors.EVENT_READ, "out")
        self.rep_open = True

    # -- output ----------------------------------------------------------------------------
    def _take_output(self, data: bytes) -> bool:
        """Keep the tail of the output; False when the output limit is exceeded."""
        self.output_total += len(data)
        self.output_tail += data
        if len(self.output_tail) > 4 * TAIL_CHARS:
            del self.output_tail[: len(self.output_tail) - 4 * TAIL_CHARS]
        return self.output_total <= self.limits.output_kb * 1024

    @property
    def tail(self) -> str:
        text = bytes(self.output_tail).decode("utf-8", errors="replace")
        return text[-TAIL_CHARS:]

    def _drain_output(self) -> None:
        try:
            while True:
                data = os.read(self.out_r, 1 << 16)
                if not data:
                    return
                self._take_output(data)
        except (BlockingIOError, OSError):
            return

    # -- waiting -----------------------------------------------------------------------------
    def wait_event(self, deadline: float, send: bytes = b"") -> tuple[str, Any]:
        """Write `send` (if any), then wait for the next whole frame.

        Returns ("frame", (header, blobs)), ("timeout", None), ("eof", None),
        ("output", None) when the output limit is exceeded, or ("bad", message).
        """
        pending = memoryview(send)
        if pending:  # most requests fit the pipe at once: the selector is for the rest
            try:
                pending = pending[os.write(self.req_w, pending):]
            except BlockingIOError:
                pass
            except (BrokenPipeError, OSError):
                pending = memoryview(b"")
        if pending:
            self.sel.register(self.req_w, selectors.EVENT_WRITE, "req")
        try:
            while True:
                if self.frames:
                    return "frame", self.frames.pop(0)
                if not self.rep_open:
                    return "eof", None
                left = deadline - time.monotonic()
                if left <= 0:
                    return "timeout", None
                for key, _ in self.sel.select(timeout=min(left, 1.0)):
                    if key.data == "req":
                        try:
                            n = os.write(self.req_w, pending)
                            pending = pending[n:]
                        except BlockingIOError:
                            continue
                        except (BrokenPipeError, OSError):
                            pending = memoryview(b"")
                        if not pending:
                            self.sel.unregister(self.req_w)
                    elif key.data == "out":
                        try:
                            data = os.read(self.out_r, 1 << 16)
                        except BlockingIOError:
                            continue
                        if not data:
                            self.sel.unregister(self.out_r)
                        elif not self._take_output(data):
                            return "output", None
                    else:
                        try:
                            data = os.read(self.rep_r, 1 << 20)
                        except BlockingIOError:
                            continue
                        if not data:
                            self.rep_open = False
                            self.sel.unregister(self.rep_r)
                            continue
                        try:
                            self.frames.extend(self.reader.feed(data))
                        except wire.WireError as e:
                            return "bad", str(e)
        finally:
            if pending and self.req_w in self.sel.get_map():
                self.sel.unregister(self.req_w)

    # -- ending ------------------------------------------------------------------------------
    def exit_signal(self, wait_s: float | None = None) -> tuple[int | None, int | None]:
        """(exit code, signal number) of the student's process, after it ended.

        The wait is generous: on a loaded machine a process whose channel closed can take a
        while to be reaped, and giving up early would read as "closed the channel and did
        not end", a verdict against the student that the machine caused."""
        if wait_s is None:
            wait_s = max(10.0, self.limits.wall_s)
        if self.zygote is not None:
            status = self.zygote.wait_exit(self.zpid, wait_s)
            if status is None:
                self.kill()
                return None, None
            self.ended = True
            return status
        try:
            rc = self.proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, None
        if rc < 0:
            return None, -rc
        if self.mode == "bubblewrap" and rc > 128:  # bwrap reports a signal as 128 + n
            return None, rc - 128
        return rc, None

    def kill(self) -> None:
        self.killed_by_us = True
        if self.zygote is not None:
            self.zygote.kill(self.zpid, self.uid)
            return
        for target in (lambda: os.killpg(self.proc.pid, signal.SIGKILL), self.proc.kill):
            try:
                target()
            except (ProcessLookupError, PermissionError, OSError):
                pass

    def close(self) -> bool:
        """End the child, keep its last output. False if a pre-started worker misbehaved."""
        healthy = True
        try:
            os.close(self.req_w)  # the harness ends when its request pipe closes
        except OSError:
            pass
        if self.zygote is not None:
            if not self.ended and self.zygote.wait_exit(self.zpid, 0.5) is None:
                self.zygote.kill(self.zpid, self.uid)
                healthy = self.zygote.wait_exit(self.zpid, 10) is not None
        else:
            assert self.proc is not None
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            self.kill()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - the kernel always reaps a SIGKILL
                pass
        self._drain_output()
        self.sel.close()
        for fd in (self.rep_r, self.out_r, self.req_w):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return healthy


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _ended(child: _Child, where: str) -> tuple[str, str | None]:
    """Why the child's channel closed: (message, limit kind or None)."""
    code, sig = child.exit_signal()
    if sig in (signal.SIGXCPU, signal.SIGKILL) and not child.killed_by_us:
        return limit_message("cpu", child.limits, where), "cpu"
    if sig == signal.SIGXFSZ:
        return limit_message("file_size", child.limits, where), "file_size"
    if sig == signal.SIGSEGV:
        return (f"your code crashed {where} (segmentation fault: often a recursion too deep for "
                "the stack, after sys.setrecursionlimit)"), None
    if sig is not None:
        return f"your code's process was stopped by {_signal_name(sig)} {where}", None
    if code is None:
        return f"your code closed the grader's channel {where} and did not end", None
    if code == EXIT_CHANNEL_CLOSED:
        return f"your code closed the grader's channel {where}", None
    return (f"your code ended the process {where} (exit status {code}: sys.exit or os._exit "
            "must not be called in graded code)"), None


def _not_run(calls: list[Call], reason: str) -> list[CallOutcome]:
    return [CallOutcome(label=c.label, ok=False, error=f"not run: {reason}", function=c.function, fatal=True,
                        error_kind="not-run") for c in calls]


def _encode_call(i: int, nonce: str, call: Call) -> bytes:
    def conv(v: Any) -> Any:
        if isinstance(v, ResultOf):
            return wire.Ref(v.label)
        return v
    args = [conv(a) for a in call.args]
    kwargs = {k: conv(v) for k, v in call.kwargs.items()}
    return wire.encode_message({"op": "call", "i": i, "nonce": nonce, "function": call.function,
                                "label": call.label, "want_value": call.want_value},
                               {"args": args, "kwargs": kwargs}, max_bytes=1 << 34)


def _referenced(calls: list[Call]) -> set[str]:
    """Labels whose results a later call uses: only those are kept alive in the child."""
    return {v.label for c in calls for v in [*c.args, *c.kwargs.values()] if isinstance(v, ResultOf)}


def time_factor() -> float:
    """GRADER_TIME_FACTOR stretches every time limit (slow or shared machines)."""
    try:
        return max(0.1, float(os.environ.get("GRADER_TIME_FACTOR", "1")))
    except ValueError:
        return 1.0


def run_calls(code_files: list[Path], calls: list[Call], limits: Limits | None = None) -> RunReport:
    """Load the student's code in a fresh sandbox and make `calls` in order.

    Never raises for anything the student's code does; raises SandboxUnavailable only when
    GRADER_SANDBOX=bubblewrap is demanded and bubblewrap does not work.
    """
    limits = (limits or Limits()).scaled(time_factor())
    mode = iso.isolation_mode()
    messages: list[str] = []
    if mode == "rlimits":
        messages.append(f"Ran without bubblewrap ({iso.fallback_reason()}): resource limits only, "
                        "no filesystem or network isolation.")
    try:
        sources = read_sources(code_files)
    except SubmissionError as e:
        return RunReport(_not_run(calls, str(e)), str(e), mode, "", messages)
    last_error = ""
    for attempt in range(2):  # a sandbox that fails to *start* is retried once: never the student's fault
        report = _run_once(mode, sources, calls, limits, messages)
        if report is not None:
            return report
        last_error = "the sandbox did not start (machine overloaded?)"
    reason = f"{last_error}; this is a problem of the grading machine, not of your code"
    return RunReport(_not_run(calls, reason), reason, mode, "", messages)


def _run_once(mode: str, sources: list[dict], calls: list[Call], limits: Limits,
              messages: list[str]) -> RunReport | None:
    zygote = None
    if iso.worker_kind(mode) == "fork":
        try:
            zygote = worker.acquire()
            child = _Child(mode, limits, zygote)
        except (worker.WorkerGone, OSError):
            if zygote is not None:
                worker.release(zygote, healthy=False)
            return None  # retried by run_calls: a worker that fails to fork is never the student's fault
    else:
        child = _Child(mode, limits)
    healthy = False
    try:
        report = _drive(child, mode, sources, calls, limits, messages)
    finally:
        healthy = child.close()  # after this the whole output is in, for the tail
        if zygote is not None:
            worker.release(zygote, healthy)
    if report is not None:
        report.stdout_tail = child.tail
    return report


def _drive(child: _Child, mode: str, sources: list[dict], calls: list[Call], limits: Limits,
           messages: list[str]) -> RunReport | None:
    kind, _ = child.wait_event(time.monotonic() + STARTUP_S * time_factor())
    if kind != "frame":
        return None
    load = wire.pack({"op": "load", "files": sources, "limits": limits.to_dict(),
                      "n_calls": len(calls), "keep": sorted(_referenced(calls)),
                      "block_processes": mode == "rlimits" and hasattr(os, "geteuid") and os.geteuid() == 0})
    msgs = list(messages)
    if mode == "rlimits" and hasattr(os, "geteuid") and os.geteuid() == 0:
        msgs.append("Running as root without bubblewrap: starting processes is blocked (RLIMIT_NPROC "
                    "does not bind root).")
    where = "while your code was being loaded"
    kind, payload = child.wait_event(time.monotonic() + limits.wall_s, send=load)
    load_error = None
    functions: list[str] = []
    if kind == "frame" and payload[0].get("op") == "ready":
        header = payload[0]
        msgs += [str(m) for m in header.get("messages", [])][:20]
        functions = [str(f) for f in header.get("functions", [])][:200]
        if header.get("error"):
            load_error = str(header["error"])[:1000]
            if header.get("limit") in LIMIT_TEXT:
                load_error = limit_message(header["limit"], limits, where) + f" ({load_error})"
    elif kind == "frame" and payload[0].get("op") == "broken":
        load_error = f"your code broke the grader's harness while being loaded ({str(payload[0].get('error'))[:300]})"
    elif kind == "frame":
        load_error = "your code interfered with the grader's channel while being loaded"
    elif kind == "timeout":
        load_error = limit_message("wall", limits, where) + \
            " (code at the top level of a file runs when it is loaded)"
    elif kind == "output":
        load_error = limit_message("output", limits, where)
    elif kind == "bad":
        load_error = f"your code interfered with the grader's channel while being loaded: {payload}"
    else:
        load_error = _ended(child, where)[0]
    if load_error:
        child.kill()
        return RunReport(_not_run(calls, load_error), load_error, mode, "", msgs, functions)
    outcomes: list[CallOutcome] = []
    for i, call in enumerate(calls):
        outcome, fatal = _one_call(child, i, call, limits)
        outcomes.append(outcome)
        if fatal:
            outcome.fatal = True
            child.kill()
            outcomes += _not_run(calls[i + 1:], f"the program was stopped after `{call.label}`: {outcome.message}")
            break
    return RunReport(outcomes, None, mode, "", msgs, functions)


def _one_call(child: _Child, i: int, call: Call, limits: Limits) -> tuple[CallOutcome, bool]:
    """Make one call; (outcome, whether the child had to be stopped)."""
    nonce = secrets.token_hex(8)
    where = f"in `{call.function}`"
    out = CallOutcome(label=call.label, ok=False, function=call.function)
    if child.frames:  # something arrived that nobody asked for
        out.error = "your code wrote to the grader's channel on its own; the results cannot be trusted"
        return out, True
    frame = _encode_call(i, nonce, call)
    start = time.monotonic()
    kind, payload = child.wait_event(start + limits.wall_s, send=frame)
    out.duration_s = round(time.monotonic() - start, 6)
    if kind == "timeout":
        out.limit, out.limit_kind, out.error_kind = limit_message("wall", limits, where), "wall", "limit"
        return out, True
    if kind == "output":
        out.limit, out.limit_kind, out.error_kind = limit_message("output", limits, where), "output", "limit"
        return out, True
    out.error_kind = "crash"
    if kind == "bad":
        out.error = f"your code interfered with the grader's channel {where}: {payload}"
        return out, True
    if kind == "eof":
        message, limit = _ended(child, where)
        if limit:
            out.limit, out.limit_kind, out.error_kind = message, limit, "limit"
        else:
            out.error = message
        return out, True
    header, blobs = payload
    if header.get("op") == "broken":
        out.error = f"your code broke the grader's harness {where} ({str(header.get('error'))[:300]})"
        return out, True
    if header.get("op") != "result" or header.get("i") != i or header.get("nonce") != nonce:
        out.error = f"your code interfered with the grader's channel {where}"
        return out, True
    out.error_kind = None
    if header.get("ok") is True:
        try:
            out.value = wire.decode(header.get("value"), blobs)
        except wire.WireError as e:
            out.error, out.error_kind = f"`{call.function}` returned something the grader cannot read: {e}", "value"
            return out, False
        out.ok = True
        return out, False
    out.error = str(header.get("error") or "failed")[:2000]
    ek = header.get("error_kind")
    out.error_kind = ek if ek in ("exception", "value", "missing", "not-run") else "exception"
    lk = header.get("limit")
    if lk in LIMIT_TEXT:
        out.limit, out.limit_kind, out.error_kind = limit_message(lk, limits, where), lk, "limit"
    return out, False
