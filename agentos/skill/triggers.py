"""The trigger phrases of a description a rewrite must keep (`trigger_phrases`: quoted terms,
file extensions, capitalised names, the "use when" and "do not use" sentences) and the words of
the lists its author wrote (`listed_words`), for the `description-quality` gate
(`agentos.skill.quality`); and the sentence the offline tuner adds (`LEAD`, `QUOTED_TERMS`) or a
claim of what a skill also covers (`TERMS`), which is no author's.
"""

from __future__ import annotations

import re

from agentos.skill.english import function_word
from agentos.skill.vocab import words

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'`(])")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|'([^'\s][^']*[^'\s])'")
_EXTENSION = re.compile(r"(?<![\w/])\.[a-z0-9]{2,5}\b")
_RULE = re.compile(
    r"\b(?:use (?:it |this )?(?:when|for|if)|do not|don't|never|not for|only for)\b", re.I
)
# a sentence that lists what a skill also covers: "It is also for memos and cover letters."
TERMS = re.compile(
    r"^(?:(?:it|this skill)\s+(?:is\s+also\s+for|(?:also\s+)?(?:covers|handles|includes|supports|"
    r"helps with|works with|applies to))|(?P<mention>(?:also\s+)?use\s+(?:it|this skill)\s+"
    r"(?:also\s+)?when\s+(?:a\s+request|the\s+user|a\s+user|someone)\s+mentions))\s+"
    r"(?P<terms>[^.!?]+)[.!?]$",
    re.I,
)
# the one sentence the offline tuner writes (`examples.with_examples`): its lead, then its
# quoted terms (`"a", "b" or "c".`); the tuner's own, so it holds no trigger phrase of the author
LEAD = "Also use it when a request mentions "
QUOTED_TERMS = r'(?:"[^"]+"(?:, | or )?)+\.'
TUNER = re.compile(f"^{re.escape(LEAD)}{QUOTED_TERMS}$")

def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def trigger_phrases(description: str) -> list[str]:
    """The phrases of `description` a rewrite must keep verbatim."""
    found: list[str] = []
    authored = " ".join(s for s in sentences(description) if not TUNER.match(s))
    for match in _QUOTED.finditer(authored):
        found.append(next(g for g in match.groups() if g))
    found += _EXTENSION.findall(authored)
    for sentence in sentences(authored):
        if _RULE.search(sentence):
            found.append(sentence)
        tokens = sentence.split()
        for i, token in enumerate(tokens[1:], 1):
            core = token.strip(".,;:()\"'")
            previous = tokens[i - 1]
            if core[:1].isupper() and not previous.endswith((".", ":")) and len(core) > 1:
                found.append(core)
    return list(dict.fromkeys(found))


_ITEM_CUT = re.compile(r"\s*(?:[,;:()]|(?<=[A-Za-z])/(?=[A-Za-z])|\band\b|\bor\b)\s*")


def listed_words(description: str) -> set[str]:
    """The content words of the lists the author wrote, lowercase: every part of a sentence
    with two commas or more outside brackets, of a bracket holding a comma, and of an `a/b/c`
    run. Each item is a trigger, and a rewrite may not drop one. The added-terms sentence is no
    author's list."""
    items: list[str] = []
    for sentence in sentences(description):
        if TERMS.match(sentence):
            continue
        brackets = re.findall(r"\(([^)]*)\)", sentence)
        items += [b for b in brackets if "," in b]
        outside = re.sub(r"\([^)]*\)", " ", sentence)
        if outside.count(",") >= 2:
            items.append(outside)
        items += re.findall(r"[\w-]+(?:/[\w-]+)+", sentence)
    return {
        w
        for item in items
        for part in _ITEM_CUT.split(item)
        for w in item_words(part)
        if len(w) >= 3 and not function_word(w)
    }


def item_words(text: str) -> list[str]:
    """The words of `text` as `listed_words` counts them (`a/b` is two words)."""
    return words(re.sub(r"(?<=[A-Za-z])/(?=[A-Za-z])", " ", text))
