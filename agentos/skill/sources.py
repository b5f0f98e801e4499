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
from agentos.skill.english import FUNCTION, verb
from agentos.skill.evals import normalized
from agentos.skill.phrasing import fragment, kind, tidy
from agentos.skill.prose import QUOTED, asked_quotes, body_prose
from agentos.skill.vocab import SHELL, STOPWORDS, content_words
from agentos.skillfile import Skill

MAX_PER_SKILL = 12

# what a wish leads to: "wants to X", "wants help with X", "asks about X"
_WISH = r"(?:help (?:with|on|to) |to |for |about )?"
_USE = re.compile(
    r"\b(?:use (?:it |this (?:skill )?)?(?:when|for|to|if)|trigger(?:s|ed)? (?:when|on|for)|"
    rf"when (?:the user|a user|someone|you) (?:asks?|wants?|needs?) {_WISH}|"
    r"for requests? (?:like|such as|about)|e\.g\.|such as)\b",
    re.IGNORECASE,
)
NOT = re.compile(
    r"\b(?:(?:do not|don't|never|not) (?:use|trigger)\w* (?:it |this (?:skill )?)?"
    r"(?:for|when|on|to|with)|not for)\b([^.;]*)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:use (?:when|if|for|whenever) |also (?:for|when|if) |covers? |when (?=\w+ing\b))?(?:"
    r"(?:claude should )?use (?:this|it)(?: skill)? (?:any ?time|whenever|when|if|for)? ?"
    rf"(?:(?:the )?users? (?:asks?|wants?|needs?|requests?|mentions?) {_WISH})?"
    r"(?:asked (?:to |for |about )?)?|"
    rf"(?:if|when|whenever) (?:the )?users? (?:asks?|wants?|needs?|mentions?|requests?) {_WISH}|"
    r"triggers? include |"
    rf"the (?:user|request) (?:asks?|wants?|needs?|mentions?) {_WISH}|"
    rf"(?:users?|someone) (?:asks?|wants?|needs?|requests?|mentions?) {_WISH}|"
    r"asked (?:to |for |about |whether |if )?|"
    r"(?:this|it) (?:also )?(?:includes?|covers?|means|handles?) (?:any task where "
    r"(?:the users? wants? to )?)?|"
    r"(?:working|dealing) (?:on|with) |(?:urgent |quick |expert )?help (?:with|for|when|on) |"
    r"requests? (?:to|for|about) |asks? about |including )?",
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
    return f"{_base(match.group(1).lower())} me {match.group(2)} "


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
    return f"help me {_base(said.lower())} {after}"


def _base(said: str) -> str:
    """The base form of a third person ("walks": walk, "fixes": fix, "applies": apply)."""
    if said.endswith("ies"):
        return said[:-3] + "y"
    ends = ("ches", "shes", "sses", "xes", "zzes", "oes")  # "emphasizes": emphasize
    return said[:-2] if said.endswith(ends) else said[:-1]


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
        "stuff checks",
    )
)
_STEP = re.compile(r"^(?:step|phase|part|stage)\s+\d+\b", re.IGNORECASE)
_NUMBERED = re.compile(r"^\s*(?:\d+[a-z]?(?:\.\d+[a-z]?)*[.):]?|[A-Za-z][.)]|[IVX]+\.)\s+")
_CLI = """npm pip pip3 python python3 node git yarn pnpm docker kubectl bash sh make uv brew apt
    curl cat echo touch export source tar"""
_COMMANDS = SHELL | frozenset(_CLI.split())
_OPENING = (
    "whether which that and or but so as etc while then not no for regardless even like "
    "especially particularly with without"
)
# a concession closing a sentence ("..., especially if the request seems unclear"): no request
_CONCESSION = re.compile(
    r",?\s+(?:especially|particularly|even|regardless)\b[^.]*$|,\s+whether\b[^.]*$", re.I
)
_OPENERS = frozenset(_OPENING.split())
# a dot ends a sentence only before a space or the end: p5.js and claude.ai stay whole
_PIECES = re.compile(
    r"\.(?=\s|$)\s*|[;:()]\s*|,\s*(?:and\s+|or\s+)?|\s+(?:such as|including|like)\s+|"
    r"\s+[\u2014\u2013]\s+|\s+--?\s+"
)
_SPLIT = re.compile(r",\s*(?:or\s+|and\s+)?|\s+or\s+|;\s*")
# "(use bread-baking)", "(see the pdf skill)": the skill a "do not use" clause sends elsewhere
PAREN = re.compile(r"\s*(?<!\w)\([^)]*\)?")


