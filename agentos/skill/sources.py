"""The requests a skill's own text offers, for the draft eval set (`agentos.skill.draft`).

The clauses of its description ("Use when the user asks to rotate a key or replace a leaked
token" gives "rotate a key", "replace a leaked token"), the examples its prose gives as someone's
words, its headings that name a task of the skill, and its name. Only prose is read: the body's
code (fenced blocks, inline spans) is dropped first, so a string in a code sample is never a
request, and a quote counts only where its sentence says someone asks it ("the user says ...",
"e.g."), never a thought or a story the body quotes. A heading counts only when it names a task
about something the skill's name or description names, never a numbered step, a shouted label
or a generic section ("Quick Start"). A description's words naming the skill itself ("Toolkit
for", "Helps an owner", "This workflow helps users") are not the request; lead-ins ("Use when",
"Also for"), disclaimers ("Not medical advice"), the ends of a list of single words, text after
a closing parenthesis, placeholders ("read file X") and shell commands are no requests.
"""

from __future__ import annotations

import re

from agentos.skill.bm25 import stem
from agentos.skill.cuts import (
    GENERIC,
    LEAD,
    PIECES,
    WISH,
    base_form,
    clauses_after,
    listed,
    whole,
)
from agentos.skill.english import FUNCTION, verb
from agentos.skill.evals import normalized
from agentos.skill.phrasing import fragment, kind, tidy
from agentos.skill.prose import QUOTED, asked_quotes, body_prose
from agentos.skill.vocab import content_words
from agentos.skill.written import as_written
from agentos.skillfile import Skill

MAX_PER_SKILL = 12

