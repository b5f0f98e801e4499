"""A third router, which no decision of a tuning run consults: TF-IDF over character n-grams.

The run decides with two routers (the embedding router and `bm25.BM25Router`, on train and
held-out), so neither of their held-out figures is independent any more. This one reads the same
texts (`skill_text`: the name in words, then the description) another way: each word, padded
with a space either side, is cut into every run of `SIZES` characters, so "sadle" and "saddle",
"tyres" and "tyre", "pipetting" and "pipette" share most of their n-grams where BM25's whole-word
stems share nothing. Weights are sublinear term frequency times smoothed inverse document
frequency over the skill set, vectors are unit length, and a query goes to the skill of highest
cosine, or to none under a cut fitted on train (`ThresholdRouting`). It only reports held-out
accuracy.
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

SIZES = (3, 4, 5)
_WORD = re.compile(r"[a-z0-9]+")


@functools.lru_cache(maxsize=65536)
def grams(text: str) -> Counter[str]:
    """The character n-grams of `text`'s words (stop words left out), with their counts."""
    out: Counter[str] = Counter()
    for word in _WORD.findall(text.lower()):
        if word in STOPWORDS:
            continue
        padded = f" {word} "
        for n in SIZES:
            out.update(padded[k : k + n] for k in range(max(1, len(padded) - n + 1)))
    return out


class NgramRouter(ThresholdRouting):
    """Cosine similarity of TF-IDF vectors over character n-grams."""

    name = "char-ngram"

    def __init__(self, threshold: float = 0.2):
        self.threshold = threshold

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix:
        docs = [grams(skill_text(s)) for s in skills]
        n = len(docs)
        df: Counter[str] = Counter(g for d in docs for g in d)
        index = {g: k for k, g in enumerate(df)}
        idf = {g: math.log((1 + n) / (1 + c)) + 1 for g, c in df.items()}

        def vector(counts: Counter[str]) -> np.ndarray:
            v = np.zeros(len(index), dtype=np.float64)
            for g, c in counts.items():
                if g in index:
                    v[index[g]] = (1 + math.log(c)) * idf[g]
            norm = float(np.linalg.norm(v))
            return v / norm if norm else v

        if not docs:
            return np.zeros((len(queries), 0), dtype=np.float32)
        doc_matrix = np.stack([vector(d) for d in docs])
        query_matrix = np.stack([vector(grams(q)) for q in queries]) if queries else None
        if query_matrix is None:
            return np.zeros((0, n), dtype=np.float32)
        out: Matrix = (query_matrix @ doc_matrix.T).astype(np.float32)
        return out

    def prepare(self, skills: Sequence[Skill]) -> None:
        """Nothing to cache: scoring is cheap."""


__all__ = ["NgramRouter", "grams"]
