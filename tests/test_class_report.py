"""Per-student feedback pages and the class summary of `grader grade`."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.exercise.loader import load_one
from grader.report.class_report import ReportEntry, RunInfo, write_class_reports
from grader.report.names import safe_stem, safe_stems
from grader.results import Evidence, PartResult, Result, Status
from tests.report_fixtures import EVIL, class_entries, run_info, student_result
from tests.conftest import write_exercise


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _visible(html: str) -> str:
    """Roughly what a reader sees: tags dropped, entities of the test strings undone."""
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'")
                  .replace("&amp;", "&").replace("&#34;", '"'))


@pytest.fixture
def written(tmp_path: Path):
    entries = class_entries(6, ("scalar-net", "softmax"))
    return entries, write_class_reports(tmp_path / "out", entries, run_info())


def test_one_page_per_student_covering_all_their_exercises(written) -> None:
    entries, paths = written
    assert set(paths.student_pages) == {e.student_id for e in entries}
    bob = _text(paths.student_pages["bob"])
    assert bob.count('<section class="exercise"') == 2
    assert "Total: 3 / 12" in bob and "Forward and backward pass" in bob and "Softmax" in bob
    assert 'href="../index.html"' in bob
    assert paths.index == paths.index.parent / "index.html" and paths.index.is_file()
    for page in paths.student_pages.values():
        assert page.parent == paths.index.parent / "students"


def test_student_page_shows_status_evidence_math_code_files_and_plots(written) -> None:
    _, paths = written
    bob = _text(paths.student_pages["bob"])
    seen = _visible(bob)
    assert "incorrect · 0 / 2" in seen and "partially correct · 1.5 / 3" in seen
    assert "<mfrac>" in bob and "\\frac" not in bob  # answers and steps rendered as math
    assert "your expression gives 0.06 expected -0.06" in seen  # counterexample, both values
    assert "does not follow:" in seen and "Step 2 does not follow from step 1." in seen
    assert "Your code: net.py" in seen  # a code answer names its files instead of showing nothing
    assert '<span class="line hl"><span class="ln">5</span>    z = H @ V - c</span>' in bob
    assert bob.count('class="chart line-chart"') == 2 and bob.count('class="chart decision-boundary"') == 4
    assert "Your decision boundary" in bob and "Reference decision boundary" in bob
    assert "diagnosis update-plus" in seen
    assert "Your code ran in a bubblewrap sandbox." in seen


def test_failing_input_shows_expected_and_actual(written) -> None:
    _, paths = written
    seen = _visible(_text(paths.student_pages["Carol Ann"]))
    assert "input X = [[1, -1], [0, -1]], c = 1 expected [0.73, 0.5] your code gave None" in seen
    assert "ValueError: shapes (2,2) and (3,4) not aligned" in seen
    assert "Your code: net.py helpers.py" in seen
    assert "3 + ^" in seen  # the parse error's caret


def test_class_summary_has_distribution_success_rates_diagnoses_failures_and_links(written) -> None:
    entries, paths = written
    index = _text(paths.index)
    seen = _visible(index)
    assert index.count('class="chart histogram"') == 3  # one per exercise + the overall one
    assert "Score distribution — scalar-net (n = 6)" in seen
    assert "33% (2/6)" in seen  # success rate of a part
    assert "softmax-as-sigmoid — 4 students: “Your expression differs from the expected one.”" in seen
    assert "update-plus — 2 students" in seen
    for sid, page in paths.student_pages.items():
        assert f'href="students/{page.name}"' in index
    # failing submissions name the student, the exercise and why
    assert "Carol Ann scalar-net notes.txt: not an answer file; ignored z: Cannot read '3 +' at position 3." in seen
    assert "Slowest submissions" in seen and "2.500" in seen
    assert "How ids were found: folder name (8), front matter (4)" in seen
    assert "README.txt" in seen and "Files not attributed to any student" in seen
    assert "local executor, 2 jobs" in seen


def test_diagnosis_links_go_to_the_part_on_the_student_page(written) -> None:
    _, paths = written
    index = _text(paths.index)
    link = re.search(r'href="(students/bob\.html)#(ex-scalar-net-part-z)"', index)
    assert link, "no link from the diagnosis to bob's part"
    assert f'id="{link.group(2)}"' in _text(paths.index.parent / link.group(1))


def test_hostile_ids_and_text_are_escaped_on_every_page(written) -> None:
    _, paths = written
    for page in [paths.index, *paths.student_pages.values()]:
        html = _text(page)
        assert "<script" not in html, page
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", html), page
        assert "default-src 'none'" in html
    assert EVIL in _visible(_text(paths.student_pages[EVIL]))


def test_safe_file_names_never_collide_and_stay_in_the_folder() -> None:
    ids = ["alice", "Alice", "ALICE", "a/b", "a_b", "a b", "../../etc/passwd", "con", "zoë", "zoe", "", ".",
           "x" * 300, "x" * 301, "bob.", "alice-" + safe_stem("Alice").split("-")[1]]
    stems = safe_stems(ids)
    assert len({s.casefold() for s in stems.values()}) == len(ids)
    for s in stems.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", s) and len(s) <= 90 and ".." not in s, s
    assert stems["alice"] == "alice" and stems["Alice"] != "alice"
    assert stems["con"] != "con"  # reserved on Windows
    assert safe_stem("Alice") == safe_stems(["Alice", "bob"])["Alice"]  # independent of the class


def test_case_variants_get_separate_pages(tmp_path: Path) -> None:
    entries = [ReportEntry(sid, "scalar-net", student_result(sid), "folder name", []) for sid in ("Alice", "alice")]
    paths = write_class_reports(tmp_path, entries, run_info())
    assert len({p.name.casefold() for p in paths.student_pages.values()}) == 2
    assert "Feedback for Alice" in _text(paths.student_pages["Alice"])
    assert "Feedback for alice" in _text(paths.student_pages["alice"])


def test_malformed_plot_data_is_a_note_not_a_crash(tmp_path: Path) -> None:
    part = PartResult("train", "training", Status.INCORRECT, 0, 1, [], [
        Evidence("loss_curve", "Loss.", {"student": "not a list", "reference": [1, 2]}),
        Evidence("decision_boundary", "Boundary.", {"x_range": [1, 0], "student": [[0]]}),
        Evidence("decision_boundary", "Boundary 2.", {"x_range": [0, 1], "y_range": [0, 1], "student": [["a"]]}),
        Evidence("code", "Code.", {"lines": 42}),
    ], answer=None, answer_format="code")
    result = Result("ex", "1", "Ex", "s", "folder name", {}, [part])
    paths = write_class_reports(tmp_path, [ReportEntry("s", "ex", result, "folder name", [])], run_info())
    seen = _visible(_text(paths.student_pages["s"]))
    assert "(the student curve is not a list of at most 20000 numbers; not drawn)" in seen
    assert "(x_range / y_range missing or not [low, high]; boundary not drawn)" in seen
    assert "the student grid is not a list of rows of class numbers" in seen
    assert "(no code lines to show)" in seen


def test_empty_class_still_writes_a_summary(tmp_path: Path) -> None:
    paths = write_class_reports(tmp_path, [], RunInfo("a", "b", "subs", ["lost.md"], "local", 1))
    seen = _visible(_text(paths.index))
    assert "No submissions were graded." in seen and "lost.md" in seen and paths.student_pages == {}


def test_really_graded_submissions_render(tmp_path: Path) -> None:
    """End to end through the check pipeline: ingest, grade, write the pages."""
    write_exercise(tmp_path, "tiny", """