_USE = re.compile(
    r"\b(?:(?:use|load|invoke) (?:it |this (?:skill )?)?(?:when|for|to|if)|"
    r"trigger(?:s|ed)? (?:when|on|for)|"
    rf"when (?:the user|a user|someone|you) (?:asks?|wants?|needs?) {WISH}|"
    r"for requests? (?:like|such as|about)|e\.g\.|such as)\b",
    re.IGNORECASE,
)
NOT = re.compile(
    r"\b(?:(?:do not|don't|never|not) (?:use|trigger)\w* (?:it |this (?:skill )?)?"
    r"(?:for|when|on|to|with)|not for)\b([^.;]*)",
    re.IGNORECASE,
)
# a sentence that sends a request to a sibling skill by its name ("For formal peer review
# writing use peer-review.", "Use citation-checks for verifying reference lists."): the request
# is no request of this skill (`positives`), and a near-miss for that sibling (`nearmiss`)
REFER = re.compile(
    r"\bfor\s+(?P<thing>[^.;()]+?),?\s+(?:use|see|try)\s+(?:the\s+)?`?(?P<name>[a-z0-9][\w-]*)`?"
    r"(?:\s+(?:skill\s+)?instead|\s+skill)?(?=\s*[.;]|\s*$)|"
    r"\b(?:use|see|try)\s+(?:the\s+)?`?(?P<name2>[a-z0-9]+(?:-[a-z0-9]+)+)`?\s+(?:skill\s+)?"
    r"(?:for|when)\s+(?P<thing2>[^.;()]+)",
    re.IGNORECASE,
)
# a sentence that limits what the skill takes ("Use only with synthetic or de-identified
# inputs"): a condition, no request
_ONLY = re.compile(r"(?:(?:use|trigger)\s+(?:it\s+|this\s+(?:skill\s+)?)?only|only\s+use)\b", re.I)
# a short aside in brackets inside a phrase, a word on either side: "MCP (Model Context
# Protocol) servers", "a preventive-care (wellness) plan"
_ASIDE_PAREN = re.compile(r"(?<=\w)\s+\([^()]{1,40}\)(?=\s+[a-z])")
# a sentence after the first that lists what the skill hands back ("Produces a payoff
# schedule, the total interest and a recommendation") or the skills it goes with ("Complements
# the estate pack"): no request of a person; a disclaimer ("Educational, not financial advice")
_ASIDE = re.compile(
    r"^(?:it\s+|this\s+skill\s+)?(?:produces|outputs|returns|delivers|yields|complements|"
    r"pairs\s+(?:well\s+)?with|works\s+(?:well\s+)?with|see\s+also)\b",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"\bnot\s+(?:[\w-]+\s+){0,2}(?:advice|a\s+substitute)\b|^(?:educational|informational)\b",
    re.IGNORECASE,
)
# a sentence addressed to another agent ("If you are @kb-lead, load this for ..."): no request
_AGENT = re.compile(r"\bif you are\b", re.IGNORECASE)
_HEADING = re.compile(r"^#{2,4}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
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
# a description opening on what the skill does to its user ("Walks a policyholder through
# filing a claim", "Guides a new hire through onboarding"): the request asks it for the user
_GUIDES = re.compile(r"^([A-Za-z]{3,}s)\s+(?:a|an|the|your|any)\s+[\w-]+\s+(through)\s+")


def _guide(match: re.Match[str]) -> str:
    return f"{base_form(match.group(1).lower())} me {match.group(2)} "


# verbs whose subject is the skill ("Includes claim extraction", "Enforces a workflow"): they
# say what it holds or guarantees, not a task a person asks for; its object is the request
_HOLD = "include contain cover provide offer feature ensure enforce support guarantee"
HOLDS = frozenset(f"{v}{e}" for v in re.findall(r"\w+", _HOLD) for e in ("", "s", "d", "es"))
# a description opening on what the skill does, in the third person ("Explores user intent",
# "Drafts the release notes"): a capitalised -s word before a lowercase word that is no
# function word but a determiner, no gerund or past form and no verb ("Tips for", "Sales
# forecasting", "Dogs need walks" open on no such verb, nor a word ending in -ss, -is or -us,
# "This skill should be used ...", "Thus"); the user asks for it ("help me explore user intent")
_DOES = re.compile(r"^([A-Z][a-z]{2,}(?<![siu])(?<!ic)s)\s+([a-z][\w'-]*)")
_DETERMINERS = frozenset(re.findall(r"\w+", "a an the your their its any each every this these"))
_ASKS = frozenset(re.findall(r"\w+", "need needs want wants get gets"))  # "Dogs need walks"


def _does(match: re.Match[str]) -> str:
    said, after = match.groups()
    if said.lower() in HOLDS:
        return match.group(0)  # "Includes seed charts": `draft` asks for its object
    if after not in _DETERMINERS and (
        after in FUNCTION or after.endswith(("ing", "ed")) or verb(after) or after in _ASKS
    ):
        return match.group(0)
    return f"help me {base_form(said.lower())} {after}"


_NUMBERED = re.compile(r"^\s*(?:\d+[a-z]?(?:\.\d+[a-z]?)*[.):]?|[A-Za-z][.)]|[IVX]+\.)\s+")
# a concession closing a sentence ("..., especially if the request seems unclear"): no request
_CONCESSION = re.compile(
    r",?\s+(?:especially|particularly|even|regardless)\b[^.]*$|,\s+whether\b[^.]*$", re.I
)
# "(use bread-baking)", "(see the pdf skill)": the skill a "do not use" clause sends elsewhere
PAREN = re.compile(r"\s*(?<!\w)\([^)]*\)?")


def positives(skill: Skill) -> list[str]:
    """The requests `skill`'s own text says should trigger it, at most `MAX_PER_SKILL`."""
    text = " ".join(skill.description.split())  # a block scalar's line breaks are no cuts
    sentences = _SENTENCE.split(NOT.sub("", REFER.sub("", text)).strip())
    sentences = sentences[:1] + [t for t in sentences[1:] if not _ASIDE.search(t)]
    sentences = [
        _mine(t)
        for t in sentences
        if not (_ONLY.match(t) or _DISCLAIMER.search(t) or _AGENT.search(t))
    ]
    kept = " ".join(_DOES.sub(_does, _GUIDES.sub(_guide, _SELF.sub("", t))) for t in sentences)
    kept = _ASIDE_PAREN.sub("", kept)  # "a preventive-care (wellness) plan": one phrase
    first = re.split(r"(?<=[.!?])\s+", kept.strip())[0].rstrip(".")
    first = _CONCESSION.sub("", first)  # ", especially if the request seems unclear"
    # a sentence opening on a lead-in ("Use when X, Y or Z") lists requests: its parts are read
    led = LEAD.sub("", first, count=1) != first
    # the requests the skill quotes in someone's words come first: they are asked as typed
    typed = typed_requests(skill)
    positive = list(typed)
    positive += [first] if len(first.split()) <= 14 and not led else []
    positive += clauses_after(kept, _USE)
    positive += listed(kept, PIECES)
    body = body_prose(skill.body)
    for heading in _HEADING.findall(body):  # a task ("Confirming fleas"), not a section's name
        words = heading.lower().strip(" :")  # ("The box setup"), a step ("4.2 Create ...") or
        if _NUMBERED.match(heading) or _shouted(heading):  # a shouted label
            continue
        if re.search(r",\s*(?:(?:and|or)\s+)?[A-Z]", heading):  # sections: "Criteria, Types"
            continue
        heading = heading.strip(" :")
        topic = len(content_words(PAREN.sub("", words))) >= 2
        task = kind(heading) in ("order", "gerund", "wh-to", "question") if heading else False
        task = task and not _section_name(heading, skill)
        if (
            topic
            and task
            and _on_topic(heading, skill)
            and not words.startswith(("when", "before", "after", "if ", "once"))
        ):
            positive.append(_sentence_case(heading, skill))
    own = frozenset(typed)
    keep = _usable(positive, own)
    if sum(len(p.split()) > 1 for p in keep) < TERSE:  # terse: the body's sections ask too
        keep = _usable([*keep, *body_requests(skill)], own)
    keep.sort(key=lambda p: len(p.split()) == 1)  # a phrase says more than a word alone
    return _usable([*keep, skill.name.replace("-", " ")], own)[:MAX_PER_SKILL]


def typed_requests(skill: Skill) -> list[str]:
    """The requests `skill`'s text quotes as someone's words, three words or more: the
    description's quotes and the body's quotes its sentence gives as asked ("the user says
    ..."); the draft asks each as typed (`phrasing.as_typed`): "stage and commit" is a
    command, not a topic. Never a fragment of writing ("Table 2 shows...")."""
    text = " ".join(skill.description.split())
    found = QUOTED.findall(text) + _SINGLE.findall(text) + asked_quotes(body_prose(skill.body))
    return [
        re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", q).strip(" ,;:")  # "their *audience*": no markup
        for q in found
        if len(q.split()) >= 3 and q[:1].isalpha() and not q.endswith(("...", "\u2026"))
    ]


# a description's single-quoted words ('people keep canceling,'), an apostrophe inside a
# word ("Nobody's") opening or closing none
_SINGLE = re.compile(r"(?<![\w'])'([^'\n]{6,80}?)'(?!\w)")
TERSE = 3  # a description that gives fewer requests than this is terse
# a sentence told of the user ("When the user wants to diagnose SEO issues on their site"):
# what follows is the user's, and asked by the user, "their" is "my"
_USER = re.compile(r"\bthe user (?:asks|wants|needs|says|mentions|is|has)\b", re.IGNORECASE)


def _mine(sentence: str) -> str:
    """`sentence` with the user's "their" after a clause told of the user said as "my"; never
    inside a quote, which is someone's own words ('does their audience match us')."""
    told = _USER.search(sentence)
    if told is None:
        return sentence
    rest = sentence[told.end() :]
    quoted = [m.span() for q in (QUOTED, _SINGLE) for m in q.finditer(rest)]

    def mine(match: re.Match[str]) -> str:
        inside = any(a <= match.start() < b for a, b in quoted)
        return match.group(0) if inside else {"their": "my", "themselves": "myself"}[match[0]]

    return sentence[: told.end()] + re.sub(r"\b(?:their|themselves)\b", mine, rest)


def _usable(phrases: list[str], typed: frozenset[str] = frozenset()) -> list[str]:
    """`phrases` that read as whole requests, each once whatever its case and punctuation and
    whatever follows a dash, where a request ends ("any page — including homepage"). A request
    quoted in someone's words (`typed`) needs no two content words: "what should I post" is
    what people type."""
    seen: set[str] = set()
    keep = []
    for p in phrases:
        key = normalized(tidy(p))
        if (
            key not in seen
            and len(p.split()) <= 14
            and whole(p)
            and (p in typed or not fragment(p))
            and not _shouted(p)  # "HIGH RISK": a label, no request
        ):
            seen.add(key)
            keep.append(p)
    return keep


_LEAD_TERM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\*\*)?([^:*\n]{3,60}?)(?:\*\*)?:\s", re.M)
_CLAUSE = re.compile(r"\b(?:is|are|was|were|be|been|has|have)\b", re.I)
_BACK_REF = re.compile(r"\s+(?:them|it)$", re.I)


