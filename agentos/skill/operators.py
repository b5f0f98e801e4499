"""The offline skill proposer: seeded text operators driven by the misrouted train queries.

It rewrites one skill's description per proposal, never its body (so it cannot touch a gate):

- `drop_qualifiers` removes over-specific phrases (versions, paths, service and cluster identifiers,
  "only when ..." clauses) that make a description miss ordinary requests, never an item of a
  list the author wrote;
- `add_vocabulary` adds, to the one sentence it writes (`Also use it when a request mentions
  "a" or "b".`), the terms that the skill's missed train queries share and the rest of the
  train set does not use;
- `add_shorthand` adds the long forms of the abbreviations the skill's own text uses;
- `add_synonyms` adds everyday synonyms of the description's own verbs and nouns.

Every candidate must pass the `description-quality` gate (`agentos.skill.quality`) against the
skill as it stands and the train queries before it is routed: whole sentences, the author's
trigger phrases kept, real words only, no train query copied in.

It implements the `Provider` protocol: `propose` returns whole files as `components` (the
repository-relative path it was given to the new SKILL.md text), as the loop's `apply` expects.
When the task's editable surface is one skill, the rest of the set (fixed for the run) comes in as
`others`, so the train queries are routed against the whole set. It is built from train items
only; routing the train split to find the misses is part of proposing, the holdout is never
visible here.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath

from agentos.providers.base import (
    Check,
    NothingToPropose,
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
    ReviewRequest,
)
from agentos.skill.english import not_a_noun_phrase
from agentos.skill.evals import EvalItem
from agentos.skill.examples import (
    MAX_EXAMPLES,
    covered,
    example_edits,
    own_terms,
    request_terms,
    spelled,
    split_examples,
    with_examples,
)
from agentos.skill.lexicon import real_word
from agentos.skill.quality import train_gate
from agentos.skill.router import CalibratingRouter, Router, ThresholdRouting, route_with_train
from agentos.skill.search import DescriptionSearch
from agentos.skill.triggers import item_words, listed_words
from agentos.skill.vocab import LONG_FORMS, SHORTHAND, SYNONYMS, content_words, words
from agentos.skill.written import as_written
from agentos.skillfile import SKILL_FILE, Skill, parse_skill, render_skill

_PREPS = r"in|of|for|on|with|under|from|by|at|using|via|inside|across"
_CHUNK = re.compile(rf"\s+(?=(?:{_PREPS})\s)", re.IGNORECASE)
_ONLY = re.compile(r",?\s+(?:only|exclusively|specifically)\s+(?:when|if|for|in)\b[^.;]*", re.I)
_PAREN = re.compile(r"\s*\([^)]*\)")


def _identifier(token: str) -> bool:
    """A token that names one concrete thing: a version, path, file or service id (`v2.4`,
    `/var/log`, `payments-svc`), never words joined by hyphens or slashes (`multi-cat`,
    `flea/tick/worm`)."""
    core = token.strip(".,;:()")
    if any(c.isdigit() for c in core) or "_" in core or core.startswith(("/", "~")):
        return True
    if "." in core and not core.endswith("."):
        return True
    parts = [p for p in re.split(r"[/-]", core) if p]
    return len(parts) > 1 and not all(real_word(p, set()) for p in parts)


def drop_qualifiers(description: str) -> str:
    """Drop parentheticals, "only when" clauses and prepositional phrases naming identifiers,
    and identifiers in a sentence's head; never a word of a list the author wrote (an item is
    a trigger: "box number/placement/litter type" keeps every word)."""
    listed = listed_words(description)

    def free(text: str) -> bool:  # drops no listed word
        return not listed.intersection(item_words(text))

    text = _PAREN.sub(lambda m: "" if free(m.group(0)) else m.group(0), description)
    text = _ONLY.sub(lambda m: "" if free(m.group(0)) else m.group(0), text)
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    kept_sentences = []
    for sentence in sentences:
        chunks = _CHUNK.split(sentence.rstrip("."))
        kept = [chunks[0]] + [
            c for c in chunks[1:] if not (any(map(_identifier, c.split())) and free(c))
        ]
        head = " ".join(
            w for w in kept[0].split() if not _identifier(w) or w[:1].isupper() or not free(w)
        )
        out = " ".join([head, *kept[1:]]).strip(" ,;:")
        if out:
            kept_sentences.append(out + ".")
    result = " ".join(kept_sentences)
    if " ".join(result.split()) == " ".join(description.split()):
        return description  # nothing dropped: the author's spacing stays
    return result if len(result.split()) >= 3 else description


def add_words(description: str, new: Sequence[str]) -> str:
    """Add the terms `new` to the description's added-terms sentence, within the limits."""
    _, have, _ = split_examples(description)
    low = description.lower()
    fresh = [w for w in new if not covered(w, low)]
    terms = list(dict.fromkeys([*have, *fresh]))[-MAX_EXAMPLES:]
    text = with_examples(description, terms)
    return description if text is None else text


