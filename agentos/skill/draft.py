"""A draft eval set for a folder of skills that has none, written offline from the skills' text.

Each skill gives the requests its own author wrote: the clauses of its description ("Use when
the user asks to rotate a key or replace a leaked token" gives "rotate a key", "replace a leaked
token"), its quoted example requests, the examples listed in its body, and its headings that
name a task; each is asked as a user asks it (`phrasing.as_request`), and a fragment or a
section's name is no request. Every such request gets a seeded typo variant and a shorthand
variant. About a third of the lines are near-misses: each "do not use for ..." clause, and
requests for a task no skill does about the skill's topics or the words the skills share
(`phrasing.out_of_scope`, expecting none). A "do not use" clause's near-miss expects the sibling
skill it names ("Do NOT use for baking loaves (use bread-baking)", or a clause naming a
sibling's name words such as "yoghurt" beside a `yoghurt-kefir` skill), else none (`expect:
null`); a "(use X)" sends only the requests of its own part of the clause to X. A clause stays
whole ("shaping or baking loaves") unless each of its listed parts is a request of two content
words or more; a parenthesised "(use X)" never enters the query. Lead-ins ("Use when", "Also
for"), disclaimers ("Not medical advice") and the ends of a list of single words are no
requests. The requests of each skill are split about two to one into train and held-out, a
variant always following its source, so no held-out query is a respelling of a train one.

It is a draft for the user to read and edit: it only knows what the skills say about themselves,
so it measures how well each description routes its own wording, typos and shorthand included.
Every line carries `"origin": "draft"`, and a run on such a set says so in its report.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from pathlib import Path

from agentos.errors import UserError
from agentos.skill.bm25 import stem
from agentos.skill.english import verb
from agentos.skill.evals import normalized, shorthand, typo
from agentos.skill.phrasing import as_request, fragment, kind, out_of_scope, shared_nouns
from agentos.skill.vocab import SHELL, STOPWORDS, content_words, words
from agentos.skillfile import Skill

DRAFT = "draft"
MAX_PER_SKILL = 12
# near-misses per request of a skill: each with a typo variant, beside a request's three lines,
# about a third of the draft (Anthropic's skill-creator writes about half)
NEAR_MISSES = 0.75
_USE = re.compile(
    r"\b(?:use (?:it |this (?:skill )?)?(?:when|for|to|if)|trigger(?:s|ed)? (?:when|on|for)|"
    r"when (?:the user|a user|someone|you) (?:asks?|wants?|needs?) (?:to |for |about )?|"
    r"for requests? (?:like|such as|about)|e\.g\.|such as)\b",
    re.IGNORECASE,
)
_NOT = re.compile(
    r"\b(?:(?:do not|don't|never|not) (?:use|trigger)\w* (?:it |this (?:skill )?)?"
    r"(?:for|when|on|to|with)|not for)\b([^.;]*)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:use (?:when|if|for|whenever) |also (?:for|when|if) |covers? |when (?=\w+ing\b))?(?:"
    r"(?:claude should )?use (?:this|it)(?: skill)? (?:any ?time|whenever|when|if|for)? ?"
    r"(?:(?:the )?users? (?:asks?|wants?|needs?|requests?|mentions?) (?:to |for |about )?)?"
    r"(?:asked to )?|"
    r"(?:if|when|whenever) (?:the )?users? (?:asks?|wants?|needs?|mentions?|requests?) "
    r"(?:to |for |about )?|triggers? include |"
    r"the (?:user|request) (?:asks?|wants?|needs?|mentions?) (?:to |for |about )?|"
    r"(?:users?|someone) (?:asks?|wants?|needs?|requests?|mentions?) (?:to |for |about )?|"
    r"asked to |(?:this|it) (?:also )?(?:includes?|covers?|means|handles?) (?:any task where "
    r"(?:the users? wants? to )?)?|"
    r"(?:working|dealing) (?:on|with) |requests? (?:to|for|about) )?",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“]([^\"”\n]{8,80})[\"”]")
_HEADING = re.compile(r"^#{2,4}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# code in a body: fenced blocks (``` or ~~~), lines indented four spaces after a blank line, and
# inline spans; their strings ("This is a PDF created with reportlab") are no one's request
_FENCED = re.compile(r"^[ \t]*(```|~~~).*?(?:^[ \t]*\1[^\n]*$|\Z)", re.MULTILINE | re.DOTALL)
_INDENTED = re.compile(r"(?:\A|\n[ \t]*\n)((?:(?: {4}|\t)[^\n]*(?:\n|\Z))+)")
_SPAN = re.compile(r"`[^`\n]*`")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
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
# a description's first words that name the skill itself ("Toolkit for styling artifacts",
# "A set of resources to help me write ...", "Helps an owner get ready for ..."): the request is
# what follows them
_SELF = re.compile(
    r"^(?:this|the)\s+(?:skill|workflow|toolkit|tool|guide|process)\s+helps?\s+"
    r"(?:(?:users?|you|people)\s+)?(?:to\s+)?|"
    r"^(?:(?:a|an|the)\s+)?(?:(?:set|suite|collection|kit|bundle)\s+of\s+)?(?:[\w-]+\s+)?"
    r"(?:toolkit|tools?|resources|utilities|knowledge(?:\s+and\s+utilities)?|guide|guidance|"
    r"instructions|helpers?|workflows?)\s+(?:for|on|to\s+help(?:\s+(?:me|you|users?))?(?:\s+to)?|"
    r"that\s+helps?(?:\s+(?:me|you|users?))?(?:\s+to)?)\s+|"
    r"^(?:helps?|lets?|allows?|enables?)\s+(?:(?:a|an|the|your|any)\s+[\w-]+|users?|you|people|"
    r"someone|me)\s+(?:to\s+)?|^helps?\s+(?:with\s+)?|^(?:supports?|provides?|offers?)\s+",
    re.IGNORECASE,
)
_GENERIC = frozenset(
    re.findall(
        r"[a-z]+",
        "steps rules notes overview examples usage instructions gates output format checklist "
        "workflow process references summary tips guidelines inputs outputs prerequisites "
        "requirements setup quick start when to use technical details getting started "
        "introduction background reference advanced common patterns best practices "
        "troubleshooting faq important key concepts core principles resources files structure "
        "installation install dependencies testing next example appendix additional general "
        "how it works the a of and for with your this skill pitfall pitfalls triage diagnosis "
        "fixes cheapest first order method methods content contents scratch idea ideas things "
        "stuff",
    )
)
_STEP = re.compile(r"^(?:step|phase|part|stage)\s+\d+\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Za-z]\.|[IVX]+\.)\s+")
_CLI = """npm pip pip3 python python3 node git yarn pnpm docker kubectl bash sh make uv brew apt
    curl cat echo touch export source tar"""
_COMMANDS = SHELL | frozenset(_CLI.split())
_OPENING = "whether which that and or but so as etc while then not no for regardless even like"
_OPENERS = frozenset(_OPENING.split())
# a dot ends a sentence only before a space or the end: p5.js and claude.ai stay whole
_PIECES = re.compile(
    r"\.(?=\s|$)\s*|[;:()]\s*|,\s*(?:and\s+|or\s+)?|\s+(?:such as|including|like)\s+"
)
_SPLIT = re.compile(r",\s*(?:or\s+|and\s+)?|\s+or\s+|;\s*")
# "(use bread-baking)", "(see the pdf skill)": the skill a "do not use" clause sends elsewhere
_ELSEWHERE = re.compile(
    r"\(\s*(?:use|see|try|that's|that is|this is|it's|which is)\s+(?:the\s+|an?\s+)?"
    r"`?([A-Za-z0-9][\w-]*)`?[^)]*\)?",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\([^)]*\)?")


def _clean(phrase: str, least: int = 2) -> str | None:
    text = _LEAD.sub("", phrase.strip(" .,:;-\"'`()")).strip(" .,:;-\"'`()")
    n = len(text.split())
    return text if least <= n <= 14 and _whole(text) else None


def _whole(text: str) -> bool:
    """Whether `text` reads as a whole request: letters, balanced brackets and quotes, no
    dangling first or last word ("whether in Python (FastMCP", "If the user mentions a"), no
    description meta-text, no shell command, no generic heading."""
    tokens = text.split()
    if not tokens or not any(c.isalpha() for c in text):
        return False
    if text.count("(") != text.count(")") or text.count('"') % 2 or text.count("`") % 2:
        return False
    if re.search(r"[{}\[\]<>|\\]|\w\(", text):
        return False  # code: "Pages: {len(reader.pages)}"
    if re.search(r"\b(?:[B-HJ-Z]|XYZ)\b", text):
        return False  # a template's placeholder: "read file X", "a GIF of X doing Y"
    if text.startswith("'") != text.endswith("'") or re.search(r"(?:^|\s)'\w[^']*$", text):
        return False  # an opening quote never closed: "any mention of 'Word doc"
    first, last = tokens[0].lower(), tokens[-1].lower().strip(".,;:!?")
    if first in _OPENERS or last in STOPWORDS or last in ("include", "includes"):
        return False
    if re.search(r"\b(?:use this skill|this skill|claude|(?:a|the) users?)\b", text, re.I):
        return False
    if first in _COMMANDS or any(t.startswith(("-", "$")) or "=" in t or "&&" in t for t in tokens):
        return False
    words = [w for w in re.findall(r"[a-z]+", text.lower())]
    return not (_STEP.match(text) or all(w in _GENERIC for w in words))


def _clauses(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The listed phrases after each trigger of `pattern` in `text`, up to the sentence's end."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        match = pattern.search(sentence)
        if match is None:
            continue
        out += _listed(sentence[match.end() :], _SPLIT)
    return out


def _listed(text: str, separator: re.Pattern[str]) -> list[str]:
    """The requests among the parts of `text` cut at `separator`, less the two ends of a list
    of single words that closes on a two-word phrase whose noun they share: "the rider has
    knee, back, neck, hand or saddle pain" gives neither "the rider has knee" nor "saddle
    pain"; "the brakes feel weak, rub, squeal, pull to the bar" keeps "the brakes feel weak",
    and "create, edit, or optimize an existing skill" keeps "optimize an existing skill"."""
    parts = separator.split(text)
    cuts = [m.group(0) for m in separator.finditer(text)]
    short = [len(content_words(part)) < 2 for part in parts]

    def joined_by_or(i: int) -> bool:  # part i follows its neighbour after "or" or "and"
        return bool(re.fullmatch(r"\s*,?\s*(?:or|and)\s+", cuts[i - 1]))

    def pair(i: int) -> bool:  # part i is, or ends in, "... or X Y"
        alternatives = re.split(r"\s+(?:or|and)\s+", parts[i].strip(" .,;:"))
        return (joined_by_or(i) or len(alternatives) > 1) and len(alternatives[-1].split()) == 2

    out = []
    for i, part in enumerate(parts):
        if i and cuts[i - 1].startswith(")"):
            continue  # "servers that enable LLMs ..." of "MCP (Model Context Protocol) servers ..."
        if i and short[i - 1] and joined_by_or(i) and len(part.split()) == 2:
            continue  # "saddle pain" of "hand or saddle pain"
        end = i + 1
        while end < len(parts) and short[end] and "," in cuts[end - 1]:
            end += 1
        if end > i + 1 and end < len(parts) and pair(end):
            continue  # "the rider has knee" of "the rider has knee, back, hand or saddle pain"
        if cleaned := _clean(part):
            out.append(cleaned)
    return out


def requests_of_skill(skill: Skill) -> tuple[list[str], list[str]]:
    """(the requests `skill`'s own text says should trigger it, those it says should not)."""
    text = " ".join(skill.description.split())  # a block scalar's line breaks are no cuts
    negative = [query for query, _ in near_misses(skill)]
    kept = " ".join(_SELF.sub("", t) for t in _SENTENCE.split(_NOT.sub("", text).strip()))
    first = re.split(r"(?<=[.!?])\s+", kept.strip())[0].rstrip(".")
    positive = [first] if len(first.split()) <= 14 else []
    positive += _clauses(kept, _USE)
    positive += _listed(kept, _PIECES)
    body = prose(skill.body)
    quoted = _QUOTED.findall(text) + asked_quotes(body)  # example requests, not cue words
    positive += [q.strip(" ,;:") for q in quoted if len(q.split()) >= 3 and q[:1].isalpha()]
    for heading in _HEADING.findall(body):  # a task ("Confirming fleas"), not a section's name
        words = heading.lower().strip(" :")  # ("The box setup"), a step ("4.2 Create ...") or
        if _NUMBERED.match(heading) or _shouted(heading):  # a shouted label
            continue
        heading = heading.strip(" :")
        topic = len(content_words(_PAREN.sub("", words))) >= 2
        task = kind(heading) in ("order", "gerund", "wh-to", "question") if heading else False
        if (
            topic
            and task
            and _on_topic(heading, skill)
            and not words.startswith(("when", "before", "after", "if ", "once"))
        ):
            positive.append(heading)
    positive.append(skill.name.replace("-", " "))
    seen: set[str] = set()
    keep = []
    for p in positive:
        key = normalized(p)
        if key not in seen and len(p.split()) <= 14 and _whole(p) and not fragment(p):
            seen.add(key)
            keep.append(p)
    return keep[:MAX_PER_SKILL], negative


def prose(body: str) -> str:
    """`body` without its code: fenced blocks and inline spans."""
    return _SPAN.sub(" ", _FENCED.sub("\n", body))


def asked_quotes(body: str) -> list[str]:
    """The quotes of `body` that their sentence gives as someone's words (`_ASKED` before them
    in the sentence)."""
    out = []
    masked = re.sub(r"\b(?:e\.g|i\.e|etc)\.", lambda m: m.group(0).replace(".", "_"), body)
    for match in _QUOTED.finditer(body):
        line = masked.rfind("\n", 0, match.start()) + 1
        before = masked[line : match.start()]
        sentence = before[max((m.end() for m in re.finditer(r"[.!?]\s", before)), default=0) :]
        if _ASKED.search(sentence.replace("_", ".")):
            out.append(match.group(1))
    return out


def _shouted(heading: str) -> bool:
    letters = [c for c in heading if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def _on_topic(heading: str, skill: Skill) -> bool:
    """Whether `heading` names something the skill's name or description names: a word they
    share that is no verb, gerund or generic word ("Merge PDFs" beside "PDF files"; not
    "Drawing from Scratch" beside "animated GIFs", nor "Plan Your Implementation")."""
    about = _stems(f"{skill.name} {skill.description}")
    return any(
        stem(w) in about
        for w in content_words(_PAREN.sub("", heading).replace("-", " "))
        if not w.endswith("ing") and not verb(w) and w not in _GENERIC
    )


def _stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text.replace("-", " "))}


