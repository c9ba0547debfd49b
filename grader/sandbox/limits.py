"""Resource limits for running student code: defaults, the `[limits]` table of an
exercise.toml and a part's own `limits = {...}` override."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from grader.errors import ExerciseError, Location

#: what each key means, for error messages and docs/sandbox.md
LIMIT_KEYS: dict[str, str] = {
    "cpu_s": "CPU seconds per call (and for loading the code)",
    "wall_s": "wall-clock seconds per call (and for loading the code)",
    "memory_mb": "address space of the student's process, in MB",
    "processes": "processes and threads the student's code may have at once",
    "file_size_mb": "largest file the code may write, in MB",
    "open_files": "open file descriptors",
    "output_kb": "text printed to stdout/stderr over the whole run, in kB",
    "value_mb": "size of one returned value (arrays included), in MB",
}
#: sane ranges, so a typo such as `memory_mb = 5` or `wall_s = 36000` is caught at load time
_RANGES: dict[str, tuple[float, float]] = {
    "cpu_s": (0.1, 3600), "wall_s": (0.1, 7200), "memory_mb": (64, 65536), "processes": (1, 4096),
    "file_size_mb": (0, 4096), "open_files": (16, 65536), "output_kb": (1, 1024 * 1024),
    "value_mb": (0.001, 4096),
}


@dataclass(frozen=True)
class Limits:
    """Limits for one run of student code. Times apply to each call separately."""

    cpu_s: float = 10.0
    wall_s: float = 20.0
    memory_mb: int = 1024
    processes: int = 16
    file_size_mb: float = 16.0
    open_files: int = 64
    output_kb: int = 256
    value_mb: float = 64.0

    @classmethod
    def from_options(cls, raw: Any, where: Location, base: "Limits | None" = None) -> "Limits":
        """Limits from a TOML table, on top of `base` (the defaults when None).

        Raises ExerciseError naming the offending key (`limits.cpu_s`, ...).
        """
        base = base or cls()
        prefix = f"{where.key}.limits" if where.key else "limits"
        if not isinstance(raw, dict):
            raise ExerciseError("must be a table such as { cpu_s = 5, memory_mb = 512 }",
                                location=Location(file=where.file, key=prefix, part=where.part))
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            loc = Location(file=where.file, key=f"{prefix}.{key}", part=where.part)
            if key not in LIMIT_KEYS:
                raise ExerciseError(f"unknown limit (known: {', '.join(LIMIT_KEYS)})", location=loc)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ExerciseError(f"must be a number ({LIMIT_KEYS[key]}), not {value!r}", location=loc)
            lo, hi = _RANGES[key]
            if not lo <= value <= hi:
                raise ExerciseError(f"{value} is outside the sensible range [{lo:g}, {hi:g}] "
                                    f"({LIMIT_KEYS[key]})", location=loc)
            changes[key] = int(value) if key in ("memory_mb", "processes", "open_files", "output_kb") else float(value)
        return replace(base, **changes)

    def merged(self, override: "Limits | dict[str, Any] | None", where: Location | None = None) -> "Limits":
        """These limits with a part's override applied (a Limits, a raw table, or None)."""
        if override is None:
            return self
        if isinstance(override, Limits):
            return override
        return Limits.from_options(override, where or Location(), base=self)

    def scaled(self, factor: float) -> "Limits":
        """Times multiplied by `factor` (the CLI's --time-factor on slow machines)."""
        return replace(self, cpu_s=self.cpu_s * factor, wall_s=self.wall_s * factor)

    def to_dict(self) -> dict[str, float]:
        return {f.name: getattr(self, f.name) for f in fields(Limits)}


def limits_for(exercise: Any, part: Any) -> Limits:
    """The limits for a part's code: defaults, then the exercise's [limits], then the
    part's `limits = {...}` (both validated when the exercise was loaded)."""
    toml = str(exercise.path / "exercise.toml")
    base = Limits.from_options(exercise.limits or {}, Location(file=toml))
    return base.merged(getattr(part, "limits", None) or None,
                       Location(file=toml, key=f"parts.{part.id}", part=part.id))
