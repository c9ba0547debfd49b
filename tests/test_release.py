"""Student release bundles: nothing of the reference leaks, and `grader check` works offline."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.checking import grade_path, reference_answers
from grader.cli.main import app
from grader.exercise.loader import load_one
from grader.exercise.params import draw_parameters
from grader.kinds.numeric import answer_source, read_answer
from grader.release.checksfile import digest
from grader.release.fingerprint import number_cells, number_matches, variant_key
from grader.results import Status
from tests.conftest import REPO, write_exercise

ROSTER = ["alice", "bob", "carol", "dave"]
RELEASED = ["scalar-net", "playground", "relu-net-forward", "perceptron"]
OFFLINE_WORDS = "checked offline against fingerprints (not the reference)"


def _cli(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release") / "bundle"
    roster = out.parent / "roster.csv"
    roster.write_text("name,student_id,email\nAlice A,alice,a@x\nBob B,bob,b@x\nCarol C,carol,c@x\n"
                      "Dave D,dave,d@x\n", encoding="utf-8")
    args = ["release", "--out", out, "--roster", roster, "--course", REPO]
    for ex in RELEASED:
        args += ["--exercise", ex]
    res = _cli(*args)
    assert res.exit_code == 0, res.output
    assert "Bundle written" in res.output and "scalar-net: 5 variants" in res.output
    return out


def _bundle_files(bundle: Path) -> list[Path]:
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def _leaves(x: object) -> list[object]:
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _leaves(v)]
    if isinstance(x, list):
        return [leaf for v in x for leaf in _leaves(v)]
    return [x]


def _number_pattern(v: float) -> re.Pattern[str]:
    forms = {repr(float(v)), f"{v:g}", f"{v:.6g}"}
    if float(v).is_integer():
        forms.add(str(int(v)))
    alternatives = "|".join(re.escape(f) for f in sorted(forms))
    return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w.])")


# --- nothing of the reference is in the bundle ---------------------------------------------
def test_no_reference_value_of_scalar_net_is_in_the_bundle(bundle: Path) -> None:
    ex = load_one(REPO, "scalar-net")
    mine = [*(bundle / "exercises" / "scalar-net").iterdir(), bundle / "checks" / "scalar-net.json",
            bundle / "README.md"]
    texts = {p: p.read_text(encoding="utf-8") for p in mine}
    checked = 0
    for student in [None, *ROSTER, "zoe", "yann"]:
        params = draw_parameters(ex, student)
        answers, _ = reference_answers(ex, params)
        for part in ex.parts:
            if part.kind == "numeric":
                value = float(read_answer(answer_source(answers[part.id]), "number"))
                if value in params.values() or value.is_integer() and abs(value) < 10:
                    continue  # a parameter (or a small integer), printed in the statement anyway
                pattern = _number_pattern(value)
                for path, text in texts.items():
                    assert not pattern.search(text), f"{part.id} = {value} ({student}) appears in {path}"
                for leaf in _leaves(json.loads((bundle / "checks" / "scalar-net.json").read_text())):
                    assert not (isinstance(leaf, float) and abs(leaf - value) < 1e-9), (part.id, value)
                checked += 1
            else:  # the expressions, and the author's mistakes, as written
                for written in [answers[part.id].math[-1], *(m.answer for m in part.mistakes)]:
                    member = re.sub(r"\s|\\,", "", written.split("=")[-1])
                    for path, text in texts.items():
                        assert member not in re.sub(r"\s|\\,", "", text), f"{written!r} appears in {path}"
    assert checked >= 20


def test_no_solutions_file_and_no_mistake_answer_is_copied(bundle: Path) -> None:
    solution_digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (REPO / "solutions").rglob("*")
                        if p.is_file()}
    for path in _bundle_files(bundle):
        assert hashlib.sha256(path.read_bytes()).hexdigest() not in solution_digests, path
        assert path.name not in ("answers.md", "solution.py", "expect.toml"), path
    public = (bundle / "exercises" / "scalar-net" / "exercise.toml").read_text(encoding="utf-8")
    assert "mistakes" not in public and "gamma * w2" not in public
    # choice feedback says which options are wrong: it is sealed in the checks, not in exercise.toml
    toml = (bundle / "exercises" / "playground" / "exercise.toml").read_text(encoding="utf-8")
    assert "feedback" not in toml
    readme = (bundle / "README.md").read_text(encoding="utf-8")
    assert "fingerprints" in readme and "never the reference" in readme


# --- checking offline --------------------------------------------------------------------------
def test_alice_gets_full_marks_offline(bundle: Path, tmp_path: Path) -> None:
    html = tmp_path / "alice.html"
    res = _cli("check", "scalar-net", REPO / "examples" / "class" / "alice", "--course", bundle, "--html", html)
    assert res.exit_code == 0
    assert "Score: 12 / 12" in res.output
    assert OFFLINE_WORDS in res.output.lower()
    page = html.read_text(encoding="utf-8")
    assert OFFLINE_WORDS in page.lower() and "numerically established, not proven" in page


def test_bob_gets_the_same_verdicts_and_mistake_feedback_offline(bundle: Path) -> None:
    online = grade_path(load_one(REPO, "scalar-net"), REPO / "examples" / "class" / "bob")
    offline = grade_path(load_one(bundle, "scalar-net"), REPO / "examples" / "class" / "bob")
    assert offline.score == online.score < offline.max_score
    for a in online.parts:
        b = offline.part(a.part_id)
        assert (b.status, b.score, b.diagnosis) == (a.status, a.score, a.diagnosis), a.part_id
    assert any("subtracts the gradient" in f for f in offline.part("w1_new").feedback)
    assert any("minus sign" in f for f in offline.part("dL_dw2_expr").feedback)
    assert any("wrong sign" in f for f in offline.part("dL_dw1").feedback)
    assert "not the expected value" in " ".join(offline.part("dL_dw1_expr").feedback)


@pytest.mark.parametrize("ex_id", ["scalar-net", "playground", "relu-net-forward"])
def test_known_wrong_examples_get_their_verdicts_offline(bundle: Path, ex_id: str) -> None:
    """Numbers, vectors, matrices, expressions and choices: the same status, score and
    diagnosis against fingerprints as against the reference."""
    ex, bx = load_one(REPO, ex_id), load_one(bundle, ex_id)
    folders = sorted((REPO / "solutions" / ex_id / "wrong").iterdir())
    assert folders
    for folder in folders:
        online, offline = grade_path(ex, folder, "reference"), grade_path(bx, folder, "reference")
        for a in online.parts:
            b = offline.part(a.part_id)
            if any(e.kind == "offline" and e.data.get("offline") is False for e in b.evidence):
                continue  # a part left to the instructor (code checked against solution.py)
            assert (b.status, b.score) == (a.status, a.score), (folder.name, a.part_id, b.feedback)
            generic_math = ex.part(a.part_id).kind == "expression" and a.diagnosis not in (
                {m.name for m in ex.part(a.part_id).mistakes} | {"sign-flipped", None})
            if generic_math:
                continue  # the math engine's generic mutants (factor 2, ...) are not diagnosed offline yet
            assert b.diagnosis == a.diagnosis, (folder.name, a.part_id, b.feedback)
            if a.status == Status.INCORRECT and a.diagnosis:
                assert b.feedback[0] == a.feedback[0], (folder.name, a.part_id)


def test_code_parts_that_need_the_reference_are_left_to_the_instructor(bundle: Path) -> None:
    res = grade_path(load_one(bundle, "perceptron"), REPO / "examples" / "class" / "alice")
    for p in res.parts:
        assert p.status == Status.MANUAL and p.score == 0
        assert "checked by your instructor; it cannot be checked offline" in p.feedback[0]


def test_a_student_off_the_roster_is_told_so(bundle: Path, tmp_path: Path) -> None:
    ex = load_one(bundle, "scalar-net")
    keys = {variant_key(ex.id, ex.version, draw_parameters(ex, s)) for s in [None, *ROSTER]}
    outsider = next(s for s in (f"student{i}" for i in range(100))
                    if variant_key(ex.id, ex.version, draw_parameters(ex, s)) not in keys)
    res = grade_path(ex, REPO / "examples" / "class" / "alice", outsider)
    assert all(p.status == Status.MANUAL and p.score == 0 for p in res.parts)
    assert "no checks for your numbers" in res.parts[0].feedback[0]


# --- a damaged checks file ---------------------------------------------------------------------
@pytest.fixture
def damaged(bundle: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(bundle, copy)
    return copy


def test_an_edited_checks_file_is_named_not_a_traceback(damaged: Path) -> None:
    path = damaged / "checks" / "scalar-net.json"
    data = json.loads(path.read_text())
    variant = next(iter(data["variants"].values()))
    variant["z"]["value"]["cells"][0][0] = "0" * 12
    path.write_text(json.dumps(data))
    res = _cli("check", "scalar-net", REPO / "examples" / "class" / "alice", "--course", damaged)
    assert res.exit_code == 0
    assert str(path) in res.output and "changed after it was released" in res.output
    assert "Traceback" not in res.output and "Score: 0 / 12" in res.output


def test_a_checks_file_that_is_not_json_is_named_with_its_line(damaged: Path) -> None:
    path = damaged / "checks" / "scalar-net.json"
    path.write_text('{"format": "grader-checks",\n  "variants": {oops}}\n')
    res = _cli("check", "scalar-net", REPO / "examples" / "class" / "alice", "--course", damaged)
    assert res.exit_code == 0 and "Traceback" not in res.output
    assert f"{path}:2:" in res.output and "not valid JSON" in res.output


def test_a_malformed_fingerprint_breaks_only_its_part(damaged: Path) -> None:
    path = damaged / "checks" / "scalar-net.json"
    data = json.loads(path.read_text())
    for variant in data["variants"].values():
        variant["loss"] = {"value": "not a fingerprint"}
        variant["dL_dw1_expr"]["cases"] = [{"assign": {}, "values": [1, 2]}]
    data["digest"] = digest(data)  # a consistent file with a broken structure
    path.write_text(json.dumps(data))
    res = grade_path(load_one(damaged, "scalar-net"), REPO / "examples" / "class" / "alice")
    for pid in ("loss", "dL_dw1_expr"):
        p = res.part(pid)
        assert p.status == Status.ERROR and str(path) in p.feedback[0] and "malformed" in p.feedback[0]
    assert res.part("z").status == Status.CORRECT and res.part("dL_dw2_expr").status == Status.CORRECT


# --- the release command ------------------------------------------------------------------------
def test_release_leaves_out_hidden_parts_and_refuses_a_foreign_folder(course: Path, tmp_path: Path) -> None:
    write_exercise(course, "tiny", """