def shorthand_forms(text: str) -> list[str]:
    """The long forms of the abbreviations `text` uses that it does not already spell out (an
    author writes "Kubernetes" beside "k8s"; a short form they never wrote is not added)."""
    low = " " + " ".join(words(text)) + " "
    found = []
    for short, long in LONG_FORMS.items():
        if f" {short} " in low and f" {long} " not in low:
            found.append(long)
    return found


def vocabulary(
    target: str,
    missed: Sequence[EvalItem],
    train: Sequence[EvalItem],
    description: str,
    own: Sequence[str] = (),
) -> list[tuple[float, str]]:
    """Words the missed queries share, scored: how many of them use it, less other skills' use."""
    have = set(words(description))
    mine: Counter[str] = Counter()
    for item in missed:
        for w in set(request_terms(item, own)):
            if " " not in w:
                mine[w] += 1
    others: Counter[str] = Counter()
    for item in train:
        if item.expect != target:
            others.update(set(content_words(item.query)))
    known = set(SHORTHAND) | set(SHORTHAND.values()) | set(SYNONYMS)
    scored = []
    for w, n in mine.items():
        if w in have or not_a_noun_phrase(w) is not None:
            continue
        score = n + (0.5 if w in known else 0.0) - 0.7 * others[w]
        if score > 0.5:
            scored.append((score, w))
    return sorted(scored, reverse=True)


def skills_in(
    files: Mapping[str, str], target: str | None, others: Sequence[Skill] = ()
) -> tuple[dict[str, tuple[str, Skill]], list[Skill]]:
    """The SKILL.md files among a proposal request's `files`, by skill name: (path, skill); and
    the whole skill set, those files' skills then the `others` not among them. A request
    without the `target`'s file (or without any) is a `ProviderError`."""
    out = {}
    for path, text in files.items():
        p = PurePosixPath(path)
        if p.name == SKILL_FILE:
            skill = parse_skill(p, text, folder=p.parent.name)  # type: ignore[arg-type]
            out[skill.name] = (path, skill)
    if not out or (target is not None and target not in out):
        raise ProviderError(f"no SKILL.md of {target or 'any skill'} among the files")
    return out, [s for _, s in out.values()] + [o for o in others if o.name not in out]


def _spent(target: str, train: Sequence[EvalItem], missed_by: Mapping[str, list[EvalItem]]) -> str:
    """Why the search has nothing for `target`, in the user's terms: no train query expects it,
    or how many of its train queries (variants left out) are missed and that no untried
    rewrite gains on train. Worded without a pronoun: skills with one reason are named together."""
    mine = [i for i in train if i.expect == target and not i.generated]
    if not mine:
        return "no train query expects it, so no rewrite can gain on train"
    missed = sum(not i.generated for i in missed_by.get(target, []))
    if not missed:
        return (f"every train query routed right ({len(mine)}, variants left out), and no "
                "untried rewrite takes another skill's query off it")
    return (
        f"no untried rewrite would be kept on train ({missed} of {len(mine)} train queries "
        "missed, variants left out)"
    )


