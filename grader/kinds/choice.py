"""`choice`: single choice, multiple choice ("select all that apply") and true/false.

The exercise lists the options, each with the feedback a student gets when their choice on
that option is wrong; author mistakes name options (`answer = "b"` or `"a, c"`). The right
option(s) are the reference answer in answers.md, written like a student's answer.

What a student writes under `## part-id` (the first non-empty line is the answer):
    b                       a single choice
    a, c                    several (commas, spaces, `and`, `;` or `/` separate them)
    Answer: (b) — because … the prefix, brackets, emphasis and an explanation after
                            ` — `, ` - `, `: `, `. ` or `because` are ignored
    true / false            true/false parts (also T, F, yes, no, wahr, falsch)
or a Markdown task list, where ticked lines (`- [x] b) …`) are the choice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from grader.errors import ExerciseError, GraderError, Location
from grader.exercise.model import Part
from grader.kinds.base import AnswerKind, CheckTask
from grader.results import Evidence, PartResult, Status

SELECT = ("one", "many", "true-false")
SCORING = ("all-or-nothing", "partial")
OPTION_KEYS = {"id", "text", "feedback", "aliases"}
TRUE_FALSE_ALIASES = {"true": ("t", "yes", "y", "wahr", "richtig", "w"),
                      "false": ("f", "no", "n", "falsch")}
MAX_ANSWER_CHARS = 2_000


@dataclass(frozen=True)
class Option:
    id: str
    text: str = ""
    feedback: str = ""  # shown when the student's choice on this option is wrong
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChoiceOptions:
    options: tuple[Option, ...]
    select: str = "one"
    scoring: str = "all-or-nothing"
    reveal: bool = False  # name the right options a student missed

    def lookup(self) -> dict[str, str]:
        """Every accepted spelling (lower case) → option id."""
        table: dict[str, str] = {}
        for o in self.options:
            for name in (o.id, *o.aliases):
                table[name.lower()] = o.id
        return table

    def option(self, oid: str) -> Option:
        return next(o for o in self.options if o.id == oid)

    @property
    def ids(self) -> list[str]:
        return [o.id for o in self.options]


class ChoiceAnswerError(GraderError):
    """The answer does not name options of the part."""


# --- reading an answer ----------------------------------------------------------------
_TICKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*\[[xX✓✔]\]\s*(.*)$")
_UNTICKED = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s*\[\s?\]")
_PREFIX = re.compile(r"^(?:(?:my\s+)?answers?|antwort|choice|auswahl|solution)\s*[:=]\s*", re.IGNORECASE)
_CUT = re.compile(r"\s+[—–-]\s+|:\s|\.\s|\s+because\b|\s+since\b|\s+weil\b|\s+as\b", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b|\bund\b|\bor\b|\s)\s*", re.IGNORECASE)
_LABELLED = re.compile(r"^\s*\(?([A-Za-z0-9_-]+)\)\s+\S")
_DECOR = re.compile(r"[*_`$]|\\text(?:bf)?\{|\\mathrm\{|\}")


def _clean_token(token: str) -> str:
    t = _DECOR.sub("", token).strip()
    t = t.strip("()[]{}.,;:!\"'")
    return t.strip()


def _normalise_text(text: str) -> str:
    return re.sub(r"\s+", " ", _DECOR.sub("", text)).strip(" .").lower()


def _first_line(text: str) -> str:
    in_fence = False
    for line in text.split("\n"):
        if line.strip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not in_fence and line.strip() and not line.lstrip().startswith(("<!--", ">")):
            return line.strip()
    return ""


def read_choice(text: str, o: ChoiceOptions) -> list[str]:
    """The option ids an answer names, in the exercise's order. Raises ChoiceAnswerError."""
    if len(text) > MAX_ANSWER_CHARS * 20:
        raise ChoiceAnswerError("the answer is too long to be a choice")
    lookup = o.lookup()
    by_text = {_normalise_text(opt.text): opt.id for opt in o.options if opt.text}
    lines = text.split("\n")
    ticked = [m.group(1) for m in map(_TICKED.match, lines) if m]
    if ticked or any(_UNTICKED.match(ln) for ln in lines):
        chosen = [_ticked_option(item, lookup, by_text, o) for item in ticked]
    else:
        chosen = _line_options(_first_line(text), lookup, by_text, o)
    seen: set[str] = set(chosen)
    return [oid for oid in o.ids if oid in seen]


