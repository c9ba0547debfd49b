"""Loading and validating exercise folders.

Everything is checked up front, and every problem becomes one readable error naming the file
and the key; all problems of an exercise are reported together (ExerciseErrors).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from grader.errors import ExerciseError, ExerciseErrors, GraderError, Location
from grader.exercise.model import Exercise, Mistake, Parameter, Part
from grader.kinds import registry
from grader.sandbox.limits import Limits
from grader.submission.markdown import match_part, parse_markdown

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
EXERCISE_ID = PART_ID
TOP_KEYS = {"id", "title", "version", "section", "parameters", "parts", "limits", "description"}
#: part keys every kind shares; the rest of the part table goes to the kind's parse_options
COMMON_PART_KEYS = {"id", "kind", "points", "title", "mistakes", "hidden", "limits"}
PARAM_KEYS = {"default", "min", "max", "step", "choices", "description"}
#: names a spec.md template may use besides the parameters
SPEC_GLOBALS = {"student", "exercise", "range", "loop"}


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExerciseError("file not found", file=str(path)) from None
    except UnicodeDecodeError as e:
        raise ExerciseError(f"not UTF-8 text (byte {e.start})", file=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise ExerciseError(f"invalid TOML: {msg}", file=str(path), line=line, column=col) from None


class _Collector:
    """Gathers errors so one run reports every problem of an exercise."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[GraderError] = []

    def add(self, message: str, key: str | None = None, file: str | None = None,
            line: int | None = None) -> None:
        self.errors.append(ExerciseError(message, file=file or self.file, key=key, line=line))


def _parse_parameters(raw: Any, c: _Collector) -> dict[str, Parameter]:
    params: dict[str, Parameter] = {}
    if raw is None:
        return params
    if not isinstance(raw, dict):
        c.add("must be a table of parameters", "parameters")
        return params
    for name, spec in raw.items():
        key = f"parameters.{name}"
        if not re.match(r"^[A-Za-z_]\w*$", name):
            c.add("a parameter name must be a Python-style identifier", key)
            continue
        if _is_number(spec):
            params[name] = Parameter(name, spec)
            continue
        if not isinstance(spec, dict):
            c.add("must be a number or a table with 'default'", key)
            continue
        for k in spec:
            if k not in PARAM_KEYS:
                c.add(f"unknown key '{k}' (known: {', '.join(sorted(PARAM_KEYS))})", f"{key}.{k}")
        if "default" not in spec:
            c.add("missing 'default'", key)
            continue
        default = spec["default"]
        if not _is_number(default):
            c.add(f"'default' must be a number, not {default!r}", f"{key}.default")
            continue
        choices = spec.get("choices")
        if choices is not None:
            if not isinstance(choices, list) or not choices or not all(map(_is_number, choices)):
                c.add("'choices' must be a non-empty list of numbers", f"{key}.choices")
                continue
            choices = tuple(choices)
        lo, hi, step = spec.get("min"), spec.get("max"), spec.get("step")
        bad = [k for k, v in (("min", lo), ("max", hi), ("step", step)) if v is not None and not _is_number(v)]
        for k in bad:
            c.add(f"'{k}' must be a number", f"{key}.{k}")
        if bad:
            continue
        if (lo is None) != (hi is None):
            c.add("give both 'min' and 'max', or neither", key)
            continue
        if lo is not None and not lo <= default <= hi:
            c.add(f"'default' {default} is outside [min, max] = [{lo}, {hi}]", f"{key}.default")
            continue
        if step is not None and step <= 0:
            c.add("'step' must be positive", f"{key}.step")
            continue
        params[name] = Parameter(name, default, choices, lo, hi, step)
    return params


def _parse_mistakes(raw: Any, key: str, c: _Collector) -> list[Mistake]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        c.add("must be a list of tables ([[parts.mistakes]])", key)
        return []
    out: list[Mistake] = []
    for i, m in enumerate(raw):
        k = f"{key}[{i}]"
        if not isinstance(m, dict):
            c.add("must be a table with name, answer, feedback", k)
            continue
        missing = [f for f in ("name", "answer", "feedback") if not isinstance(m.get(f), str) or not m.get(f)]
        if missing:
            c.add(f"needs a non-empty string for {', '.join(missing)}", k)
            continue
        extra = set(m) - {"name", "answer", "feedback"}
        if extra:
            c.add(f"unknown key(s) {', '.join(sorted(extra))}", k)
        out.append(Mistake(m["name"], m["answer"], m["feedback"]))
    return out


