"""The harness that runs inside the sandbox: it loads the student's code and calls it.

Started as `python -I child.py REQUEST_FD REPLY_FD` (or entered from a forked worker). It
reads requests from REQUEST_FD and answers on REPLY_FD; both pipes exist before any student
code is imported. The student's code runs in this same process, so nothing here is secret and
nothing the child says is trusted by the grader: it reports observations only (a returned
value, an exception), the grader measures the time itself, enforces the limits from outside,
and decodes the values with a strict decoder. The only things the student's code could forge
are its own return values, which is no more than a function can do anyway; see
docs/sandbox.md ("Why the channel needs no secret").

Only the standard library, numpy and (optionally) pyseccomp are used: the grader package
itself is not visible inside the sandbox.
"""
from __future__ import annotations

import errno
import importlib.abc
import importlib.util
import os
import sys
import time
import types

_HERE = os.path.dirname(os.path.abspath(__file__))
# bound before the student's code exists, so patching `os.write` cannot reach the channel
_write, _read, _close = os.write, os.read, os.close
#: exit status when the reply channel is gone (the student's code closed it)
EXIT_CHANNEL_CLOSED = 87


def _pin_builtins(namespace: dict) -> None:
    """Copy today's builtins into a module's globals: global lookups find them first, so a
    student who patches `builtins.isinstance` changes their own code, not the harness."""
    import builtins

    for name in dir(builtins):
        if not name.startswith("__"):
            namespace.setdefault(name, getattr(builtins, name))


_pin_builtins(globals())


def _load_wire() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("_grader_wire", os.path.join(_HERE, "wire.py"))
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    _pin_builtins(mod.__dict__)
    spec.loader.exec_module(mod)
    return mod


class Channel:
    def __init__(self, wire: types.ModuleType, req_fd: int, rep_fd: int) -> None:
        self.wire, self.req_fd, self.rep_fd = wire, req_fd, rep_fd
        self.reader = wire.FrameReader(max_blob_bytes=1 << 34)
        self.pending: list = []

    def recv(self):
        while not self.pending:
            data = _read(self.req_fd, 1 << 20)
            if not data:
                raise EOFError
            self.pending.extend(self.reader.feed(data))
        return self.pending.pop(0)

    def send(self, frame: bytes) -> None:
        view = memoryview(frame)
        try:
            while view:
                n = _write(self.rep_fd, view)
                view = view[n:]
        except OSError:  # closed or replaced by the student's code: nothing can be reported
            os._exit(EXIT_CHANNEL_CLOSED)


# ---------------------------------------------------------------------------------------
# limits and the seccomp filter, applied before the student's code is imported
import resource  # noqa: E402


def _set(which: int, soft: int, hard: int | None = None) -> None:
    try:
        resource.setrlimit(which, (soft, soft if hard is None else hard))
    except (ValueError, OSError):
        pass  # a limit the platform lacks (macOS has no RLIMIT_AS semantics): others still apply


def apply_limits(lim: dict, n_calls: int) -> None:
    mb = 1024 * 1024
    _set(resource.RLIMIT_CORE, 0)
    _set(resource.RLIMIT_AS, int(lim["memory_mb"] * mb))
    _set(resource.RLIMIT_FSIZE, int(lim["file_size_mb"] * mb))
    _set(resource.RLIMIT_NOFILE, int(lim["open_files"]))
    if hasattr(resource, "RLIMIT_NPROC"):
        _set(resource.RLIMIT_NPROC, int(lim["processes"]))
    used = _cpu_used()
    budget = int(used + lim["cpu_s"] * (n_calls + 1) + 2)
    _set(resource.RLIMIT_CPU, int(used + lim["cpu_s"]) + 1, budget)


