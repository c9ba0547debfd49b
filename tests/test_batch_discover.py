"""Finding submissions: layouts, student ids and how they were found, what is not attributed,
and zips read safely."""
from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from grader.batch import unpack
from grader.batch.discover import discover, exercise_in_name
from grader.exercise.loader import load_course
from tests.conftest import REPO

BATCH = REPO / "examples" / "batch"


@pytest.fixture(scope="module")
def exercises():
    return load_course(REPO)


def _by_unit(found):
    return {t.unit: t for t in found.tasks}


def test_mixed_class_folders_files_and_front_matter(exercises) -> None:
    found = discover(BATCH / "class", exercises)
    units = _by_unit(found)
    assert sorted(units) == ["erin", "eve", "frank", "gina", "hal", "ivy", "jo", "kim", "mallory"]
    assert units["eve"].exercise_id == "perceptron" and units["eve"].file_names == ["eve/perceptron.py"]
    assert units["erin"].id_source == "folder name" and units["erin"].file_names == ["erin/scalar-net.md"]
    assert units["frank"].id_source == "file name"  # exercise from its front matter
    assert units["gina"].student_id == "gina" and units["gina"].exercise_id == "scalar-net"
    assert units["kim"].student_id == "kim.lee" and units["kim"].id_source == "front matter of kim/answers.md"
    assert any(u.startswith("jo/photo.png: not an answer file") for u in found.unattributed)
    assert any(u.startswith("scalar-net.md: named after the exercise but no student") for u in found.unattributed)
    assert found.container == "class"


def test_canvas_download_names(exercises) -> None:
    found = discover(BATCH / "canvas", exercises)
    units = _by_unit(found)
    assert sorted(units) == ["canvas-1001", "canvas-1002"]
    late = units["canvas-1002"]  # `_late_` and a resubmission's `-1` suffix
    assert (late.student_id, late.lms, late.lms_id, late.display_name) == ("1002", "canvas", "1002", "parkbo")
    assert late.id_source == "Canvas file name (user 1002, parkbo)"
    assert found.unattributed == ["chenli_1003_5003_scalar-net.pdf: not an answer file (.ipynb, .markdown, .md, "
                                  ".py, .txt); not graded"]


def test_moodle_zip(exercises) -> None:
    # a Moodle download is one assignment: graded with --exercise
    found = discover(BATCH / "moodle-download.zip", exercises, ["scalar-net"])
    units = _by_unit(found)
    assert sorted(units) == ["moodle-2001", "moodle-2002", "moodle-2003"]
    ann = units["moodle-2001"]
    assert (ann.student_id, ann.display_name, ann.lms) == ("2001", "Ann Lee", "moodle")
    assert ann.file_names == ["Ann Lee_2001_assignsubmission_file_/scalar-net.md"]
    # answers.md names no exercise: it is the only one graded, so it belongs to it
    assert units["moodle-2002"].file_names == ["Bo Chen_2002_assignsubmission_file_/answers.md"]
    unsure = discover(BATCH / "moodle-download.zip", exercises)
    assert "moodle-2002" not in _by_unit(unsure)
    assert any(u.startswith("Bo Chen_2002_assignsubmission_file_/answers.md: cannot tell which exercise it answers")
               for u in unsure.unattributed)


def test_same_input_same_keys_and_a_change_changes_the_key(exercises, tmp_path: Path) -> None:
    import shutil

    shutil.copytree(BATCH / "class", tmp_path / "class")
    first = _by_unit(discover(tmp_path / "class", exercises))
    again = _by_unit(discover(tmp_path / "class", exercises))
    assert {u: t.input_key for u, t in first.items()} == {u: t.input_key for u, t in again.items()}
    (tmp_path / "class" / "hal" / "scalar-net.md").write_text("## z\n$$z = 1$$\n", encoding="utf-8")
    changed = _by_unit(discover(tmp_path / "class", exercises))
    assert [u for u in first if first[u].input_key != changed[u].input_key] == ["hal"]


def test_exercise_from_file_names() -> None:
    ids = ["softmax", "softmax-jacobian", "scalar-net"]
    assert exercise_in_name("softmax-jacobian.md", ids) == "softmax-jacobian"
    assert exercise_in_name("alice_softmax.py", ids) == "softmax"
    assert exercise_in_name("scalar-net-2.md", ids) == "scalar-net"
    assert exercise_in_name("notes.md", ids) is None


def _zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return buf.getvalue()


def test_hostile_zip_members_are_refused_and_named(tmp_path: Path, monkeypatch) -> None:
    link = zipfile.ZipInfo("eve/link.md")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = tmp_path / "class.zip"
    path.write_bytes(_zip([("../../etc/evil.md", b"x"), ("/abs/evil.md", b"x"), (link, b"/etc/passwd"),
                           ("bomb/scalar-net.md", b"0" * (2 * 1024 * 1024)),
                           ("fine/scalar-net.md", b"## z\n$$1$$\n")]))
    monkeypatch.setattr(unpack, "MAX_MEMBER_BYTES", 4 * 1024 * 1024)
    z = unpack.read_zip(path, "class.zip")
    assert list(z.files) == ["fine/scalar-net.md"]
    reasons = "\n".join(z.rejected)
    assert "class.zip:../../etc/evil.md: unsafe path" in reasons
    assert "class.zip:/abs/evil.md: unsafe path" in reasons
    assert "class.zip:eve/link.md: a link or special file" in reasons
    assert "class.zip:bomb/scalar-net.md: compression ratio over 200:1" in reasons
    # nothing was written outside (or inside) the folder: zips are read in memory
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class.zip"]


def test_zip_caps_on_size_and_count(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(_zip([(f"s{i}/scalar-net.md", b"## z\n$$1$$\n" + bytes(str(i), "ascii")) for i in range(30)]
                          + [("big/scalar-net.md", b"y" * 5000)]))
    monkeypatch.setattr(unpack, "MAX_MEMBERS", 20)
    z = unpack.read_zip(path, "many.zip")
    assert len(z.files) == 20 and "has 31 members, over the limit of 20" in z.error
    monkeypatch.setattr(unpack, "MAX_MEMBERS", 100)
    monkeypatch.setattr(unpack, "MAX_MEMBER_BYTES", 1000)
    z = unpack.read_zip(path, "many.zip")
    assert "big/scalar-net.md" not in z.files
    assert any("many.zip:big/scalar-net.md: 5000 bytes, over the 1000 byte limit" in r for r in z.rejected)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a readable zip archive" in unpack.read_zip(bad, "bad.zip").error


def test_symlinks_in_a_folder_are_not_followed(exercises, tmp_path: Path) -> None:
    (tmp_path / "c" / "eve").mkdir(parents=True)
    (tmp_path / "c" / "eve" / "scalar-net.md").symlink_to("/etc/passwd")
    (tmp_path / "c" / "ann").mkdir()
    (tmp_path / "c" / "ann" / "scalar-net.md").write_text("## z\n$$1$$\n", encoding="utf-8")
    found = discover(tmp_path / "c", exercises)
    assert [t.unit for t in found.tasks] == ["ann"]
    assert found.unattributed == ["eve/scalar-net.md: a symbolic link; not followed"]