def _ticked_option(item: str, lookup: dict[str, str], by_text: dict[str, str], o: ChoiceOptions) -> str:
    head = re.split(r"[\s)\].:]", _DECOR.sub("", item).strip().lstrip("(["), maxsplit=1)[0]
    if head.lower() in lookup:
        return lookup[head.lower()]
    if _normalise_text(item) in by_text:
        return by_text[_normalise_text(item)]
    raise ChoiceAnswerError(f"the ticked line '{item.strip()[:60]}' does not start with an option "
                            f"({_names(o)})")


def _line_options(line: str, lookup: dict[str, str], by_text: dict[str, str], o: ChoiceOptions) -> list[str]:
    if not line:
        raise ChoiceAnswerError(f"no option given: write the option{'s' if o.select == 'many' else ''} "
                                f"on the first line ({_names(o)})")
    if len(line) > MAX_ANSWER_CHARS:
        line = line[:MAX_ANSWER_CHARS]
    line = _PREFIX.sub("", line.strip())
    if _normalise_text(line) in by_text:  # the option's own text, copied
        return [by_text[_normalise_text(line)]]
    head = _CUT.split(line, maxsplit=1)[0]
    tokens = [t for t in (_clean_token(x) for x in _SPLIT.split(head)) if t]
    if not tokens:
        raise ChoiceAnswerError(f"no option found in '{line[:60]}' ({_names(o)})")
    unknown = [t for t in tokens if t.lower() not in lookup]
    if unknown:
        # "b) the loss is not convex": an option label followed by (its) text
        m = _LABELLED.match(_DECOR.sub("", line))
        if m and m.group(1).lower() in lookup:
            return [lookup[m.group(1).lower()]]
        raise ChoiceAnswerError(f"'{unknown[0][:30]}' is not one of the options ({_names(o)})")
    return [lookup[t.lower()] for t in tokens]


def _names(o: ChoiceOptions) -> str:
    return "options: " + ", ".join(o.ids)


def _label(opt: Option) -> str:
    return f"({opt.id})" if opt.id not in ("true", "false") else opt.id


