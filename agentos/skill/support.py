"""The support of a topic: whether a term added to a description names a thing the skill is
about, counted in the skill's own text and its own train queries.

One use of a word, in any role, is no evidence that it names a topic: "meat and fish" once in a
list of supermarket aisles, "staples that are running low", "a doubled cake". A term counts where
it is named as a thing (`english.names_in`: its words adjacent, no verb or participle role), and
an everyday single word needs `SUPPORT` such places.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agentos.skill.english import names_in, number_forms
from agentos.skill.phrasing import WORDING

SUPPORT = 2  # places that must name an added everyday single word as a thing
# among the most frequent nouns of everyday English: alone, each names no one thing a skill is
# about ("It is also for water."); with its qualifier it may ("standing water", "counter space")
_GENERIC = """water home house room money world life hand hands head face body people person
    family man woman child children friend door car food end area group level form line name
    idea story game book word words night air ground light power paper table color colour size
    space top bottom front back inside outside stop start rest care matter reason result
    service market counter floor wall window"""
GENERIC = frozenset(_GENERIC.split())
SHARED = 2  # siblings naming a single word that make it a word the skills share


def places(sentences: Sequence[str], own_text: str) -> list[tuple[str, int]]:
    """The skill's own places a term may be named in, with their weight: each sentence of the
    description and each line of the body (code blocks left out), a heading counting twice (it
    names a topic of the skill)."""
    out = [(s, 1) for s in sentences]
    fenced = False
    for line in own_text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip():
            out.append((line, 2 if line.lstrip().startswith("#") else 1))
    return out


def support_problems(
    term: str,
    sentences: Sequence[str],
    own_text: str,
    evidence: Sequence[str],
    common: Callable[[str], bool],
) -> list[str]:
    """Why `term` lacks the support of a topic (none: it has it). It is named as a thing
    (`english.names_in`) too few times in the skill's own text (the description's `sentences`
    and `own_text`, a heading counting twice) and its hand-written train queries, the
    `evidence` (once each). A single word that is `common` (everyday English: `double`,
    `budget`, `running`) says little on its own and needs `SUPPORT` places; a rarer word
    (`CrashLoopBackOff`) one place of the skill's text. A phrase needs one place of the skill's
    text, `SUPPORT` queries, or a last word with the support of a single word (`tracked
    revisions` where the skill writes revisions). Queries never vouch for the words the draft
    eval set wraps its requests in (`phrasing.WORDING`: `advice`, `help`, `question`): on a
    drafted set every skill's queries use them."""
    own_places = places(sentences, own_text)

    def support(phrase: str) -> tuple[int, int]:
        own = sum(w * names_in(phrase, place) for place, w in own_places)
        if WORDING.intersection(phrase.lower().split()):
            return own, 0  # a drafted request's wording ("advice", "help") names no topic
        return own, sum(min(1, names_in(phrase, q)) for q in evidence)

    def single(word: str) -> bool:
        own, asked = support(word)
        return own + asked >= SUPPORT or (not common(word) and own >= 1)

    parts = term.split()
    if len(parts) > 1:
        own, asked = support(term)
        if own or asked >= SUPPORT or single(parts[-1]):
            return []
        return [
            f"adds {term!r}, a phrase the skill's text never names, nor {SUPPORT} of its train "
            "queries, and whose last word has no support of its own"
        ]
    if single(term):
        return []
    return [
        f"adds {term!r}, a single word named as a thing in fewer than {SUPPORT} places "
        "of the skill's text and its train queries"
    ]


def generic_problems(
    term: str, sentences: Sequence[str], own_text: str, sibling_texts: Sequence[str]
) -> list[str]:
    """Why the single-word `term` names no specific thing of this skill (none: it may): it is
    one of the most frequent everyday nouns (`GENERIC`: `water`, `home`, `stop`), or `SHARED`
    sibling skills or more name it as a thing (`english.names_in`) in their own text, one of
    them as often as this skill's text does (`counter` in a kitchen folder): it is what the
    skills share, and it would take the siblings' queries. A phrase that qualifies it
    (`standing water`, `counter space`) is judged by the support rule alone."""
    if len(term.split()) != 1:
        return []
    if number_forms(term.lower()) & GENERIC:
        return [
            f"adds {term!r} alone, an everyday noun that names no one thing of this skill; "
            "add it with its qualifier"
        ]
    own = sum(w * names_in(term, place) for place, w in places(sentences, own_text))
    counts = [
        sum(w * names_in(term, place) for place, w in places([], text)) for text in sibling_texts
    ]
    naming = [c for c in counts if c > 0]
    if len(naming) >= SHARED and max(naming) >= own:
        return [
            f"adds {term!r} alone, a word {len(naming)} sibling skills name as often as this "
            "one: it names what they share; add it with its qualifier"
        ]
    return []