id = "tiny"
title = "Tiny"
version = "2"
[[parts]]
id = "v"
kind = "numeric"
points = 1
answer = "vector"
rel_tol = 1e-3
[[parts]]
id = "secret"
kind = "numeric"
points = 1
hidden = true
""", answers="## v\n$$[1.25, -3.5, 0]$$\n## secret\n$$41.75$$\n")
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "todo.txt").write_text("mine")
    res = _cli("release", "--out", foreign, "--exercise", "tiny", "--course", course)
    assert res.exit_code != 0 and "not an earlier release bundle" in res.output
    out = tmp_path / "out"
    res = _cli("release", "--out", out, "--exercise", "tiny", "--course", course)
    assert res.exit_code == 0 and "1 hidden left out" in res.output
    assert "secret" not in (out / "exercises" / "tiny" / "exercise.toml").read_text()
    checks = (out / "checks" / "tiny.json").read_text()
    assert "secret" not in checks and "41.75" not in checks and "1.25" not in checks
    answer = tmp_path / "tiny.md"
    for given, status, says in (("[1.2501, -3.5, 0]", "correct", "Correct."),
                                ("[-1.25, 3.5, 0]", "incorrect", "the wrong sign"),
                                ("[1.25, -3.5]", "incorrect", "shape 2, but a vector of shape 3 is expected")):
        answer.write_text(f"## v\n$${given}$$\n")
        res = _cli("check", "tiny", answer, "--course", out, "--json", tmp_path / "r.json")
        assert res.exit_code == 0
        result = json.loads((tmp_path / "r.json").read_text())
        assert [p["part_id"] for p in result["parts"]] == ["v"]
        assert result["parts"][0]["status"] == status and says in result["parts"][0]["feedback"][0], given
    # a second release may replace the first
    assert _cli("release", "--out", out, "--exercise", "tiny", "--course", course).exit_code == 0


def test_a_roster_without_an_id_column_is_refused_with_its_name(tmp_path: Path) -> None:
    roster = tmp_path / "class.csv"
    roster.write_text("name,email\nAlice,a@x\n")
    res = _cli("release", "--out", tmp_path / "b", "--roster", roster, "--exercise", "scalar-net", "--course", REPO)
    assert res.exit_code != 0 and str(roster) in res.output and "no id column" in res.output


# --- the number fingerprint itself --------------------------------------------------------------
@pytest.mark.parametrize("abs_tol,rel_tol", [(1e-6, 1e-6), (0.0, 1e-9), (1e-3, 0.0), (0.01, 0.05)])
def test_a_number_matches_within_its_tolerance_and_not_beyond(abs_tol: float, rel_tol: float) -> None:
    rng = np.random.default_rng(7)
    for r in [0.0, *(rng.choice([-1, 1]) * 10 ** rng.uniform(-8, 8, 60))]:
        cells = set(number_cells(r, abs_tol, rel_tol, "salt"))
        assert len(cells) == 12
        tol = abs_tol + rel_tol * abs(r)
        for f in rng.uniform(-1, 1, 4):
            assert number_matches(r + f * tol, cells, abs_tol, rel_tol, "salt"), (r, f)
        if tol:
            for f in (1.6, -1.6, 5.0):
                assert not number_matches(r + f * tol, cells, abs_tol, rel_tol, "salt"), (r, f)
        assert not number_matches(r, cells, abs_tol, rel_tol, "other salt")


# --- function parts: the public cases only ------------------------------------------------------
NAIVE_SOFTMAX = """
import numpy as np

