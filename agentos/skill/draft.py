"""A draft eval set for a folder of skills that has none, written offline from the skills' text.

Each skill gives the requests its own text offers (`agentos.skill.sources`), each asked as a user
asks it (`phrasing.as_request`) with a seeded typo and shorthand variant. About a third of the
lines are near-misses: every thing a "do not use for ..." clause lists
(`agentos.skill.nearmiss`), and requests for a task no skill does about the skill's topics or
the words the skills share (`nearmiss.out_of_scope`, expecting none). The split goes by topic:
each skill's requests are split about two to one into train and held-out, and every line about
one topic (a request, its variants, the near-misses about it) is in one split, so no held-out
query asks about what a train query asks about.

It is a draft for the user to read and edit: it only knows what the skills say about themselves,
so it measures how well each description routes its own wording, typos and shorthand included.
Every line carries `"origin": "draft"`, and a run on such a set says so in its report.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from agentos.errors import UserError
from agentos.skill.bm25 import stem
from agentos.skill.domain import shared_nouns
from agentos.skill.english import adjective, function_word, not_a_noun_phrase, verb
from agentos.skill.evals import normalized, shorthand, typo
from agentos.skill.nearmiss import near_misses, out_of_scope
from agentos.skill.phrasing import ACTIONS, Rotation, as_request, as_typed, kind, known_verb
from agentos.skill.sources import HOLDS, positives, typed_requests
from agentos.skill.vocab import content_words, words
from agentos.skill.written import as_written
from agentos.skillfile import Skill

DRAFT = "draft"
# near-misses per request of a skill: each with a typo variant, beside a request's three lines,
# about a third of the draft (Anthropic's skill-creator writes about half)
NEAR_MISSES = 0.75


def requests_of_skill(skill: Skill) -> tuple[list[str], list[str]]:
    """(the requests `skill`'s own text says should trigger it, those it says should not)."""
    return positives(skill), [query for query, _ in near_misses(skill)]


def draft_evals(skills: Sequence[Skill], *, seed: int = 0) -> list[dict[str, object]]:
    """The draft eval lines for `skills`: `{query, expect, slice, split, origin}`. A query
    appears once whatever its case and punctuation (`normalized`), and a held-out request that
    is part of a train one goes to train with its variants, so nothing held out was seen."""
    rng = random.Random(seed)
    wording = random.Random(f"{seed}-wording")  # the split's draws stay as they were
    offered = [(skill.name, own_requests(skill, skills)) for skill in skills]
    # a request two skills' texts both offer ("landing pages" of a copywriting skill and of a
    # conversion skill) has no one right answer: it is left out of both, variants and all
    owners = Counter(k for _, positive in offered for k in {_request_key(q) for q in positive})
    requests = [
        (name, [q for q in positive if owners[_request_key(q)] == 1]) for name, positive in offered
    ]
    turns = {name: Rotation(n) for n, (name, _) in enumerate(requests)}  # wordings in turn
    typed = {q for skill in skills for q in typed_requests(skill)}  # as their author quoted them
    asked = {
        q: as_typed(q)
        if q in typed
        else as_request(q, turns[name], name=q == name.replace("-", " ")) or q
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
    described = "\n".join(s.description for s in skills)  # "my SEO", as the skills write it
    domain = [
        as_written(w, described)
        for w in shared_nouns([f"{s.name.replace('-', ' ')} {s.description}" for s in skills])
        if not adjective(w) and not any(_predicative(w, t) for t in texts)
    ]
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
        told = [
            (q, e, t)
            for t, e in near_misses(skill, skills)
            if (q := as_request(t, turns[skill.name]))
        ]
        made = sum(miss(*line) for line in told)
        count = max(2, round(NEAR_MISSES * len(positive)) - made)
        mine = set(words(f"{skill.name.replace('-', ' ')} {skill.description}"))
        near = [w for w in domain if w.lower() in mine]
        for query, topic in out_of_scope(positive, texts, wording, 2 * count, near):
            count -= miss(query, None, topic)
            if count <= 0:
                break
    return rows


_PREDICATIVE_END = re.compile(r"[a-z]{3,}(?:ential|ical|ive|able|ible|ous|ful|less)$")
# a word shaped as an adjective, which no order opens on ("scientific", "historical")
_ADJECTIVAL = re.compile(r"[a-z]{3,}(?:ential|ic|[^e]al|ous|ful|less)")  # not -ive: "archive"
# a modifier after an order's verb: an adjective's ending, or a hyphenated past form
# ("formulate evidence-bounded questions", "audit scientific manuscripts")
_MODIFIER = re.compile(rf"{_PREDICATIVE_END.pattern[:-1]}|[a-z]{{3,}}(?:ific|tic)|[a-z]+-[a-z]+ed")
# a skill, the subject of "Includes claim extraction", takes the third person: a base form
# opening a phrase ("feature pages") is no verb of the skill
_BASE_HOLDS = frozenset(w for w in HOLDS if w + "s" in HOLDS)
_TO = frozenset(["for", "to", "of", "with", "about", "in", "on", "at"])
_DETERMINER = frozenset(
    ["a", "an", "the", "your", "my", "our", "their", "its", "this", "these", "those"]
)


def own_requests(skill: Skill, skills: Sequence[Skill]) -> list[str]:
    """The requests of `skill`'s own text (`positives`) that read as a person's: a noun phrase
    or a verb phrase in base form, never a predicate cut from its subject ("Essential for
    reporters", "ready to deploy"); a phrase opening on a verb the skill is the subject of
    ("Includes claim extraction") gives its object; and none whose words a sibling's name holds
    more of than this skill's ("preparing for interviews" of interview-transcription, beside
    interview-prep): the draft would turn the descriptions' overlap into an expected answer."""
    out = []
    typed = set(typed_requests(skill))  # someone's own words: asked as typed, never reworded
    for phrase in positives(skill):
        tokens = words(phrase)
        if phrase in typed:
            if _predicative(tokens[0] if tokens else "", phrase):
                continue  # "ready to plant": a state, no request, quoted or not
        elif tokens and tokens[0] in HOLDS and tokens[0] not in _BASE_HOLDS:
            phrase = phrase.split(None, 1)[1] if len(tokens) > 1 else ""
            if not phrase or not_a_noun_phrase(phrase) is not None:
                continue
        elif _predicative(tokens[0] if tokens else "", phrase):
            continue
        elif kind(phrase) == "topic" and (
            _order(tokens)
            or _verb_listed(tokens[0], skill.description)
            or _verbs_open(phrase)
            or _to_listed(phrase, skill.description)
        ):  # "craft effective pitches", "Draft, revise, and audit manuscripts", its "audit ..."
            phrase = f"I want to {phrase[:1].lower()}{phrase[1:]}"
        if _sibling_owns(phrase, skill, skills):
            continue
        out.append(phrase)
    return out


def _predicative(word: str, text: str) -> bool:
    """Whether `text` uses `word` as a predicate adjective: opening a phrase or sentence and
    followed by a preposition ("Essential for reporters", "ready to deploy")."""
    if not word or not (adjective(word) or _PREDICATIVE_END.fullmatch(word)):
        return False
    pattern = rf"(?:^|[.;:!?]\s+){re.escape(word)}\s+(?:{'|'.join(sorted(_TO))})\b"
    return re.search(pattern, text, re.IGNORECASE) is not None


def _order(tokens: list[str]) -> bool:
    """Whether `tokens`, worded as a topic, open on a base-form verb: a word that is no
    adjective or function word, then a determiner or a modifier ("craft effective pitches",
    "formulate evidence-bounded questions")."""
    if len(tokens) < 3 or adjective(tokens[0]) or function_word(tokens[0]):
        return False
    if tokens[0].endswith(("s", "ing", "ed", "ly")) or _ADJECTIVAL.fullmatch(tokens[0]):
        return False  # "scientific critical thinking" names a thing
    return tokens[1] in _DETERMINER or bool(_MODIFIER.fullmatch(tokens[1]))


def _verb_listed(word: str, description: str) -> bool:
    """Whether `description` writes `word` last in a list of three verbs or more ("optimize,
    improve, or increase conversions", "Draft, revise, and audit manuscripts"): a verb too,
    its phrase an order, though the draft does not know the word."""
    if function_word(word):
        return False
    pattern = rf"\b((?:[a-z]+,\s+)+)(?:or|and)\s+{re.escape(word)}\b"
    for match in re.finditer(pattern, " ".join(description.split()), re.IGNORECASE):
        listed = re.findall(r"[a-z]+", match.group(1).lower())
        verbs = [w for w in listed if known_verb(w)]
        if len(listed) >= 2 and verbs == listed:
            return True
    return False


def _to_listed(phrase: str, description: str) -> bool:
    """Whether `description` lists `phrase` after a wish's "to" ("Use when asked to make a
    budget, plan monthly spending, allocate income": "plan monthly spending" is an order)."""
    text = " ".join(description.split())
    start = text.find(phrase)
    if start <= 0 or not _verb_shaped(phrase):
        return False
    sentence = re.split(r"[.;:!?]\s", text[:start])[-1]
    lead = re.search(rf"{_TO_LEAD}([^()]*),\s*(?:(?:or|and)\s+)?$", sentence, re.IGNORECASE)
    if lead is None:
        return False
    # a list of orders: most of its items, three at least, open on a verb the draft knows, none a
    # question or the user's own words ("make a budget, plan monthly spending, allocate
    # income"; not "create a pitch deck, investor presentation, or startup pitch", nor "help
    # with my draft, who should I draft, fantasy league strategy")
    rest = re.split(r"[.;:!?]\s", text[start:])[0]
    items = [i for i in re.split(r",\s*(?:(?:or|and)\s+)?", f"{lead.group(1)}, {rest}") if i]
    if any(kind(i) in ("question", "situation") for i in items):
        return False
    firsts = [words(i)[0] for i in items if words(i)]
    known = sum(map(known_verb, firsts))
    return known >= 3 and 2 * known > len(firsts)  # not "plan a launch, feature announcement,
    # or release strategy", where two verbs are too few to tell a verb from a noun


def _verb_shaped(phrase: str) -> bool:
    """Whether `phrase` may open on a verb: two words or more, the first lowercase and no
    function word, adjective, participle or word shaped as a noun ("piece of art", "similar
    structured content", "technical specs", "decision docs", "PPC headlines")."""
    said = phrase.split()
    first, second = [*words(phrase), ""][:2]
    if len(said) < 2 or said[0] != first or not first.isalpha() or second == "of":
        return False
    if verb(first) or first in ACTIONS:  # "make a budget", "help with a plan"
        return True
    return not (
        function_word(first)
        or adjective(first)
        or _NOUN_END.search(first)
        or first.endswith(("ed", "ing", "ly"))  # "commercially available compounds"
    )


_NOUN_END = re.compile(r"(?:s|al|ic|ous|ion|ment|ness|ity|ive|ful|ary|ory|ar)$")
_TO_LEAD = r"\b(?:asked|asks?|wants?|needs?|trying|helps?(?:\s+(?:me|you|users?))?)\s+to\s+"


def _verbs_open(phrase: str) -> bool:
    """Whether `phrase` opens on a list of three verbs or more ("Draft, revise, and audit
    manuscripts")."""
    match = re.match(r"(?:[a-z]+,\s+)+(?:or|and)\s+([a-z]+)\b", phrase, re.IGNORECASE)
    return match is not None and _verb_listed(match.group(1).lower(), match.group(0))


def _name_cover(phrase: str, name: str) -> int:
    """How many of `phrase`'s content words the skill name `name` holds (a stem or a name word
    of four letters or more that begins one: "prep" holds "preparing")."""
    parts = [stem(w) for w in name.split("-")]
    return sum(
        any(stem(w) == p or (len(p) >= 4 and stem(w).startswith(p)) for p in parts)
        for w in content_words(phrase)
    )


def _sibling_owns(phrase: str, skill: Skill, skills: Sequence[Skill]) -> bool:
    """Whether a sibling's name holds two of `phrase`'s words or more, and more than `skill`'s
    name does: the request is the sibling's as much as this skill's, at least."""
    mine = _name_cover(phrase, skill.name)
    return any(_name_cover(phrase, s.name) > max(mine, 1) for s in skills if s.name != skill.name)


def _request_key(request: str) -> str:
    """A request as two skills' offers are compared: `normalized`, each word stemmed, so
    "comparison page" and "comparison pages" are one request."""
    return " ".join(stem(w) for w in normalized(request).split())


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


__all__ = ["DRAFT", "draft_evals", "is_draft", "near_misses", "requests_of_skill", "write_draft"]