def _covering(query: str, siblings: Sequence[Skill], common: set[str]) -> str | None:
    """The sibling that plainly covers `query`, None when no sibling covers it (a request for
    no skill), or "" when that is unclear. Lexical routing among the siblings over the query's
    telling words (a word many siblings use, such as `pet` in a folder of pet skills, tells
    nothing: `common`, from `_common`): a sibling covers the query when its name and
    description use half of them and two at least (the one word of a one-word query) and no
    other sibling as many (a word of its name counting twice in that race); no sibling covers
    it when none uses more than a third of them; otherwise a guess is left out ("Google Docs"
    beside `doc-coauthoring`, which says "docs")."""
    mine = _stems(query) - common
    if not mine:
        return ""
    scored = []
    for s in siblings:
        used = len(mine & _stems(_about(s)))
        scored.append((2 * len(mine & _stems(s.name)) + used, used, s.name))
    scored.sort(reverse=True)
    if not scored or 3 * scored[0][1] <= len(mine):
        return None
    rank, used, name = scored[0]
    unique = len(scored) == 1 or scored[1][0] < rank
    enough = used >= min(2, len(mine)) and 2 * used >= len(mine)
    return name if unique and enough else ""


def _about(skill: Skill) -> str:
    """A skill's name and description less its "do not use" clauses: what it does."""
    return f"{skill.name} {_PAREN.sub('', _NOT.sub('', skill.description))}"


