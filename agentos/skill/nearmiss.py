"""The near-misses a skill's "do not use" clauses name, for the draft eval set.

Each thing a clause lists ("Do NOT use for PDFs, spreadsheets, or general coding tasks") is a
request that expects the sibling skill the clause sends it to ("(use bread-baking)", "(that's a
vet visit)" beside `vet-visit-prep`), else the sibling whose text plainly covers it, else no
skill (`expect: null`); a request some sibling may or may not cover is left out rather than
guessed. A parenthesis never enters the query, and a "(use X)" sends only the requests of its
own part of the clause to X; a "(use X for Y)" sends Y alone to X. A sentence that sends a
request to a sibling by its name ("For formal peer review writing use peer-review.", "Use
citation-checks for verifying reference lists.") gives that request, expecting the sibling;
one that names a skill the folder lacks ("For email copy, see email-sequence.") expects no
skill where no sibling covers it, and is left out where one does (the author's answer is not
in the folder). `out_of_scope` writes the other near-misses: a task no
skill of the folder does (a poem, a translation, a joke, ...) about one of the skill's own
topics, so it shares the skill's words and still expects no skill; a task whose word any
skill's text uses is never chosen.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from itertools import zip_longest

from agentos.skill.bm25 import stem
from agentos.skill.cuts import clean
from agentos.skill.person import first_person, in_person
from agentos.skill.phrasing import ELSEWHERE, fragment, kind, lowered, tidy
from agentos.skill.sources import NOT, PAREN, REFER, stems
from agentos.skill.vocab import content_words, words
from agentos.skillfile import Skill

_ELSEWHERE = re.compile(
    r"\(\s*(?:use|see|try|that's|that is|this is|it's|which is)\s+(?:the\s+|an?\s+)?"
    r"`?([A-Za-z0-9][\w-]*)`?[^)]*\)?",
    re.IGNORECASE,
)


# a parenthesis that names its own object: "(use bill-dispute for a medical bill)"
_OWN = re.compile(r"\s*(?:use|see|try)\s+`?[\w-]+`?\s+(?:for|with|when)\s+(.+?)\s*$", re.I)


def _covering(query: str, siblings: Sequence[Skill], common: set[str]) -> str | None:
    """The sibling that plainly covers `query`, None when no sibling covers it (a request for
    no skill), or "" when that is unclear. Lexical routing among the siblings over the query's
    telling words (a word many siblings use, such as `pet` in a folder of pet skills, tells
    nothing: `common`, from `_common`): a sibling covers the query when its name and
    description use half of them and two at least (the one word of a one-word query) and no
    other sibling as many (a word of its name counting twice in that race); no sibling covers
    it when none uses more than a third of them; otherwise a guess is left out ("Google Docs"
    beside `doc-coauthoring`, which says "docs")."""
    mine = stems(query) - common
    if not mine:
        return ""
    scored = []
    for s in siblings:
        used = len(mine & stems(_about(s)))
        scored.append((2 * len(mine & stems(s.name)) + used, used, s.name))
    scored.sort(reverse=True)
    if not scored or 3 * scored[0][1] <= len(mine):
        return None
    rank, used, name = scored[0]
    unique = len(scored) == 1 or scored[1][0] < rank
    enough = used >= min(2, len(mine)) and 2 * used >= len(mine)
    return name if unique and enough else ""


def _about(skill: Skill) -> str:
    """A skill's name and description less its "do not use" clauses: what it does."""
    return f"{skill.name} {PAREN.sub('', NOT.sub('', skill.description))}"


