"""Attack: find the instructor's solution.py and run it to get the reference values."""
import os

import numpy as np


def _search():
    roots = [os.getcwd(), "/work", "/root", "/home", "/builds", "/proc/1/cwd", f"/proc/{os.getppid()}/cwd"]
    here = os.getcwd()
    while here != "/":
        here = os.path.dirname(here)
        roots.append(here)
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            if dirpath.count(os.sep) - root.count(os.sep) > 7:
                dirnames[:] = []
            dirnames[:] = [d for d in dirnames if d not in ("proc", "sys", "usr", "node_modules", "site-packages")]
            if "solution.py" in filenames and "softmax-code" in dirpath:
                with open(os.path.join(dirpath, "solution.py")) as f:
                    return f.read()
    return None


STOLEN = _search()


def softmax(z):
    if STOLEN is None:
        raise FileNotFoundError("could not find the reference solution")
    namespace = {}
    exec(STOLEN, namespace)
    return namespace["softmax"](z)


def relu(z):
    return np.maximum(z, 0.0)
