"""The added-terms sentence: the facet operators of the offline proposer.

A skill author who sees a skill miss requests widens its description with the words those
requests use, as a sentence that names the words rather than claims things:
`Also use it when a request mentions "leaked token", "expiring key" or "vault policy".` Quoted,
a term reads right whatever its number or article (`It is also for library.` does not), so no
guess at a word's class is needed. These helpers read and write that one sentence: it goes
before the description's first negative routing rule ("Do NOT use for ...", "Don't use ...",
"Not for ..."), so that "it" never reads as
the excluded thing, else last; the author's text around it is kept as written.

The terms come from a skill's train queries, the way an author would pick them: runs of at most
`MAX_WORDS` adjacent content words, each a real word (`agentos.skill.quality`) and no abbreviation
the skill's own text does not use, a name capitalised in the query (`Acme Inc`) never taken, a
generated variant replaced by the query it was made from, a hand-written misspelled query never
used, and never a whole query. At most `MAX_EXAMPLES` terms, so the description stays a
description; the quality gate refuses a sentence that copies three content words of a query.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from agentos.skill.bm25 import stem
from agentos.skill.evals import EvalItem, misspelled
from agentos.skill.lexicon import real_word
from agentos.skill.quality import MAX_TERMS
from agentos.skill.triggers import LEAD, QUOTED_TERMS
from agentos.skill.vocab import FILLER, SHELL, STOPWORDS
from agentos.skill.written import as_written
from agentos.skillfile import MAX_DESCRIPTION, Skill

# The added-terms sentence names words, quoted, so it is grammatical for any term: the claim
# `It is also for library.` was not (a bare singular noun). Its lead (`quality.LEAD`, which the
# gate reads too) holds three content words
# (`use`, `request`, `mentions`), the same in every rewritten description; "It also covers ..."
# (written earlier) put "covers" in each, and a lexical router sent "write a cover letter" to any
# of them, so the lead's words are ones a request seldom uses.
OLD_LEADS = ("It is also for ", "It also covers ")  # read back, and rewritten with `LEAD`
MAX_EXAMPLES = MAX_TERMS  # the quality gate's limit on a listing sentence: one limit
MAX_WORDS = 2
OWN_TERMS = 8  # the terms of a skill's own body the proposer may add (`own_terms`)
# words that carry no topic of their own: a term is never made of them
_WEAK = frozenset(
    re.findall(
        r"[a-z]+",
        "again always already bring change date done every fine gets going goes keep keeps know "
        "like look looks much never new now old really return run runs seems sometimes still "
        "them they think today use used using way went work works yesterday before after "
        "while until since because though issue issues problem first everywhere down thing "
        "has have had having least only against within once twice straight asked given wanted "
        "doing often give take read find call come open write check start usually through "
        "anything means depending show must lower number value fill user description per",
    )
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'+-]*|\S")
# a sentence that opens with a negative routing rule
_NEGATIVE = re.compile(r"(?:^|(?<=[.!?])\s+)(?=(?:do not|don't|never|not for|not when)\b)", re.I)


def _source(item: EvalItem) -> str | None:
    """The words an item may lend: a generated variant lends its source's, a hand-written
    misspelled query none."""
    if item.expect is None:
        return None
    if item.generated and item.source:
        return item.source
    return None if misspelled(item.slice) else item.query


def request_terms(item: EvalItem, own: Iterable[str] = ()) -> list[str]:
    """The terms `item` offers: runs of up to `MAX_WORDS` adjacent content words, all real."""
    text = _source(item)
    if text is None:
        return []
    mine = {w.lower() for w in own}
    tokens = _TOKEN.findall(text)
    runs: list[list[str]] = [[]]
    for i, token in enumerate(tokens):
        low = token.lower()
        proper = token[:1].isupper() and i > 0 and low not in mine
        weak = low in STOPWORDS or low in _WEAK or not token[:1].isalpha()
        if weak or proper or not real_word(low, mine):
            runs.append([])
        else:
            runs[-1].append(low)
    return _terms(runs, " ".join(t.lower() for t in tokens))


def _terms(runs: Iterable[list[str]], whole: str = "") -> list[str]:
    """Every run of up to `MAX_WORDS` adjacent words of `runs`, longest first; never `whole`,
    and a single word only of four letters or more."""
    out = []
    for run in runs:
        for size in range(min(MAX_WORDS, len(run)), 0, -1):
            for start in range(len(run) - size + 1):
                term = " ".join(run[start : start + size])
                if term != whole and (size > 1 or len(term) >= 4):
                    out.append(term)
    return out


def requests_of(train: Iterable[EvalItem], name: str, own: str = "") -> list[str]:
    """The terms `train` offers for the skill `name` (`own`: its own text), each once, in
    order: the terms most of its queries share first."""
    seen: dict[str, set[str]] = {}  # term -> the hand-written queries offering it
    own_words = re.findall(r"[A-Za-z][A-Za-z0-9'+-]*", own)
    for item in train:
        if item.expect == name:
            for term in request_terms(item, own_words):  # a variant is its source's query
                seen.setdefault(term, set()).add(item.source or item.query)
    counts = {term: len(queries) for term, queries in seen.items()}
    # a two-word term only when two queries share it, or the skill's own text uses it
    said = " ".join(own_words).lower()
    keep = [t for t in counts if " " not in t or counts[t] >= 2 or t in said]
    return [as_written(t, own) for t in sorted(keep, key=lambda t: -counts[t])]


def own_terms(skill: Skill, siblings: Sequence[Skill] = (), limit: int = OWN_TERMS) -> list[str]:
    """The terms a skill's own body offers that its description lacks, as its author would
    widen the description: runs of up to `MAX_WORDS` content words of its headings and its
    lines (outside code blocks and comments), each a dictionary word (`lexicon.real_word` with
    no help from the skill's own text), none a filler or shell word or a word of the skill's
    name; a two-word run only from a heading, when the body uses it twice, or when it stands
    alone between other words and neither of its words appears elsewhere (then neither is
    offered alone). A term whose words
    a sibling's name, description or body all use (stems compared) is left out: it names what
    the skills share, not this skill, and would take the sibling's queries. The most used first,
    a heading's before a line's; at most `limit`."""
    name = set(skill.name.split("-"))
    counts: dict[str, int] = {}
    lines: dict[str, int] = {}
    first: dict[str, int] = {}
    duos: set[str] = set()  # runs of exactly two words
    fenced = False
    for line in skill.body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced or not line.strip() or line.lstrip().startswith("<!--"):
            continue
        heading = line.lstrip().startswith("#")
        runs: list[list[str]] = [[]]
        for token in _TOKEN.findall(line):
            low = token.lower()
            if (
                low in STOPWORDS
                or low in _WEAK
                or low in FILLER
                or low in SHELL
                or low in name
                or not token[:1].isalpha()
                or not real_word(low, set())
            ):
                runs.append([])
            else:
                runs[-1].append(low)
        duos.update(" ".join(r) for r in runs if len(r) == 2)
        for term in dict.fromkeys(_terms(runs)):
            counts[term] = counts.get(term, 0) + (2 if heading and " " in term else 1)
            lines[term] = lines.get(term, 0) + 1
            first.setdefault(term, len(first) - (1000 if heading else 0))
    # two words the body only ever writes together, as a phrase of their own, are offered as
    # that phrase ("extinction coefficient"): either half alone names something else
    phrase = {
        w: p for p in duos if all(lines.get(w) == lines[p] for w in p.split()) for w in p.split()
    }
    others = [s for s in siblings if s.name != skill.name]
    keep = [
        t
        for t in counts
        if ((" " not in t and t not in phrase) or counts[t] >= 2 or t in phrase.values())
        and not covered(t, skill.description)
        and not any(covered(t, f"{s.name} {s.description}\n{s.body}") for s in others)
    ]
    ranked = sorted(keep, key=lambda t: (-counts[t], first[t]))[:limit]
    return [as_written(t, f"{skill.description}\n{skill.body}") for t in ranked]


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
    """(text before the added-terms sentence, its terms, text after it)."""
    for lead in (LEAD, *OLD_LEADS):
        head, sep, rest = description.partition(lead)
        if sep:
            break
    else:
        return description.strip(), [], ""
    if lead == LEAD:
        end = re.match(QUOTED_TERMS, rest)
        if end is None:
            return description.strip(), [], ""
        terms = re.findall(r'"([^"]+)"', end.group())
        return head.strip(), terms, rest[end.end() :].strip()
    body, dot, tail = rest.partition(".")
    if not dot:
        return description.strip(), [], ""
    terms = re.split(r",\s*(?:and\s+)?|\s+and\s+", body)
    return head.strip(), [t.strip() for t in terms if t.strip()], tail.strip()


def covered(term: str, description: str) -> bool:
    """Whether every word of `term` is already in `description`, as written or inflected
    ("baking" when it says "bake", "breads" when it says "bread"): adding it says nothing new."""
    return _stems(term) <= _stems(description)


@functools.lru_cache(maxsize=1024)
def _stems(text: str) -> frozenset[str]:
    """The stems of `text`'s words (kept: the proposer asks of each candidate term whether every
    sibling's whole text already covers it, many times a move)."""
    return frozenset(stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()))


