"""The support of a topic: whether a term added to a description names a thing the skill is
about, counted in the skill's own text and its own train queries.

One use of a word, in any role, is no evidence that it names a topic: "meat and fish" once in a
list of supermarket aisles, "staples that are running low", "a doubled cake". A term counts where
it is named as a thing (`english.names_in`: its words adjacent, no verb or participle role), and
an everyday single word needs `SUPPORT` such places.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from agentos.skill.english import names_in, number_forms
from agentos.skill.phrasing import WORDING
from agentos.skill.vocab import LONG_FORMS, STOPWORDS, content_words

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
# the most frequent words of English, read off the model's vocabulary, which lists its whole
# words by frequency (`lexicon.frequent`): one of them alone is a word a skill writes in passing
EVERYDAY = 10_000


def distinct(queries: Sequence[str]) -> tuple[str, ...]:
    """`queries` (those that name one term) less each one that is an earlier one's misspelt or
    shortened copy ("Any avdice on building pages at scale", "can u help me w/ dir pages"): one
    person's wording, written twice, is one query of evidence, as a generated variant is."""
    kept: list[tuple[str, list[str]]] = []
    for query in queries:
        said = [w for w in content_words(query) if LONG_FORMS.get(w, w) not in STOPWORDS]
        if not any(_one_wording(said, other) for _, other in kept):
            kept.append((query, said))
    return tuple(query for query, _ in kept)


def _one_wording(a: list[str], b: list[str]) -> bool:
    """Whether two queries' content words are one wording, typos and shorthand forgiven: each
    word of one meets one of the other (equal, its shorthand, a prefix of three letters or
    more, "dir" of "directory", or a slip of the same first letter, "helth"), none left over."""
    rest = list(b)
    for word in a:
        match = next((w for w in rest if _same_word(word, w)), None)
        if match is None:
            return False
        rest.remove(match)
    return not rest and bool(a)