def _common(skills: Sequence[Skill]) -> set[str]:
    """The stems that a third of the `skills` (three at least) use in their name and
    description."""
    counts: dict[str, int] = {}
    for s in skills:
        for w in _stems(_about(s)):
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
    for match in _NOT.finditer(" ".join(skill.description.split())):
        for segment, named in _segments(match.group(1), {s.name for s in others}):
            parts = [p for part in _parts(segment) if (p := _clean(part, 1))]
            for query in parts:
                if len(named) == 1:
                    expect: str | None = named[0]
                elif named:  # "(use chain-care or derailleur-tuning)": the one it is about
                    expect = _nearest(query, [s for s in others if s.name in named])
                else:
                    expect = _covering(query, others, common)
                if expect != "":
                    out.setdefault(query, expect)
    return list(out.items())


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
    mine = _stems(query)
    # a word of the skill's name counts twice: it is what the skill is about
    shared = sorted(
        (
            (
                2 * len(mine & _stems(s.name))
                + len(mine & _stems(_PAREN.sub("", _NOT.sub("", s.description)))),
                s.name,
            )
            for s in candidates
        ),
        reverse=True,
    )
    if not shared or shared[0][0] == 0 or (len(shared) > 1 and shared[1][0] == shared[0][0]):
        return ""
    return shared[0][1]