# --- the kind ---------------------------------------------------------------------------
class ChoiceKind(AnswerKind):
    name = "choice"

    def parse_options(self, raw: dict[str, Any], where: Location) -> ChoiceOptions:
        known = {"select", "options", "scoring", "reveal"}
        extra = set(raw) - known
        if extra:
            raise ExerciseError(f"unknown key(s) for a choice part: {', '.join(sorted(extra))} "
                                f"(known: {', '.join(sorted(known))})", location=where)

        def at(key: str) -> Location:
            return Location(where.file, f"{where.key}.{key}", where.part)

        select = raw.get("select", "one")
        if select not in SELECT:
            raise ExerciseError(f"'select' must be one of {', '.join(SELECT)}, not {select!r}", location=at("select"))
        scoring = raw.get("scoring", "all-or-nothing")
        if scoring not in SCORING:
            raise ExerciseError(f"'scoring' must be one of {', '.join(SCORING)}, not {scoring!r}",
                                location=at("scoring"))
        if scoring == "partial" and select != "many":
            raise ExerciseError("'scoring = \"partial\"' needs 'select = \"many\"'", location=at("scoring"))
        reveal = raw.get("reveal", False)
        if not isinstance(reveal, bool):
            raise ExerciseError("'reveal' must be true or false", location=at("reveal"))
        options = self._parse_option_list(raw.get("options"), select, at)
        return ChoiceOptions(options=options, select=select, scoring=scoring, reveal=reveal)

    @staticmethod
    def _parse_option_list(raw: Any, select: str, at: Any) -> tuple[Option, ...]:
        if select == "true-false":
            given = {}
            for i, item in enumerate(raw or []):
                if not isinstance(item, dict) or item.get("id") not in ("true", "false"):
                    raise ExerciseError("a true/false part's options may only be 'true' and 'false' "
                                        "(to give them feedback)", location=at(f"options[{i}].id"))
                given[item["id"]] = item
            return tuple(Option(oid, oid, str(given.get(oid, {}).get("feedback", "")), TRUE_FALSE_ALIASES[oid])
                         for oid in ("true", "false"))
        if not isinstance(raw, list) or len(raw) < 2:
            raise ExerciseError("a choice part needs at least two [[parts.options]] tables "
                                "(each with id, text and feedback)", location=at("options"))
        out: list[Option] = []
        spellings: dict[str, str] = {}
        for i, item in enumerate(raw):
            key = f"options[{i}]"
            if not isinstance(item, dict):
                raise ExerciseError("must be a table with id, text, feedback", location=at(key))
            extra = set(item) - OPTION_KEYS
            if extra:
                raise ExerciseError(f"unknown key(s) {', '.join(sorted(extra))} (known: "
                                    f"{', '.join(sorted(OPTION_KEYS))})", location=at(key))
            oid = item.get("id")
            if not isinstance(oid, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,19}", oid):
                raise ExerciseError(f"'id' must be a short name of letters and digits such as 'a' (got {oid!r})",
                                    location=at(f"{key}.id"))
            for k in ("text", "feedback"):
                if not isinstance(item.get(k, ""), str):
                    raise ExerciseError(f"'{k}' must be a string", location=at(f"{key}.{k}"))
            if not item.get("text", "").strip():
                raise ExerciseError("an option needs a 'text'", location=at(f"{key}.text"))
            aliases = item.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                raise ExerciseError("'aliases' must be a list of strings", location=at(f"{key}.aliases"))
            for name in (oid, *aliases):
                if name.lower() in spellings:
                    raise ExerciseError(f"'{name}' names both option '{spellings[name.lower()]}' and "
                                        f"option '{oid}'", location=at(f"{key}.id" if name == oid else f"{key}.aliases"))
                spellings[name.lower()] = oid
            out.append(Option(oid, item["text"].strip(), item.get("feedback", "").strip(), tuple(aliases)))
        return tuple(out)

    # load-time checks of what names options -------------------------------------------
    def check_part(self, part: Part, where: Location) -> None:
        o: ChoiceOptions = part.options
        for i, m in enumerate(part.mistakes):
            if "{{" in m.answer or "{%" in m.answer:
                continue  # depends on the parameters: checked when rendered
            key = Location(where.file, f"{where.key}.mistakes[{i}].answer", where.part)
            try:
                chosen = read_choice(m.answer, o)
            except ChoiceAnswerError as e:
                raise ExerciseError(f"mistake '{m.name}': {e.message}", location=key) from None
            self._check_count(chosen, o, key, f"mistake '{m.name}'")

    def check_reference(self, part: Part, text: str, where: Location) -> None:
        if "{{" in text or "{%" in text:
            return  # depends on the parameters: graded by `grader validate` for each variant
        try:
            chosen = read_choice(text, part.options)
        except ChoiceAnswerError as e:
            raise ExerciseError(f"the reference answer of choice part '{part.id}': {e.message}",
                                location=where) from None
        self._check_count(chosen, part.options, where, f"the reference answer of choice part '{part.id}'")

    @staticmethod
    def _check_count(chosen: list[str], o: ChoiceOptions, where: Location, what: str) -> None:
        if not chosen or (o.select != "many" and len(chosen) != 1):
            raise ExerciseError(f"{what} must name exactly one option, not {len(chosen)}", location=where)

    # grading ---------------------------------------------------------------------------
    def check(self, task: CheckTask) -> PartResult:
        o: ChoiceOptions = task.part.options
        assert task.answer is not None and task.reference.answer is not None
        try:
            right = read_choice(task.reference.answer.text, o)
        except ChoiceAnswerError as e:
            raise ExerciseError(f"reference answer unreadable: {e.message}", part=task.part.id) from None
        chosen = self._read_chosen(task, o)
        if isinstance(chosen, PartResult):
            return chosen
        return self._judge(task, o, chosen, right)

    def _read_chosen(self, task: CheckTask, o: ChoiceOptions) -> list[str] | PartResult:
        """The options the student chose, or the ERROR verdict saying why they cannot be read."""
        assert task.answer is not None
        try:
            chosen = read_choice(task.answer.text, o)
        except ChoiceAnswerError as e:
            message = f"Could not read your choice: {e.message}."
            return self._result(task, Status.ERROR, 0.0, [message],
                                [Evidence("parse-error", message, {"source": _first_line(task.answer.text)[:200]})],
                                None, [])
        if not chosen or (o.select != "many" and len(chosen) != 1):
            message = (f"Choose exactly one option; you chose {', '.join(_label(o.option(c)) for c in chosen)}."
                       if chosen else f"No option is ticked ({_names(o)}).")
            return self._result(task, Status.ERROR, 0.0, [message],
                                [Evidence("parse-error", message, {"chosen": chosen})], None, chosen)
        return chosen

    def _judge(self, task: CheckTask, o: ChoiceOptions, chosen: list[str], right: list[str]) -> PartResult:
        wrong_picks = [c for c in chosen if c not in right]
        missed = [r for r in right if r not in chosen]
        evidence = [Evidence("selection", "You chose " + (", ".join(_label(o.option(c)) for c in chosen) or "nothing") + ".",
                             {"chosen": chosen, "wrong": wrong_picks, "missed": len(missed)})]
        if not wrong_picks and not missed:
            return self._result(task, Status.CORRECT, 1.0, ["Correct."], evidence, None, chosen)
        feedback: list[str] = []
        diagnosis = self._diagnose(task, o, chosen, wrong_picks)
        if diagnosis:
            feedback.append(diagnosis[1])
            evidence.append(Evidence("diagnosis", diagnosis[1], {"name": diagnosis[0]}))
        for c in wrong_picks:
            opt = o.option(c)
            text = f"{_label(opt)} is not right" + (f": {opt.feedback}" if opt.feedback else ".")
            if not (diagnosis and opt.feedback and opt.feedback in diagnosis[1]):
                feedback.append(text)
        if missed and o.select == "many":
            if o.reveal:
                for r in missed:
                    opt = o.option(r)
                    feedback.append(f"{_label(opt)} is also right" + (f": {opt.feedback}" if opt.feedback else "."))
            else:
                n = len(missed)
                feedback.append(f"{n} right option{'s are' if n > 1 else ' is'} missing from your choice.")
        elif o.reveal and o.select != "many":
            feedback.append(f"The right choice is {_label(o.option(right[0]))}.")
        fraction = 0.0
        if o.scoring == "partial" and right:
            fraction = max(0.0, (len(right) - len(missed) - len(wrong_picks)) / len(right))
        status = Status.PARTIAL if 0 < fraction < 1 else Status.INCORRECT
        return self._result(task, status, fraction, feedback, evidence, diagnosis[0] if diagnosis else None, chosen)

    @staticmethod
    def _diagnose(task: CheckTask, o: ChoiceOptions, chosen: list[str],
                  wrong_picks: list[str]) -> tuple[str, str] | None:
        """An author mistake naming exactly the student's choice wins; else the first mistake
        whose (wrong) options the student all picked."""
        named: list[tuple[str, str, set[str]]] = []
        for m in task.part.mistakes:
            try:
                named.append((m.name, m.feedback, set(read_choice(m.answer, o))))
            except ChoiceAnswerError:
                continue  # a parameter-dependent mistake that renders to nothing for this variant
        for name, feedback, opts in named:
            if opts == set(chosen):
                return name, feedback
        for name, feedback, opts in named:
            if opts and opts <= set(wrong_picks):
                return name, feedback
        return None

    # --- release bundles: the choice sealed, not in clear (grader/release/) -----------------
    # A part whose answer is one of a few options can always be found by trying each one, so a
    # hash would protect no better than a seal; sealing keeps the exact online verdict offline
    # (partial scores, "n right options missing", per-option and mistake feedback).
    def fingerprint(self, task: CheckTask) -> dict[str, Any] | None:
        from grader.release.choice_fp import choice_fingerprint
        assert task.reference.answer is not None
        try:
            right = read_choice(task.reference.answer.text, task.part.options)
        except ChoiceAnswerError as e:
            raise ExerciseError(f"reference answer unreadable: {e.message}", part=task.part.id) from None
        return choice_fingerprint(task, right)

    def check_offline(self, task: CheckTask, fingerprint: dict[str, Any]) -> PartResult:
        from grader.release.choice_fp import open_choice
        sealed_task, right = open_choice(task, fingerprint)
        chosen = self._read_chosen(sealed_task, sealed_task.part.options)
        if isinstance(chosen, PartResult):
            return chosen
        return self._judge(sealed_task, sealed_task.part.options, chosen, right)

    @staticmethod
    def _result(task: CheckTask, status: Status, fraction: float, feedback: list[str],
                evidence: list[Evidence], diagnosis: str | None, chosen: list[str]) -> PartResult:
        res = AnswerKind.result(task, status, fraction, feedback=feedback, evidence=evidence,
                                diagnosis=diagnosis, answer_format="text")
        o: ChoiceOptions = task.part.options
        if chosen:  # show the options chosen with their text, which reads better than "b"
            res.answer = "\n".join(f"{_label(o.option(c))} {o.option(c).text}" if o.select != "true-false"
                                   else o.option(c).text for c in chosen)
        elif task.answer is not None:
            res.answer = task.answer.text.strip()[:MAX_ANSWER_CHARS]
        return res