def _parse_parts(raw: Any, c: _Collector) -> list[Part]:
    parts: list[Part] = []
    if not isinstance(raw, list) or not raw:
        c.add("an exercise needs at least one [[parts]] table", "parts")
        return parts
    kinds = registry()
    seen: set[str] = set()
    for i, p in enumerate(raw):
        key = f"parts[{i}]"
        if not isinstance(p, dict):
            c.add("must be a table", key)
            continue
        pid = p.get("id")
        if not isinstance(pid, str) or not PART_ID.match(pid):
            c.add(f"'id' must be a name of letters, digits, '-' or '_' (got {pid!r})", f"{key}.id")
            continue
        key = f"parts.{pid}"
        if pid in seen:
            c.add(f"duplicate part id '{pid}'", f"{key}.id")
            continue
        seen.add(pid)
        kind = p.get("kind")
        if kind not in kinds:
            c.add(f"unknown part kind {kind!r} (known kinds: {', '.join(sorted(kinds))})", f"{key}.kind")
            continue
        points = p.get("points")
        if not _is_number(points) or points < 0:
            c.add(f"'points' must be a non-negative number, not {points!r}", f"{key}.points")
            continue
        title = p.get("title", "")
        if not isinstance(title, str):
            c.add("'title' must be a string", f"{key}.title")
            title = ""
        part_limits = p.get("limits", {})
        try:  # validated now; applied on top of the exercise's [limits] when code runs
            Limits.from_options(part_limits, Location(file=c.file, key=key, part=pid))
        except GraderError as e:
            c.errors.append(e)
            continue
        options_raw = {k: v for k, v in p.items() if k not in COMMON_PART_KEYS}
        try:
            options = kinds[kind].parse_options(options_raw, Location(file=c.file, key=key, part=pid))
        except GraderError as e:
            if not e.location.file:
                e.location.file = c.file
            if not e.location.key:
                e.location.key = key
            c.errors.append(e)
            continue
        part = Part(id=pid, kind=kind, points=float(points), title=title, options=options,
                    raw=dict(p), mistakes=_parse_mistakes(p.get("mistakes"), f"{key}.mistakes", c),
                    hidden=bool(p.get("hidden", False)), limits=dict(part_limits))
        try:
            kinds[kind].check_part(part, Location(file=c.file, key=key, part=pid))
        except GraderError as e:
            c.errors.append(e)
            continue
        parts.append(part)
    return parts


def _check_template(text: str, file: Path, allowed: set[str], c: _Collector, what: str) -> None:
    env = jinja2.Environment()
    try:
        ast = env.parse(text)
    except jinja2.TemplateSyntaxError as e:
        c.add(f"template error: {e.message}", file=str(file), line=e.lineno)
        return
    for name in sorted(jinja2.meta.find_undeclared_variables(ast) - allowed):
        line = next((i + 1 for i, ln in enumerate(text.split("\n")) if re.search(r"\b" + re.escape(name) + r"\b", ln)), None)
        c.add(f"{what} uses '{{{{ {name} }}}}' but exercise.toml defines no parameter '{name}'",
              file=str(file), line=line)


