"""A file's settings are kept for the texts read most recently, and the caches change nothing
but the time: a self-tune measurement's figures are the same with them and without."""

from __future__ import annotations

from helpers import ROOT

from agentos.profile import load_profile
from agentos.selftune.inner import runs
from agentos.selftune.suite import load_suite
from agentos.settings import find_settings
from agentos.settings.hints import read_hint
from agentos.settings.memo import LARGEST, uncached

SETTINGS = 'LR = 0.01  # range: 1e-5..1e-1 log\nDEPTH = 4  # range: 1..12\nACT = "relu"\n'


def test_a_text_read_again_is_not_parsed_again() -> None:
    first = find_settings("settings.py", SETTINGS)
    again = find_settings("settings.py", SETTINGS)
    assert [s.name for s in first] == ["LR", "DEPTH", "ACT"]
    assert again == first and all(a is b for a, b in zip(again, first, strict=True))  # kept
    first.clear()  # each caller gets its own list
    assert find_settings("settings.py", SETTINGS) == again
    with uncached():
        fresh = find_settings("settings.py", SETTINGS)
    assert fresh == again and not any(a is b for a, b in zip(fresh, again, strict=True))


def test_a_text_longer_than_the_limit_is_never_kept() -> None:
    big = SETTINGS + "#" * LARGEST + "\n"
    first, again = find_settings("settings.py", big), find_settings("settings.py", big)
    assert first == again and [s.name for s in first] == ["LR", "DEPTH", "ACT"]
    assert not any(a is b for a, b in zip(first, again, strict=True))


def test_a_hint_is_kept_for_its_comment_and_the_value_with_its_type() -> None:
    comment = "powers of two, 1..64"
    assert read_hint(comment, 8) is read_hint(comment, 8)
    assert read_hint(comment, 8).choices == ("1", "2", "4", "8", "16", "32", "64")
    assert read_hint(comment, 8.0).read == "range 1..64"  # a float is not an int's power of two
    assert read_hint(comment, True).read == "range 1..64"  # nor a bool
    assert read_hint("range: 1..5", [1]).read == "range 1..5"  # no key: computed, not kept


def test_a_measurement_gives_the_same_inner_runs_with_the_caches_and_without() -> None:
    """Every inner run's gain, keeps, false keeps, proposals and re-measures, on plain and
    hinted settings files, noisy and not, TOML and Python."""
    suite = load_suite(ROOT / "benchmarks" / "selftune" / "suite.toml")
    names = ["smooth", "mixed~0.08", "needle@plain", "rastrigin~3.5", "valley@plain"]
    pairs = [(name, seed) for name in names for seed in suite.seeds_of("train", draw=3)[:2]]
    with uncached():
        before = runs(suite, load_profile(), pairs, jobs=1)
    cached = runs(suite, load_profile(), pairs, jobs=1)
    assert cached == before
    assert len({r.gain for r in before}) > 1 and sum(r.keeps for r in before) > 0
    assert sum(r.remeasured for r in before) > 0  # the noise rule ran
