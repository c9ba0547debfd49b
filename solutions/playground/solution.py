"""Reference computation for playground, independent of answers.md: the numeric part."""
from __future__ import annotations


def reference(p: dict) -> dict:
    share = p["pos_share"] / 100
    return {"baseline_accuracy": max(share, 1 - share)}