class TextOperatorProposer:
    """Offline proposer for skills; deterministic given the request's seed.

    With a router it can search with (`CalibratingRouter`: local, cheap), each proposal is the
    best of many: every example-request edit and the qualifier drop, plus a few seeded draws of
    the word operators, are routed against the train split (its "none" cut recalibrated for each)
    and the one with the most train hits that costs no other skill a train hit is proposed. A
    description proposed once is not proposed again (`tried`, shared across rounds), so a veto
    moves the search on. With any other router one seeded draw is proposed, untried.
    """

    name = "skill-operators"

    def __init__(
        self,
        train: Sequence[EvalItem],
        router: Router,
        *,
        target: str | None = None,
        others: Sequence[Skill] = (),
        tried: set[str] | None = None,
        draws: int = 12,
        lexical: ThresholdRouting | None = None,
        originals: Sequence[Skill] = (),
    ):
        if any(i.split != "train" for i in train):
            raise ValueError("the proposer may only see train items")
        self.train = list(train)
        self.router = router
        self.target = target
        self.others = list(others)
        self.tried = tried if tried is not None else set()
        self.draws = draws
        self.lexical = lexical  # the evaluator's second router, which the search counts too
        # the skill set the run started from: the quality gate compares a rewrite with it, as
        # the evaluator does, so a term already in the incumbent's sentence is no "repeat"
        self.originals = {s.name: s for s in originals}

    def propose(self, request: ProposeRequest) -> Proposal:
        rng = random.Random(request.seed)
        found, skills = skills_in(request.files, self.target, self.others)
        routed = route_with_train(self.router, skills, self.train)
        missed_by: dict[str, list[EvalItem]] = {}
        for item, got in zip(self.train, routed, strict=True):
            if item.expect is not None and got != item.expect:
                missed_by.setdefault(item.expect, []).append(item)
        target = self.target or max(sorted(found), key=lambda n: len(missed_by.get(n, [])))
        path, skill = found[target]
        missed = spelled(missed_by.get(target, []))
        picked = None
        accept = self.gate(skill, skills)
        if isinstance(self.router, CalibratingRouter):
            search = DescriptionSearch(
                self.router, self.train, skills, target, accept, lexical=self.lexical
            )
            weak = spelled(search.fit(skill.description).weak)
            mine = spelled(search.train_of_target())
            candidates = self._candidates(rng, skill, missed, [*weak, *mine])
            candidates = {t: s for t, s in candidates.items() if accept(t)}
            picked = search.pick(skill.description, candidates, self.tried, rng)
            if picked is None:  # the train queries' terms are spent: the skill's own body's
                body = example_edits(skill.description, [], body_terms=own_terms(skill, skills))
                more = {t: [step] for step, t in body if t not in candidates and accept(t)}
                picked = search.pick(skill.description, more, self.tried, rng)
            if picked is None:
                raise NothingToPropose(f"{target}: {_spent(target, self.train, missed_by)}")
        else:
            for _ in range(8):  # a proposal that changes nothing wastes an experiment
                description, steps = self._operate(rng, skill, missed)
                fresh = description != skill.description and description not in self.tried
                if fresh and accept(description):
                    picked = description, steps
                    break
            if picked is None:
                raise NothingToPropose(f"{target}: the operators give no untried rewrite")
        description, steps = picked
        self.tried.add(description)
        rewritten = skill.with_components({f"{target}/description": description})
        return Proposal(
            description=f"{target}: {', '.join(steps)}",
            components={path: render_skill(rewritten)},
        )

    def gate(self, skill: Skill, siblings: Sequence[Skill] = ()) -> Callable[[str], bool]:
        """The description-quality gate for rewrites of `skill`, against the train queries (the
        evaluator checks the held-out ones too), judged as the evaluator judges them: against
        the skill and its siblings as the run started (`originals`), when given. Judged against
        the incumbent, every term its added-terms sentence already holds reads as one the
        description "already says", and the sentence could never grow."""
        start = self.originals.get(skill.name, skill)
        return train_gate(start, self.train, list(self.originals.values()) or siblings)

    def _candidates(
        self,
        rng: random.Random,
        skill: Skill,
        missed: Sequence[EvalItem],
        quotable: Sequence[EvalItem],
    ) -> dict[str, list[str]]:
        """Rewrites of the description (new text to the operator steps that made it): every
        added-term edit for the `quotable` queries (one term added or removed), the qualifier
        drop, and seeded draws of the word operators."""
        out: dict[str, list[str]] = {}
        own = f"{skill.description}\n{skill.body}"
        for step, text in example_edits(skill.description, quotable, own):
            out.setdefault(text, [step])
        out.setdefault(drop_qualifiers(skill.description), ["drop qualifiers"])
        for _ in range(self.draws):
            text, steps = self._operate(rng, skill, missed)
            out.setdefault(text, steps)
        return {t: s for t, s in out.items() if t != skill.description and s}

    def _operate(
        self, rng: random.Random, skill: Skill, missed: Sequence[EvalItem]
    ) -> tuple[str, list[str]]:
        """Apply a seeded choice of operators; return the new description and their names."""
        target, description = skill.name, skill.description
        own = re.findall(r"[A-Za-z][A-Za-z0-9'+-]*", f"{description}\n{skill.body}")
        steps: list[str] = []
        if rng.random() < 0.6:
            dropped = drop_qualifiers(description)
            if dropped != description:
                description, steps = dropped, ["drop qualifiers"]
        ops = ["vocabulary", "vocabulary", "vocabulary", "shorthand", "synonyms"]
        for op in rng.sample(ops, k=rng.choice((1, 2))):
            if op == "vocabulary":
                scored = vocabulary(target, missed, self.train, description, own)
                k = rng.randint(2, 6)
                pool = [w for _, w in scored[: k + 2]]
                picked = sorted(rng.sample(pool, k=min(k, len(pool))), key=pool.index)
                text = f"{skill.description}\n{skill.body}"
                new = add_words(description, [as_written(w, text) for w in picked])
            elif op == "shorthand":
                new = add_words(description, shorthand_forms(description))
            else:
                syn = [s for w in words(description) for s in SYNONYMS.get(w, ())]
                new = add_words(description, rng.sample(syn, k=min(len(syn), 3)))
            if new != description:
                description = new
                steps.append(f"add {op}")
        return description, steps

    def review(self, request: ReviewRequest) -> Review:
        """Rubric: every changed skill still parses and keeps its name."""
        checks = []
        for path, text in request.after.items():
            p = PurePosixPath(path)
            try:
                parse_skill(p, text, folder=p.parent.name)  # type: ignore[arg-type]
                checks.append(Check(f"{path} valid", True, ""))
            except Exception as exc:  # a broken rewrite is a failed check, not a crash
                checks.append(Check(f"{path} valid", False, str(exc)))
        return Review(checks)
