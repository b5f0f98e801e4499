"""Example requests in a skill description: the facet operators of the offline proposer.

Skill descriptions written by people often end with a few requests that should trigger the skill
(`Example requests: "rotate db pw"; "replace the leaked token".`). The router scores a skill by
its best-matching sentence or clause, so each quoted request is a facet of its own: a train query
whose wording the description lacks can be met by adding a request like it, without diluting the
rest of the description.

These helpers read and write that sentence. The requests come from a skill's train queries,
cleaned the way a person would quote them: fillers dropped, a generated variant (typo, shorthand)
replaced by the query it was made from, a hand-written misspelled query never quoted. At most
`MAX_EXAMPLES` requests, each at most `MAX_WORDS` words, so the description stays a description.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from agentos.skill.evals import EvalItem, misspelled
from agentos.skill.model import MAX_DESCRIPTION

LEAD = "Example requests: "
TAIL = "Use for: "  # the word list `operators.add_words` keeps last
MAX_EXAMPLES = 8
MAX_WORDS = 10
_FILLER = re.compile(
    r"^(?:(?:hey|hi|ok|so|please|pls|can you|could you|would you|help me)\b[\s,]*)+", re.I
)
_TRAIL = re.compile(r"[\s,]*(?:\b(?:please|pls|thanks|thx)\b)?[\s?.!]*$", re.I)
_QUOTED = re.compile(r'"([^"]+)"')


def request_phrase(item: EvalItem) -> str | None:
    """How a person would quote `item` as an example request, or None when it should not be.

    A generated typo variant stands for the query it was made from; a hand-written misspelled
    query is never quoted (a description should not teach misspellings)."""
    if item.expect is None:
        return None
    text = item.query
    if item.generated and item.source:
        text = item.source
    elif misspelled(item.slice):
        return None
    text = _TRAIL.sub("", _FILLER.sub("", text.strip())).replace('"', "'").strip()
    if not text or len(text.split()) > MAX_WORDS:
        return None
    return text


def requests_of(train: Iterable[EvalItem], name: str) -> list[str]:
    """The example requests `train` offers for the skill `name`, each once, in order."""
    return list(dict.fromkeys(p for i in train if i.expect == name and (p := request_phrase(i))))


def spelled(items: Iterable[EvalItem]) -> list[EvalItem]:
    """`items` as words worth writing into a description: a generated typo variant becomes the
    query it was made from, a hand-written misspelled query is left out."""
    out = []
    for item in items:
        if not misspelled(item.slice):
            out.append(item)
        elif item.generated and item.source:
            out.append(replace(item, query=item.source, slice="clean", generated=False))
    return list({i.query: i for i in out}.values())


def split_examples(description: str) -> tuple[str, list[str], str]:
    """(text before the example sentence, its quoted requests, text after it)."""
    head, sep, rest = description.partition(LEAD)
    if not sep:
        head, sep, rest = description.partition(TAIL)
        return head.strip(), [], (sep + rest).strip()
    quoted = re.match(r'(?:\s*"[^"]*"\s*;?)*\s*\.?', rest)
    end = quoted.end() if quoted else 0
    return head.strip(), _QUOTED.findall(rest[:end]), rest[end:].strip()


def with_examples(description: str, examples: Sequence[str]) -> str | None:
    """`description` with its example sentence replaced by `examples` (none: removed); None when
    the result would exceed the length limit or the example count."""
    head, _, tail = split_examples(description)
    examples = list(dict.fromkeys(examples))
    if len(examples) > MAX_EXAMPLES:
        return None
    parts = [head]
    if examples:
        parts.append(LEAD + "; ".join(f'"{e}"' for e in examples) + ".")
    if tail:
        parts.append(tail)
    text = " ".join(p for p in parts if p)
    return text if len(text) <= MAX_DESCRIPTION else None


def example_edits(description: str, missed: Sequence[EvalItem]) -> list[tuple[str, str]]:
    """Candidate rewrites as (step name, description): add one request phrased like a missed
    train query, or remove one quoted request (one that may attract other skills' queries)."""
    head, have, _ = split_examples(description)
    out: list[tuple[str, str]] = []
    present = {h.lower() for h in have}
    for item in missed:
        phrase = request_phrase(item)
        if phrase is None or phrase.lower() in present or phrase.lower() in head.lower():
            continue
        present.add(phrase.lower())
        added = with_examples(description, [*have, phrase])
        if added is not None:
            out.append(("add example request", added))
    for drop in have:
        removed = with_examples(description, [h for h in have if h != drop])
        if removed is not None:
            out.append(("remove example request", removed))
    return out
