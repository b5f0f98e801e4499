"""How a skill's text is cut into whole requests, for the draft eval set
(`agentos.skill.sources`): the pieces of a description at its sentence ends, commas, dashes
and brackets (`listed`, kept whole where a bracket is glued to a word or commas list modifiers
of one noun), the lead-ins stripped (`LEAD`: "Use when", "asked to", "If the user mentions"),
and each piece kept only when it reads as a whole request (`whole`): letters, balanced
brackets and quotes, no dangling first or last word, no meta text, shell command or generic
heading.
"""

from __future__ import annotations

import re

from agentos.skill.bm25 import stem
from agentos.skill.english import adjective, verb
from agentos.skill.phrasing import known_verb
from agentos.skill.vocab import SHELL, STOPWORDS, content_words

# what a wish leads to: "wants to X", "wants help with X", "asks about X"
WISH = r"(?:help (?:with|on|to) |to |for |about )?"
LEAD = re.compile(
    r"^(?:(?:use|load|invoke) (?:when|if|for|whenever) |also (?:for|when|if) |covers? |"
    r"when (?=\w+ing\b))?(?:"
    r"(?:claude should )?use (?:this|it)(?: skill)? (?:any ?time|whenever|when|if|for)? ?"
    rf"(?:(?:the )?users? (?:asks?|wants?|needs?|requests?|mentions?) {WISH})?"
    r"(?:asked (?:to |for |about )?)?|"
    rf"(?:if|when|whenever) (?:the )?users? (?:asks?|wants?|needs?|mentions?|requests?) {WISH}|"
    r"triggers? include |"
    rf"the (?:user|request) (?:asks?|wants?|needs?|mentions?) {WISH}|"
    rf"(?:users?|someone) (?:asks?|wants?|needs?|requests?|mentions?) {WISH}|"
    r"asked (?:to |for |about |whether |if )?|"
    r"(?:this|it) (?:also )?(?:includes?|covers?|means|handles?) (?:any task where "
    r"(?:the users? wants? to )?)?|"
    r"(?:working|dealing) (?:on|with) |(?:urgent |quick |expert )?help (?:with|for|when|on) |"
    r"requests? (?:to|for|about) |asks? about |including )?",
    re.IGNORECASE,
)


def base_form(said: str) -> str:
    """The base form of a third person ("walks": walk, "fixes": fix, "applies": apply)."""
    if said.endswith("ies"):
        return said[:-3] + "y"
    ends = ("ches", "shes", "sses", "xes", "zzes", "oes")  # "emphasizes": emphasize
    return said[:-2] if said.endswith(ends) else said[:-1]


