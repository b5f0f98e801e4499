"""The prose of a skill's body, which the draft eval set reads (`agentos.skill.sources`): the
body less its code (fenced blocks and inline spans, whose strings, "This is a PDF created with
reportlab", are no one's request) and less the sections that say what the skill is not for;
and the quotes a sentence gives as someone's words ("the user says ...", "e.g."), never a
thought or a story's line the body quotes.
"""

from __future__ import annotations

import re

QUOTED = re.compile(r"[\"“]([^\"”\n]{8,80})[\"”]")
_FENCED = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`[^`\n]*`")
# a body quote is an example request only when its sentence says someone asks it: "the user
# says "turn this into a skill"", "(e.g., "animate this")"; a quoted thought ("consider: "What
# qualities can be adjusted?"") or a story's line is not
_ASKED = re.compile(
    r"\b(?:users?|people|someone|they|customers?|clients?|you)\b[^.\n]{0,30}?\b(?:says?|said|"
    r"asks?|asked|types?|typed|writes?|wrote|requests?|requested|wants?|mentions?)\b|"
    r"\b(?:e\.g\.|for example|for instance)|"
    r"\b(?:requests?|prompts?|queries|questions|messages)\s+(?:like|such as)\b",
    re.IGNORECASE,
)
# a body section that says what the skill is not for ("## Not this skill", "## When not to use")
# or what to avoid ("## Common Mistakes to Avoid", "## Pitfalls"): its lines are no requests
_REFUSED = re.compile(
    r"^(#{1,6})\s+(?:not (?:this skill|for\b)|when not to use|(?:do not|don't) use|"
    r"out of scope|(?:common\s+)?(?:mistakes|pitfalls|anti-?patterns)\b|what to avoid)"
    r"[^\n]*\n.*?(?=^(?!\1#)#{1,6}\s|\Z)",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)


def prose(body: str) -> str:
    """`body` without its code: fenced blocks and inline spans."""
    return _SPAN.sub(" ", _FENCED.sub("\n", body))


def body_prose(body: str) -> str:
    """`body`'s prose: no code, and no section saying what the skill is not for."""
    return _REFUSED.sub("", prose(body))


def asked_quotes(body: str) -> list[str]:
    """The quotes of `body` that their sentence gives as someone's words (`_ASKED` before them
    in the sentence)."""
    out = []
    masked = re.sub(r"\b(?:e\.g|i\.e|etc)\.", lambda m: m.group(0).replace(".", "_"), body)
    for match in QUOTED.finditer(body):
        line = masked.rfind("\n", 0, match.start()) + 1
        before = masked[line : match.start()]
        sentence = before[max((m.end() for m in re.finditer(r"[.!?]\s", before)), default=0) :]
        if before.count("[") > before.count("]"):
            continue  # an example inside a template's brackets: "[e.g. "lead with it"]"
        if _ASKED.search(sentence.replace("_", ".")):
            out.append(match.group(1))
    return out


__all__ = ["QUOTED", "asked_quotes", "body_prose"]