def _same_word(a: str, b: str) -> bool:
    if a == b or LONG_FORMS.get(a, a) == LONG_FORMS.get(b, b):
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and long.startswith(short):
        return True
    return (
        min(len(a), len(b)) >= 4 and a[0] == b[0] and SequenceMatcher(None, a, b).ratio() >= 0.75
    )


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
    revisions` where the skill writes revisions); a query and its misspelt or shortened copy
    are one query (`distinct`). Queries never vouch for the words the draft
    eval set wraps its requests in (`phrasing.WORDING`: `advice`, `help`, `question`): on a
    drafted set every skill's queries use them."""
    own_places = places(sentences, own_text)

    def support(phrase: str) -> tuple[int, int]:
        own = sum(w * names_in(phrase, place) for place, w in own_places)
        if WORDING.intersection(phrase.lower().split()):
            return own, 0  # a drafted request's wording ("advice", "help") names no topic
        return own, len(distinct([q for q in evidence if names_in(phrase, q)]))

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


def asked_problems(
    term: str, evidence: Sequence[str], frequent: Callable[[str], bool]
) -> list[str]:
    """Why the single word `term` is no word a user asks this skill with: it is one of the
    `EVERYDAY` most frequent words of English (`frequent`: `topic`, `round`, `differences`,
    `foot`) and none of the skill's own hand-written train queries (`evidence`) names it as a
    thing. The skill's text writing such a word often says how its author writes, not what
    its users ask for; a rarer word of the text (`shrub`, `rotor`) or one a query asks with
    (`medium` of "my culture medium went cloudy") passes. A phrase is judged by the support
    rule alone."""
    if len(term.split()) != 1 or not frequent(term):
        return []
    if any(names_in(term, query) for query in evidence):
        return []
    return [
        f"adds {term!r} alone, an everyday word that none of the skill's train queries asks "
        "with: the skill's text writes it, no request shows a user means the skill by it; add "
        "it with its qualifier"
    ]


# a bold run (`**Submodule guard:**`, `**Identify Differences**`)
_BOLD = re.compile(r"\*\*[^*]+\*\*|__[^_]+__")
_TAG = re.compile(r"</?[A-Za-z][\w-]*>")  # a markup tag: `<EXTREMELY-IMPORTANT>`
_WORDS = re.compile(r"[a-z][a-z0-9'+-]*")
_CAPITALISED = re.compile(r"[A-Za-z][A-Za-z0-9'+-]*")


def _uses(term: str, text: str) -> int:
    """How often `text` writes the words of `term` adjacent, the last in either number."""
    wanted = [number_forms(w) for w in _WORDS.findall(term.lower())]
    tokens = _WORDS.findall(text.lower())
    n = len(wanted)
    if not n:
        return 0
    return sum(
        all(tokens[i + k] in wanted[k] for k in range(n)) for i in range(len(tokens) - n + 1)
    )


def _title(text: str) -> bool:
    """Whether `text` is written as a title: two content words or more, each capitalised
    (`Execution Handoff`, `The Gate Function`); `Broken spoke` is written as a phrase."""
    content = [w for w in _CAPITALISED.findall(text) if w.lower() not in STOPWORDS]
    return len(content) >= 2 and all(w[:1].isupper() for w in content)


def _labels(place: str) -> tuple[str, str]:
    """(the labels of the line `place`, the rest of it): a table row, a heading written as a
    title, a bold run written as a title or ending in a colon, and a markup tag are labels."""
    stripped = place.lstrip()
    if stripped.startswith("|") or (stripped.startswith("#") and _title(stripped)):
        return place, ""
    bold = [b for b in _BOLD.findall(place) if _title(b) or b.strip("*_ ").endswith(":")]
    bold += _TAG.findall(place)
    rest = place
    for b in bold:
        rest = rest.replace(b, " . ")
    return " . ".join(bold), rest


def label_problems(term: str, sentences: Sequence[str], own_text: str) -> list[str]:
    """Why `term` is only a label of the skill's layout (none: the skill writes it as a
    topic): every use of it in the skill's own text is in a table cell, a heading written as a
    title or a bold label (`## Execution Handoff`, `**Submodule guard:**`, a `| Linter clean |`
    cell), or a markup tag (`<EXTREMELY-IMPORTANT>`). A label names a part of the document,
    which a request does not ask for by name; a heading written as a phrase (`## Broken
    spoke`, `# Prune a shrub or tree`) or a line of running text names a thing the skill is
    about."""
    labelled = running = 0
    for place, _ in places(sentences, own_text):
        label, rest = _labels(place)
        labelled += _uses(term, label)
        running += _uses(term, rest)
    if labelled and not running:
        return [
            f"adds {term!r}, which the skill writes only as a label (a table cell, a title or "
            "a bold label), never as a topic: it names a part of the document, not a request"
        ]
    return []


def role_problems(
    term: str, sentences: Sequence[str], own_text: str, evidence: Sequence[str]
) -> list[str]:
    """Why the single-word `term` reads as no thing of the skill (none: it may): the skill's
    text (a heading counting twice) and its own train queries write it more often in another
    role than as a thing (`english.names_in`): `invoke` of "MUST invoke the skill", "Invoke
    it" and "how to find + invoke?", named as a thing in 2 of 5 uses, is an order the skill
    gives, not a topic a request names. `costs` of the heading `## Costs` and "what does it
    cost?" is named in 2 of 4 and passes."""
    if len(term.split()) != 1:
        return []
    forms = number_forms(term.lower())
    named = used = 0
    for place, weight in [*places(sentences, own_text), *((q, 1) for q in evidence)]:
        named += weight * names_in(term, place)
        used += weight * sum(w in forms for w in _WORDS.findall(place.lower()))
    if used >= SUPPORT and 2 * named < used:
        return [
            f"adds {term!r}, which the skill writes as a thing in only {named} of its {used} "
            "uses: it reads as a verb or a describing word there, not a topic"
        ]
    return []
