"""A term added to a description is written as the skill writes it, whole and in its case.

Read by the quality gate on every added term (`quality.py`), against the skill's prose (its
description and body, code blocks and inline code left out: `# Pull text between timestamps` in
a script is no use of the word in the skill's own words) and its own train queries:

- **half of a phrase**: a term the prose and the queries write only ever right before the same
  word is half of a longer phrase, and alone names something else: `bacon` where they say
  "bacon strip", `launching fix` of the heading "Launching fix subagents", `stripping` of
  "Stripping down API requests". A term always after the same qualifier is the head and still
  names the thing (`laptop` of "new laptop"), and a word that ends a heading's topic
  (`workflow`, `example`, `overview`, ...) makes no phrase of it ("Pull quotes workflow" holds
  `pull quotes`).
- **no thing of its own**: a term the prose and the queries write only ever to qualify another
  word or as a predicate, never as the thing a phrase ends on, names nothing alone, when a use
  says so (after an -ly adverb or a subject, `english.predicate_after`: `exempt` of "properly
  exempt", `record mid-interview` of "I record mid-interview"), the word is an adjective or an
  English word with an adjective's ending (`Legislative` of "Legislative documents"; a name such
  as `alembic` is none) or the skill writes it once. Such a word in a list of modifiers before
  one noun qualifies it too: `thematic` of "thematic or quantitative synthesis", `major` of
  "major/minor comments".
- **head of a compound**: a single word the prose and the queries write, wherever it ends a
  phrase, right after the same noun is the head of that compound, and alone names more than
  this skill does: `process` where the skill writes "renderer process", `setback` of "saddle
  setback"; the compound is the term. An adjective before it qualifies (`laptop` of "new
  laptop" passes), and so does a word of the skill's own name (`checker` of "chain checker" in
  chain-care: the name says it).
- **part of a name**: a capitalised term the skill writes, outside its headings, only ever
  right after or right before another capitalised word is part of a longer name: `York` of
  "New York", `Code Ann` of "AR Code Ann." and "Tenn. Code Ann.".
- **its case**: a word the prose writes only with capitals where a sentence does not open (an
  acronym, `CORS`; a name, `Google`) is written so: `cors mistakes` and `google` read as typing
  slips. A Title Case heading is no evidence (every word there is capitalised), nor is a word
  that opens a table cell behind a quote (`| "Linter passed" |`): it is written `linter`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from agentos.skill.bm25 import stem
from agentos.skill.english import adjective, function_word, number_forms, predicate_after, verb
from agentos.skill.vocab import FILLER, STOPWORDS

# the words a heading or a label ends a topic with ("Pull quotes workflow", "(Google example)"):
# the phrase before them names the topic, so a term followed by one is no half of a phrase
_TAIL_WORDS = """workflow workflows implementation implementations guide guides overview overviews
    tips checklist checklists basics reference references template templates notes usage
    strategy strategies approach approaches setup options"""
_TAILS = frozenset(_TAIL_WORDS.split())
# words that limit what comes before them ("linear range only"): no phrase goes on through them
_LIMITS = frozenset(("only", "alone", "also", "too", "each", "both", "either"))
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'+-]*|[^\sA-Za-z]")
_INLINE_CODE = re.compile(r"`[^`]*`")
# what a capitalised word may follow at a sentence's, heading's, list item's or cell's start
_OPENERS = frozenset((".", "!", "?", "#", ":", "-", "*", "|", ">"))
# what may stand between an opening and its first word (`| "Linter passed" |`, `- (Optional)`)
_LEADERS = frozenset(('"', "'", "(", "[", "*", "_", "`", "“", "‘"))
# endings only adjectives take, mostly: a word with one that never ends a phrase qualifies others
_ADJECTIVE_ENDS = ("al", "ic", "ive", "ous", "ful", "less", "able", "ible")
# what joins coordinated modifiers: "thematic or quantitative", "major/minor", "temporal, social"
_COORDINATORS = frozenset((",", "or", "and", "/", "&"))


def prose(text: str) -> list[str]:
    """The lines of `text` outside fenced code blocks, inline code removed."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and line.strip():
            out.append(_INLINE_CODE.sub(" ", line))
    return out


def written_problems(
    terms: Sequence[str], text: str, evidence: Sequence[str], name: str = "",
    known: Callable[[str], bool] = lambda word: True,
) -> list[str]:
    """Why a term is not written as the skill writes it (none: it is); `name` is the skill's,
    `known` tells an English word from a name (`alembic` has an adjective's ending by chance)."""
    authored = [_TOKEN.findall(line) for line in prose(text)]
    asked = [_TOKEN.findall(query) for query in evidence]
    own = [[t.lower() for t in tokens] for tokens in authored]
    lowered = [*own, *([t.lower() for t in tokens] for tokens in asked)]
    out = []
    for term in terms:
        out += _whole(term, lowered, own, set(name.split("-")), known)
        out += _case(term, authored)  # people type names in lower case: queries say nothing
        out += _name_part(term, authored)
    return out