# where a long request's circumstance starts ("... after damage or theft")
_ADJUNCT = re.compile(r"\s+(?:after|before|during|because|once|until)\s")


# what the asker does ("wants to convert ...", "asks for a review"): the request follows
_ASKER_VERBS = frozenset(("want", "need", "ask", "say", "mention", "request", "type", "write"))
# pronouns a whole clause may end on ("the price dropped after I bought it")
_OBJECT_END = frozenset(("it", "them", "me", "us", "else"))
_WH = frozenset(("what", "who", "which", "where", "how"))  # "what am I paying for" may end on "for"
# what no request opens or ends on: punctuation, quotes, brackets and dashes ("release
# gates—" of "release gates—not for clinical decision-making")
_ENDS = " .,:;-\"'`()\u2014\u2013"


def clean(phrase: str, least: int = 2) -> str | None:
    text = _LEAD.sub("", phrase.strip(_ENDS)).strip(_ENDS)
    if len(text.split()) > 14 and (adjunct := _ADJUNCT.search(text)):
        text = text[: adjunct.start()]  # "filing a claim after damage or theft": the request
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
    if re.search(r"[{}\[\]<>|\\]|\w\((?!\w{1,3}\)(?!\w))", text):
        return False  # code: "Pages: {len(reader.pages)}"
    if re.search(r"\b(?:[B-HJ-Z]|XYZ)\b", text):
        return False  # a template's placeholder: "read file X", "a GIF of X doing Y"
    if text.startswith("'") != text.endswith("'") or re.search(r"(?:^|\s)'\w[^']*$", text):
        return False  # an opening quote never closed: "any mention of 'Word doc"
    first, last = tokens[0].lower(), tokens[-1].lower().strip(".,;:!?")
    asks = first in _WH and bool({"i", "you", "we"}.intersection(t.lower() for t in tokens[1:4]))
    told = bool({"i", "you", "we", "they", "there"}.intersection(t.lower() for t in tokens[:-1]))
    mine = last in ("me", "us", "else") or (last in _OBJECT_END and told)  # "after I bought it"
    ends = last not in STOPWORDS or mine or asks
    if first in _OPENERS or not ends:
        return False
    if last in ("include", "includes"):
        return False
    if re.search(r"\b(?:use (?:this|it)|this skill|claude|(?:a|the) users?)\b", text, re.I):
        return False
    said = re.fullmatch(r"[a-z]{3,}(?<![su])s", tokens[0]) and _base(tokens[0])
    if said and verb(said) and said not in _ASKER_VERBS:
        return False  # "requires technical rigor": what the skill does, its subject cut off
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


# kept whole through the cuts: a bracket glued to a word ("401(k)", "403(b)") and the commas of
# a list of modifiers before one head noun ("a home, renters or auto insurance claim",
# "comprehensive, systematic literature reviews")
_GLUED = re.compile(r"(?<=\w)\((\w{1,3})\)(?!\w)")
_MODIFIERS = re.compile(
    r"\b(?:a|an|the|my|your)\s+[\w-]+(?:,\s+(?!(?:a|an|the)\s)[\w-]+)+"
    r",?\s+(?:or|and)\s+(?!(?:a|an|the)\s)[\w-]+\s+[\w-]+"
)
# a comma after a word shaped as an adjective, before two words more: "comprehensive,
# systematic literature reviews", "evidence-bounded, constructive peer-review drafts"
_ADJECTIVE_COMMA = re.compile(
    r"\b[a-z]+(?:ive|ous|ful|less|able|ible|ific|-[a-z]+ed),(?=\s+(?!(?:and|or)\s)[\w-]+\s+[\w-]+)"
)
_KEEP = str.maketrans({"(": "\x01", ")": "\x02", ",": "\x03"})
_BACK = str.maketrans({"\x01": "(", "\x02": ")", "\x03": ","})


def _protect(text: str) -> str:
    text = _GLUED.sub(lambda m: m.group(0).translate(_KEEP), text)
    text = _MODIFIERS.sub(lambda m: m.group(0).translate(_KEEP), text)

    def modifier(match: re.Match[str]) -> str:  # a noun the next item ends on is no modifier
        word = match.group(0)[:-1]  # "singular alternative, plural alternatives"
        item = re.split(r"[,;:.()]|\s(?:and|or)\s", text[match.end() :], maxsplit=1)[0].split()
        same = bool(item) and stem(item[-1].lower()) == stem(word.lower())
        return match.group(0) if same else match.group(0).translate(_KEEP)

    return _ADJECTIVE_COMMA.sub(modifier, text)