def _cpu_used() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def call_cpu_limit(cpu_s: float) -> None:
    """Give the next call its own CPU allowance (SIGXCPU when it is used up)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    want = int(_cpu_used() + cpu_s) + 1
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    _set(resource.RLIMIT_CPU, want, hard)


CLONE_NEWUSER = 0x10000000
CLONE_THREAD = 0x00010000
AF_UNIX = 1


def _import_seccomp():
    import ctypes.util

    find = ctypes.util.find_library
    # pyseccomp looks its libraries up with ldconfig, a subprocess that the sandbox may lack
    # and that costs time: try the usual sonames first
    ctypes.util.find_library = lambda n: {"c": "libc.so.6", "seccomp": "libseccomp.so.2"}.get(n) or find(n)
    try:
        import pyseccomp
    except Exception:  # no libseccomp: install_seccomp says so in the report
        return None
    finally:
        ctypes.util.find_library = find
    return pyseccomp


#: filters built ahead (by prepare(), before a pre-started worker forks), by block_processes
_FILTERS: dict = {}


def install_seccomp(block_processes: bool) -> str | None:
    """Block user namespaces, tracing, mounting and non-local sockets; optionally all new
    processes (used where RLIMIT_NPROC cannot be enforced). Returns a note if unavailable."""
    f = _FILTERS.pop(block_processes, None) or build_seccomp(block_processes)
    if f is None:  # no libseccomp (macOS, Windows, minimal containers)
        return "no seccomp filter (libseccomp is not available)"
    f.load()
    return None


def build_seccomp(block_processes: bool):
    """The filter install_seccomp loads (a libseccomp context, not loaded yet), or None."""
    sc = _import_seccomp()
    if sc is None:
        return None
    f = sc.SyscallFilter(defaction=sc.ALLOW)

    def rule(action, name, *args) -> None:
        try:
            f.add_rule(action, name, *args)
        except Exception:  # a syscall this architecture does not have
            pass

    eperm = sc.ERRNO(errno.EPERM)
    for name in ("unshare", "setns", "ptrace", "process_vm_readv", "process_vm_writev", "mount",
                 "umount2", "pivot_root", "chroot", "bpf", "perf_event_open", "keyctl", "add_key",
                 "request_key", "userfaultfd", "kexec_load", "init_module", "finit_module",
                 # System V IPC objects outlive the process: with a pre-started worker they
                 # could carry data from one student's run to the next
                 "shmget", "msgget", "semget"):
        rule(eperm, name)
    rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER))
    # clone3 passes its flags in memory a filter cannot read: say "not implemented", and
    # the C library falls back to clone(), which the rules above can inspect
    rule(sc.ERRNO(errno.ENOSYS), "clone3")
    rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.NE, AF_UNIX))
    if block_processes:
        rule(sc.ERRNO(errno.EAGAIN), "fork")
        rule(sc.ERRNO(errno.EAGAIN), "vfork")
        rule(sc.ERRNO(errno.EAGAIN), "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    return f


# ---------------------------------------------------------------------------------------
# loading the student's code
def _remember(filename: str, source: str) -> None:
    """Let tracebacks and messages quote the student's lines (the code came from memory)."""
    import linecache

    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


class StudentFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Makes the student's modules importable by name (`import helpers`) from memory."""

    def __init__(self, sources: dict[str, tuple[str, str]]) -> None:
        self.sources = sources  # module name -> (display file name, source)

    def find_spec(self, fullname, path=None, target=None):
        if fullname in self.sources:
            return importlib.util.spec_from_loader(fullname, self, origin=self.sources[fullname][0])
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        shown, source = self.sources[module.__name__]
        _remember(shown, source)
        module.__file__ = shown
        exec(compile(source, shown, "exec", dont_inherit=True), module.__dict__)


_PROCESS_WORDS = ("fork", "Popen", "subprocess", "Process(", "Thread(", ".start(", "spawn", "system(")
_NETWORK_WORDS = ("socket", "connect", "urlopen", "requests.", "http")