def _whole(term: str, lines: list[list[str]], own: list[list[str]], named: set[str],
           known: Callable[[str], bool]) -> list[str]:
    """Half of a phrase, no thing of its own, or the head of a compound (the module's rules),
    read on `lines` (the prose's and the queries'); a compound only on `own` (the prose's)."""
    words = term.lower().split()
    while words and words[0] in STOPWORDS:  # "the fox" is written as "fox" by a query
        words = words[1:]
    if not words:
        return []
    head, forms = words[:-1], number_forms(words[-1])
    modifier = adjective(words[-1]) or (words[-1].endswith(_ADJECTIVE_ENDS) and known(words[-1]))
    nexts: set[str] | None = None
    qualifiers: set[str] = set()  # the word before each of the prose's uses ending a phrase
    uses = ends = predicates = 0  # all uses; those ending a phrase; those after a predicate cue
    for tokens in lines:
        for i in range(len(tokens) - len(words) + 1):
            if tokens[i : i + len(head)] != head or tokens[i + len(head)] not in forms:
                continue
            after = tokens[i + len(words)] if i + len(words) < len(tokens) else ""
            noun = after[:1].isalpha() and not verb(after)
            noun = noun and after not in STOPWORDS and after not in FILLER and after not in _TAILS
            # nor a limiting word or a lone letter ("linear range only", "coefficient x path
            # length", an operator): neither continues a phrase (a particle may: "stripping down")
            noun = noun and after not in _LIMITS and len(after) > 1
            seen = {stem(after)} if noun else set()
            # a modifier coordinated with others before one noun qualifies it too ("thematic or
            # quantitative synthesis", "temporal, contextual, or boundary-condition differences")
            noun = noun or (modifier and _coordinated(tokens, i + len(words)))
            nexts = seen if nexts is None else nexts & seen
            uses += 1
            before = tokens[i - 1] if i > 0 else ""
            if predicate_after(before):
                predicates += 1
            elif not noun:
                ends += 1
                if any(tokens is line for line in own):
                    # a word opening a line or a clause before a noun is mostly an order
                    # ("Trim hedges in June", "Fix lateral first"), not a compound's first word
                    opens = i < 2 or not tokens[i - 2][:1].isalpha()
                    qualifiers.add(before if not opens and _qualifier(before, named) else "")
    if nexts:
        phrase = f"{term} {min(nexts)}..."
        return [f"adds {term!r}, half of the phrase {phrase!r} the skill writes"]
    if not ends and (predicates or uses == 1 or modifier):
        return [
            f"adds {term!r}, which the skill writes only to qualify another word or as a "
            "predicate: alone it names nothing; add it with the word it goes with"
        ]
    if len(words) == 1 and len(qualifiers) == 1 and "" not in qualifiers:
        (word,) = qualifiers
        if sum(tokens.count(word) for tokens in lines) < 2:
            return []  # a word written once, beside this one, may be a verb ("rounds nipples")
        phrase = f"{word} {term}"
        return [f"adds {term!r} alone, the head of the phrase {phrase!r} the skill writes"]
    return []


def _coordinated(tokens: list[str], j: int) -> bool:
    """Whether `tokens[j:]` goes on a coordination of modifiers that ends before a noun: `, or
    quantitative synthesis`, `/minor comments` (a word, then the noun its conjuncts qualify)."""
    conjuncts = 0
    while j < len(tokens) and tokens[j] in _COORDINATORS:
        j += 1
        if j < len(tokens) and tokens[j] not in _COORDINATORS:
            if not tokens[j][:1].isalpha() or function_word(tokens[j]) or verb(tokens[j]):
                return False
            conjuncts += 1
            j += 1
    after = tokens[j] if j < len(tokens) else ""
    return conjuncts > 0 and after[:1].isalpha() and not function_word(after) and not verb(after)


def _qualifier(word: str, named: set[str]) -> bool:
    """Whether `word`, right before a noun, makes a compound of it (`renderer process`): a
    content word that is no adjective, verb, function word, -ing, -ed or -ly form, nor a word
    of the skill's name."""
    return (
        word[:1].isalpha()
        and word not in STOPWORDS
        and word not in FILLER
        and word not in named
        and not function_word(word)
        and not adjective(word)
        and not verb(word)
        and not word.endswith(("ing", "ed", "ly"))
    )


def as_written(term: str, text: str) -> str:
    """`term` with each word in the case the skill's prose (`text`) writes it: a word it writes
    only with capitals where no sentence opens takes that form (`cors mistakes` is written
    `CORS mistakes`, `google` `Google`); every other word is left as it is. The offline tuner
    finds its terms in lower case; the gate refuses them so (`written_problems`)."""
    lines = [_TOKEN.findall(line) for line in prose(text)]
    if (form := _phrase_case(term, lines)) is not None:
        return form  # "web vitals" where the skill writes only "Web Vitals"
    return " ".join(_capitals(word, lines) or word for word in term.split())


