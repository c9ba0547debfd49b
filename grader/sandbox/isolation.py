"""How the child process is started: inside bubblewrap, or with resource limits only.

`GRADER_SANDBOX=rlimits` forces the fallback; `GRADER_SANDBOX=bubblewrap` makes a missing or
broken bubblewrap an error instead of a silent fallback. Unset: bubblewrap when it works here.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from grader.errors import GraderError

HARNESS_DIR = Path(__file__).resolve().parent
#: the harness files bound read-only into the sandbox (nothing else of the grader is visible)
HARNESS_FILES = ("child.py", "wire.py", "zygote.py")
INSIDE_HARNESS = "/sandbox"
INSIDE_WORK = "/tmp/work"
TMPFS_MB = 64

BASE_ENV = {
    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2", "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin",
}


class SandboxUnavailable(GraderError):
    """The requested isolation cannot be used on this machine."""


def python_roots() -> list[Path]:
    """Folders the interpreter needs: the venv (sys.prefix) and the base installation."""
    roots: list[Path] = []
    for p in (sys.prefix, sys.base_prefix, str(Path(sys.executable).resolve().parent.parent)):
        rp = Path(p).resolve()
        if str(rp).startswith("/usr/") or str(rp) == "/usr":
            continue  # /usr is bound as a whole
        if not any(rp == r or r in rp.parents for r in roots):
            roots = [r for r in roots if rp not in r.parents] + [rp]
    return roots


def _dirs_for(paths: list[Path]) -> list[str]:
    """`--perms 0755 --dir` for every parent of the bound folders: on the host they may be
    0700 (/root), which the unprivileged sandbox user could not traverse."""
    args: list[str] = []
    made: set[Path] = set()
    for p in paths:
        for parent in reversed(p.parents):
            if parent in (Path("/"), Path("/tmp")) or parent in made:  # /tmp is the tmpfs (1777)
                continue
            made.add(parent)
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_argv(python: str, uid: int, fds: tuple[int, ...], tmpfs_mb: int = TMPFS_MB,
               zygote: bool = False) -> list[str]:
    """The bubblewrap command line. No secret is ever on it (it is visible inside).

    `zygote`: start zygote.py (the pre-started worker) instead of one harness run; it keeps
    the capabilities to give each forked child its own uid, and drops them in each child.
    """
    roots = python_roots()
    argv = ["bwrap", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr"]
    for name in ("lib", "lib64", "bin", "sbin", "lib32"):
        target = Path("/") / name
        if target.is_symlink():
            argv += ["--symlink", os.readlink(target), f"/{name}"]
        elif target.is_dir():
            argv += ["--ro-bind", str(target), f"/{name}"]
    if Path("/etc/ld.so.cache").exists():
        argv += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    argv += ["--proc", "/proc", "--dev", "/dev"]
    # the tmpfs comes before the Python installation's binds, so a virtual environment that
    # lives under /tmp (a CI checkout, say) is mounted on top of it instead of hidden by it
    argv += ["--size", str(tmpfs_mb * 1024 * 1024), "--perms", "1777", "--tmpfs", "/tmp"]
    argv += _dirs_for(roots)
    for r in roots:
        argv += ["--ro-bind", str(r), str(r)]
    argv += ["--perms", "0755", "--dir", INSIDE_HARNESS]
    for name in HARNESS_FILES:
        argv += ["--ro-bind", str(HARNESS_DIR / name), f"{INSIDE_HARNESS}/{name}"]
    argv += ["--clearenv"]
    for k, v in BASE_ENV.items():
        argv += ["--setenv", k, v]
    argv += ["--setenv", "HOME", INSIDE_WORK]
    # the working folder is created by the harness user itself (see _inner_command)
    if zygote:
        return argv + ["--cap-add", "CAP_SETUID,CAP_SETGID,CAP_SETPCAP", "--chdir", "/tmp",
                       *python_flags(python), f"{INSIDE_HARNESS}/zygote.py", *map(str, fds)]
    if os.geteuid() == 0:
        # no user namespace (as root it would leave the child root on the host and
        # RLIMIT_NPROC unenforced): keep just what setpriv needs, then drop to `uid`
        argv += ["--cap-add", "CAP_SETUID,CAP_SETGID,CAP_SETPCAP", "--chdir", "/tmp",
                 "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                 "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    else:
        argv[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534"]
        argv += ["--chdir", "/tmp"]
    argv += [*python_flags(python), f"{INSIDE_HARNESS}/child.py", str(fds[0]), str(fds[1]), INSIDE_WORK]
    return argv


@lru_cache(maxsize=1)
def _bwrap_works() -> str | None:
    """None when bubblewrap can start a sandbox here, else the reason it cannot."""
    if sys.platform != "linux":
        return f"bubblewrap is Linux-only (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) is not installed"
    argv = bwrap_argv(sys.executable, 65534, (0, 1))
    argv = argv[: argv.index(sys.executable)] + [sys.executable, "-I", "-c", "pass"]
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap could not start ({e})"
    if p.returncode != 0:
        return f"bubblewrap fails here: {p.stderr.decode(errors='replace').strip()[:200]}"
    return None


def isolation_mode() -> str:
    """'bubblewrap' or 'rlimits', following GRADER_SANDBOX and what works here."""
    forced = os.environ.get("GRADER_SANDBOX", "").strip().lower()
    if forced in ("rlimits", "none", "limits"):
        return "rlimits"
    reason = _bwrap_works()
    if reason is None:
        return "bubblewrap"
    if forced in ("bubblewrap", "bwrap"):
        raise SandboxUnavailable(f"GRADER_SANDBOX={forced} but {reason}")
    return "rlimits"


def fallback_reason() -> str | None:
    """Why bubblewrap is not used, for the report (None when it is)."""
    forced = os.environ.get("GRADER_SANDBOX", "").strip().lower()
    if forced in ("rlimits", "none", "limits"):
        return "GRADER_SANDBOX=rlimits"
    return _bwrap_works()


def worker_kind(mode: str) -> str:
    """'fork' (a pre-started worker forks a child per run) or 'fresh' (a new interpreter per
    run). GRADER_SANDBOX_WORKER chooses; by default 'fork' where it keeps the isolation:
    inside bubblewrap, started as root, so each forked child gets a uid of its own."""
    forced = os.environ.get("GRADER_SANDBOX_WORKER", "").strip().lower()
    if forced in ("fresh", "fork"):
        return forced if (forced == "fresh" or (mode == "bubblewrap" and os.geteuid() == 0)) else "fresh"
    return "fork" if mode == "bubblewrap" and os.geteuid() == 0 else "fresh"


def sandbox_uid() -> int:
    """An unprivileged uid of its own for each sandbox, so RLIMIT_NPROC counts only this
    sandbox's processes and no two sandboxes can signal each other."""
    return 200_000 + secrets.randbelow(800_000)


def python_flags(python: str) -> list[str]:
    """Not -I: it would ignore the environment we set (hash seed, unbuffered output). The
    environment is ours alone anyway (cleared), so: no user site, no bytecode, unbuffered
    output, and (3.11+) no script folder on sys.path."""
    return [python, "-s", "-B", "-u", *(["-P"] if sys.version_info >= (3, 11) else [])]


def rlimits_argv(python: str, fds: tuple[int, int], workdir: str) -> list[str]:
    return [*python_flags(python), str(HARNESS_DIR / "child.py"), str(fds[0]), str(fds[1]), workdir]


def rlimits_env(workdir: str) -> dict[str, str]:
    env = dict(BASE_ENV, HOME=workdir, TMPDIR=workdir)
    if sys.platform == "darwin":
        env["PATH"] = "/usr/bin:/bin"
    return env