def load_exercise(folder: Path, solutions_root: Path | None = None) -> Exercise:
    """Load and validate exercises/<id>/ (and solutions/<id>/ when `solutions_root` has it)."""
    folder = Path(folder)
    toml_path = folder / "exercise.toml"
    data = read_toml(toml_path)
    c = _Collector(str(toml_path))
    for k in data:
        if k not in TOP_KEYS:
            c.add(f"unknown key (known: {', '.join(sorted(TOP_KEYS))})", k)
    ex_id = data.get("id")
    if not isinstance(ex_id, str) or not EXERCISE_ID.match(ex_id):
        c.add(f"'id' must be a name of letters, digits, '-' or '_' (got {ex_id!r})", "id")
        ex_id = folder.name
    elif ex_id != folder.name:
        c.add(f"'id' is '{ex_id}' but the folder is named '{folder.name}'", "id")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        c.add("missing 'title'", "title")
        title = ex_id
    version = data.get("version")
    if not isinstance(version, (str, int, float)) or isinstance(version, bool) or str(version).strip() == "":
        c.add("missing 'version' (a string such as \"1\" or \"2024.1\")", "version")
        version = "0"
    limits = data.get("limits", {})
    try:
        Limits.from_options(limits, Location(file=c.file))
    except GraderError as e:
        c.errors.append(e)
        limits = {}
    params = _parse_parameters(data.get("parameters"), c)
    parts = _parse_parts(data.get("parts"), c)

    spec_path = folder / "spec.md"
    spec = ""
    if not spec_path.is_file():
        c.add("missing spec.md (the statement)", file=str(spec_path))
    else:
        try:
            spec = spec_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            c.add(f"not UTF-8 text (byte {e.start})", file=str(spec_path))
        _check_template(spec, spec_path, set(params) | SPEC_GLOBALS, c, "spec.md")

    sol_dir = None
    if solutions_root is not None and (Path(solutions_root) / ex_id).is_dir():
        sol_dir = Path(solutions_root) / ex_id
        _check_solutions(sol_dir, parts, set(params), c)
    if c.errors:
        raise ExerciseErrors(c.errors)
    return Exercise(id=ex_id, title=title.strip(), version=str(version), path=folder,
                    parameters=params, parts=parts, spec_template=spec, solution_path=sol_dir,
                    section=str(data.get("section", "")), limits=limits, raw=data)


def _check_solutions(sol_dir: Path, parts: list[Part], params: set[str], c: _Collector) -> None:
    kinds = registry()
    need_answers = [p for p in parts if kinds[p.kind].reference_from == "answers"]
    need_code = [p for p in parts if kinds[p.kind].reference_from == "solution"]
    answers = sol_dir / "answers.md"
    if need_answers:
        if not answers.is_file():
            c.add(f"missing answers.md: parts {', '.join(p.id for p in need_answers)} need a reference answer",
                  file=str(answers))
        else:
            text = answers.read_text(encoding="utf-8")
            _check_template(text, answers, params | {"ref"}, c, "answers.md")
            ids = [p.id for p in parts]
            sections = {match_part(s.heading, ids): s for s in parse_markdown(text).sections}
            found = set(sections)
            for p in parts:
                if p.id in sections:
                    try:
                        kinds[p.kind].check_reference(p, sections[p.id].body, Location(
                            file=str(answers), line=sections[p.id].line, part=p.id))
                    except GraderError as e:
                        c.errors.append(e)
            for p in need_answers:
                if p.id not in found:
                    c.add(f"no reference answer for part '{p.id}' (add a '## {p.id}' section)",
                          file=str(answers))
    if need_code and not (sol_dir / "solution.py").is_file():
        c.add(f"missing solution.py: parts {', '.join(p.id for p in need_code)} need reference code",
              file=str(sol_dir / "solution.py"))


def find_course_root(start: Path | None = None) -> Path:
    """The folder holding exercises/: the given one, or the nearest parent of the cwd."""
    here = Path(start or Path.cwd()).resolve()
    for cand in (here, *here.parents):
        if (cand / "exercises").is_dir():
            return cand
    raise GraderError(f"no exercises/ folder in {here} or its parents (use --course DIR)")


def exercise_folders(root: Path) -> list[Path]:
    return sorted(p for p in (root / "exercises").iterdir() if (p / "exercise.toml").is_file())


def load_course(root: Path) -> dict[str, Exercise]:
    """Every exercise under root/exercises (with root/solutions when present).

    Raises ExerciseErrors listing the problems of every broken exercise.
    """
    exercises: dict[str, Exercise] = {}
    errors: list[GraderError] = []
    for folder in exercise_folders(root):
        try:
            ex = load_exercise(folder, root / "solutions")
            exercises[ex.id] = ex
        except ExerciseErrors as e:
            errors.extend(e.errors)
        except GraderError as e:
            errors.append(e)
    if errors:
        raise ExerciseErrors(errors)
    return exercises


def load_one(root: Path, exercise_id: str) -> Exercise:
    folder = root / "exercises" / exercise_id
    if not (folder / "exercise.toml").is_file():
        known = ", ".join(p.name for p in exercise_folders(root)) or "none"
        raise GraderError(f"no exercise '{exercise_id}' in {root / 'exercises'} (known: {known})")
    return load_exercise(folder, root / "solutions")
