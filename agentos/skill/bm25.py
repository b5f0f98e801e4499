"""A second, independent router: Okapi BM25 over the same skill texts, no model.

A gain measured only with the router that tuning searched against may be a gain that fools that
router alone. This router shares nothing with the embedding router but the texts it reads
(`skill_text`: the name in words, then the description): words are lower-cased, stop words
dropped and a few English suffixes stripped, and each skill's text is one BM25 document. A query
goes to the skill of highest score, or to none under a cut fitted on the train split for the skill
set at hand (`best_threshold`, as for the embedding router). It is used to report held-out
accuracy, never to tune against.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from agentos.skill.router import Matrix, ThresholdRouting, skill_text
from agentos.skill.vocab import STOPWORDS
from agentos.skillfile import Skill

K1 = 1.2
B = 0.75
_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem, so that "recipes", "recipe", "baking" and "baked" meet: the plural, then an
    "-ing" or "-ed", then a final "e" come off (never below three letters)."""
    w = word
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("es") and w[:-2].endswith(("s", "x", "z", "ch", "sh")):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


@functools.lru_cache(maxsize=65536)
def _terms(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS)


def terms(text: str) -> list[str]:
    return list(_terms(text))


class BM25Router(ThresholdRouting):
    """Routes by BM25 score, scaled to [0, 1) by `s / (s + 1)` so the cut reads like a
    similarity."""

    name = "bm25"

    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix:
        docs = [_terms(skill_text(s)) for s in skills]
        n = len(docs)
        avg = sum(len(d) for d in docs) / max(1, n) or 1.0
        df: Counter[str] = Counter(t for d in docs for t in set(d))
        index = {t: k for k, t in enumerate(df)}
        weight = np.zeros((len(index), n), dtype=np.float64)  # a term's score in each skill
        for k, doc in enumerate(docs):
            for t, f in Counter(doc).items():
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                weight[index[t], k] = idf * f * (K1 + 1) / (f + K1 * (1 - B + B * len(doc) / avg))
        present = np.zeros((len(queries), len(index)), dtype=np.float64)
        for q, query in enumerate(queries):
            for t in set(_terms(query)):
                if t in index:
                    present[q, index[t]] = 1.0
        out = present @ weight
        scaled: Matrix = (out / (out + 1.0)).astype(np.float32)
        return scaled

    def prepare(self, skills: Sequence[Skill]) -> None:
        """Nothing to cache: scoring is cheap."""


__all__ = ["BM25Router", "stem", "terms"]
