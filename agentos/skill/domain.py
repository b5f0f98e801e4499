"""The words a folder's skills share that name a thing (`shared_nouns`): its domain (`dog`,
`cat`, `vet`), which the draft's near-misses ask about ("Draw a cartoon of my dog.") so they
share the skills' words and still expect no skill.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agentos.skill.bm25 import stem
from agentos.skill.english import adjective, function_word, verb
from agentos.skill.phrasing import ACTIONS, base_verb
from agentos.skill.vocab import FILLER, words

# the words a description says of itself ("when the user asks"): no thing of the domain
_META = frozenset(("user", "users", "claude", "skill", "skills", "agent", "assistant"))
# a gerund, a past form, an adverb ("actually", "currently"): no thing of its own
_NO_THING = ("ing", "ed", "ally", "ently", "antly", "ously", "ively")


def shared_nouns(texts: Sequence[str]) -> list[str]:
    """The words two `texts` or more use (stems compared) that may name a thing (no function
    word, verb or adjective, three letters or more, no word of a name such as "Google
    Scholar"): a folder's domain (`dog`, `cat`, `vet`)."""
    seen: dict[str, str] = {}
    count: dict[str, int] = {}
    heads = _heads(texts)
    # a word opening a sentence before a lowercase one is the skill's verb ("Handles search"),
    # and so is one after "to" or a subject ("to implement", "the user explicitly invokes")
    opening = r"(?:^|[.!?]\s+)([A-Z][a-z]+s)\s+[a-z]"
    said = {m.lower() for t in texts for m in re.findall(opening, t)}
    acted = r"\b(?:to|user|users|you|they|it|explicitly|also)\s+([a-z]+)\b"
    said |= {m for t in texts for m in re.findall(acted, t) if not function_word(m)}
    names = _name_words(texts)
    for text in texts:
        for w in dict.fromkeys(words(text.replace("-", " "))):
            if w not in heads or stem(w) in names or _DESCRIBES.search(w) or w in said:
                continue  # "current" of "current weekly mileage": it qualifies a thing
            if not w.isalpha() or len(w) < 3 or w.endswith(_NO_THING) or w in FILLER | _META:
                continue  # a gerund or a filler word names no thing of its own
            if function_word(w) or verb(w) or adjective(w) or w in ACTIONS or w.endswith("ever"):
                continue  # "read", "whenever": no thing ("Translate "my read" into French.")
            key = stem(w)
            seen.setdefault(key, w)
            count[key] = count.get(key, 0) + 1
    return [seen[k] for k in seen if count[k] >= 2]


# an adjective's ending: a word that ends a list of modifiers ("comprehensive, systematic
# reviews", "scientific, and technical domains") is followed by punctuation, yet names nothing
_DESCRIBES = re.compile(r"[a-z]{3,}(?:ive|ific|ical|ous|able|ible)$")


def _name_words(texts: Sequence[str]) -> set[str]:
    """The stems of the words `texts` write only capitalised inside a sentence ("Scholar" of
    "Google Scholar", "Semantic Scholar"): part of a name, no thing of their own."""
    upper: set[str] = set()
    lower: set[str] = set()
    for text in texts:
        for match in re.finditer(r"(?<![.!?:\n]\s)(?<!^)\b([A-Za-z][a-z]+)\b", text):
            (upper if match.group(1)[0].isupper() else lower).add(stem(match.group(1).lower()))
    return upper - lower


def _heads(texts: Sequence[str]) -> set[str]:
    """The words of `texts` that end a noun phrase somewhere: followed by punctuation, a
    function word, a verb or the end of the text ("shoes." "zones from", "a runner wants"),
    not only by a word or a number they qualify ("current" of "current weekly mileage", "final"
    of "the final 7-10 days")."""
    out: set[str] = set()
    for text in texts:
        tokens = re.findall(r"[a-z][a-z']*|\d+|[^\sa-z\d]", text.lower().replace("-", " "))
        for word, after in zip(tokens, [*tokens[1:], "."], strict=True):
            if after[0].isdigit():
                continue  # "the final 100": a number it qualifies
            if not after[0].isalpha() or function_word(after) or base_verb(after) != after:
                out.add(word)  # "zones." "zones from", "a swimmer wants": a noun's end
    return out


__all__ = ["shared_nouns"]
