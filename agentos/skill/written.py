"""A term added to a description is written as the skill writes it, whole and in its case.

Read by the quality gate on every added term (`quality.py`), against the skill's prose (its
description and body, code blocks and inline code left out: `# Pull text between timestamps` in
a script is no use of the word in the skill's own words) and its own train queries:

- **half of a phrase**: a term the prose and the queries write only ever right before the same
  word is half of a longer phrase, and alone names something else: `bacon` where they say
  "bacon strip", `launching fix` of the heading "Launching fix subagents", `stripping` of
  "Stripping down API requests". A term always after the same qualifier is the head and still
  names the thing (`laptop` of "new laptop"), and a word that ends a heading's topic
  (`workflow`, `example`, `overview`, ...) makes no phrase of it ("Pull quotes workflow" holds
  `pull quotes`).
- **its case**: a word the prose writes only with capitals where a sentence does not open (an
  acronym, `CORS`; a name, `Google`) is written so: `cors mistakes` and `google` read as typing
  slips. A Title Case heading is no evidence (every word there is capitalised).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agentos.skill.bm25 import stem
from agentos.skill.english import number_forms, verb
from agentos.skill.vocab import FILLER, STOPWORDS

# the words a heading or a label ends a topic with ("Pull quotes workflow", "(Google example)"):
# the phrase before them names the topic, so a term followed by one is no half of a phrase
_TAIL_WORDS = """workflow workflows implementation implementations guide guides overview overviews
    tips checklist checklists basics reference references template templates notes usage
    strategy strategies approach approaches setup options"""
_TAILS = frozenset(_TAIL_WORDS.split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'+-]*|[^\sA-Za-z]")
_INLINE_CODE = re.compile(r"`[^`]*`")
# what a capitalised word may follow at a sentence's, heading's, list item's or cell's start
_OPENERS = frozenset((".", "!", "?", "#", ":", "-", "*", "|", ">"))


def prose(text: str) -> list[str]:
    """The lines of `text` outside fenced code blocks, inline code removed."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip():
            out.append(_INLINE_CODE.sub(" ", line))
    return out


def written_problems(terms: Sequence[str], text: str, evidence: Sequence[str]) -> list[str]:
    """Why a term is not written as the skill writes it (none: it is)."""
    authored = [_TOKEN.findall(line) for line in prose(text)]
    asked = [_TOKEN.findall(query) for query in evidence]
    lowered = [[t.lower() for t in tokens] for tokens in [*authored, *asked]]
    out = []
    for term in terms:
        out += _half(term, lowered)
        out += _case(term, authored)  # people type names in lower case: queries say nothing
    return out


def _half(term: str, lines: list[list[str]]) -> list[str]:
    words = term.lower().split()
    while words and words[0] in STOPWORDS:  # "the fox" is written as "fox" by a query
        words = words[1:]
    if not words:
        return []
    head, forms = words[:-1], number_forms(words[-1])
    nexts: set[str] | None = None
    for tokens in lines:
        for i in range(len(tokens) - len(words) + 1):
            if tokens[i : i + len(head)] != head or tokens[i + len(head)] not in forms:
                continue
            after = tokens[i + len(words)] if i + len(words) < len(tokens) else ""
            noun = after[:1].isalpha() and not verb(after)
            noun = noun and after not in STOPWORDS and after not in FILLER and after not in _TAILS
            seen = {stem(after)} if noun else set()
            nexts = seen if nexts is None else nexts & seen
    if not nexts:
        return []
    phrase = f"{term} {min(nexts)}..."
    return [f"adds {term!r}, half of the phrase {phrase!r} the skill writes"]


def as_written(term: str, text: str) -> str:
    """`term` with each word in the case the skill's prose (`text`) writes it: a word it writes
    only with capitals where no sentence opens takes that form (`cors mistakes` is written
    `CORS mistakes`, `google` `Google`); every other word is left as it is. The offline tuner
    finds its terms in lower case; the gate refuses them so (`written_problems`)."""
    lines = [_TOKEN.findall(line) for line in prose(text)]
    return " ".join(_capitals(word, lines) or word for word in term.split())


def _case(term: str, lines: list[list[str]]) -> list[str]:
    out = []
    for word in term.split():
        form = _capitals(word, lines)
        if form is not None:
            out.append(f"adds {word!r}, which the skill writes {form!r}")
    return out


def _capitals(word: str, lines: list[list[str]]) -> str | None:
    """How `lines` write the lower-case `word` when they write it only with capitals where no
    sentence opens (the form with the most capitals), else None."""
    if not word.islower():
        return None
    written: set[str] = set()
    for tokens in lines:
        rest = [t for t in tokens[1:] if t[:1].isalpha() and t.lower() not in STOPWORDS]
        if len(rest) > 1 and all(t[:1].isupper() for t in rest):
            continue  # a Title Case heading capitalises every word
        for i, token in enumerate(tokens):
            if token.lower() != word:
                continue
            opens = i == 0 or tokens[i - 1] in _OPENERS
            if not opens or not token[:1].isupper():
                written.add(token)
    if not written or any(w.islower() for w in written):
        return None
    return max(sorted(written), key=lambda w: sum(c.isupper() for c in w))
