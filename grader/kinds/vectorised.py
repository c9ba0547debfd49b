"""`vectorised`: the named functions contain no Python loop over the samples.

A static check of the student's source in the grader's process (the code is parsed, never
run here). A loop is "over the samples" when what it iterates depends on the sample axis of
the arguments the part names (`samples = ["X", "y"]`): iterating such an array or a slice of
it, `range(N)` with `N = X.shape[0]` / `len(X)`, `enumerate(zip(X, y))`, an index array of
length N, a `while i < N`, a comprehension over any of these, and the loops in disguise
(`map`, `np.vectorize`, `np.apply_along_axis`). Loops over anything else (epochs, layers,
classes, a parameter dict) are allowed unless the part says `other_loops = "forbid"`.
Functions the named ones call (defined in the student's files) are followed, with the
sample-carrying arguments tracked through the call.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from typing import Any

from grader.errors import ExerciseError, GraderError, Location
from grader.evidence_shapes import code_lines
from grader.kinds._code import (build_inputs, call_reference, check_input_spec, isolation_evidence, no_unknown_keys,
                                opt_names, opt_number, opt_str, outcome, outcome_problem, run_student, same_value,
                                solution_function)
from grader.kinds._source import Source, read_source
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status
from grader.sandbox import Call


@dataclass(frozen=True)
class VectorisedOptions:
    functions: tuple[str, ...]
    samples: tuple[str, ...] = ("X", "y")
    other_loops: str = "allow"
    #: optional run-time confirmation: inputs by argument name, shapes may use "N"
    inputs: dict[str, Any] | None = None
    sizes: tuple[int, int] = (64, 4096)
    repeat: int = 3


@dataclass
class Loop:
    source: Source
    line: int
    function: str
    chain: tuple[str, ...]  # how the check reached `function` from a named one
    why: str  # what makes it a loop over the samples (or "a Python loop")

    @property
    def message(self) -> str:
        via = f" (called from {' → '.join(f'`{c}`' for c in self.chain)})" if self.chain else ""
        code = self.source.line_text(self.line)
        return f"{self.source.where(self.line)}: `{code}` in `{self.function}`{via} {self.why}."


#: calls that reduce an array to something without the sample axis
_REDUCERS = {"sum", "mean", "max", "min", "std", "var", "norm", "prod", "argmax", "argmin", "all", "any",
             "trace", "dot", "vdot", "float", "int", "bool", "str", "average", "median", "count_nonzero"}
#: calls that are Python loops in disguise when given the samples
_HIDDEN_LOOPS = {"map": "calls a Python function once per sample with map()",
                 "vectorize": "uses np.vectorize, which is a Python loop per element",
                 "apply_along_axis": "uses np.apply_along_axis, which is a Python loop per sample",
                 "frompyfunc": "uses np.frompyfunc, which is a Python loop per element",
                 "fromiter": "builds an array with np.fromiter from a Python iteration"}


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Name):
        return f.id
    if isinstance(f, ast.Attribute):
        return f.attr
    return ""


class _Taint:
    """Which names of one function carry the sample axis (rows) or the number of samples."""

    def __init__(self, rows: set[str]) -> None:
        self.rows = set(rows)
        self.counts: set[str] = set()

    # rows: an array whose first axis is the samples (or an index array over them)
    def is_rows(self, e: ast.AST | None) -> bool:
        if e is None:
            return False
        if isinstance(e, ast.Name):
            return e.id in self.rows
        if isinstance(e, ast.Attribute):
            return e.attr not in ("T", "shape", "size", "ndim", "dtype") and self.is_rows(e.value)
        if isinstance(e, ast.Subscript):
            return self.is_rows(e.value) and not isinstance(e.slice, ast.Constant)
        if isinstance(e, ast.BinOp):
            return self.is_rows(e.left) or self.is_rows(e.right)
        if isinstance(e, ast.UnaryOp):
            return self.is_rows(e.operand)
        if isinstance(e, (ast.Tuple, ast.List)):
            return any(self.is_rows(x) for x in e.elts)
        if isinstance(e, ast.Starred):
            return self.is_rows(e.value)
        if isinstance(e, ast.IfExp):
            return self.is_rows(e.body) or self.is_rows(e.orelse)
        if isinstance(e, ast.Call):
            name = _call_name(e)
            axis = next((k.value for k in e.keywords if k.arg == "axis"), None)
            if name in _REDUCERS and not (isinstance(axis, ast.Constant) and axis.value not in (0, None)):
                return False
            if name in ("len",):
                return False
            if isinstance(e.func, ast.Attribute) and self.is_rows(e.func.value):
                return True
            return any(self.is_rows(a) or self.is_count(a) for a in [*e.args, *(k.value for k in e.keywords)])
        return False

    # count: a number that is (or grows with) the number of samples
    def is_count(self, e: ast.AST | None) -> bool:
        if e is None:
            return False
        if isinstance(e, ast.Name):
            return e.id in self.counts
        if isinstance(e, ast.Call):
            name = _call_name(e)
            if name == "len" and e.args:
                return self.is_rows(e.args[0])
            if name in ("int", "round", "min", "max", "abs"):
                return any(self.is_count(a) for a in e.args)
            return False
        if isinstance(e, ast.Attribute) and e.attr == "size":
            return self.is_rows(e.value)
        if isinstance(e, ast.Subscript):
            # X.shape[0], X.shape[-0]
            v = e.value
            if isinstance(v, ast.Attribute) and v.attr == "shape" and self.is_rows(v.value):
                return isinstance(e.slice, ast.Constant) and e.slice.value == 0
            return False
        if isinstance(e, ast.BinOp):
            return self.is_count(e.left) or self.is_count(e.right)
        if isinstance(e, ast.UnaryOp):
            return self.is_count(e.operand)
        return False

    def depends(self, e: ast.AST | None) -> bool:
        return self.is_rows(e) or self.is_count(e)

    def mentions_count(self, e: ast.AST | None) -> bool:
        """Whether `e` compares with the number of samples somewhere (`while i < N`)."""
        return e is not None and any(self.is_count(n) for n in ast.walk(e))

    def assign(self, target: ast.AST, value: ast.AST | None) -> bool:
        """Propagate through one assignment; True if something new got tainted."""
        changed = False
        if isinstance(target, (ast.Tuple, ast.List)) and value is not None:
            # N, D = X.shape: the first is the sample count
            if isinstance(value, ast.Attribute) and value.attr == "shape" and self.is_rows(value.value):
                first = target.elts[0] if target.elts else None
                if isinstance(first, ast.Name) and first.id not in self.counts:
                    self.counts.add(first.id)
                    return True
                return False
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                return any([self.assign(t, v) for t, v in zip(target.elts, value.elts)])
            if self.is_rows(value):
                for t in target.elts:
                    if isinstance(t, ast.Name) and t.id not in self.rows:
                        self.rows.add(t.id)
                        changed = True
            return changed
        if isinstance(target, ast.Name):
            if self.is_rows(value) and target.id not in self.rows:
                self.rows.add(target.id)
                return True
            if self.is_count(value) and target.id not in self.counts:
                self.counts.add(target.id)
                return True
        return False


def _assignments(func: ast.AST) -> list[tuple[ast.AST, ast.AST | None]]:
    out: list[tuple[ast.AST, ast.AST | None]] = []
    for node in ast.walk(func):
        if isinstance(node, ast.Assign):
            out += [(t, node.value) for t in node.targets]
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            out.append((node.target, node.value))
        elif isinstance(node, ast.NamedExpr):
            out.append((node.target, node.value))
    return out


def _loop_reason(t: _Taint, iterable: ast.AST) -> str | None:
    """Why iterating `iterable` goes over the samples, or None."""
    if isinstance(iterable, ast.Call):
        name = _call_name(iterable)
        if name == "range" and any(t.is_count(a) or t.is_rows(a) for a in iterable.args):
            step = " (in chunks)" if len(iterable.args) == 3 else ""
            return f"loops over the samples{step}: the range grows with the number of samples"
        if name in ("enumerate", "zip", "reversed", "sorted", "iter", "list", "tuple"):
            if any(t.is_rows(a) for a in iterable.args):
                return "loops over the samples one by one"
    if t.is_rows(iterable):
        return "loops over the samples one by one (iterating an array goes along its first axis)"
    return None


def _check_function(func: ast.FunctionDef | ast.AsyncFunctionDef, t: _Taint, source: Source,
                    chain: tuple[str, ...], other_loops: str) -> tuple[list[Loop], list[tuple[str, set[str], set[str]]]]:
    """Loops in one function, and the calls to follow: (callee, tainted params, counted params)."""
    for _ in range(6):  # propagate to a fixed point (a loop body can feed an earlier line)
        if not any([t.assign(target, value) for target, value in _assignments(func)]):
            break
    loops: list[Loop] = []
    calls: list[ast.Call] = []

    def flag(node: ast.AST, why: str) -> None:
        loops.append(Loop(source, getattr(node, "lineno", func.lineno), func.name, chain, why))

    for node in ast.walk(func):
        if node is not func and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pass  # nested definitions are walked too: their loops run when they are called
        if isinstance(node, (ast.For, ast.AsyncFor)):
            why = _loop_reason(t, node.iter)
            if why:
                flag(node, why)
            elif other_loops == "forbid":
                flag(node, "is a Python loop, and this part allows none")
        elif isinstance(node, ast.While):
            if t.mentions_count(node.test):
                flag(node, "loops over the samples: its condition depends on the number of samples")
            elif other_loops == "forbid":
                flag(node, "is a Python loop, and this part allows none")
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            for gen in node.generators:
                why = _loop_reason(t, gen.iter)
                if why:
                    flag(node, why.replace("loops", "is a comprehension that loops", 1))
                    break
                if other_loops == "forbid":
                    flag(node, "is a comprehension (a Python loop), and this part allows none")
                    break
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            if name in _HIDDEN_LOOPS and any(t.depends(a) for a in node.args):
                flag(node, _HIDDEN_LOOPS[name])
            elif name == "vectorize":
                flag(node, _HIDDEN_LOOPS[name])
            calls.append(node)
    follow: list[tuple[str, set[str], set[str]]] = []
    for call in calls:
        if isinstance(call.func, ast.Name):
            follow.append((call.func.id, {f"#{i}" for i, a in enumerate(call.args) if t.is_rows(a)}
                           | {k.arg for k in call.keywords if k.arg and t.is_rows(k.value)},
                           {f"#{i}" for i, a in enumerate(call.args) if t.is_count(a)}
                           | {k.arg for k in call.keywords if k.arg and t.is_count(k.value)}))
    return loops, follow


def _params(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    a = func.args
    return [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]


def _resolve(func: ast.FunctionDef | ast.AsyncFunctionDef, marks: set[str]) -> set[str]:
    names = _params(func)
    out = set()
    for m in marks:
        if m.startswith("#"):
            i = int(m[1:])
            if i < len(func.args.posonlyargs) + len(func.args.args):
                out.add(names[i])
        elif m in names:
            out.add(m)
    return out


def find_sample_loops(sources: list[Source], functions: tuple[str, ...], samples: tuple[str, ...],
                      other_loops: str = "allow") -> tuple[list[Loop], list[str]]:
    """Loops over the samples in `functions` (and what they call); and the names not found.

    Raises SyntaxError (with the source name in `filename`) when a file does not parse.
    """
    defs: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, Source]] = {}
    for src in sources:
        tree = ast.parse(src.text, filename=src.name)
        for node in tree.body:  # module-level definitions; a later one replaces an earlier
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs[node.name] = (node, src)
            elif isinstance(node, ast.ClassDef):
                for sub in node.body:
                    if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        defs.setdefault(sub.name, (sub, src))
    missing = [f for f in functions if f not in defs]
    loops: list[Loop] = []
    seen: set[tuple[str, frozenset[str], frozenset[str]]] = set()
    todo: list[tuple[str, set[str], set[str], tuple[str, ...]]] = [
        (f, {p for p in _params(defs[f][0]) if p in samples}, set(), ()) for f in functions if f in defs]
    while todo:
        name, rows, counts, chain = todo.pop(0)
        key = (name, frozenset(rows), frozenset(counts))
        if key in seen or len(seen) > 200:
            continue
        seen.add(key)
        func, src = defs[name]
        t = _Taint(rows)
        t.counts |= counts
        found, follow = _check_function(func, t, src, chain, other_loops)
        loops += found
        for callee, row_marks, count_marks in follow:
            if callee in defs and callee != name:
                cf = defs[callee][0]
                todo.append((callee, _resolve(cf, row_marks), _resolve(cf, count_marks), chain + (name,)))
    unique: dict[tuple[str, int], Loop] = {}
    for loop in loops:
        unique.setdefault((loop.source.name, loop.line), loop)
    return sorted(unique.values(), key=lambda l: (l.source.name, l.line)), missing


def _code_excerpts(loops: list[Loop]) -> list[Evidence]:
    """Each looping function of a .py file, its loops highlighted (notebooks: the messages say
    the cell and line)."""
    out: list[Evidence] = []
    groups: dict[tuple[str, str], list[Loop]] = {}
    for loop in loops:
        groups.setdefault((loop.source.name, loop.function), []).append(loop)
    for (_, function), group in groups.items():
        src = group[0].source
        if src.path is None or src.cells:
            continue
        excerpt = code_lines(src.path, function, [loop.line for loop in group], display_name=src.name)
        if excerpt is not None:
            out.append(excerpt)
    return out


class VectorisedKind(AnswerKind):
    name = "vectorised"
    reference_from = None
    answer_from = "code"

    def parse_options(self, raw: dict[str, Any], where: Location) -> VectorisedOptions:
        no_unknown_keys(raw, {"functions", "samples", "other_loops", "inputs", "sizes", "repeat"}, self.name, where)
        functions = opt_names(raw, "functions", where)
        if not functions:
            raise GraderError("'functions' must name at least one function", location=where)
        other = opt_str(raw, "other_loops", where, "allow")
        if other not in ("allow", "forbid"):
            raise GraderError(f"'other_loops' must be \"allow\" or \"forbid\", not {other!r}", location=where)
        inputs = raw.get("inputs")
        if inputs is not None:
            if not isinstance(inputs, dict) or not inputs:
                raise GraderError("'inputs' must be a table of arguments by name, e.g. "
                                  "{X = {normal = [\"N\", 4]}, y = {integers = [\"N\"], high = 3}}", location=where)
            for name, spec in inputs.items():
                check_input_spec(name, spec, where, symbols=("N",))
        sizes = raw.get("sizes", [64, 4096])
        if (not isinstance(sizes, list) or len(sizes) != 2 or not all(isinstance(n, int) and not isinstance(n, bool)
                                                                       for n in sizes) or not 1 <= sizes[0] < sizes[1] <= 100_000):
            raise GraderError(f"'sizes' must be two sample counts, small then large, like [64, 4096], not {sizes!r}",
                              location=where)
        return VectorisedOptions(tuple(functions), tuple(opt_names(raw, "samples", where, ["X", "y"])), other,
                                 dict(inputs) if inputs else None, (sizes[0], sizes[1]),
                                 int(opt_number(raw, "repeat", where, 3, integer=True)))

    def check(self, task: CheckTask) -> PartResult:
        o: VectorisedOptions = task.part.options
        assert task.answer is not None
        sources: list[Source] = []
        for path in task.answer.code_files:
            try:
                sources.append(read_source(path))
            except GraderError as e:
                return self.result(task, Status.ERROR, feedback=[str(e)],
                                   evidence=[Evidence("unreadable", str(e))], answer_format="code")
        try:
            loops, missing = find_sample_loops(sources, o.functions, o.samples, o.other_loops)
        except SyntaxError as e:
            src = next((s for s in sources if s.name == e.filename), None)
            where = src.where(e.lineno or 0) if src else f"{e.filename}, line {e.lineno}"
            message = f"{where}: Python cannot parse this line ({e.msg}), so the code cannot be checked."
            return self.result(task, Status.ERROR, feedback=[message],
                               evidence=[Evidence("syntax-error", message, {"line": e.lineno})], answer_format="code")
        names = ", ".join(f"`{f}`" for f in o.functions)
        if missing and len(missing) == len(o.functions):
            message = f"No function {', '.join(f'`{m}`' for m in missing)} is defined in your code."
            return self.result(task, Status.ERROR, feedback=[message],
                               evidence=[Evidence("missing-function", message, {"missing": missing})],
                               answer_format="code")
        feedback: list[str] = []
        evidence: list[Evidence] = []
        if missing:
            message = f"No function {', '.join(f'`{m}`' for m in missing)} is defined in your code."
            feedback.append(message)
            evidence.append(Evidence("missing-function", message, {"missing": missing}))
        present = [f for f in o.functions if f not in missing]
        timing = self._run(task, o, sources, present) if o.inputs else None
        if loops:
            head = (f"{names} must work on the whole batch at once (matrix operations), without Python "
                    f"loops over the samples; {'this loop' if len(loops) == 1 else 'these loops'}:")
            feedback += [head] + [loop.message for loop in loops]
            evidence += [Evidence("loop", loop.message, {"file": loop.source.name, "line": loop.line,
                                                         "function": loop.function, "code": loop.source.line_text(loop.line)})
                         for loop in loops]
            evidence += _code_excerpts(loops)
            if timing is not None:
                evidence += timing.evidence
            return self.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence,
                               diagnosis="loop-over-samples", answer_format="code")
        if timing is not None:
            evidence += timing.evidence
            if timing.broken:
                feedback += timing.broken + ["A function only earns this part when it runs on a whole batch "
                                             "and gives the right values."]
                return self.result(task, Status.INCORRECT, feedback=feedback, evidence=evidence,
                                   diagnosis="not-working", answer_format="code")
            feedback += timing.notes
        fraction = len(present) / len(o.functions)
        status = Status.CORRECT if fraction == 1 else Status.PARTIAL
        return self.result(task, status, fraction, evidence=evidence, answer_format="code",
                           feedback=feedback or [f"{names}: no Python loop over the samples."])

    def _run(self, task: CheckTask, o: VectorisedOptions, sources: list[Source], present: list[str]) -> "_Timing":
        """Each function on a small and a large batch in the sandbox: does it run, does it give
        the reference's values (when there is one), and how does its run time grow?"""
        assert o.inputs is not None
        small, large = o.sizes
        key = json.dumps(o.inputs, sort_keys=True)

        def sized(spec: Any) -> bool:
            return isinstance(spec, dict) and any(isinstance(v, list) and "N" in v for v in spec.values())

        # the weights are drawn once, the batch for each size: only N changes between the runs
        fixed = build_inputs({k: v for k, v in o.inputs.items() if not sized(v)}, task.ctx.rng("vectorised", key))
        batches = {}
        for n in (small, large):
            batch = build_inputs({k: v for k, v in o.inputs.items() if sized(v)},
                                 task.ctx.rng("vectorised", key, n), {"N": n})
            batches[n] = {k: batch[k] if k in batch else fixed[k] for k in o.inputs}
        arguments = {f: function_params(sources, f) for f in present}
        calls = []
        for f in present:
            names = [a for a in arguments[f] if a in o.inputs]
            for n in (small, large):
                for r in range(o.repeat):
                    calls.append(Call(f, tuple(batches[n][a] for a in names), label=f"{f}:{n}:{r}",
                                      want_value=n == small and r == 0))
        report = run_student(task, calls)
        t = _Timing(evidence=[isolation_evidence(report)])
        if report.load_error:
            t.broken.append(f"Your code could not be loaded: {report.load_error}")
            return t
        for f in present:
            names = [a for a in arguments[f] if a in o.inputs]
            first = outcome(report, f"{f}:{small}:0")
            problem = outcome_problem(first, f"`{f}` on a batch of {small} samples")
            if problem is not None:
                t.broken.append(problem[1])
                continue
            reference = _optional_reference(task, f)
            if reference is not None:
                expected = call_reference(task, reference, *(batches[small][a] for a in names))
                if not same_value(first.value, expected):
                    t.broken.append(f"`{f}` does not give the right values on a batch of {small} samples "
                                    "(see the parts that check its values).")
                    continue
            times = {n: [x.duration_s for r in range(o.repeat) if (x := outcome(report, f"{f}:{n}:{r}")) is not None
                         and x.ok] for n in (small, large)}
            if not times[small] or not times[large]:
                t.broken.append(f"`{f}` fails on a batch of {large} samples.")
                continue
            fast, slow = min(times[small]), min(times[large])
            growth = slow / max(fast, 1e-6)
            text = (f"`{f}`: {fast * 1000:.2f} ms for {small} samples, {slow * 1000:.2f} ms for {large} "
                    f"(×{growth:.1f} for ×{large // small} samples)")
            t.evidence.append(Evidence("timing", text + ".", {"function": f, "sizes": [small, large],
                                                              "seconds": [fast, slow], "growth": growth}))
            per_sample = (slow - fast) / (large - small)
            t.evidence[-1].data["seconds_per_sample"] = per_sample
            if growth > GROWTH_HINT * large / small and per_sample > LOOP_COST_S:
                t.notes.append(text + ": it slows down with the batch size like a Python loop over the samples, "
                                      "although none is in the source; is a loop hidden somewhere?")
        return t


@dataclass
class _Timing:
    evidence: list[Evidence] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)  # functions that fail or compute the wrong thing
    notes: list[str] = field(default_factory=list)


#: a run time that grows by more than this share of the growth in samples looks like a loop
#: (vectorised NumPy costs nanoseconds per sample; a Python loop microseconds)
GROWTH_HINT = 0.25
#: ... and costs more than this per extra sample (a loop iteration with NumPy calls costs
#: ~10–100 µs; on a loaded machine vectorised code can still look like a few µs)
LOOP_COST_S = 10e-6


def _optional_reference(task: CheckTask, name: str) -> Any:
    try:
        return solution_function(task, name)
    except ExerciseError:
        return None  # the reference has no such function: only whether it runs is checked


def function_params(sources: list[Source], name: str) -> list[str]:
    """The positional parameter names of the student's function `name` (its last definition)."""
    params: list[str] = []
    for src in sources:
        for node in ast.parse(src.text).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
                params = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
    return params