id = "tiny"
title = "Tiny forward pass"
version = "1"
[[parts]]
id = "z"
kind = "numeric"
points = 1
answer = "number"
[[parts]]
id = "h"
kind = "numeric"
points = 1
answer = "number"
""", answers="## z\n$$z = 6$$\n\n## h\n$$h = 6$$\n")
    ex = load_one(tmp_path, "tiny")
    subs = tmp_path / "subs"
    (subs / "ann").mkdir(parents=True)
    (subs / "ann" / "tiny.md").write_text("## z\n$$z = \\frac{12}{2}$$\n\n## h\n$$h = 7$$\n", encoding="utf-8")
    (subs / "ben.md").write_text("## z\n$$z = 3 +$$\n", encoding="utf-8")
    entries = []
    for path, sid in ((subs / "ann", "ann"), (subs / "ben.md", "ben")):
        r = grade_path(ex, path, sid)
        entries.append(ReportEntry(sid, "tiny", r, r.student_id_source, [str(path.relative_to(subs))]))
    paths = write_class_reports(tmp_path / "out", entries, run_info())
    ann = _visible(_text(paths.student_pages["ann"]))
    assert "Score: 1 / 2" in ann and "correct · 1 / 1" in ann and "incorrect · 0 / 1" in ann
    assert "<mfrac>" in _text(paths.student_pages["ann"])
    ben = _visible(_text(paths.student_pages["ben"]))
    assert "error · 0 / 1" in ben and "not answered · 0 / 1" in ben
    index = _visible(_text(paths.index))
    assert "ben tiny z:" in index  # ben's unreadable answer is listed as failing


def test_a_student_graded_twice_for_one_exercise_gets_two_sections_with_their_own_anchors(tmp_path: Path) -> None:
    first = student_result("ann", variant=0)
    second = student_result("ann", variant=1)
    entries = [ReportEntry("ann", "scalar-net", r, "Moodle folder name (participant 7, Ann Lee)", [f])
               for r, f in ((first, "a/scalar-net.md"), (second, "b/scalar-net.md"))]
    paths = write_class_reports(tmp_path, entries, run_info())
    page = _text(paths.student_pages["ann"])
    assert 'id="ex-scalar-net"' in page and 'id="ex-scalar-net-2"' in page
    assert 'id="ex-scalar-net-2-part-z"' in page and "Total: 7.5 / 12" in page
    index = _text(paths.index)
    assert 'href="students/ann.html#ex-scalar-net-2-part-z"' in index  # the diagnosis points at the wrong one
    seen = _visible(index)
    assert "6 / 6, 1.5 / 6" in seen
    assert "How ids were found: Moodle folder name (2)" in seen  # grouped, not one line per participant


def test_a_code_answer_is_shown_as_its_file_names(tmp_path: Path) -> None:
    """Whatever format a code kind asks for, its answer reads as the files it graded."""
    from grader.exercise.model import Part
    from grader.kinds.base import Answer, AnswerKind, CheckContext, CheckTask, Reference

    class Probe(AnswerKind):
        name = ""  # not registered: a kind only for this test
        answer_from = "code"

        def check(self, task: CheckTask) -> PartResult:
            return self.result(task, Status.CORRECT, 1.0)

    ex = type("Ex", (), {"id": "e", "version": "1"})()
    part = Part(id="f", kind="probe", points=1.0, title="f")
    answer = Answer("f", code_files=[tmp_path / "net.py", tmp_path / "util.py"])
    res = Probe().check(CheckTask(part, answer, Reference(), CheckContext(ex, "s", {})))
    assert res.answer == "net.py\nutil.py" and res.answer_format == "code"
    result = Result("e", "1", "E", "s", "folder name", {}, [res])
    paths = write_class_reports(tmp_path / "out", [ReportEntry("s", "e", result, "folder name", [])], run_info())
    assert "Your code: net.py util.py" in _visible(_text(paths.student_pages["s"]))


def test_evidence_of_the_code_kinds_is_shown_as_tables_and_code(tmp_path: Path) -> None:
    """The shapes the trace, vectorised and training kinds emit, and the sandbox's sentence."""
    note = "Your code ran in a bubblewrap sandbox (no network, no files of the grader, resource limits)."
    trace = PartResult("and_trace", "trace", Status.INCORRECT, 0, 3, ["AND: Step 1: the rule gives w = [0, 0]."], [
        Evidence("first-diverging-step", "AND: Step 1: the rule gives w = [0, 0].",
                 {"case": "AND", "step": 1, "given": {"w": [0.0, 1.0], "b": -1.0},
                  "expected": {"w": [0.0, 0.0], "b": -0.5}, "before": {"w": [0, 0], "b": 0}, "context": {}}),
        Evidence("isolation", note, {"isolation": "bubblewrap"})], answer="perceptron.py", answer_format="code")
    loop = PartResult("vectorised", "vectorised", Status.INCORRECT, 0, 2, ["no loops", "line 18: a loop"], [
        Evidence("loop", "line 18: a loop", {"file": "net.py", "line": 18, "function": "loss",
                                              "code": "picked = [p[i, y[i]] for i in range(len(y))]"})],
        answer="net.py", answer_format="code")
    metric = PartResult("training", "training", Status.CORRECT, 2, 2, ["accuracy 1.0"], [
        Evidence("metric", "accuracy 1.0", {"metric": "accuracy", "value": 1.0, "threshold": 0.9})],
        answer="net.py", answer_format="code")
    result = Result("perceptron", "1", "Perceptron", "s", "folder name", {}, [trace, loop, metric], isolation=note)
    paths = write_class_reports(tmp_path, [ReportEntry("s", "perceptron", result, "folder name", [])], run_info())
    html = _text(paths.student_pages["s"])
    seen = _visible(html)
    assert seen.count("bubblewrap") == 1 and note in seen  # once, in the header, as the sandbox wrote it
    assert "state before w = [0, 0], b = 0 the rule gives w = [0, 0], b = -0.5 yours w = [0, 1], b = -1" in seen
    assert '<span class="line hl"><span class="ln">18</span>picked = [p[i, y[i]] for i in range(len(y))]</span>' in html
    assert "accuracy 1 required 0.9" in seen