def draft_evals(skills: Sequence[Skill], *, seed: int = 0) -> list[dict[str, object]]:
    """The draft eval lines for `skills`: `{query, expect, slice, split, origin}`. A query
    appears once whatever its case and punctuation (`normalized`), and a held-out request that
    is part of a train one goes to train with its variants, so nothing held out was seen."""
    rng = random.Random(seed)
    wording = random.Random(f"{seed}-wording")  # the split's draws stay as they were
    requests = [(skill.name, requests_of_skill(skill)[0]) for skill in skills]
    asked = {
        q: as_request(q, wording, name=q == name.replace("-", " ")) or q
        for name, positive in requests
        for q in positive
    }
    everything = [f" {normalized(q)} " for _, positive in requests for q in positive]

    def inside(query: str) -> bool:  # part of another request, or holding one: never held out
        key = f" {normalized(query)} "
        return any(key != other and (key in other or other in key) for other in everything)

    planned: list[tuple[str, str, str]] = []  # request, skill, split
    for name, positive in requests:
        order = list(range(len(positive)))
        rng.shuffle(order)
        free = [i for i in order if not inside(positive[i])]
        held = {i for n, i in enumerate(free) if n % 3 == 2}
        if not held and len(order) >= 2 and free:  # every skill with two requests: one held out
            held = {free[-1]}
        planned += [(q, name, "holdout" if i in held else "train") for i, q in enumerate(positive)]
    train = [f" {normalized(q)} " for q, _, split in planned if split == "train"]
    rows: list[dict[str, object]] = []
    seen: set[str] = set()

    def add(query: str, expect: str | None, slice_: str, split: str) -> None:
        key = normalized(query)
        if not key or key in seen:
            return
        seen.add(key)
        rows.append(
            {"query": query, "expect": expect, "slice": slice_, "split": split, "origin": DRAFT}
        )

    splits: dict[str, str] = {}  # a topic (`_topic_key`) and the split of every line about it
    for query, name, split in planned:
        key = f" {normalized(query)} "
        if split == "holdout" and any(key in t or t in key for t in train):
            split = "train"  # a held-out request inside a train one, or holding one
        splits.setdefault(_topic_key(query), split)
        request = asked[query]
        add(request, name, "clean", split)
        for make, slice_ in ((typo, "typo"), (shorthand, "shorthand")):
            variant = make(request, rng)
            if variant.lower() != request.lower():
                add(variant, name, slice_, split)
    texts = [f"{s.name} {s.description}\n{s.body}" for s in skills]
    domain = shared_nouns([f"{s.name.replace('-', ' ')} {s.description}" for s in skills])
    fresh = [0]  # topics no request has: every other one held out

    def split_of(topic: str) -> str | None:
        """The split of the lines about `topic`: that of the requests about it, the next of a
        new topic's alternation, or None when requests about it are in both splits."""
        key = _topic_key(topic)
        related = {split for other, split in splits.items() if _related(key, other)}
        if len(related) > 1:
            return None
        if not related:
            fresh[0] += 1
            related = {"holdout" if fresh[0] % 2 == 0 else "train"}
        return splits.setdefault(key, related.pop())

    def miss(query: str, expect: str | None, topic: str) -> bool:
        split = split_of(topic)
        if split is None:
            return False
        add(query, expect, "near-miss", split)
        if (variant := typo(query, rng)).lower() != query.lower():
            add(variant, expect, "near-miss", split)
        return True

    for skill, (_, positive) in zip(skills, requests, strict=True):
        told = [(q, e, t) for t, e in near_misses(skill, skills) if (q := as_request(t, wording))]
        made = sum(miss(*line) for line in told)
        count = max(2, round(NEAR_MISSES * len(positive)) - made)
        mine = set(words(f"{skill.name.replace('-', ' ')} {skill.description}"))
        near = [w for w in domain if w in mine]
        for query, topic in out_of_scope(positive, texts, wording, 2 * count, near):
            count -= miss(query, None, topic)
            if count <= 0:
                break
    return rows