def softmax(z):
    e = np.exp(np.asarray(z, dtype=float))
    return e / e.sum(axis=-1, keepdims=True)

def relu(z):
    return np.maximum(z, 0.0)
"""


def test_function_parts_run_the_public_cases_against_fingerprints(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(REPO / "tests" / "hostile" / "course", course)
    out = tmp_path / "bundle"
    assert _cli("release", "--out", out, "--exercise", "softmax-code", "--course", course).exit_code == 0
    checks = (out / "checks" / "softmax-code.json").read_text()
    assert "softmax_naive" not in checks and "0.0900305" not in checks  # softmax([1, 2, 3])[0]
    student = tmp_path / "st"
    student.mkdir()
    (student / "softmax-code.py").write_text(NAIVE_SOFTMAX)
    res = grade_path(load_one(out, "softmax-code"), student)
    soft, relu = res.part("softmax"), res.part("relu")
    assert relu.status == Status.CORRECT and re.search(r"on all \d public inputs", relu.feedback[0])
    assert "other inputs" in relu.feedback[0]  # the generated cases stay with the instructor
    assert soft.status == Status.PARTIAL and soft.diagnosis == "no-max-shift"
    assert "wrong on 1 of 3 public inputs" in soft.feedback[0] and "softmax([1000." in soft.feedback[0]
    assert any("exp(1000) overflows" in f for f in soft.feedback)


def test_a_table_reproduced_on_the_instructors_data_is_left_to_the_instructor(tmp_path: Path) -> None:
    """two-layer-study re-runs the student's code on data from solution.py: offline it cannot,
    and the student is told so instead of getting an error."""
    out = tmp_path / "bundle"
    res = _cli("release", "--out", out, "--exercise", "two-layer-study", "--course", REPO)
    assert res.exit_code == 0, res.output
    ex = load_one(out, "two-layer-study")
    tables = [p.id for p in ex.parts if p.kind == "reproduce"]
    assert tables
    result = grade_path(ex, REPO / "solutions" / "two-layer-study" / "wrong" / "bad-table", student_id="reference")
    for pid in tables:
        part = result.part(pid)
        assert part.status == Status.MANUAL and part.score == 0, part
        assert "checked by your instructor" in part.feedback[0]