def describe_exception(e: BaseException, student_files: set[str]) -> tuple[str, str | None]:
    """'ValueError: message (at softmax.py:12)' and a limit name for resource errors."""
    import linecache

    where = None
    tb = e.__traceback__
    funcs = []
    line_text = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        funcs.append(code.co_name)
        if code.co_filename in student_files:
            where = f"{code.co_filename}:{tb.tb_lineno}"
            line_text = linecache.getline(code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    context = line_text + " " + " ".join(funcs)
    try:
        text = str(e)
    except BaseException:  # a student exception whose __str__ fails
        text = "<message could not be shown>"
    text = text if len(text) <= 400 else text[:400] + "…"
    name = type(e).__name__
    if isinstance(e, SyntaxError) and e.filename:
        where = f"{e.filename}:{e.lineno}"
        text = e.msg
    msg = f"{name}: {text}" if text else name
    if where:
        msg += f" (at {where})"
    limit = None
    if isinstance(e, MemoryError):
        limit = "memory"
    elif isinstance(e, OSError) and e.errno == errno.EFBIG:
        limit = "file_size"
    elif isinstance(e, OSError) and e.errno == errno.EMFILE:
        limit = "open_files"
    elif (isinstance(e, OSError) and e.errno in (errno.EAGAIN, errno.EPERM)
          or isinstance(e, RuntimeError) and "thread" in text) and any(w in context for w in _PROCESS_WORDS):
        limit = "processes"
    elif isinstance(e, OSError) and e.errno in (errno.EACCES, errno.ENETUNREACH, errno.EPERM) and any(
            w in context for w in _NETWORK_WORDS):
        limit = "network"
    return msg, limit


def load_code(files: list[dict], messages: list[str]) -> tuple[list[types.ModuleType], set[str]]:
    """Import .py modules and run notebook cells. A notebook cell that fails is reported
    and the others still run (as in Jupyter's "run all" with errors ignored); a module
    that fails to import is a load error (raised)."""
    sources = {f["module"]: (f["name"], f["source"]) for f in files if f["kind"] == "py"}
    shown = {f["name"] for f in files}
    sys.meta_path.insert(0, StudentFinder(sources))
    modules = []
    for f in files:
        if f["kind"] == "py":
            modules.append(importlib.import_module(f["module"]))
            continue
        mod = types.ModuleType(f["module"])
        mod.__file__ = f["name"]
        sys.modules[f["module"]] = mod
        for cell in f["cells"]:
            label = f"{f['name']} [cell {cell['index']}]"
            shown.add(label)
            _remember(label, cell["source"])
            try:
                exec(compile(cell["source"], label, "exec", dont_inherit=True), mod.__dict__)
            except (Exception, SystemExit, KeyboardInterrupt) as e:
                messages.append(f"{label} raised {describe_exception(e, shown)[0]}; the other cells still ran")
        modules.append(mod)
    return modules, shown


def find_function(modules: list[types.ModuleType], name: str):
    for mod in modules:
        obj = mod.__dict__.get(name)
        if obj is not None:
            return obj
    return None


def defined_functions(modules: list[types.ModuleType]) -> list[str]:
    names = set()
    for mod in modules:
        for k, v in list(mod.__dict__.items()):
            if callable(v) and not k.startswith("_") and getattr(v, "__module__", None) == mod.__name__:
                names.add(k)
    return sorted(names)


# ---------------------------------------------------------------------------------------
_WIRE: types.ModuleType | None = None


def prepare() -> types.ModuleType:
    """Import what every run needs (numpy, the wire format, pyseccomp) once: a pre-started
    worker calls this before forking, a fresh interpreter right away."""
    global _WIRE
    if _WIRE is None:
        _WIRE = _load_wire()
        import numpy  # noqa: F401  (imported before "hello", so its cost is not the student's)
        _import_seccomp()
    if False not in _FILTERS:  # the usual filter, built before a pre-started worker forks
        _FILTERS[False] = build_seccomp(False)
    return _WIRE


def main(argv: list[str]) -> None:
    """A fresh interpreter: child.py REQUEST_FD REPLY_FD [WORKDIR]."""
    run_forked(int(argv[1]), int(argv[2]), argv[3] if len(argv) > 3 else None)


def run_forked(req_fd: int, rep_fd: int, workdir: str | None) -> None:
    """Serve one run on these pipes (in a fresh interpreter, or in a child forked by zygote.py)."""
    if workdir:  # the private working folder (inside the sandbox's own /tmp); never one that exists
        os.mkdir(workdir, mode=0o700)
        os.chdir(workdir)
    wire = prepare()
    ch = Channel(wire, req_fd, rep_fd)
    ch.send(wire.pack({"op": "hello", "pid": os.getpid()}))
    try:
        serve(ch, wire)
    except BaseException as e:  # noqa: BLE001 — the harness itself broke (the student's code patched it?)
        ch.send(_broken_frame(e))
        os._exit(1)


def _broken_frame(e: BaseException) -> bytes:
    """A "broken" frame built by hand: json, or anything else, may be what the student patched."""
    try:
        text = type(e).__name__ + ": " + str(e)[:300]
    except BaseException:  # noqa: BLE001
        text = "the harness failed"
    safe = "".join(c if c.isalnum() or c in " .,:;_-()'" else " " for c in text)
    body = ('{"op":"broken","error":"' + safe + '","blob_sizes":[]}').encode("ascii", "replace")
    return len(body).to_bytes(4, "big") + (0).to_bytes(4, "big") + body


def serve(ch: Channel, wire: types.ModuleType) -> None:
    header, _ = ch.recv()
    lim = header["limits"]
    keep = set(header.get("keep", []))  # labels a later call uses through ResultOf
    max_value = int(lim["value_mb"] * 1024 * 1024)
    messages: list[str] = []
    note = install_seccomp(bool(header.get("block_processes")))
    if note:
        messages.append(note)
    apply_limits(lim, int(header.get("n_calls", 1)))
    try:
        modules, shown = load_code(header["files"], messages)
    except BaseException as e:  # noqa: BLE001 — anything the student's import does is reported
        text, limit = describe_exception(e, {f["name"] for f in header["files"]})
        if isinstance(e, SystemExit):
            text = f"your code called sys.exit({e.code!r}) while it was being loaded"
        ch.send(wire.pack({"op": "ready", "error": text, "limit": limit, "messages": messages}))
        return
    ch.send(wire.pack({"op": "ready", "error": None, "messages": messages,
                       "functions": defined_functions(modules)}))
    results: dict[str, object] = {}
    failed: set[str] = set()
    while True:
        try:
            header, blobs = ch.recv()
        except EOFError:
            return
        if header.get("op") != "call":
            return
        reply = call_once(header, blobs, wire, modules, shown, results, failed, lim)
        value = reply.pop("_value", None)
        if reply["ok"] and reply["label"] in keep:
            results[reply["label"]] = value
        if not reply["ok"]:
            failed.add(reply["label"])
        frame = None
        if reply["ok"] and header.get("want_value", True):
            try:
                frame = wire.encode_message(reply, {"value": value}, max_value)
            except wire.EncodeError as e:
                reply.update(ok=False, error=f"`{header['function']}` returned {e}", error_kind="value")
            except BaseException as e:  # noqa: BLE001 — e.g. MemoryError while copying
                text, limit = describe_exception(e, shown)
                reply.update(ok=False, error=f"`{header['function']}` returned a value that could not be "
                             f"sent: {text}", error_kind="value", limit=limit)
        ch.send(frame if frame is not None else wire.pack(reply))


def call_once(header: dict, blobs: list, wire: types.ModuleType, modules: list, shown: set[str],
              results: dict, failed: set[str], lim: dict) -> dict:
    """Make one call; the reply header, with the returned object under "_value"."""
    fname, label = header["function"], header["label"]
    reply = {"op": "result", "i": header["i"], "nonce": header["nonce"], "label": label, "ok": False}
    args = wire.decode(header["args"], blobs, allow_refs=True)
    kwargs = wire.decode(header["kwargs"], blobs, allow_refs=True)
    missing = [a.label for a in [*args, *kwargs.values()] if isinstance(a, wire.Ref) and a.label not in results]
    fn = find_function(modules, fname)
    if missing:
        reply.update(error_kind="not-run", error=f"not run: it needs the result of `{missing[0]}`, which "
                     + ("failed" if missing[0] in failed else "was not computed"))
        return reply
    if fn is None:
        known = ", ".join(defined_functions(modules)) or "none"
        reply.update(error_kind="missing", error=f"your code defines no function named `{fname}` "
                     f"(functions found: {known})")
        return reply
    if not callable(fn):
        reply.update(error_kind="missing", error=f"`{fname}` in your code is a {type(fn).__name__}, not a function")
        return reply
    args = [results[a.label] if isinstance(a, wire.Ref) else a for a in args]
    kwargs = {k: results[v.label] if isinstance(v, wire.Ref) else v for k, v in kwargs.items()}
    call_cpu_limit(lim["cpu_s"])
    try:
        t0 = time.perf_counter()
        value = fn(*args, **kwargs)
        reply["child_s"] = time.perf_counter() - t0
    except BaseException as e:  # noqa: BLE001 — SystemExit/KeyboardInterrupt included
        text, limit = describe_exception(e, shown)
        if isinstance(e, SystemExit):
            text = f"your code called sys.exit({e.code!r}) in `{fname}`"
        reply.update(error=text, limit=limit, error_kind="exception")
        return reply
    reply.update(ok=True, _value=value)
    return reply


if __name__ == "__main__":
    main(sys.argv)
