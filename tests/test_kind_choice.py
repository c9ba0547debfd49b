"""`choice`: reading choices, per-option feedback, mistakes naming options, load-time errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.checking import grade_path
from grader.errors import ExerciseError, ExerciseErrors, Location
from grader.exercise.loader import load_exercise
from grader.exercise.model import Exercise, Mistake, Part
from grader.kinds.base import Answer, CheckContext, CheckTask, Reference
from grader.kinds.choice import ChoiceAnswerError, ChoiceKind, read_choice
from grader.results import Status
from tests.conftest import write_exercise

KIND = ChoiceKind()
OPTIONS = [
    {"id": "a", "text": "The loss is convex", "feedback": "A convex loss has one minimum: every start would end there."},
    {"id": "b", "text": "The loss is non-convex", "feedback": ""},
    {"id": "c", "text": "Training is slow", "feedback": "Speed does not decide where training ends."},
    {"id": "d", "text": "Rounding errors", "feedback": "Rounding is far too small to explain it."},
]


def _part(select: str = "one", mistakes=(), **extra) -> Part:
    raw = {"select": select, **({"options": OPTIONS} if select != "true-false" else {}), **extra}
    return Part(id="q", kind="choice", points=2, options=KIND.parse_options(raw, Location()), mistakes=list(mistakes))


def _check(part: Part, student: str, reference: str):
    ex = Exercise(id="e", title="E", version="1", path=None, parameters={}, parts=[part], spec_template="")  # type: ignore[arg-type]
    task = CheckTask(part=part, answer=Answer("q", text=student), reference=Reference(Answer("q", text=reference)),
                     ctx=CheckContext(exercise=ex, student_id="s", parameters={}))
    return KIND.check(task)


@pytest.mark.parametrize("text, chosen", [
    ("b", ["b"]), ("B", ["b"]), ("(b)", ["b"]), ("**b**", ["b"]), ("Answer: b", ["b"]),
    ("b — because the loss has many minima", ["b"]), ("b) The loss is non-convex, so ...", ["b"]),
    ("a, c", ["a", "c"]), ("c and a", ["a", "c"]), ("a; c; d", ["a", "c", "d"]),
    ("\n\n  b\nmore text on the next line", ["b"]), ("The loss is non-convex", ["b"]),
    ("- [ ] a) convex\n- [x] b) non-convex\n- [X] d) rounding", ["b", "d"]),
])
def test_reads_choices(text: str, chosen: list[str]) -> None:
    assert read_choice(text, _part("many").options) == chosen


@pytest.mark.parametrize("text, message", [
    ("e", "'e' is not one of the options (options: a, b, c, d)"),
    ("", "no option given"),
    ("- [x] maybe the second one", "does not start with an option"),
])
def test_unreadable_choices_say_why(text: str, message: str) -> None:
    with pytest.raises(ChoiceAnswerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_choice(text, _part("many").options)


def test_single_choice_right_and_wrong_with_option_feedback() -> None:
    part = _part()
    ok = _check(part, "b", "b")
    assert ok.status == Status.CORRECT and ok.score == 2 and ok.answer == "(b) The loss is non-convex"
    bad = _check(part, "a", "b")
    assert bad.status == Status.INCORRECT and bad.score == 0
    assert bad.feedback == ["(a) is not right: A convex loss has one minimum: every start would end there."]
    assert "(b)" not in " ".join(bad.feedback)  # the right option is not given away


def test_mistake_naming_an_option_gives_its_diagnosis() -> None:
    part = _part(mistakes=[Mistake("convex", "a", "Different ends mean several minima: the loss is not convex.")])
    res = _check(part, "a", "b")
    assert res.diagnosis == "convex"
    assert res.feedback[0] == "Different ends mean several minima: the loss is not convex."


def test_two_options_for_a_single_choice_is_an_error() -> None:
    res = _check(_part(), "a, b", "b")
    assert res.status == Status.ERROR and res.score == 0
    assert res.feedback == ["Choose exactly one option; you chose (a), (b)."]


def test_unknown_option_is_an_error_naming_it() -> None:
    res = _check(_part(), "f", "b")
    assert res.status == Status.ERROR
    assert res.feedback == ["Could not read your choice: 'f' is not one of the options (options: a, b, c, d)."]


def test_multiple_choice_all_or_nothing_and_partial() -> None:
    res = _check(_part("many"), "b", "b, c")
    assert res.status == Status.INCORRECT and res.score == 0
    assert "1 right option is missing from your choice." in res.feedback
    partial = _check(_part("many", scoring="partial"), "b", "b, c")
    assert partial.status == Status.PARTIAL and partial.score == 1
    extra = _check(_part("many", scoring="partial"), "b, c, d", "b, c")
    assert extra.status == Status.PARTIAL and extra.score == 1
    assert "(d) is not right: Rounding is far too small to explain it." in extra.feedback
    revealed = _check(_part("many", reveal=True), "b", "b, c")
    assert "(c) is also right: Speed does not decide where training ends." in revealed.feedback


def test_mistake_contained_in_a_multiple_choice() -> None:
    part = _part("many", mistakes=[Mistake("rounding", "d", "Rounding is not the reason.")])
    res = _check(part, "b, d", "b, c")
    assert res.diagnosis == "rounding"


def test_true_false_accepts_words_and_letters() -> None:
    part = _part("true-false", options=[{"id": "false", "feedback": "Bigger batches only reduce noise."}])
    assert _check(part, "False.", "false").status == Status.CORRECT
    assert _check(part, "F", "false").status == Status.CORRECT
    assert _check(part, "falsch, weil ...", "false").status == Status.CORRECT
    wrong = _check(part, "True", "false")
    assert wrong.status == Status.INCORRECT and wrong.answer == "true"
    # feedback belongs to the option the student got wrong, here "false" is right
    assert _check(part, "true", "true").status == Status.CORRECT


@pytest.mark.parametrize("raw, key, message", [
    ({"options": [{"id": "a", "text": "x"}]}, "parts.q.options", "at least two"),
    ({"options": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, "parts.q.options[1].id",
     "'a' names both option 'a' and option 'a'"),
    ({"options": [{"id": "a", "text": "x"}, {"id": "b"}]}, "parts.q.options[1].text", "needs a 'text'"),
    ({"options": [{"id": "a", "text": "x"}, {"id": "b", "text": "y", "colour": 1}]}, "parts.q.options[1]", "colour"),
    ({"select": "several", "options": OPTIONS}, "parts.q.select", "'select' must be one of one, many, true-false"),
    ({"scoring": "partial", "options": OPTIONS}, "parts.q.scoring", "needs 'select = \"many\"'"),
    ({"select": "true-false", "options": [{"id": "maybe"}]}, "parts.q.options[0].id", "only be 'true' and 'false'"),
])
def test_malformed_options_name_the_key(raw: dict, key: str, message: str) -> None:
    with pytest.raises(ExerciseError) as info:
        KIND.parse_options(raw, Location(file="exercise.toml", key="parts.q", part="q"))
    assert info.value.location.key == key and message in info.value.message
    assert "exercise.toml" in str(info.value)


TOML = """
id = "quiz"
title = "Quiz"
version = "1"
[[parts]]
id = "q"
kind = "choice"
points = 1
options = [{ id = "a", text = "yes" }, { id = "b", text = "no" }]
  [[parts.mistakes]]
  name = "maybe"
  answer = "{mistake}"
  feedback = "..."
