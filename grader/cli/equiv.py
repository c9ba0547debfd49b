"""`grader equiv`: compare two expressions (or a JSON-lines file of pairs) outside any exercise.

Authors try likely student answers against a reference before publishing an exercise; the
equivalence benchmark runs through here too. One JSON verdict per pair, on stdout.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import click

from grader.errors import GraderError, MathSyntaxError
from grader.math import MathContext, MathShapeError, parse_expression
from grader.math.context import DOMAINS
from grader.math.diagnosis import diagnose
from grader.math.equivalence import MODES, check_equivalence, warm_up


class PairError(Exception):
    """A pair line that is not usable (bad JSON, missing keys, bad declarations)."""


def _context(spec: dict[str, Any]) -> MathContext:
    """A MathContext from a pair's declarations.

    "symbols" is a list of names, or a table name -> domain ("positive") or name -> {domain, shape}.
    """
    symbols: list[str] = []
    domains: dict[str, str] = dict(spec.get("domains") or {})
    shapes: dict[str, tuple] = {k: tuple(v) if isinstance(v, list) else (v,)
                                for k, v in (spec.get("shapes") or {}).items()}
    raw = spec.get("symbols") or []
    if isinstance(raw, dict):
        for name, val in raw.items():
            symbols.append(name)
            if isinstance(val, str):
                domains[name] = val
            elif isinstance(val, dict):
                if "domain" in val:
                    domains[name] = val["domain"]
                if "shape" in val:
                    shapes[name] = tuple(val["shape"])
    elif isinstance(raw, list):
        symbols = [str(s) for s in raw]
    else:
        raise PairError("'symbols' must be a list of names or a table")
    for name, d in domains.items():
        if d not in DOMAINS:
            raise PairError(f"unknown domain {d!r} for {name!r} (known: {', '.join(DOMAINS)})")
    try:
        return MathContext(symbols=symbols, domains=domains, shapes=shapes,
                           functions=list(spec.get("functions") or []), indices=dict(spec.get("indices") or {}),
                           dims=dict(spec.get("dims") or {}), definitions=dict(spec.get("definitions") or {}),
                           derivatives=spec.get("derivatives", "name"))
    except (TypeError, ValueError) as e:
        raise PairError(str(e)) from None


def compare_pair(spec: dict[str, Any], budget_s: float = 2.0) -> dict[str, Any]:
    """The verdict for one pair as a JSON-ready dict (never raises for bad math)."""
    t0 = time.perf_counter()
    out: dict[str, Any] = {}
    if "id" in spec:
        out["id"] = spec["id"]
    a, b = spec.get("a"), spec.get("b")
    out.update({"a": a, "b": b})
    if not isinstance(a, str) or not isinstance(b, str):
        out["error"] = {"message": "each pair needs 'a' and 'b' as strings"}
        return _finish(out, t0)
    syntax = spec.get("syntax", "auto")
    if syntax not in ("auto", "latex", "plain"):
        out["error"] = {"message": f"'syntax' must be auto, latex or plain, not {syntax!r}"}
        return _finish(out, t0)
    mode = spec.get("mode", "exact")
    if mode not in MODES:
        out["error"] = {"message": f"'mode' must be one of {', '.join(MODES)}"}
        return _finish(out, t0)
    try:
        ctx = _context(spec)
    except (PairError, GraderError) as e:
        out["error"] = {"message": str(e)}
        return _finish(out, t0)
    exprs = {}
    for side in ("a", "b"):
        try:
            exprs[side] = parse_expression(spec[side], ctx, syntax)
        except MathSyntaxError as e:
            out["error"] = {"side": side, "message": e.message, "expected": list(e.expected), "position": e.position,
                            "caret": e.caret()}
            return _finish(out, t0)
        except MathShapeError as e:
            out.update({"equivalent": False, "proven": True, "method": "shape", "shape_problem": e.message,
                        "message": f"{side}: {e.message}"})
            return _finish(out, t0)
        except GraderError as e:
            out["error"] = {"side": side, "message": e.message}
            return _finish(out, t0)
    rel_tol = float(spec.get("rel_tol", 1e-9 if mode != "tolerance" else 1e-6))
    remaining = max(0.05, budget_s - (time.perf_counter() - t0))
    v = check_equivalence(exprs["a"], exprs["b"], ctx, mode=mode, rel_tol=rel_tol, budget_s=remaining,
                          seed=spec.get("seed", 0))
    d = v.to_dict()
    d.pop("elapsed_s", None)
    out.update(d)
    out["diagnosis"] = None
    if v.equivalent is False and not v.shape_problem:
        left = max(0.05, budget_s - (time.perf_counter() - t0))
        diag = diagnose(exprs["a"], exprs["b"], ctx, [], budget_s=min(left, 0.5))
        if diag is not None:
            out["diagnosis"] = {"name": diag.name, "message": diag.message}
    return _finish(out, t0)


def _finish(out: dict[str, Any], t0: float) -> dict[str, Any]:
    out["elapsed_s"] = round(time.perf_counter() - t0, 6)
    return out


def _pairs(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                yield lineno, f"line {lineno}: not JSON ({e.msg} at column {e.colno})"
                continue
            if not isinstance(obj, dict):
                yield lineno, f"line {lineno}: each line must be a JSON object with 'a' and 'b'"
                continue
            yield lineno, obj


@click.command("equiv")
@click.argument("a", required=False)
@click.argument("b", required=False)
@click.option("--file", "pairs_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A JSON-lines file of pairs: {\"a\": ..., \"b\": ..., \"syntax\": ..., \"symbols\": ...}.")
@click.option("--syntax", type=click.Choice(["auto", "latex", "plain"]), default="auto", show_default=True)
@click.option("--symbol", "symbols", multiple=True, help="A declared symbol (repeatable); NAME or NAME=DOMAIN.")
@click.option("--define", "defines", multiple=True, help="A definition NAME=EXPRESSION, substituted before comparing.")
@click.option("--shape", "shapes", multiple=True, help="A shape NAME=N,C (dimension names or numbers).")
@click.option("--dim", "dims", multiple=True, help="A dimension size NAME=3 used when sampling.")
@click.option("--mode", type=click.Choice(list(MODES)), default="exact", show_default=True)
@click.option("--rel-tol", type=float, default=None, help="Relative tolerance (mode tolerance: default 1e-6).")
@click.option("--budget", type=float, default=2.0, show_default=True, help="Seconds per pair, at most.")
def equiv_cmd(a: str | None, b: str | None, pairs_file: Path | None, syntax: str, symbols: tuple[str, ...],
              defines: tuple[str, ...], shapes: tuple[str, ...], dims: tuple[str, ...], mode: str,
              rel_tol: float | None, budget: float) -> None:
    """Compare expression A with reference B (or every pair of --file) and print JSON verdicts.

    Exit status 0 whatever the verdicts; 2 for usage errors. An expression that starts with
    '-' goes after `--`: grader equiv -- '-(y - x) x' '(x - y) x'.
    """
    if pairs_file is None and (a is None or b is None):
        raise click.UsageError("give two expressions A B, or --file PAIRS.jsonl")
    if pairs_file is not None and a is not None:
        raise click.UsageError("give either two expressions or --file, not both")
    if budget <= 0:
        raise click.UsageError("--budget must be positive")
    warm_up()  # start-up costs are not part of any pair's budget
    if pairs_file is None:
        spec: dict[str, Any] = {"a": a, "b": b, "syntax": syntax, "mode": mode}
        sym: dict[str, Any] = {}
        for s in symbols:
            name, _, dom = s.partition("=")
            sym[name.strip()] = dom.strip() or "real"
        spec["symbols"] = sym
        try:
            spec["definitions"] = dict(_kv(d, "--define") for d in defines)
            spec["shapes"] = {k: [x.strip() if not x.strip().isdigit() else int(x) for x in v.split(",")]
                              for k, v in (_kv(s, "--shape") for s in shapes)}
            spec["dims"] = {k: int(v) for k, v in (_kv(d, "--dim") for d in dims)}
        except ValueError as e:
            raise click.UsageError(str(e)) from None
        if rel_tol is not None:
            spec["rel_tol"] = rel_tol
        click.echo(json.dumps(compare_pair(spec, budget), ensure_ascii=False))
        return
    for lineno, item in _pairs(pairs_file):
        if isinstance(item, str):
            click.echo(json.dumps({"line": lineno, "error": {"message": item}}, ensure_ascii=False))
            continue
        result = compare_pair(item, budget)
        result = {"line": lineno, **result}
        click.echo(json.dumps(result, ensure_ascii=False, default=str))
        sys.stdout.flush()


def _kv(text: str, option: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise ValueError(f"{option} wants NAME=VALUE, not {text!r}")
    return name.strip(), value.strip()


commands = [equiv_cmd]
