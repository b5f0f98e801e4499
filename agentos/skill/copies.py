"""Whether a rewritten description copies an eval query in: a run of three content words of a
query, or a whole query of two or more words, that the original description does not already
have. Read by the `description-quality` gate (`quality.py`) on every query, held-out ones too;
what it quotes back is the candidate's text, never the query.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from agentos.skill.vocab import content_words, words


@functools.lru_cache(maxsize=64)
def _query_index(queries: tuple[str, ...]) -> tuple[dict[tuple[str, ...], str], dict[str, str]]:
    """Each run of three content words of `queries`, and each whole query of two or more words,
    to the query it comes from."""
    runs: dict[tuple[str, ...], str] = {}
    whole: dict[str, str] = {}
    for query in queries:
        mine = content_words(query)
        for i in range(len(mine) - 2):
            runs.setdefault(tuple(mine[i : i + 3]), query)
        spoken = " ".join(words(query))
        if len(spoken.split()) >= 2:
            whole.setdefault(spoken, query)
    return runs, whole


def copies(added: str, queries: Iterable[str], original: str = "") -> list[str]:
    """The runs of `added` that copy an eval query, quoted as the candidate writes them (never
    the query: it may be held out). A run the original description already has is the
    author's, not a copy (a draft eval set can quote a description back)."""
    runs, whole = _query_index(tuple(queries))
    mine = content_words(original)
    theirs = {tuple(mine[i : i + 3]) for i in range(len(mine) - 2)}
    said = " ".join(words(original))
    have = content_words(added)
    out = [
        " ".join(r)
        for i in range(len(have) - 2)
        if (r := tuple(have[i : i + 3])) in runs and r not in theirs
    ]
    spoken = words(added)
    for i in range(len(spoken)):
        for j in range(i + 2, min(len(spoken), i + 40) + 1):
            if (text := " ".join(spoken[i:j])) in whole and f" {text} " not in f" {said} ":
                out.append(text)
    return [f"copies an eval query: {run!r}" for run in dict.fromkeys(out)]