def _common(skills: Sequence[Skill]) -> set[str]:
    """The stems that a third of the `skills` (three at least) use in their name and
    description."""
    counts: dict[str, int] = {}
    for s in skills:
        for w in stems(_about(s)):
            counts[w] = counts.get(w, 0) + 1
    return {w for w, n in counts.items() if n >= max(3, -(-len(skills) // 3))}


def near_misses(skill: Skill, siblings: Sequence[Skill] = ()) -> list[tuple[str, str | None]]:
    """The requests `skill`'s "do not use ..." clauses name, each with the skill among
    `siblings` it should go to: the one its "(use X)" or "(that's an X)" names, else the sibling
    that plainly covers it (`_covering`), else None when none does. A request that some sibling
    may or may not cover is left out rather than guessed. A clause that lists things with
    commas ("PDFs, spreadsheets, Google Docs, or general coding tasks") gives one request a
    thing; a bare "or" splits it only where both sides are requests of two content words or
    more ("a sitter or kennel" stays whole)."""
    others = [s for s in siblings if s.name != skill.name]
    common = _common([skill, *others])
    out: dict[str, str | None] = {}
    for match in NOT.finditer(" ".join(skill.description.split())):
        for segment, named in _segments(match.group(1), {s.name for s in others}):
            parts = [p for part in _parts(segment) if (p := clean(part, 1))]
            for query in parts:
                if len(named) == 1:
                    expect: str | None = named[0]
                elif named:  # "(use chain-care or derailleur-tuning)": the one it is about
                    expect = _nearest(query, [s for s in others if s.name in named])
                else:
                    expect = _covering(query, others, common)
                if expect != "":
                    out.setdefault(query, expect)
    names = {s.name for s in others}
    for refer in REFER.finditer(" ".join(skill.description.split())):
        name = refer.group("name") or refer.group("name2")
        if name not in names and not _SKILL_NAME.fullmatch(name):
            continue  # "For details, see below."
        thing = refer.group("thing") or refer.group("thing2")
        for query in (p for part in _parts(thing) if (p := clean(part, 1))):
            # "For formal peer review writing use peer-review.": the sibling; a skill the
            # folder lacks ("For email copy, see email-sequence.") does not make it this
            # skill's: none, where no sibling covers it; where one does, the author's answer
            # is not here and a sibling would be a guess, so it is left out
            if name in names:
                told: str | None = name
            else:
                told = None if _covering(query, others, common) is None else ""
            if told != "":
                out.setdefault(query, told)
    return list(out.items())


# a skill's name as a description names one: two words or more joined by hyphens
_SKILL_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def _parts(segment: str) -> list[str]:
    """The things a "do not use" clause lists: cut at its commas, and at an "or" whose sides are
    both two content words or more."""
    out = []
    for piece in re.split(r",\s*(?:(?:or|and)\s+)?", segment):
        sides = re.split(r"\s+or\s+", piece)
        if len(sides) > 1 and all(len(content_words(p)) >= 2 for p in sides):
            out += sides
        else:
            out.append(piece)
    return [p for p in out if p.strip()]


def _segments(clause: str, names: set[str]) -> list[tuple[str, list[str]]]:
    """`clause` cut after each parenthesis, each piece with the sibling names its "(use X or
    Y)" gives: in "chain noise (use chain-care) or for brake squeal (use brake-adjustment)"
    each request goes where its own parenthesis says, and a piece with none to no named one."""
    out: list[tuple[str, list[str]]] = []
    start = 0
    for paren in re.finditer(r"\(([^)]*)\)?", clause):
        told = paren.group(1) if _ELSEWHERE.match(paren.group(0)) else ""
        named = _named(told, names)
        own = _OWN.match(told)
        if own and named:  # "(use X for Y)": Y goes to X, the text before is judged alone
            out += [(clause[start : paren.start()], []), (own.group(1), named)]
        else:
            out.append((clause[start : paren.start()], named))
        start = paren.end()
    out.append((clause[start:], []))
    connective = re.compile(r"^[\s,;]*(?:(?:or|and)\s+)?(?:(?:for|when|on|with)\s+)?", re.I)
    cut = re.compile(r",?\s+or\s+(?:for|when)\s+|,\s+(?:for|when)\s+|;\s*", re.I)
    kept: list[tuple[str, list[str]]] = []
    for piece, named in out:  # "a, or for b (use X)": X is said of b alone
        *before, last = cut.split(piece)
        kept += [(p, []) for p in before] + [(last, named)]
    return [(text, named) for piece, named in kept if (text := connective.sub("", piece).strip())]


def _named(told: str, names: set[str]) -> list[str]:
    """The skills of `names` that `told` ("use bread-baking", "that's a vet visit") names: by
    their whole name, else by two words of it or more in a row (`vet visit` of
    `vet-visit-prep`)."""
    whole = [n for n in sorted(names) if re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", told)]
    if whole:
        return whole
    said = f" {' '.join(words(told.replace('-', ' ')))} "
    return [
        n
        for n in sorted(names)
        if any(
            f" {' '.join(run)} " in said
            for k in range(2, len(n.split("-")) + 1)
            for run in zip(*(n.split("-")[i:] for i in range(k)), strict=False)
        )
    ]


def _nearest(query: str, candidates: Sequence[Skill]) -> str:
    """The one of `candidates` whose name and own wording share the most words with `query`,
    "" on a tie (left out rather than guessed)."""
    mine = stems(query)
    # a word of the skill's name counts twice: it is what the skill is about
    shared = sorted(
        (
            (
                2 * len(mine & stems(s.name))
                + len(mine & stems(PAREN.sub("", NOT.sub("", s.description)))),
                s.name,
            )
            for s in candidates
        ),
        reverse=True,
    )
    if not shared or shared[0][0] == 0 or (len(shared) > 1 and shared[1][0] == shared[0][0]):
        return ""
    return shared[0][1]


def out_of_scope(
    topics: Sequence[str],
    texts: Sequence[str],
    rng: random.Random,
    count: int,
    domain: Sequence[str] = (),
) -> list[tuple[str, str]]:
    """Up to `count` requests for a task no skill does, about one of `topics` or, every other
    one, one of the `domain` words the skill shares with its siblings ("my dog"); a task whose
    words any of `texts` (every skill's text) uses is left out. Each comes with its topic, so
    the draft can put every request about one topic in one split."""
    said = {stem(w) for text in texts for w in words(text)}
    tasks = [t for keys, t in ELSEWHERE if not said.intersection(map(stem, keys.split()))]
    usable = [t for t in map(tidy, topics) if not fragment(t)]
    usable = [t for t in usable if kind(t) in ("topic", "gerund")]  # "a poem about X": X names
    usable = [t for t in usable if in_person(t) == t]  # "a runner wants ...": no thing
    usable = [first_person(t) for t in usable if len(t.split()) <= 8]
    shared = [w if w.endswith("s") else f"my {w}" for w in domain]
    rng.shuffle(usable)
    rng.shuffle(shared)
    pool = [t for pair in zip_longest(shared, usable) for t in pair if t is not None]
    if not tasks or not pool:
        return []
    out: dict[str, str] = {}
    for n in range(count):
        topic = pool[n % len(pool)]
        task = tasks[rng.randrange(len(tasks))]
        out.setdefault(task.format(p=lowered(topic)), topic)
    return list(out.items())
