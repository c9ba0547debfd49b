"""Importing an exercise's solutions/<id>/solution.py: trusted instructor code.

It runs in the grader's process (student code never does) and is imported once per file
version, so every part and every student of a batch shares one module.
"""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path
from types import ModuleType

from grader.errors import ExerciseError

_LOADED: dict[tuple[str, int], ModuleType] = {}


def load_solution(path: Path) -> ModuleType:
    """The module at `path`, imported again only when the file changes."""
    resolved = str(Path(path).resolve())
    key = (resolved, Path(path).stat().st_mtime_ns)
    if key not in _LOADED:
        name = f"_solution_{hashlib.sha1(resolved.encode()).hexdigest()[:12]}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:  # instructor code: any failure is an exercise error
            raise ExerciseError(f"solution.py failed to import: {type(e).__name__}: {e}", file=str(path)) from None
        _LOADED[key] = module
    return _LOADED[key]