def body_requests(skill: Skill) -> list[str]:
    """The requests a terse skill's text offers beyond its description's phrases: each task of
    a description that joins two with "and" ("Choose running shoes and decide when to replace
    them": the second's "them" is the first's object), every heading of two content words or
    more ("Heel drop"), and the term a list item explains ("- Trail shoes: lugs and ...")."""
    out: list[str] = []
    for sentence in _SENTENCE.split(" ".join(NOT.sub("", skill.description).split())):
        if re.match(r"(?:use|used|invoke|trigger)\b", sentence, re.I):
            continue  # "Use when ...": `clauses_after` reads those
        parts = [p.strip(" .,;") for p in re.split(r",?\s+and\s+", sentence)]
        if not all(kind(p) == "order" for p in parts[1:] if p):
            parts = [sentence.strip(" .,;")]  # "eat and drink": one task, not two
        for before, part in zip(["", *parts], parts, strict=False):
            object_ = before.split(" ", 1)[1] if " " in before else ""
            if object_ and _BACK_REF.search(part):
                part = _BACK_REF.sub(f" {object_}", part)  # "replace them": replace the shoes
            out.append(_DOES.sub(_does, part))  # "Explores user intent": help me explore it
    body = body_prose(skill.body)
    for heading in _HEADING.findall(body):
        heading = PAREN.sub("", heading).strip(" :")
        said = content_words(heading.replace("-", " "))
        named = len(said) >= 2 and not GENERIC.intersection(said)  # no "Rules of thumb"
        if named and not (_NUMBERED.match(heading) or _shouted(heading)):
            out.append(_sentence_case(heading, skill))
    for term in _LEAD_TERM.findall(body):
        term = PAREN.sub("", term).strip()
        if _CLAUSE.search(term):
            continue  # a condition ("Purpose is explicit", "Consent forms are signed")
        if len(term.split()) <= 4 and len(content_words(term.replace("-", " "))) >= 2:
            out.append(term)
    return out