def _listed(text: str, separator: re.Pattern[str]) -> list[str]:
    """The requests among the parts of `text` cut at `separator`, less the two ends of a list
    of single words that closes on a two-word phrase whose noun they share: "the rider has
    knee, back, neck, hand or saddle pain" gives neither "the rider has knee" nor "saddle
    pain"; "the brakes feel weak, rub, squeal, pull to the bar" keeps "the brakes feel weak",
    and "create, edit, or optimize an existing skill" keeps "optimize an existing skill"."""
    text = _protect(text)
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
        if cleaned := clean(part):
            out.append(cleaned.translate(_BACK))
    return out


def positives(skill: Skill) -> list[str]:
    """The requests `skill`'s own text says should trigger it, at most `MAX_PER_SKILL`."""
    text = " ".join(skill.description.split())  # a block scalar's line breaks are no cuts
    sentences = _SENTENCE.split(NOT.sub("", REFER.sub("", text)).strip())
    sentences = sentences[:1] + [t for t in sentences[1:] if not _ASIDE.search(t)]
    sentences = [_mine(t) for t in sentences if not _ONLY.match(t) and not _DISCLAIMER.search(t)]
    kept = " ".join(_DOES.sub(_does, _GUIDES.sub(_guide, _SELF.sub("", t))) for t in sentences)
    kept = _ASIDE_PAREN.sub("", kept)  # "a preventive-care (wellness) plan": one phrase
    first = re.split(r"(?<=[.!?])\s+", kept.strip())[0].rstrip(".")
    first = _CONCESSION.sub("", first)  # ", especially if the request seems unclear"
    # a sentence opening on a lead-in ("Use when X, Y or Z") lists requests: its parts are read
    led = _LEAD.sub("", first, count=1) != first
    positive = [first] if len(first.split()) <= 14 and not led else []
    positive += _clauses(kept, _USE)
    positive += _listed(kept, _PIECES)
    body = body_prose(skill.body)
    quoted = QUOTED.findall(text) + asked_quotes(body)  # example requests, not cue words
    positive += [
        q.strip(" ,;:")
        for q in quoted  # not a fragment of writing ("Table 2 shows...")
        if len(q.split()) >= 3 and q[:1].isalpha() and not q.endswith(("...", "\u2026"))
    ]
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
            positive.append(heading)
    keep = _usable(positive)
    if len(keep) < TERSE:  # a terse description: the body's sections and list items ask too
        keep = _usable([*keep, *body_requests(skill)])
    return _usable([*keep, skill.name.replace("-", " ")])[:MAX_PER_SKILL]


TERSE = 3  # a description that gives fewer requests than this is terse
# a sentence told of the user ("When the user wants to diagnose SEO issues on their site"):
# what follows is the user's, and asked by the user, "their" is "my"
_USER = re.compile(r"\bthe user (?:asks|wants|needs|says|mentions|is|has)\b", re.IGNORECASE)


def _mine(sentence: str) -> str:
    """`sentence` with the user's "their" after a clause told of the user said as "my"."""
    told = _USER.search(sentence)
    if told is None:
        return sentence
    rest = re.sub(r"\btheir\b", "my", sentence[told.end() :])
    return sentence[: told.end()] + re.sub(r"\bthemselves\b", "myself", rest)


def _usable(phrases: list[str]) -> list[str]:
    """`phrases` that read as whole requests, each once whatever its case and punctuation and
    whatever follows a dash, where a request ends ("any page — including homepage")."""
    seen: set[str] = set()
    keep = []
    for p in phrases:
        key = normalized(tidy(p))
        if key not in seen and len(p.split()) <= 14 and _whole(p) and not fragment(p):
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
            continue  # "Use when ...": `_clauses` reads those
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
        named = len(said) >= 2 and not _GENERIC.intersection(said)  # no "Rules of thumb"
        if named and not (_NUMBERED.match(heading) or _shouted(heading)):
            out.append(heading)
    for term in _LEAD_TERM.findall(body):
        term = PAREN.sub("", term).strip()
        if _CLAUSE.search(term):
            continue  # a condition ("Purpose is explicit", "Consent forms are signed")
        if len(term.split()) <= 4 and len(content_words(term.replace("-", " "))) >= 2:
            out.append(term)
    return out


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
        if not w.endswith("ing") and not verb(w) and w not in _GENERIC
    )


def stems(text: str) -> set[str]:
    return {stem(w) for w in content_words(text.replace("-", " "))}
