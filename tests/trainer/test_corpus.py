"""The corpus: offline, split by file, the same split on every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.tools.trainer.corpus import SEPARATOR, build_corpus, in_validation


def _tree(root: Path, count: int) -> None:
    for i in range(count):
        sub = root / f"pkg{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"m{i}.py").write_text(f"x_{i} = {i}\n" * 20, encoding="utf-8")


def test_split_is_by_file_and_deterministic(tmp_path: Path) -> None:
    _tree(tmp_path, 60)
    a = build_corpus([str(tmp_path)], val_fraction=0.25)
    b = build_corpus([str(tmp_path / "**" / "*.py")], val_fraction=0.25)
    assert a == b  # a directory and the equivalent glob give the same corpus
    assert a.files_train + a.files_val == 60 and 5 < a.files_val < 30
    val_files = {p.read_bytes() for p in tmp_path.rglob("*.py")
                 if in_validation(p.relative_to(tmp_path).as_posix(), 0.25)}
    assert set(a.val.split(SEPARATOR)) == val_files  # whole files, never a file cut in two
    assert not val_files & set(a.train.split(SEPARATOR))


def test_default_corpus_is_the_standard_library() -> None:
    c = build_corpus(max_bytes=200_000)
    assert b"def " in c.train and c.files_val > 50 and c.digest.startswith("sha256:")
    assert len(c.train) < 300_000  # capped; the validation split is not


def test_a_source_that_matches_nothing_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="matches no file"):
        build_corpus([str(tmp_path / "none" / "*.py")])
