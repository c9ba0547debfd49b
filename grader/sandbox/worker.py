"""The grader's handle on pre-started workers (zygote.py inside bubblewrap), and their pool.

One worker serves one run at a time; a grader process keeps idle workers for the next run
and starts another when all are busy. A worker that dies is simply replaced. A process that
forks (a batch's worker processes) starts its own workers: the parent's are not shared.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

from grader.sandbox import isolation as iso


class WorkerGone(Exception):
    """The pre-started worker died or stopped answering."""


class Zygote:
    def __init__(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            argv = iso.bwrap_argv(sys.executable, 0, (child.fileno(),), zygote=True)
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, pass_fds=(child.fileno(),),
                                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
                                         start_new_session=True)
        finally:
            child.close()
        self.sock = parent
        self.exits: dict[int, tuple[int | None, int | None]] = {}
        self.owner = os.getpid()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _recv(self, deadline: float) -> dict:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WorkerGone("no answer from the worker")
        self.sock.settimeout(left)
        try:
            msg = self.sock.recv(65536)
        except (socket.timeout, OSError) as e:
            raise WorkerGone(str(e)) from None
        if not msg:
            raise WorkerGone("the worker ended")
        data = json.loads(msg)
        if data.get("op") == "exited":
            self.exits[int(data["pid"])] = (data.get("code"), data.get("signal"))
        return data

    def spawn(self, uid: int, fds: list[int], timeout: float) -> int:
        """Fork a child that will serve one run on these pipes; its pid (inside the sandbox)."""
        try:
            socket.send_fds(self.sock, [json.dumps({"op": "spawn", "uid": uid}).encode()], fds)
        except OSError as e:
            raise WorkerGone(str(e)) from None
        deadline = time.monotonic() + timeout
        while True:
            data = self._recv(deadline)
            if data.get("op") == "spawned":
                return int(data["pid"])

    def kill(self, pid: int, uid: int) -> None:
        try:
            self.sock.send(json.dumps({"op": "kill", "pid": pid, "uid": uid}).encode())
        except OSError:
            pass

    def wait_exit(self, pid: int, timeout: float) -> tuple[int | None, int | None] | None:
        deadline = time.monotonic() + timeout
        while pid not in self.exits:
            try:
                self._recv(deadline)
            except WorkerGone:
                return None
        return self.exits.pop(pid)

    def stop(self) -> None:
        try:
            self.sock.close()
        finally:
            if self.alive():
                self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # pragma: no cover
                pass


_LOCK = threading.Lock()
_IDLE: list[Zygote] = []


def acquire() -> Zygote:
    """An idle worker of this process, or a new one."""
    with _LOCK:
        while _IDLE:
            z = _IDLE.pop()
            if z.owner == os.getpid() and z.alive():
                return z
    return Zygote()


def release(z: Zygote, healthy: bool) -> None:
    if healthy and z.alive() and z.owner == os.getpid():
        with _LOCK:
            _IDLE.append(z)
    elif z.owner == os.getpid():
        z.stop()


def stop_all() -> None:
    with _LOCK:
        idle = [z for z in _IDLE if z.owner == os.getpid()]
        _IDLE.clear()
    for z in idle:
        z.stop()