def test_a_loop_line_is_not_repeated_when_its_function_is_shown(tmp_path: Path) -> None:
    loop = Evidence("loop", "line 3: a loop", {"file": "net.py", "line": 3, "function": "loss", "code": "for i in y:"})
    excerpt = Evidence("code", "loss, lines 2–4 of net.py", {"file": "net.py", "first_line": 2, "highlight": [3],
                                                           "lines": ["def loss(y):", "for i in y:", "    pass"]})
    part = PartResult("vectorised", "vectorised", Status.INCORRECT, 0, 2, ["line 3: a loop"], [loop, excerpt],
                      answer="net.py", answer_format="code")
    result = Result("e", "1", "E", "s", "folder name", {}, [part])
    html = _text(write_class_reports(tmp_path, [ReportEntry("s", "e", result, "folder name", [])],
                                     run_info()).student_pages["s"])
    assert html.count("for i in y:") == 1 and '<span class="line hl"><span class="ln">3</span>' in html


def test_evidence_of_the_math_engine_and_the_function_kind(tmp_path: Path) -> None:
    """The shapes the expression kind (a Verdict) and the function kind emit."""
    expr = PartResult("dL_dw1_expr", "expression", Status.INCORRECT, 0, 1, ["Not equal."], [
        Evidence("counterexample", "At x = 2 yours is 4, expected -4.",
                 {"equivalent": False, "proven": False, "method": "numeric", "counterexample": {"x": 2.0, "w_1": 3},
                  "student_value": 4.0, "reference_value": -4.0, "shape_problem": None, "points": 12})],
        answer="(y - \\hat{y}) w_2 x", answer_format="math")
    fn = PartResult("forward", "function", Status.PARTIAL, 0.5, 1, ["`f` is wrong on 2 of 4 inputs."], [
        Evidence("failing-input", "`f` is wrong on 2 of 4 inputs.",
                 {"input": "f(X=[[1, -1]])", "case": 1, "failed": 2, "cases": 4, "actual": "[0.5]",
                  "expected": "[0.73]", "max_error": 0.2311, "what": "value"}),
        Evidence("diagnosis", "You forgot the bias.", {"mistake": "no-bias"})], answer="net.py", answer_format="code")
    result = Result("e", "1", "E", "s", "folder name", {}, [expr, fn])
    html = _text(write_class_reports(tmp_path, [ReportEntry("s", "e", result, "folder name", [])],
                                     run_info()).student_pages["s"])
    seen = _visible(html)
    assert "your expression gives 4 expected -4" in seen and "<mi>w</mi>" in html  # the point as math
    assert "input f(X=[[1, -1]]) expected [0.73] your code gave [0.5] largest error 0.231 failing inputs 2 of 4" in seen
    assert "diagnosis no-bias" in seen


def test_pages_rendered_in_parallel_are_the_same_and_all_written(tmp_path: Path) -> None:
    """With jobs > 1 the student pages are rendered by forked processes while the summary and
    `meanwhile` run here; every page exists on return, byte for byte what one process writes."""
    from grader.report.class_report import PARALLEL_MIN_PAGES

    entries = class_entries(PARALLEL_MIN_PAGES + 2, ("scalar-net", "softmax"))
    serial = write_class_reports(tmp_path / "one", entries, run_info())
    calls: list[int] = []
    parallel = write_class_reports(tmp_path / "two", entries, run_info(), jobs=2, meanwhile=lambda: calls.append(1))
    assert calls == [1]
    assert len(parallel.student_pages) == len(serial.student_pages) >= PARALLEL_MIN_PAGES
    for sid, path in serial.student_pages.items():
        assert _text(parallel.student_pages[sid]) == _text(path), sid
    assert _text(parallel.index) == _text(serial.index)