GENERIC = frozenset(
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
_CLI = """npm pip pip3 python python3 node git yarn pnpm docker kubectl bash sh make uv brew apt
    curl cat echo touch export source tar"""
_COMMANDS = SHELL | frozenset(_CLI.split())
_OPENING = (
    "whether which that and or but so as etc while then not no for regardless even like "
    "especially particularly with without"
)
_OPENERS = frozenset(_OPENING.split())
# a dot ends a sentence only before a space or the end: p5.js and claude.ai stay whole
PIECES = re.compile(
    r"\.(?=\s|$)\s*|[;:()]\s*|,\s*(?:and\s+|or\s+)?|\s+(?:such as|including|like)\s+|"
    r"\s+[\u2014\u2013]\s+|\s+--?\s+"
)
SPLIT = re.compile(r",\s*(?:or\s+|and\s+)?|\s+or\s+|;\s*")
# where a long request's circumstance starts ("... after damage or theft")
_ADJUNCT = re.compile(r"\s+(?:after|before|during|because|once|until)\s")


_AUX_S = frozenset(("does", "has", "was"))  # "does their audience match us": a question
# what the asker does ("wants to convert ...", "asks for a review"): the request follows
_ASKER_VERBS = frozenset(("want", "need", "ask", "say", "mention", "request", "type", "write"))
# what follows a verb that names a shell command too ("make", "source", "touch") in a request
_DETERMINED = frozenset(("a", "an", "the", "my", "your", "some", "sure", "it", "me", "this"))
# pronouns a whole clause may end on ("the price dropped after I bought it")
_OBJECT_END = frozenset(("it", "them", "me", "us", "else"))
_WH = frozenset(("what", "who", "which", "where", "how"))  # "what am I paying for" may end on "for"
# what no request opens or ends on: punctuation, quotes, brackets and dashes ("release
# gates—" of "release gates—not for clinical decision-making")
_ENDS = " .,:;-\"'`()\u2014\u2013"


def clean(phrase: str, least: int = 2) -> str | None:
    text = LEAD.sub("", phrase.strip(_ENDS)).strip(_ENDS)
    if len(text.split()) > 14 and (adjunct := _ADJUNCT.search(text)):
        text = text[: adjunct.start()]  # "filing a claim after damage or theft": the request
    n = len(text.split())
    return text if least <= n <= 14 and whole(text) else None


def whole(text: str) -> bool:
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
    third = re.fullmatch(r"[a-z]{3,}(?<![su])s", tokens[0]) and tokens[0] not in _AUX_S
    if third and verb(said := base_form(tokens[0])) and said not in _ASKER_VERBS:
        return False  # "requires technical rigor": what the skill does, its subject cut off
    ordinary = len(tokens) > 1 and tokens[1].lower() in _DETERMINED  # "make a dinner reservation"
    if first in _COMMANDS and not ordinary:
        return False
    if any(re.match(r"[-$]|/\w", t) or "=" in t or "&&" in t for t in tokens):  # "/llm-writing"
        return False
    words = [w for w in re.findall(r"[a-z]+", text.lower())]
    return not (_STEP.match(text) or all(w in GENERIC for w in words))


def clauses_after(text: str, pattern: re.Pattern[str]) -> list[str]:
    """The listed phrases after each trigger of `pattern` in `text`, up to the sentence's end."""
    out: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        match = pattern.search(sentence)
        if match is None:
            continue
        out += listed(sentence[match.end() :], SPLIT, single=True)
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
    r"\b(?:[a-z]+(?:ive|ous|ful|less|ific|-[a-z]+ed)|[a-z]{3,}(?:able|ible)),"  # not "table,"
    r"(?=\s+(?!(?:and|or)\s)[\w-]+\s+[\w-]+)"
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


def listed(text: str, separator: re.Pattern[str], *, single: bool = False) -> list[str]:
    """The requests among the parts of `text` cut at `separator`, less the two ends of a list
    of single words that closes on a two-word phrase whose noun they share: "the rider has
    knee, back, neck, hand or saddle pain" gives neither "the rider has knee" nor "saddle
    pain"; "the brakes feel weak, rub, squeal, pull to the bar" keeps "the brakes feel weak",
    and "create, edit, or optimize an existing skill" keeps "optimize an existing skill"; a
    name ("Google Classroom, Canvas, courses, or academic performance") shares no noun. With
    `single`, a list of three items or more keeps each one-word noun it names ("homework,
    grades, tutoring, Google Classroom")."""
    text = _protect(text)
    parts = separator.split(text)
    cuts = [m.group(0) for m in separator.finditer(text)]
    ones = [p.strip(_ENDS).lower() for p in parts if len(p.split()) == 1]
    single = single and not any(map(known_verb, ones))  # "draft, revise, or polish": orders
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
        if end > i + 1 and end < len(parts) and pair(end) and not _names(part):
            continue  # "the rider has knee" of "the rider has knee, back, hand or saddle pain"
        modifier = i + 1 < len(parts) and bool(re.fullmatch(r"\s+(?:or|and)\s+", cuts[i]))
        named = _noun_word(LEAD.sub("", part.strip(_ENDS)))
        least = 1 if single and len(parts) >= 3 and named and not modifier else 2
        if cleaned := clean(part, least):
            out.append(cleaned.translate(_BACK))
    return out


def _names(part: str) -> bool:
    """Whether `part` ends on a capitalised word of a name of two words or more."""
    said = part.strip(_ENDS).split()
    return len(said) >= 2 and said[-1][:1].isupper() and said[-2][:1].isupper()


def _noun_word(part: str) -> bool:
    """Whether `part` is one word that may name a thing: four letters or more, no function
    word, adjective or verb the draft knows ("tutoring", "Canvas", "grades"; not "whenever")."""
    said = part.strip(_ENDS).split()
    if len(said) != 1 or not said[0].isalpha() or len(said[0]) < 4:
        return False
    word = said[0].lower()
    described = word.endswith(_DESCRIBES)  # "cramped", "dental", "notchy"
    return word not in STOPWORDS and not (verb(word) or adjective(word) or described)


# the endings of a word that describes rather than names ("cramped", "dental", "notchy")
_DESCRIBES = (
    "ed", "al", "ic", "ous", "ive", "ful", "less", "able", "ible", "ly", "chy", "ky", "ish"
)
