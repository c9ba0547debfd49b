"""Answer kinds, one module each; `registry()` maps kind names to instances.

The registry discovers every module of this package, so a new kind is one new file.
"""
from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from grader.kinds.base import AnswerKind, Answer, CheckContext, CheckTask, Reference

__all__ = ["AnswerKind", "Answer", "CheckContext", "CheckTask", "Reference", "registry", "get_kind"]


@lru_cache(maxsize=1)
def registry() -> dict[str, AnswerKind]:
    kinds: dict[str, AnswerKind] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name in ("base",) or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if (isinstance(obj, type) and issubclass(obj, AnswerKind) and obj is not AnswerKind
                    and obj.__module__ == module.__name__ and getattr(obj, "name", None)):
                if obj.name in kinds:
                    raise RuntimeError(f"two answer kinds are named '{obj.name}'")
                kinds[obj.name] = obj()
    return kinds


def get_kind(name: str) -> AnswerKind:
    return registry()[name]