def _case(term: str, lines: list[list[str]]) -> list[str]:
    form = _phrase_case(term, lines)
    if form is not None and form != term:
        return [f"adds {term!r}, which the skill writes {form!r}"]
    out = []
    for word in term.split():
        form = _capitals(word, lines)
        if form is not None:
            out.append(f"adds {word!r}, which the skill writes {form!r}")
    return out


# the small words a name goes on over ("Bank of America", "Science and Technology Council")
_NAME_JOINS = frozenset(["and", "of", "for", "&"])


def _name_part(term: str, lines: list[list[str]]) -> list[str]:
    """Part of a longer name: a capitalised term (`York`, `Code Ann`) that every line outside a
    heading writes right after another capitalised word ("New York", "AR Code Ann", "Tenn.
    Code Ann") or right before one, or before "of" or "for" and one ("Bank of America"), or, two
    words or more, before "and" and one ("National Science and Technology Council"; "Google and
    Electron" are two names). Alone it names something else, or nothing."""
    words = term.split()
    if not words or not words[0][:1].isupper():
        return []
    n = len(words)
    sides: list[tuple[bool, bool]] = []
    for tokens in lines:
        if tokens[:1] == ["#"]:
            continue  # a heading capitalises words that are no name
        for i in range(len(tokens) - n + 1):
            if tokens[i : i + n] != words:
                continue
            before = tokens[i - 1] if i > 0 else ""
            if before == "." and i > 1:  # an abbreviation's dot: "Tenn. Code Ann."
                before = tokens[i - 2]
            after = tokens[i + n] if i + n < len(tokens) else ""
            joins = after.lower() in _NAME_JOINS and (n > 1 or after.lower() in ("of", "for"))
            if joins and i + n + 1 < len(tokens):  # one word before "and" is a name of its own
                after = tokens[i + n + 1]  # "National Science and Technology Council"
            sides.append((before[:1].isupper(), after[:1].isupper()))
    if not sides or not (all(b for b, _ in sides) or all(a for _, a in sides)):
        return []
    return [f"adds {term!r}, part of a longer name the skill writes"]


def _phrase_case(term: str, lines: list[list[str]]) -> str | None:
    """How `lines` write the phrase `term` (two words or more) when every use of it, outside a
    Title Case heading, has one form with capitals ("Web Vitals" of "Core Web Vitals"), though
    a word of it is written in lower case elsewhere ("across the web"), else None."""
    words = term.lower().split()
    if len(words) < 2:
        return None
    forms: set[str] = set()
    for tokens in lines:
        if _title_case(tokens):
            continue
        for i in range(len(tokens) - len(words) + 1):
            run = tokens[i : i + len(words)]
            if [t.lower() for t in run] == words and not _opens(tokens, i):
                forms.add(" ".join(run))
    if len(forms) != 1 or (form := forms.pop()).islower():
        return None
    return form


def _title_case(tokens: list[str]) -> bool:
    """Whether a line's words after its first are all capitalised (a Title Case heading), or
    those of the bold label it opens on (`**Crawl Budget Issues** (for large sites)`)."""
    if tokens[:2] == ["*", "*"]:
        ends = [i for i in range(2, len(tokens) - 1) if tokens[i : i + 2] == ["*", "*"]]
        tokens = tokens[2 : ends[0]] if ends else tokens
    rest = [t for t in tokens[1:] if t[:1].isalpha() and t.lower() not in STOPWORDS]
    return len(rest) > 1 and all(t[:1].isupper() for t in rest)


def _capitals(word: str, lines: list[list[str]]) -> str | None:
    """How `lines` write the lower-case `word` when they write it only with capitals where no
    sentence opens (the form with the most capitals), else None."""
    if not word.islower():
        return None
    written: set[str] = set()
    for tokens in lines:
        if _title_case(tokens):
            continue  # a Title Case heading capitalises every word
        for i, token in enumerate(tokens):
            if token.lower() != word:
                continue
            if not _opens(tokens, i) or not token[:1].isupper():
                written.add(token)
    if not written or any(w.islower() for w in written):
        return None
    return max(sorted(written), key=lambda w: sum(c.isupper() for c in w))


def _opens(tokens: list[str], i: int) -> bool:
    """Whether `tokens[i]` opens a sentence, heading, list item or table cell: it comes first,
    or after an opener, with only quotes or brackets between (`| "Linter passed" |`)."""
    j = i - 1
    while j >= 0 and tokens[j] in _LEADERS:
        j -= 1
    return j < 0 or tokens[j] in _OPENERS
