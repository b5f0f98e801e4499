"""What the embedding model's vocabulary says of a word: whether it is English at all
(`vocabulary`, `common`), one of the most frequent words (`frequent`: the vocabulary lists whole
words from the most frequent down), and whether a word added to a description is a real word
(`real_word`). Read by the `description-quality` gate (`quality.py`) and the offline operators;
without the model installed no word is known, and only a skill's own words count as real.
"""

from __future__ import annotations

import functools
import re

from agentos.skill.english import number_forms
from agentos.skill.support import EVERYDAY
from agentos.skill.vocab import SHORTHAND, STOPWORDS

# short forms the model's vocabulary has but a description should only use if its author did
_ABBREVIATIONS = frozenset(
    re.findall(
        r"\S+",
        "inc ltd corp etc br pr prs req rev cmt msg tmp env dir fn misc ref pls col cols "
        "num amt approx asap fyi tbh idk imo lgtm wip nit",
    )
) | frozenset(SHORTHAND.values())
_LONG = frozenset(w for k in SHORTHAND for w in k.split())  # long forms: kubernetes, database
_SUFFIXES = ("ies", "es", "s", "ed", "ing", "ly", "er")


@functools.lru_cache(maxsize=1)
def _listed() -> tuple[str, ...]:
    """The entries of the embedding model's vocabulary, in its order (none without the model)."""
    try:
        from agentos.skill.router import model_dir

        return tuple((model_dir() / "vocab.txt").read_text("utf-8").split())
    except Exception:  # no model: no word is known
        return ()


@functools.lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """The embedding model's whole-word vocabulary (empty when the model is not installed)."""
    return frozenset(w for w in _listed() if w.isalpha())


@functools.lru_cache(maxsize=1)
def _by_frequency() -> dict[str, int]:
    """Each whole word of the model's vocabulary (two letters or more) and its place in it: the
    vocabulary lists them from the most frequent down (`the`, `of`, `and`, ...)."""
    ranked = [w for w in _listed() if w.isascii() and w.isalpha() and len(w) > 1]
    return {w: k for k, w in reversed(list(enumerate(ranked)))}


def frequent(word: str) -> bool:
    """Whether `word` (singular or plural) is one of the `support.EVERYDAY` most frequent
    words of English, by its place in the model's vocabulary."""
    ranks = _by_frequency()
    return any(ranks.get(f, EVERYDAY) < EVERYDAY for f in number_forms(word.lower()))


def common(word: str) -> bool:
    """Whether `word` is everyday English: in the model's vocabulary, singular or plural."""
    return any(f in vocabulary() for f in number_forms(word.lower()))


def real_word(word: str, own: set[str]) -> bool:
    """Whether `word` is a real word: in `own` (the skill's words, lowercase), or in the model's
    vocabulary and no bare abbreviation, or a plural, inflection or compound of such words."""
    low = word.lower().strip("'")
    if low in own:
        return True
    if low in _ABBREVIATIONS:
        return False
    vocab = vocabulary()
    if low in STOPWORDS or (len(low) >= 3 and low in vocab):
        return True
    if "-" in low:
        return all(real_word(part, own) for part in low.split("-") if part)
    stems = [low[: -len(x)] for x in _SUFFIXES if low.endswith(x) and len(low) - len(x) >= 3]
    if low.endswith("ably") and low[:-2] + "le" in vocab:
        return True
    if low in _LONG or any(s in vocab or s + "e" in vocab or s + "y" in vocab for s in stems):
        return True
    return any(  # a compound: rollback, codebase, hotfixes
        w[:i] in vocab and w[i:] in vocab for w in (low, *stems) for i in range(3, len(w) - 2)
    )
