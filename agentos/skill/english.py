"""Word classes of English, enough to tell a noun phrase from the rest: the shipped word lists
the `description-quality` gate and the draft eval writer read (no network, no tagger).

A term a description "also covers" names a thing: a noun phrase whose last word (its head) is a
noun. These lists say which words cannot be that head, whatever the skill:

- `FUNCTION`: determiners, pronouns, prepositions, conjunctions and adverbs of degree or place
  (`both`, `vs`, `outside`, `worth`): they join or qualify, never name;
- `VERBS`: verbs that are seldom nouns (`tell`, `see`, `stop`); any of their forms but the -ing
  one (a gerund names an activity: `spraying`, `choking`) is a verb in a term;
- `PREDICATES`: verbs whose base is a common noun too (`matter`, `work`, `depend`), so only their
  -s and -ed forms are refused (`order matters`, `it depends`);
- `ADJECTIVES`: colours, sizes, states and judgements (`black`, `dark`, `nervous`), with the
  suffixes that only adjectives take (-ous, -less, -ful).

`verb`, `adjective` and `function_word` test one lowercase word with simple morphology.
"""

from __future__ import annotations

import functools
import re

from agentos.skill.vocab import STOPWORDS

_FUNCTION = """a an the and or nor but yet so both either neither each every all any some no
    none several few fewer many much more most less least such own another other others whose
    whom whoever whichever vs versus via per like unlike plus minus than as about above across
    after against along alongside amid among amongst around before behind below beneath beside
    besides between beyond despite during except inside near nearby off onto outside over past
    since through throughout toward towards under underneath until upon within without worth
    although because whereas unless whether while though if once when where why how what which
    who here there away back up down even only just also too very already ever else instead
    perhaps rather quite almost enough maybe again still anyway often always never sometimes
    usually soon later now then today tomorrow tonight yesterday yes not i me my mine we us our
    ours you your yours he him his she her hers it its they them their theirs myself yourself
    itself themselves ourselves someone anyone everyone nobody something anything everything
    nothing somebody anybody everybody whatever this that these those is are was were be been
    being am has have had can could will would shall may might must do does did"""
FUNCTION = frozenset(_FUNCTION.split()) | STOPWORDS

# verbs seldom used as nouns: every form but the -ing one is a verb in a term
_VERBS = """adjust analyse analyze calculate compare compute configure convert delete extract
    generate install migrate optimise optimize organise organize prune publish rename resolve
    restore rotate sharpen summarise summarize translate validate
    acknowledge approve assign attach collect communicate confirm coordinate detect
    determine diagnose disable enable escalate establish evaluate examine inform investigate
    maintain mitigate modify notify obtain reproduce retrieve revoke specify submit verify
    accept achieve add admit agree allow announce appear arrive ask assume avoid become
    begin believe belong borrow bring buy carry catch choose come consider contain continue
    convince create decide deliver deny describe deserve destroy die disappear discover do eat
    enjoy ensure enter explain feel find follow forget forgive get give go grow happen hate have
    hear help hide hit identify ignore imagine improve include indicate involve keep kill know
    learn lend let lie like listen lose make manage meet mention miss obtain occur perform
    prefer prepare pretend prevent prove provide put reach realise realize receive recognise
    recognize reduce refer remain remember remove repeat replace require respond reveal say see
    seem sell send should solve speak steal suggest suppose take teach tell tend thank think
    throw try understand want win wish wonder worry would write weigh spoil inspect mean"""
VERBS = frozenset(_VERBS.split())
# verbs whose base is a common noun too: only the -s and -ed forms are refused
_PREDICATES = """fail matter depend differ vary exist apply work look last hurt start stop turn
    touch care mind"""
PREDICATES = frozenset(_PREDICATES.split())
_IRREGULAR = """told said saw seen went gone got gotten gave took knew thought kept brought
    began came became sat stood spoke spent sold sent taught threw understood wore won wrote ate
    fell grew heard hid lay meant met ran stole chose bought caught did done drew drove forgot
    hung lent sees says goes has had having does doing broke meant written forgotten lost hidden
    taken given broken chosen driven eaten fallen stolen spoken"""
IRREGULAR = frozenset(_IRREGULAR.split())

_ADJECTIVES = """black white red green blue yellow orange purple pink brown grey gray golden
    silver dark bright pale big small large tiny huge little tall high low wide narrow thick
    thin heavy hot warm wet dry soft hard loud quiet fast slow quick early late old new young
    fresh clean dirty empty full safe sick ill healthy happy sad angry calm scared afraid good
    bad great nice poor rich cheap expensive easy difficult simple rare normal strange weird
    real true false right wrong whole main sure ready able likely possible necessary important
    serious urgent obvious different similar same certain clear busy best worst better worse
    bigger smaller higher lower older newer latest less proper specific general various usual
    typical entire noisy cloudy unsure unclear smelly sticky leaky wobbly squeaky rusty dusty
    soggy mouldy moldy itchy sore tired stuck extra major minor"""
ADJECTIVES = frozenset(_ADJECTIVES.split())
# slower, safest, easier, bigger: the degrees of an adjective
_DEGREE = (("er", ""), ("est", ""), ("ier", "y"), ("iest", "y"), ("r", ""), ("st", ""))
_ADJECTIVE_END = re.compile(r"[a-z]{3,}(?:ous|less|ful)$")


def _bases(word: str) -> list[str]:
    """The bases `word` may be an -s or -ed form of (`sees`: see; `matters`: matter)."""
    out = []
    for end, add in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e")):
        if word.endswith(end) and len(word) > len(end) + 1:
            out.append(word[: -len(end)] + add)
    if re.search(r"([bdgmnprt])\1ed$", word):  # stopped, planned
        out.append(word[:-3])
    return out