"""


def test_load_time_error_for_a_mistake_naming_no_option(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "quiz", TOML.replace("{mistake}", "c"), answers="## q\nb\n")
    with pytest.raises(ExerciseErrors) as info:
        load_exercise(folder, tmp_path / "solutions")
    text = str(info.value)
    assert "exercise.toml" in text and "key 'parts.q.mistakes[0].answer'" in text
    assert "mistake 'maybe': 'c' is not one of the options (options: a, b)" in text


def test_load_time_error_for_a_reference_naming_no_option(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "quiz", TOML.replace("{mistake}", "a"), answers="# Quiz\n\n## q\na and c\n")
    with pytest.raises(ExerciseErrors) as info:
        load_exercise(folder, tmp_path / "solutions")
    text = str(info.value)
    assert "answers.md:3" in text and "part 'q'" in text
    assert "the reference answer of choice part 'q'" in text
    assert "'c' is not one of the options" in text


def test_load_time_error_for_two_reference_options_in_a_single_choice(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "quiz", TOML.replace("{mistake}", "a"), answers="## q\na, b\n")
    with pytest.raises(ExerciseErrors, match="must name exactly one option, not 2"):
        load_exercise(folder, tmp_path / "solutions")


def test_end_to_end_from_a_file(tmp_path: Path) -> None:
    folder = write_exercise(tmp_path, "quiz", TOML.replace("{mistake}", "a"), answers="## q\nb\n")
    ex = load_exercise(folder, tmp_path / "solutions")
    sub = tmp_path / "s.md"
    sub.write_text("## q\n(a) yes — I think so\n", encoding="utf-8")
    res = grade_path(ex, sub).part("q")
    assert res.status == Status.INCORRECT and res.diagnosis == "maybe" and res.answer == "(a) yes"