def _sentence_case(heading: str, skill: Skill) -> str:
    """A Title Case heading ("Handling Missing Assignments") as a sentence says it ("Handling
    missing assignments"): each capitalised word after the first lowered, unless the skill's
    prose writes it with a capital where no sentence opens (`Google Classroom`); an acronym or
    a word of mixed case (`HEAD`, `GitHub`) is kept."""
    said = heading.split()
    named = [w for w in said if w[:1].isalpha() and w.lower() not in FUNCTION]
    if len(named) < 2 or not all(w[:1].isupper() for w in named):
        return heading
    # capitals where no sentence opens, headings and table rows aside (they are titles too)
    text = _TITLES.sub("", f"{skill.description}\n{skill.body}")
    first, *parts = said[0].split("-")  # "Bite-Sized": "Bite-sized"
    out = ["-".join([first, *(p.lower() if _plain(p) else p for p in parts)])]
    for word in said[1:]:
        plain = all(_plain(p) for p in word.split("-"))
        out.append(as_written(word.lower(), text) if plain else word)
    return " ".join(out)


def _plain(word: str) -> bool:
    return word[:1].isupper() and word[1:].islower()


_TITLES = re.compile(r"^\s*(?:#|\|).*$", re.MULTILINE)


def _shouted(heading: str) -> bool:
    letters = [c for c in heading if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def _section_name(heading: str, skill: Skill) -> bool:
    """Whether `heading` reads as an order only because its first word may be a verb and is a
    noun too ("Design principles", "Merge PDFs"): it names a section, not a task, unless what
    follows names something the skill's name or description names ("PDFs" in a PDF skill).
    A first word that is only a verb ("Prune roses") leaves it a task."""
    first, _, rest = heading.partition(" ")
    return kind(heading) == "order" and not verb(first.lower()) and not _on_topic(rest, skill)


def _on_topic(heading: str, skill: Skill) -> bool:
    """Whether `heading` names something the skill's name or description names: a word they
    share that is no verb, gerund or generic word ("Merge PDFs" beside "PDF files"; not
    "Drawing from Scratch" beside "animated GIFs", nor "Plan Your Implementation")."""
    about = stems(f"{skill.name} {skill.description}")
    return any(
        stem(w) in about
        for w in content_words(PAREN.sub("", heading).replace("-", " "))
        if not w.endswith("ing") and not verb(w) and w not in GENERIC
    )


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text.replace("-", " "))}
