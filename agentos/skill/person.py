"""Who says a request: a phrase a skill's text tells of its user ("someone says they never
know where their pay goes", "a runner wants to get stronger", "your dog") as the user says it
("I never know where my pay goes", "I want to get stronger", "my dog"), for the draft eval set
(`agentos.skill.phrasing`).
"""

from __future__ import annotations

import re

_MINE = {"you": "I", "your": "my", "yours": "mine", "yourself": "myself", "you're": "I'm"}


def first_person(text: str) -> str:
    """`text` as its user says it: you -> I, your -> my, you are -> I am."""
    said = " ".join(_MINE.get(w.lower(), w) for w in text.split())
    return re.sub(r"\bI (are|were)\b", lambda m: "I am" if m.group(1) == "are" else "I was", said)


_SOMEONE = re.compile(
    r"^(?:someone|somebody|the user|a user)\s+(?:(?:says?|said|mentions?)\s+(?:that\s+)?they\s+"
    r"|(is|has|was)\s+)",
    re.I,
)
_THEIRS = {"their": "my", "them": "me", "themselves": "myself", "they": "I", "they're": "I'm"}


_ASKER = re.compile(
    r"^(?:(?:someone|somebody|they|the user|a user|(?:a|an|the)\s+[a-z]+)\s+)?"
    r"(asks?|wants?|needs?|mentions?)\s+(?:(?:about|for)\s+)?",
    re.I,
)


def in_person(text: str) -> str:
    """A situation told of someone ("someone says they never know where their pay goes",
    "someone is about to sign a lease", "a runner wants to get stronger", "a runner asks about
    gels") as its user tells it ("I never know where my pay goes", "I am about to sign a lease",
    "I want to get stronger", "gels")."""
    asker = _ASKER.match(text)
    if asker is not None and asker.end() < len(text):
        rest = " ".join(_THEIRS.get(w.lower(), w) for w in text[asker.end() :].split())
        said = asker.group(1).lower().rstrip("s")
        return rest if said in ("ask", "mention") else f"I {said} {rest}"
    match = _SOMEONE.match(text)
    if match is None:
        return text
    verb_ = {"is": "am", "has": "have", "was": "was"}.get((match.group(1) or "").lower(), "")
    rest = " ".join(_THEIRS.get(w.lower(), w) for w in text[match.end() :].split())
    return " ".join(p for p in ("I", verb_, rest) if p)


__all__ = ["first_person", "in_person"]
