"""Warming a grading process up: import every answer kind, build the math engine's parser
and SymPy's lazy parts (seconds on a busy machine) and try bubblewrap once, before any
task's clock starts.

The local pool's fork server imports this module, so it warms up once and every worker
forked from it starts warm.
"""
from __future__ import annotations

_WARM = False


def warm_up() -> None:
    global _WARM
    if _WARM:
        return
    _WARM = True
    try:
        from grader.kinds import registry

        registry()
        from grader.math.equivalence import warm_up as warm_math

        warm_math()
        from grader.sandbox.isolation import fallback_reason

        fallback_reason()  # whether bubblewrap works here: tried once, not once per worker
    except Exception:  # a broken import shows up again on the first task, with its message
        pass


warm_up()
