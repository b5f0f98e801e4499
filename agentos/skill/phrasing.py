"""Requests from the phrases a skill's text offers, for the draft eval set (`draft`).

A description lists topics ("rescue vs breeder", "picking a breed", "who to call", "you found a
tick"); people type requests. `as_request` says each topic the way a user asks for it, or refuses
it as a fragment:

- a fragment is no request: a phrase that opens on a verb with its subject cut off (`is about to
  book`, `be quick`), on a function word (`always first`, `and multi-cat stress`), or holds fewer
  than two content words;
- a question stays a question; "who/what/how ... to X" becomes "Who should I X?";
- a situation (a clause with its own verb: "a cat has stopped using the litter box") is told in
  the first person ("My cat has stopped ...") and asked about;
- an order ("rotate a key", "Find the threshold") is asked for ("Can you help me rotate a
  key?"), a gerund ("picking a breed") needs help, a noun phrase is asked about.

`ELSEWHERE` holds the tasks of another kind (a poem, a translation, a joke, ...) that
`nearmiss.out_of_scope` asks about a skill's own topics.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from agentos.skill.english import (
    FUNCTION,
    IRREGULAR,
    PREDICATES,
    VERBS,
    adjective,
    function_word,
    verb,
)
from agentos.skill.person import first_person, in_person
from agentos.skill.vocab import words


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_AUX = _set(
    "is are was were be been being has have had can could will would shall should may might "
    "must do does did am isn't aren't wasn't won't can't doesn't don't didn't"
)
_BY = _set("by under in on with for at from as")
_CLAUSE_OPEN = _set("that which who what how where why whether")  # a clause's own verb follows
_AFTER = _set("first last next later instead worth")  # "red flags first"
_WH = _set("what who how where when which why whom whose")
_OPEN_NP = _set("a an the my your our their his her its this that these those some")
# what opens the noun phrase a wh-word's clause is about ("how a story should be structured")
_NP_OPEN = (_OPEN_NP - _set("my your our that")) | _set("other others each every")
_OBJECT = _OPEN_NP | _WH | _set("out up down off away it them me us whether")
_SUBJECT = _set("i we you he she they someone somebody")
_SAID = _set("i'm i've i'd i'll we're we've")  # "I'm overstimulated all the time"
_CONCEDE = _set("regardless even unless although though whether especially particularly")
_VERBISH = re.compile(r"^[a-z]{3,}(?:ize|ise|ify|ate)$")  # verbs by their ending
_MODAL = _set("can could may might will would shall should must")
_NOW = _set("now today tonight else")  # "happening right now", "somewhere else": no cut
_BACK = _set("this these that those it they there such")  # words that point back
_DASH = re.compile(r"\s+[—–-]\s+")
# an indirect question of the asker ("why they run out of money"), asked directly as "Why do I ..."
_INDIRECT = re.compile(r"^(why|how|when|where|what)\s+(?:they|we|I)\s+(\S+.*?)[?.!]?$", re.I)
_WHO_TO = re.compile(r"^(what|who|how|where|when|which)\b\s*(.*?)\s*\bto\s+(.+)$", re.I)

# verbs a request opens on, many of them nouns too ("plant", "water"): read as an order when
# a plural object or a second verb follows ("Prune roses", "Create and edit")
ACTIONS = _set(
    """add adjust analyse analyze apply bake book build calculate change check choose clean
    compare configure convert cook count create cut debug delete deploy design draft edit
    estimate export extract feed file fill find fit fix format generate grow harvest import
    install keep label list load log look make manage map measure merge migrate mix monitor move
    order organise organize pack paint plan plant plot prepare print produce profile prune publish
    read record reduce release remove rename repair replace reset restore review rotate run save
    scale schedule search set share sharpen shape sort split start store sum summarise summarize
        test track train translate treat trim tune turn update upgrade wash water wire write"""
)
_ORDER = ("Can you help me {p}?", "Help me {p}.", "I need to {p}, how do I start?", "How do I {p}?")
_GERUND = ("Can you help me with {p}?", "Any advice on {p}?", "I'd like some help with {p}.")
_TOPIC = (
    "Can you help me with {p}?",
    "I have a question about {p}.",
    "What should I know about {p}?",
    "I need some advice on {p}.",
)
_SITUATION = ("{p}, what should I do?", "{p}. Can you help?", "{p} - what now?")
# tasks of another kind about a skill's topic: (the words a skill covering the task would use,
# the request)
# (a folder of creative-writing skills writes poems and stories itself: "fiction", "prose")
_CREATIVE = "fiction prose story stories narrative creative"
ELSEWHERE: tuple[tuple[str, str], ...] = (
    (f"poem poetry verse {_CREATIVE}", "Write a short poem about {p}."),
    ("translate translation french", 'Translate "{p}" into French.'),
    ("joke jokes humour humor comedy", "Tell me a joke about {p}."),
    (f"novel book books reading {_CREATIVE}", "Recommend a novel about {p}."),
    (f"song songs lyrics music {_CREATIVE}", "Write song lyrics about {p}."),
    ("crossword puzzle puzzles quiz", "Make a crossword puzzle about {p}."),
    ("cartoon drawing draw illustration art artwork", "Draw a cartoon of {p}."),
    ("history historical", "What is the history of {p}?"),
)


def topic_of(query: str) -> str:
    """The topic a request written here is about: `query` less the wording `as_request` or
    `out_of_scope` put around it ("Tell me a joke about my dog." is about "my dog"); a query
    written otherwise is its own topic."""
    for template in (*(t for _, t in ELSEWHERE), *_ORDER, *_GERUND, *_TOPIC, *_SITUATION):
        head, _, tail = template.partition("{p}")
        if query.startswith(head) and query.endswith(tail) and len(query) > len(head + tail):
            return query[len(head) : len(query) - len(tail)]
    return query





# a direct question written without its mark ("am I missing any tax breaks", "is there money
# owed to me", "do gift cards expire"): an auxiliary, then its subject
_ASKS_AUX = _set("am is are was were do does did can could will would should have has")
_ASKED_OF = _SUBJECT | (_OPEN_NP - _set("some")) | _set("there it now any")


def _direct(tokens: list[str]) -> bool:
    if len(tokens) < 3 or tokens[0] not in _ASKS_AUX:
        return False
    return tokens[1] in _ASKED_OF


def tidy(phrase: str) -> str:
    """`phrase` on one line, cut at a dash ("crossing borders — microchip")."""
    return " ".join(_DASH.split(" ".join(phrase.split()))[0].split()).strip(" .,;")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _content(text: str) -> list[str]:
    return [w for w in words(text) if w not in FUNCTION and len(w) > 1]


def fragment(phrase: str) -> bool:
    """Whether `phrase` is no request: it opens on a verb whose subject was cut off or on a
    function word that joins it to text left out, or holds fewer than two content words (one
    for a phrase of one word)."""
    tokens = words(phrase)
    if not tokens or ":" in phrase or len(_content(phrase)) < min(2, len(tokens)):
        return True  # one word alone ("pruning") is a topic; "who to call" is not
    first, last = tokens[0], tokens[-1]
    if _direct(tokens):
        return last in _AFTER or (function_word(last) and last not in _OBJECT | _NOW)
    if first in _AUX or first in _CONCEDE or (last in _AFTER and first not in _WH):
        return True
    asks = first in _WH and bool(_SUBJECT.intersection(tokens[1:4]))  # "what am I paying for"
    if function_word(last) and last not in _OBJECT and last not in _NOW and not asks:
        return True
    second, third = [*tokens, "", ""][1:3]
    if first in _BACK and (second in _AUX or third in _MODAL):
        return True  # "It is", "These artifacts can be slides": says what a word left out is
    if first in ("this", "it") and re.fullmatch(r"[a-z]{3,}(?<![siu])s", second):
        return True  # "this reads results": a clause about a thing left out
    if first in _SUBJECT and second in _BY | _set("of to into like"):
        return True  # "you on a good day" of "sounds like you on a good day"
    if len(tokens) > 2 and last in PREDICATES and _plural(tokens[-2]) and first not in ACTIONS:
        return True  # "company design standards apply": a clause cut from its "when"
    past = (len(first) > 4 and first.endswith("ed")) or (
        first in IRREGULAR and not first.endswith(("s", "ing"))
    )
    if past and second in _BY | _OPEN_NP | _set("something anything nothing it them"):
        return True  # "ranked by impact", "ate something toxic": its subject was cut off
    if len(tokens) == 2 and adjective(last):  # "leave clear" of "leave clear, actionable comments"
        return True
    if verb(first) and len(tokens) > 2:  # an order on a common verb: "get ready for a visit"
        return False
    return function_word(first) and first not in _OPEN_NP | _WH | _SUBJECT


def _who_to(text: str) -> re.Match[str] | None:
    """ "who to call", "what records to bring": a wh-word, then "to" and what to do."""
    match = _WHO_TO.match(text)
    if match is None or set(words(match.group(2))) & (_AUX | _SUBJECT):
        return None
    return match


def kind(phrase: str) -> str:
    """What `phrase` is: "question", "wh-to", "situation", "order", "gerund" or "topic"."""
    text = phrase.strip()
    tokens = words(text)
    first = tokens[0]
    if _who_to(text):
        return "wh-to"
    if text.endswith("?") or first in _WH or _direct(tokens):
        return "question"
    verbal = not first.endswith(("ing", "ed")) and first not in _OPEN_NP | _SUBJECT
    if tokens[1:2] in (["that"], ["which"], ["who"]) and tokens[2:3] and tokens[2] in _AUX:
        return "topic"  # "refunds that are late": a noun and its relative clause
    aux = next((i for i, t in enumerate(tokens[1:5], 1) if t in _AUX), 0)
    if aux and _CLAUSE_OPEN & set(tokens[1:aux]):  # "deciding what should happen"
        aux = 0  # "a catalogue that has moved": the verb is its relative clause's
    if len(tokens) > 1 and tokens[1] in _OBJECT and verbal:
        return "order"  # "Find the threshold", "Triage what is an emergency"
    if first.endswith("ing") and first not in FUNCTION and {"that", "which"} & set(tokens[1:4]):
        return "gerund"  # "making choices that don't read as defaults": its verb is the clause's
    if first in _SUBJECT | _SAID | {"my", "our"} or aux:
        return "situation"
    if _happened(tokens):
        return "situation"  # "a score dropped": a clause with its own past-tense verb
    if first.endswith("ing") and first not in FUNCTION:
        return "gerund"
    if (first in VERBS or base_verb(first) != first) and tokens[1:2] != ["by"]:
        return "order"  # "Designs single quality workouts": a description's third person
    if _verbish(first, text.split()[1:2]):
        return "order"  # "manipulate Word documents", "optimize a query"
    if (
        first in ACTIONS
        and len(tokens) > 1
        and (tokens[1] in ("and", "or") or any(_plural(t) for t in tokens[1:4]))
    ):  # "produce professional documents"
        return "order"
    return "topic"


_PARTICLES = _set("out up down off through over back")  # "works out", "sets up"


def base_verb(word: str, after: str = "") -> str:
    """The base form of `word` when it is a verb's third person ("builds": build, "works out":
    work, "applies": apply), the form an order takes after "How do I" or "Can you help me";
    `word` itself otherwise. A form counts as a verb's when its base is a known verb, or when a
    particle follows it (`after`: "out" in "works out")."""
    forms = [(e, add) for e, add in (("ies", "y"), ("es", ""), ("s", "")) if word.endswith(e)]
    if not forms or word.endswith(("ss", "us", "is")) or len(word) < 4:
        return word
    bases = [word[: -len(e)] + add for e, add in forms]
    known = [b for b in bases if b in VERBS or b in ACTIONS]
    if known:
        return known[-1]  # "plans": plan, not "plan" less its "e"
    if after in _PARTICLES:
        return bases[0] if word.endswith(("ches", "shes", "xes", "ies")) else word[:-1]
    return word


def _happened(tokens: list[str]) -> bool:
    """Whether `tokens` are a clause of a noun and its own past-tense verb: "a score dropped",
    "the rent went up" (an article, one to three words, then an -ed or irregular past form that
    ends the clause or comes before a function word); not "a denied claim", where the form
    qualifies the noun after it."""
    if len(tokens) < 3 or tokens[0] not in ("a", "an", "the"):
        return False
    for i in range(2, min(5, len(tokens))):
        word, after = tokens[i], tokens[i + 1 : i + 2]
        past = (word.endswith("ed") and len(word) > 4) or word in IRREGULAR
        if past and (not after or (function_word(after[0]) and after[0] != "by")):
            return not any(function_word(t) for t in tokens[1:i])
    return False


def _verbish(first: str, after: list[str]) -> bool:
    """Whether `first` is a verb by its ending, with an object `after` it: -ize, -ise, -ify
    ("optimize the query"), or -ate before a name or a determiner ("manipulate Word documents";
    not "climate change", "template files")."""
    if not _VERBISH.match(first) or not after or after[0].lower() in ("of", "by", "and", "or"):
        return False
    return not first.endswith("ate") or after[0][:1].isupper() or after[0].lower() in _OPEN_NP


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))


def lowered(text: str) -> str:
    """`text` with its first letter lowercase, unless it opens on a name or an acronym
    (`GitHub`, `API`) or is a title, kept as written (`Red Flags`, `The Iron Law`: lowering
    its first letter alone would give `red Flags`)."""
    first = text.split(" ", 1)[0]
    named = [w for w in text.split() if w[:1].isalpha() and not function_word(w.lower())]
    if all(w[:1].isupper() for w in named) and sum(w[1:2].islower() for w in named) >= 2:
        return text
    return text[:1].lower() + text[1:] if first[1:].islower() else text


class Chooser(Protocol):
    """What picks a wording: a `random.Random`, or a `Rotation`."""

    def choice(self, seq: Sequence[str], /) -> str: ...


class Rotation:
    """Picks the wordings of each list in turn, so every skill's requests use the draft's
    wordings in the same proportions: their words ("advice", "help", "question") then tell no
    skill from another, and a tuner cannot learn a skill from them."""

    def __init__(self, start: int = 0) -> None:
        self.start = start
        self.turns: dict[tuple[str, ...], int] = {}

    def choice(self, seq: Sequence[str], /) -> str:
        key = tuple(seq)
        n = self.turns.get(key, self.start)
        self.turns[key] = n + 1
        return seq[n % len(seq)]


WORDING = frozenset(
    w
    for t in (*(t for _, t in ELSEWHERE), *_ORDER, *_GERUND, *_TOPIC, *_SITUATION)
    for w in words(t.replace("{p}", " "))
)
"""The words the draft's wordings add around a topic (`help`, `advice`, `question`, `joke`):
no evidence of what a skill is about."""


_ME = _set("i me my")  # a situation that acts on its teller keeps its article


def known_verb(word: str) -> bool:
    """Whether the draft knows `word` as a verb: a common verb (`english.verb`), an order's verb
    (`ACTIONS`), or one by its ending ("optimize", "revise", "simplify")."""
    return verb(word) or word in ACTIONS or bool(_VERB_END.fullmatch(word))


_VERB_END = re.compile(r"[a-z]{3,}(?:ize|ise|ify)")


def as_typed(phrase: str) -> str:
    """A request a skill quotes in someone's words, as they type it: its first letter a
    capital, a question's mark added ("stage and commit": "Stage and commit"; "is this debt
    real": "Is this debt real?")."""
    text = " ".join(phrase.split()).rstrip(" ,;:")
    said = words(text)
    asks = bool(said) and (said[0] in _WH or _direct(said)) and not text.endswith("?")
    return _capital(text.rstrip(".!") + "?" if asks else text)