def _topic_key(topic: str) -> str:
    """A topic as the split compares it: `normalized`, less an opening "my" or article."""
    return re.sub(r"^(?:my|the|a|an) ", "", normalized(topic))


def _related(key: str, other: str) -> bool:
    """Whether two topics are one: equal, or one of two words or more inside the other."""
    if key == other:
        return True
    short, long = sorted((key, other), key=len)
    return len(short.split()) >= 2 and f" {short} " in f" {long} "


def write_draft(
    skills: Sequence[Skill], path: Path, *, seed: int = 0, option: str = "--evals-out"
) -> int:
    """Write the draft eval set for `skills` to `path` (a new file, given with the CLI option
    `option`); return its line count."""
    if path.exists():
        raise UserError(
            "exists already", path=path, fix=f"pass it with --evals, or name a new {option} file"
        )
    if not path.parent.is_dir():
        raise UserError("has no parent folder", path=path, fix="create the folder first")
    rows = draft_evals(skills, seed=seed)
    if not any(r["split"] == "holdout" for r in rows) or not any(
        r["split"] == "train" for r in rows
    ):
        raise UserError(
            "gives too few requests to split into train and held-out",
            path=path,
            fix="write an eval set by hand and pass it with --evals",
        )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    tmp.replace(path)
    return len(rows)


def is_draft(path: Path) -> bool:
    """Whether the eval file `path` came from `write_draft` (its first line marked a draft)."""
    if not path.is_file():
        return False
    with path.open(encoding="utf-8", errors="replace") as fh:
        return f'"origin": "{DRAFT}"' in fh.readline(4096)
