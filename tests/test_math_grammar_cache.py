"""The parser's tables are cached between runs only in a folder this user alone can write."""
from __future__ import annotations

import os
from pathlib import Path

from grader.math.parser import _grammar_cache


def test_the_cache_lives_in_the_users_own_folder(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    where = _grammar_cache()
    assert where == str(tmp_path / "grader" / "grammar-lalr.cache")
    assert (tmp_path / "grader").stat().st_mode & 0o777 == 0o700


def test_a_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "grader").mkdir()
    os.chmod(tmp_path / "grader", 0o777)  # anyone could plant a pickle there
    assert _grammar_cache() is False


def test_no_writable_home_means_no_cache(tmp_path: Path, monkeypatch) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert _grammar_cache() is False