def verb(word: str) -> bool:
    """Whether `word` (lowercase) is a verb form that is no noun: a form of `VERBS` other than
    the -ing one, an irregular past or third person, or an -s or -ed form of `PREDICATES`."""
    if word in VERBS or word in IRREGULAR:
        return True
    return any(b in VERBS or b in PREDICATES for b in _bases(word))


def adjective(word: str) -> bool:
    """Whether `word` (lowercase) is an adjective that is no noun."""
    suffixed = bool(_ADJECTIVE_END.fullmatch(word)) and not word.endswith("fuls")
    compared = [word[: -len(e)] + add for e, add in _DEGREE if word.endswith(e)]
    return word in ADJECTIVES or suffixed or any(b in ADJECTIVES for b in compared)


def function_word(word: str) -> bool:
    return word in FUNCTION


def not_a_noun_phrase(term: str) -> str | None:
    """Why `term` names nothing (None: it may be a noun phrase): it starts (an article aside)
    or ends with a function word, holds a verb form that is no noun (an -ed form may qualify
    a noun), or ends on an adjective, an -ly word or an -ed form."""
    tokens = [t for t in re.findall(r"[a-z][a-z0-9'+-]*", term.lower())]
    if not tokens:
        return "has no word"
    for end in (tokens[0] if tokens[0] not in ("a", "an", "the") else tokens[-1], tokens[-1]):
        if function_word(end):
            return f"{end!r} is a function word, not a thing a skill covers"
    for i, token in enumerate(tokens):
        if verb(token) and not (token.endswith("ed") and i < len(tokens) - 1):  # required fields
            return f"{token!r} is a verb, not a thing a skill covers"
    head = tokens[-1]
    if adjective(head) or (head.endswith("ly") and len(head) > 4):
        return f"{head!r} describes, it names nothing"
    if head.endswith("ed") and not head.endswith("eed") and len(head) > 4:
        return f"{head!r} is a past form, it names nothing"  # shared, changed, committed
    return None


# a word right after one of these is a verb ("I double it", "to double", "can double"); an
# -ing word after a form of "be" is one too ("spokes are pinging")
_SUBJECTS = frozenset(
    re.findall(
        r"\S+",
        "i we you they he she it to can could should would will must may might do does did "
        "don't doesn't didn't won't wont can't cant cannot couldn't wouldn't shouldn't dont",
    )
)
_BE = frozenset(re.findall(r"\S+", "is are was were be been being am"))
# a word that opens a request or a line and is followed by one of these is an order ("double
# this recipe", "treat the sofa", "subtract what the pantry holds")
_OBJECTS = frozenset(
    re.findall(
        r"\S+",
        "this that these those the a an my our your his her their its it them me us all some "
        "every each both what which how where when whether",
    )
)
# a word followed by one of these anywhere is a verb taking its object ("stops the bike")
_ARTICLES = frozenset(re.findall(r"\S+", "the a an my our your his their its these those"))
_PLACE = re.compile(r"[a-z][a-z0-9'+-]*|[^\sa-z]")


def predicate_after(word: str) -> bool:
    """Whether the word right after `word` is a verb or a predicate, not a thing: after a
    subject, an auxiliary or "to" (`I record`, `to leak`), or after an adverb in -ly (`properly
    exempt`, `technically exempt`). A form of "be" is no cue: what follows may be a thing
    (`specks that turn red are flea dirt`)."""
    return word in _SUBJECTS or (word.endswith("ly") and len(word) > 4)


def number_forms(word: str) -> set[str]:
    """`word` in the singular and the plural (`fish`, `cups`/`cup`, `bodies`/`body`), no other
    inflection: `doubled` is not a form of `double`."""
    out = {word, word + "s", word + "es"}
    if word.endswith("ies"):
        out.add(word[:-3] + "y")
    if word.endswith("es"):
        out.add(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        out.add(word[:-1])
    if word.endswith("y"):
        out.add(word[:-1] + "ies")
    return out


@functools.lru_cache(maxsize=8192)
def _tokens(place: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """`place`'s tokens (words and marks) in order, and its words as a set: the quality gate asks
    of every line of every sibling's text how it names each candidate term."""
    tokens = tuple(_PLACE.findall(place.lower()))
    return tokens, frozenset(tokens)


def names_in(phrase: str, place: str) -> int:
    """How often `place` (one line or query) uses `phrase` as a noun phrase: its words
    adjacent, each in the singular or plural, no -ing or -ed form of it qualifying the next word
    (`running low`, `breaking changes`; a noun may: `laptop setup`), not right after a subject
    or "to" (`I double`), nor an -ing form after "be" (`are pinging`), nor opening the line as
    an order (`double this`), nor taking an object (`stops the bike`)."""
    wanted = [number_forms(w) for w in re.findall(r"[a-z][a-z0-9'+-]*", phrase.lower())]
    if not wanted or any(verb(w) for w in phrase.lower().split()):
        return 0
    tokens, words = _tokens(place)
    if not wanted[0] & words:
        return 0
    n = len(wanted)
    found = 0
    for i in range(len(tokens) - n + 1):
        if not all(tokens[i + k] in wanted[k] for k in range(n)):
            continue
        after = tokens[i + n] if i + n < len(tokens) else ""
        before = tokens[i - 1] if i > 0 else ""
        last = tokens[i + n - 1]
        if last.endswith(("ing", "ed")) and after[:1].isalpha() and not function_word(after):
            continue  # a participle qualifying the next word, not the head
        if before in _SUBJECTS or (tokens[i + n - 1].endswith("ing") and before in _BE):
            continue
        opening = not before[:1].isalpha() or before in ("and", "then", "or")
        if (opening and after in _OBJECTS) or after in _ARTICLES:
            continue
        found += 1
    return found
