"""A pre-started worker inside one bubblewrap sandbox that forks a fresh child per run.

Started as `python zygote.py CONTROL_FD` inside the sandbox, as root with only CAP_SETUID,
CAP_SETGID and CAP_SETPCAP (bubblewrap drops every other capability). It imports numpy and
the harness once; each run then costs a fork instead of a new interpreter.

Control messages (JSON over a SOCK_SEQPACKET socket, fds passed with SCM_RIGHTS):
  grader → zygote  {"op": "spawn", "uid": U} + [request_r, reply_w, output_w]
                   {"op": "kill", "pid": P, "uid": U}
  zygote → grader  {"op": "spawned", "pid": P}   {"op": "exited", "pid": P, "code": c, "signal": s}

Each child, before any student code: a new session, stdout/stderr to its output pipe, every
other descriptor closed, capabilities' bounding set emptied, then its own unprivileged uid U
(no capabilities left), a private 0700 folder /tmp/w<U>-<random>, and from there the same harness as a
fresh interpreter (seccomp filter, rlimits, loading the code). A uid per run means a run's
processes can signal, trace or read nothing of the zygote or of earlier runs, and RLIMIT_NPROC
counts that run alone. "kill" (and every run's end) forks a reaper, from a small helper
started before numpy is imported, that takes uid U and kills every process of U
(kill(-1) from U reaches exactly those), then removes whatever U left in /tmp and /dev/shm
(the seccomp filter forbids System V IPC objects, which would outlive a run).
"""
from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import selectors
import shutil
import signal
import socket
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
PR_CAPBSET_DROP = 24


def _load(name: str, file: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(_HERE, file))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_LIBC = None  # loaded once in the zygote, before any fork


def _libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def _drop_bounding_set() -> None:
    libc = _libc()
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == 22:  # EINVAL: no such cap
            break


def _become(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)  # from root to a non-zero uid: every capability is gone


def _child(harness, fds: list[int], uid: int, control: int) -> None:
    """In the forked child: isolate, drop privileges, then run the harness. Never returns."""
    code = 1
    try:
        req_r, rep_w, out_w = fds
        os.setsid()
        null = os.open("/dev/null", os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(out_w, 1)
        os.dup2(out_w, 2)
        # every other descriptor closed (close_range: one call per gap, not one per number)
        low = 3
        for fd in sorted({req_r, rep_w} - {0, 1, 2}):
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 65536)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _drop_bounding_set()
        _become(uid)
        work = f"/tmp/w{uid}-{os.urandom(6).hex()}"  # a name no earlier run could have prepared
        os.environ["HOME"] = work
        sys.stdout = open(1, "w", buffering=1, closefd=False)
        sys.stderr = open(2, "w", buffering=1, closefd=False)
        harness.run_forked(req_r, rep_w, work)
        code = 0
    except BaseException:  # noqa: BLE001 — nothing may escape back into the zygote's loop
        code = 1
    finally:
        os._exit(code)


def _reap(uid: int) -> None:
    """Kill every process of `uid` and remove its folder (in a forked reaper)."""
    pid = os.fork()
    if pid == 0:
        try:
            _become(uid)
            for _ in range(3):  # a process forking at this moment may produce one more
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
            for folder in ("/tmp", "/dev/shm"):  # everything the run left behind, wherever it could write
                try:
                    entries = list(os.scandir(folder))
                except OSError:
                    continue
                for entry in entries:
                    try:
                        if entry.stat(follow_symlinks=False).st_uid != uid:
                            continue
                        if entry.is_dir(follow_symlinks=False):
                            shutil.rmtree(entry.path, ignore_errors=True)
                        else:
                            os.unlink(entry.path)
                    except OSError:
                        pass
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


class _Reaper:
    """A small helper forked before numpy is imported, which forks the reapers: forking the
    zygote itself (numpy and all) cost this machine ~3 ms of CPU per run, this ~1 ms. If it
    is gone, the zygote reaps by itself."""

    def __init__(self) -> None:
        here, there = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                here.close()
                os.closerange(3, there.fileno())
                os.closerange(there.fileno() + 1, 65536)
                while True:
                    msg = there.recv(64)
                    if not msg:
                        break
                    _reap(int(msg))
                    there.send(b"done")
            finally:
                os._exit(0)
        there.close()
        self.sock: socket.socket | None = here

    def reap(self, uid: int) -> None:
        if self.sock is not None:
            try:
                self.sock.send(str(uid).encode())
                if self.sock.recv(64) == b"done":
                    return
            except OSError:
                pass
            self.sock.close()
            self.sock = None
        _reap(uid)


def main(argv: list[str]) -> None:
    reaper = _Reaper()  # first, while this process is still small
    harness = _load("_grader_child", "child.py")
    harness.prepare()  # numpy, the wire format, pyseccomp, the seccomp filter: made once, here
    _libc()
    control = socket.socket(fileno=int(argv[1]))
    sel = selectors.DefaultSelector()
    sel.register(control, selectors.EVENT_READ, None)
    children: dict[int, tuple[int, int]] = {}  # pidfd -> (pid, uid)
    while True:
        for key, _ in sel.select():
            if key.data is None:
                try:
                    msg, fds, _flags, _addr = socket.recv_fds(control, 65536, 8)
                except OSError:
                    return
                if not msg:
                    return  # the grader is gone: so are we (and bubblewrap tears down the rest)
                req = json.loads(msg)
                if req["op"] == "spawn":
                    uid = int(req["uid"])
                    pid = os.fork()
                    if pid == 0:
                        _child(harness, fds, uid, control.fileno())
                    for fd in fds:
                        os.close(fd)
                    pidfd = os.pidfd_open(pid)
                    children[pidfd] = (pid, uid)
                    sel.register(pidfd, selectors.EVENT_READ, "child")
                    control.send(json.dumps({"op": "spawned", "pid": pid}).encode())
                elif req["op"] == "kill":
                    reaper.reap(int(req["uid"]))
            else:
                pidfd = key.fd
                pid, uid = children.pop(pidfd)
                sel.unregister(pidfd)
                os.close(pidfd)
                _, status = os.waitpid(pid, 0)
                code = os.waitstatus_to_exitcode(status)
                control.send(json.dumps({"op": "exited", "pid": pid,
                                         "code": code if code >= 0 else None,
                                         "signal": -code if code < 0 else None}).encode())
                # whatever it left behind (processes, files) goes before this loop reads the
                # next request: no later run starts until it is gone. The grader, which has the
                # whole report already, need not wait for it.
                reaper.reap(uid)


if __name__ == "__main__":
    main(sys.argv)