def _listing(terms: Sequence[str]) -> str:
    """`"a"`, `"a" or "b"`, `"a", "b" or "c"`."""
    quoted = [f'"{t}"' for t in terms]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def with_examples(description: str, examples: Sequence[str]) -> str | None:
    """`description` with its added-terms sentence holding `examples` (none: removed); None when
    the result would exceed the length limit or the term count."""
    head, _, tail = split_examples(description)
    examples = list(dict.fromkeys(examples))
    if len(examples) > MAX_EXAMPLES:
        return None
    text = f"{head} {tail}" if head and tail else head or tail
    rule = _NEGATIVE.search(text)
    if rule is not None and rule.start() > 0:
        head, tail = text[: rule.start()], text[rule.end() :]
    else:
        head, tail = text, ""
    if head and head[-1] not in ".!?":
        head += "."
    parts = [head]
    if examples:
        parts.append(LEAD + _listing(examples) + ".")
    if tail:
        parts.append(tail)
    text = " ".join(p for p in parts if p)
    return text if len(text) <= MAX_DESCRIPTION else None


def example_edits(
    description: str, missed: Sequence[EvalItem], own: str = "", body_terms: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """Candidate rewrites as (step name, description): add one term from a missed train
    query or one of `body_terms` (`own_terms`: the skill's own body), or remove one added term
    (one that may attract other skills' queries). When the sentence holds `MAX_EXAMPLES` terms
    already, a new term replaces one of them instead: a full sentence would otherwise end the
    skill's tuning while it still misses train queries (the search keeps a replacement only
    when it routes more train queries right than the term it drops)."""
    _, have, _ = split_examples(description)
    out: list[tuple[str, str]] = []
    present = {h.lower() for h in have}
    names = {i.expect for i in missed if i.expect is not None}
    pool = [t for name in sorted(names) for t in requests_of(missed, name, own)]
    pool += [t for t in body_terms if t not in pool]
    for term in pool:
        if term.lower() in present or covered(term, description):
            continue
        present.add(term.lower())
        if len(have) < MAX_EXAMPLES:
            added = with_examples(description, [*have, term])
            if added is not None:
                out.append((f"add {term!r}", added))
            continue
        for drop in have:
            swapped = with_examples(description, [*(h for h in have if h != drop), term])
            if swapped is not None:
                out.append((f"replace {drop!r} with {term!r}", swapped))
    for drop in have:
        removed = with_examples(description, [h for h in have if h != drop])
        if removed is not None:
            out.append((f"remove {drop!r}", removed))
    return out