def as_request(phrase: str, rng: Chooser, *, name: bool = False) -> str | None:
    """`phrase` as a user would ask for it (a seeded choice of wording), or None when it is a
    fragment (`fragment`). A skill's `name` ("release notes") is a topic unless it opens on a
    verb that is no noun ("write unit tests")."""
    text = in_person(tidy(phrase))
    wish = re.match(r"(?:I\s+)?(want|need)s?\s+(?=\S)", text, re.I)
    if wish:  # "wants a plan", "I want to get stronger"
        wanted = first_person(text[wish.end() :]).rstrip(".")
        said = words(wanted)
        if _content(wanted) and said and not function_word(said[-1]):
            return f"I {wish.group(1).lower()} {wanted}. Can you help?"
    if fragment(text) and not (_who_to(text) and len(words(text)) >= 5):
        return None  # "what to do at the gym" is a request; "who to call" is not
    text = first_person(text)
    what = kind(text)
    if name and what == "order" and words(text)[0] not in VERBS:
        what = "topic"
    said = words(text)
    if what == "question" and said[0] in _WH and said[1:2] and said[1] in _NP_OPEN:
        # "how a story should be structured": asked as "How should a story be structured?";
        # "how other authors handled it", with no auxiliary to put first, is asked about
        tokens = text.rstrip("?.!").split()
        at = next((i for i in range(2, min(7, len(tokens), len(said))) if said[i] in _AUX), 0)
        if not at:
            return rng.choice(_TOPIC).format(p=lowered(text.rstrip("?.!")))
        inverted = [tokens[0].lower(), tokens[at].lower(), *tokens[1:at], *tokens[at + 1 :]]
        return _capital(" ".join(inverted)) + "?"
    if what == "question":
        indirect = _INDIRECT.match(text)
        if indirect:  # "why they run out of money", "where I am on the ladder"
            wh, rest = _capital(indirect.group(1).lower()), indirect.group(2)
            aux, _, after = rest.partition(" ")
            if aux.lower() in _AUX:
                return f"{wh} {aux.lower()} I {after}?".replace(" I ?", " I?")
            return f"{wh} do I {rest}?"
        return _capital(text.rstrip("?.!")) + "?"
    if what == "wh-to":
        match = _who_to(text)
        assert match is not None
        wh, middle, rest = match.groups()
        rest = rest.rstrip("?.!")
        return _capital(" ".join(p for p in (wh.lower(), middle, "should I", rest) if p)) + "?"
    if what == "situation" and re.match(r"i (?:need|want|would like)\b", text, re.I):
        return _capital(text.rstrip(".")) + "."
    if what == "situation":  # "the dog is limping": mine, unless it acts on me
        if not _ME.intersection(words(text)):
            text = re.sub(r"^(?:a|an|the)\s+", "my ", text, flags=re.I)
        return _capital(rng.choice(_SITUATION).format(p=text.rstrip(".")))
    if what == "order":
        first, _, rest = text.partition(" ")
        base = base_verb(first.lower(), rest.split(" ", 1)[0].lower())
        gerund = rest.split(" ", 1)[0].endswith("ing")  # "help planning meals"
        if base == "help" and gerund:
            return f"Can you help me with {rest.rstrip('.?')}?"
        if base == "help" and rest.startswith(("with ", "on ")):  # "help with estate planning"
            return f"Can you help me {rest.rstrip('.?')}?"
        if rest.startswith("me "):  # "walk me through a claim": already asks for help
            return f"Can you {base} {rest.rstrip('.?')}?"
        return rng.choice(_ORDER).format(p=f"{base} {rest}".strip())
    templates = _GERUND if what == "gerund" else _TOPIC
    return rng.choice(templates).format(p=lowered(text))
