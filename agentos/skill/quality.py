"""The `description-quality` gate: a rewritten description must read like its author wrote it.

It is checked before any routing is measured, on every candidate from every proposer:

- at most 1024 characters, and made of whole sentences (each starts with a capital letter, a
  digit or a quote and ends with `.`, `!` or `?`; a sentence the rewrite added has at least four
  words and no `Use for:`-style word list);
- no trigger phrase of the original dropped: quoted terms, file extensions (`.docx`), product
  names (capitalised words inside a sentence, `Word doc`), and the "use when ..." and "do not use
  ..." sentences are all still there, verbatim, and every content word of a list the author
  wrote (`listed_words`: "box number/placement/litter type, ... multi-cat stress") is still
  there, inflected or not, unless the original is over the length limit;
- no eval query (train or held-out) copied in: the added text shares no run of three content
  words with a query, and no whole query of two or more words;
- every term of an added-terms sentence (the tuner's `Also use it when a request mentions "a" or
  "b".`, or a claim, "It is also for a, b and c.") is a noun phrase, no half of a phrase the
  skill writes (`bacon` of "bacon strip") and, in a claim, no bare singular noun (`library`)
  (`agentos.skill.english`: no function word at either end, no verb, no adjective at its head)
  whose words the skill's own text uses, with the support of a topic: named as a thing
  (`english.names_in`) in two places of the skill's text and its own train queries for an
  everyday single word (`double`, `budget`, `running` named once are not topics), and no word
  of a sibling skill's name, and no term the skill writes only as a label (a table cell, a
  heading or bold run written as a title, `## Execution Handoff`: `support.label_problems`) and
  no single word the skill writes more often in another role than as a thing (`invoke` of "MUST
  invoke the skill": `support.role_problems`);
- every added word is a real word: in the embedding model's vocabulary (four letters or more,
  or two such words run together, as `rollback`), or written somewhere in the skill's own text
  (so `k8s` or `CI` may be added only by a skill that already uses them). Abbreviations such as
  `w/`, `br`, `req` or `inc` pass only that way.

`problems` returns the reasons a candidate is refused (none: it passes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

from agentos.skill.bm25 import stem
from agentos.skill.copies import copies
from agentos.skill.english import adjective, function_word, not_a_noun_phrase
from agentos.skill.evals import EvalItem
from agentos.skill.lexicon import common, frequent, real_word
from agentos.skill.support import (
    asked_problems,
    distinct,
    generic_problems,
    label_problems,
    role_problems,
    support_problems,
)
from agentos.skill.triggers import (
    TERMS,
    item_words,
    listed_words,
    sentences,
    trigger_phrases,
)
from agentos.skill.vocab import FILLER, SHELL, SHORTHAND, STOPWORDS, words
from agentos.skill.written import written_problems
from agentos.skillfile import MAX_DESCRIPTION, Skill

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#'-]*")
_LIST = re.compile(r":\s+[^.:;]+,")
MAX_TERMS = 4
# when, how often or how well, or an indefinite pronoun: never what, no topic of a skill
# ("It also covers tomorrow.", "It also covers nothing.")
_WHEN_WORDS = """today tomorrow tonight yesterday often always never sometimes usually again soon
    later now ever maybe quite rather already still yet almost enough once twice anyway
    nothing something anything everything someone anyone everyone nobody none whatever
    day days night nights week weeks month months year years morning evening"""
_WHEN = frozenset(_WHEN_WORDS.split())
# a listing sentence's lead with nothing listed ("Also use it when a request mentions."): what is
# left when an operator drops the one term a sentence held
_EMPTY = re.compile(
    r"^(?:(?:also\s+)?use\s+(?:it|this\s+skill)\s+(?:also\s+)?when\s+(?:a\s+request|the\s+user|"
    r"a\s+user|someone)\s+mentions|(?:it|this\s+skill)\s+(?:is\s+also\s+for|(?:also\s+)?covers))"
    r"\s*[.!?]$",
    re.I,
)
# endings of a noun that names an activity, state or quality, which reads without an article
# ("key rotation", "maintenance"); a bare singular count noun does not ("It is also for library.")
_ABSTRACT = re.compile(r"\w{3,}(?:tion|sion|ment|ness|ance|ence|ism|ship|sis)|\w{4,}(?:ing|ity)")
_ARTICLE = frozenset(("a", "an", "the", "your", "their", "its", "each", "every", "any"))
_TERM_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+")
_SHORT_OK = frozenset(("vs", "eg", "ie", "ok"))


def added_text(original: str, new: str) -> str:
    """The sentences of `new` that `original` does not have, and any words a kept sentence
    gained."""
    old = set(sentences(original))
    return " ".join(s for s in sentences(new) if s not in old)


def problems(
    original: str,
    new: str,
    *,
    own_text: str = "",
    queries: Iterable[str] = (),
    name: str = "",
    evidence: Iterable[str] = (),
    siblings: Iterable[str] = (),
    sibling_texts: Iterable[str] = (),
) -> list[str]:
    """Why `new` may not replace `original` (none: it passes). `own_text` is the rest of the
    skill (its body); `queries` are every eval query, train and held-out (none may be copied
    in); `name` the skill's; `evidence` the skill's own hand-written train queries, two of which
    may vouch for a word the skill's own text lacks (held-out queries never do; a query and its
    misspelt or shortened copy count once); `siblings` the
    other skills' names, none of which an added term may be; `sibling_texts` their texts
    (description and body), which tell a word the skills share (`support.generic_problems`)."""
    return list(
        _problems(
            original,
            new,
            own_text,
            tuple(queries),
            name,
            tuple(evidence),
            tuple(siblings),
            tuple(sibling_texts),
        )
    )


@functools.lru_cache(maxsize=4096)
def _problems(
    original: str,
    new: str,
    own_text: str,
    queries: tuple[str, ...],
    name: str = "",
    evidence: tuple[str, ...] = (),
    siblings: tuple[str, ...] = (),
    sibling_texts: tuple[str, ...] = (),
) -> tuple[str, ...]:
    out: list[str] = []
    if len(new.strip()) > MAX_DESCRIPTION:
        out.append(f"is {len(new.strip())} characters, over {MAX_DESCRIPTION}")
    original, flat = " ".join(original.split()), " ".join(new.split())  # a re-wrap is no change
    for phrase in trigger_phrases(original):
        if phrase not in flat:
            out.append(f"drops the trigger phrase {phrase!r}")
    if len(original) <= MAX_DESCRIPTION:  # one over the limit must lose some to come under it
        kept = {stem(w) for w in item_words(flat)}
        for word in sorted(listed_words(original)):
            if stem(word) not in kept:
                out.append(f"drops {word!r}, an item of a list the author wrote")
    added = added_text(original, new)
    for sentence in sentences(added):
        if not sentence[:1].isupper() and not sentence[:1].isdigit() and sentence[0] not in "\"'(":
            out.append(f"has a broken sentence: {sentence!r}")
        elif sentence[-1] not in ".!?\"')" or len(sentence.split()) < 4:
            out.append(f"has a fragment, not a sentence: {sentence!r}")
        elif _EMPTY.match(sentence):
            out.append(f"lists nothing: {sentence!r}")
        elif _LIST.search(sentence):
            out.append(f"adds a word list, not a sentence: {sentence!r}")
    own = {w.lower() for w in _WORD.findall(f"{original} {own_text}")}
    own |= {w.lower() for w in re.findall(r"\S+", f"{original} {own_text}")}
    for token in re.findall(r"\S+", added):
        core = token.strip(".,;:!?()\"'")
        if not core or core.lower() in own:
            continue
        if "/" in core or not real_word(core, own) or any(c.isdigit() for c in core):
            out.append(f"adds {core!r}, not a word of the skill's own text or the dictionary")
    for token in re.findall(r"\S+", added):
        core = token.strip(".,;:!?()\"'")
        low = core.lower()
        short = core.isalpha() and len(core) <= 2 and low not in STOPWORDS | _SHORT_OK
        if short and not (core.isupper() and low in own):  # CI, PR: where the skill says so
            out.append(f"adds the short token {core!r}")
    for sentence in sentences(added):
        out += _term_problems(sentence, original, own_text, name, evidence, siblings, sibling_texts)
    out += copies(added, queries, original)
    return tuple(dict.fromkeys(out))


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text)}


def _asked_in(word: str, evidence: Sequence[str], asked: Sequence[set[str]]) -> int:
    """How many distinct queries of `evidence` (`asked`: their stems) use the stem `word`; a
    query and its misspelt copy are one (`support.distinct`)."""
    return len(distinct([q for q, a in zip(evidence, asked, strict=True) if _near(word, a)]))


def _near(word: str, stems: set[str]) -> bool:
    """Whether `stems` has `word`, or a stem of four letters or more that it starts with or
    that starts with it (`shipp` from shipping, `ship`)."""
    return word in stems or any(
        min(len(word), len(s)) >= 4 and (word.startswith(s) or s.startswith(word)) for s in stems
    )


def _term_problems(
    sentence: str,
    original: str,
    own_text: str,
    name: str,
    evidence: tuple[str, ...],
    siblings: tuple[str, ...] = (),
    sibling_texts: tuple[str, ...] = (),
) -> list[str]:
    """Why the terms a listing sentence adds ("It is also for a, b and c.") say nothing an
    author would add: more than `MAX_TERMS`; a term that is no noun phrase (`english`: a
    function word at either end, `both`, `spraying vs`; a verb, `tell`, `order matters`; an
    adjective at its head, `black`), or whose only new words describe (`dark chocolate` where
    the description has chocolate); a filler word, a shell command, a word of the skill's name,
    a word of when or how (`tomorrow`, `often`, an adverb in -ly), a contraction, a lone past
    form (`closed`); a single word that names no specific thing of this skill (an everyday noun
    such as `water`, or a word the siblings' texts name as often, `support.generic_problems`);
    a term the description or another term of the sentence already has
    (`readiness` beside `readiness probe`); or a word the skill's own text never
    uses (stems compared, or the long form of an abbreviation it uses) unless two hand-written
    train queries of the `evidence` use it: one query is one person's wording, not a topic, and
    held-out queries are never evidence."""
    match = TERMS.match(sentence)
    if match is None:
        return []
    listed = [t.strip() for t in _TERM_SPLIT.split(match.group("terms")) if t.strip()]
    terms = [t.strip("\"'“”") for t in listed]
    out = [f"lists {len(terms)} terms, more than {MAX_TERMS}"] if len(terms) > MAX_TERMS else []
    if match.group("mention") is None:  # a claim: each term must read as a thing unquoted
        out += [_bare(t) for t in listed if _bare(t)]
    out += written_problems(terms, f"{original}\n{own_text}", evidence, name, common)
    named, said, own = _stems(name.replace("-", " ")), _stems(original), _stems(own_text)
    written = set(words(f"{original} {own_text}"))  # "Kubernetes" where the skill says k8s
    asked = [_stems(query) for query in evidence]
    for term in terms:
        mine = [w for w in words(term) if w not in STOPWORDS]
        if mine and all(stem(w) in said for w in mine):
            out.append(f"adds {term!r}, which the description already says")
        others = {stem(w) for t in terms if t != term for w in words(t)}
        if mine and all(stem(w) in others for w in mine):
            out.append(f"adds {term!r}, which another term of the sentence holds")
        if "'" in term or "’" in term:
            out.append(f"adds {term!r}, a contraction, not a topic")
        elif (why := not_a_noun_phrase(term)) is not None:
            out.append(f"adds {term!r}, no noun phrase: {why}")
        elif (fresh := [w for w in mine if stem(w) not in said]) and all(map(adjective, fresh)):
            out.append(f"adds {term!r}, whose only new words describe: {', '.join(fresh)}")
        out += support_problems(term, sentences(original), own_text, evidence, common)
        out += generic_problems(term, sentences(original), own_text, sibling_texts)
        out += asked_problems(term, evidence, frequent)
        out += label_problems(term, sentences(original), own_text)
        out += role_problems(term, sentences(original), own_text, evidence)
        for sibling in siblings:  # "brake" on wheel-truing beside brake-adjustment
            if (
                mine
                and sibling != name
                and all(stem(w) in _stems(sibling.replace("-", " ")) for w in mine)
            ):
                out.append(f"adds {term!r}, which names the sibling skill {sibling}")
        for w in mine:
            if w in FILLER:
                out.append(f"adds the filler word {w!r}")
            elif w in SHELL:
                out.append(f"adds the shell command {w!r}")
            elif stem(w) in named:
                out.append(f"adds {w!r}, a word of the skill's own name")
            elif w in _WHEN or (w.endswith("ly") and len(w) > 4 and w not in own_text.lower()):
                out.append(f"adds {w!r}, a word of when or how or a pronoun, not of what")
            elif len(mine) == 1 and w.endswith("ed") and not _near(stem(w), said | own):
                out.append(f"adds {w!r} alone, a past form, not a topic")
            elif (
                not _near(stem(w), said | own)
                and SHORTHAND.get(w) not in written
                and _asked_in(stem(w), evidence, asked) < 2
            ):
                out.append(f"adds {w!r}, used neither in the skill's text nor in two train queries")
    return out


def _bare(term: str) -> str:
    """Why `term`, listed unquoted in a claim ("It is also for ..."), is no thing a sentence can
    name as written: a singular noun at its head with no article before it (`library`,
    `front disc`), unless its ending says it names an activity or a state (`key rotation`,
    `onboarding`) or it is a name (`Kubernetes`). No tagger tells a mass noun (`flea dirt`)
    from a count noun here, so both are refused bare. Quoted, a term is a word a request uses
    and reads right in any form."""
    tokens = re.findall(r"[a-z][a-z0-9'+-]*", term.lower())
    last = term.split()[-1] if term.split() else ""
    if not tokens or term[:1] in "\"'“" or tokens[0] in _ARTICLE or last[:1].isupper():
        return ""  # quoted, with an article, or a name (`Kubernetes`, `CrashLoopBackOff`)
    head = tokens[-1]
    plural = head.endswith("s") and not head.endswith(("ss", "us", "is"))
    if plural or _ABSTRACT.fullmatch(head) or function_word(head):
        return ""
    return (
        f"adds {term!r}, a bare singular noun ({head!r} with no article): an author writes its "
        "plural, its article, or quotes it as a word a request mentions"
    )


def refusal(name: str, reasons: Sequence[str]) -> str:
    """The report line of a refused description."""
    return f"refused: {name}: description-quality: {reasons[0]}"


def train_gate(
    skill: Skill, train: Iterable[EvalItem], siblings: Sequence[Skill] = ()
) -> Callable[[str], bool]:
    """The gate as a proposer applies it to rewrites of `skill` (`siblings`: the skill set,
    which may hold `skill` itself): the hand-written train queries are both the queries not to
    copy and the evidence for a word (a generated variant is no second piece of evidence); the
    evaluator checks the held-out queries too."""
    queries = tuple(i.query for i in train if not i.generated)
    evidence = tuple(i.query for i in train if not i.generated and i.expect == skill.name)
    others = [s for s in siblings if s.name != skill.name]
    names = tuple(s.name for s in others)
    texts = tuple(f"{s.description}\n{s.body}" for s in others)

    def accept(description: str) -> bool:
        return not problems(
            skill.description,
            description,
            own_text=skill.body,
            queries=queries,
            name=skill.name,
            evidence=evidence,
            siblings=names,
            sibling_texts=texts,
        )

    return accept


def description_problems(
    original: Skill,
    new: Skill,
    queries: Iterable[str],
    evidence: Iterable[str] = (),
    siblings: Sequence[Skill] = (),
) -> list[str]:
    """`problems` for a rewrite of `original` into `new` (none when the description is as it
    was); `siblings` is the skill set as it started (it may hold `original` itself)."""
    if new.description == original.description:
        return []
    others = [s for s in siblings if s.name != original.name]
    return problems(
        original.description,
        new.description,
        own_text=original.body,
        queries=queries,
        name=original.name,
        evidence=evidence,
        siblings=[s.name for s in others],
        sibling_texts=[f"{s.description}\n{s.body}" for s in others],
    )
