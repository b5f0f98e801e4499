"""Why a tuned skill set still misses train queries: `benchmarks/skills.py --why`.

For each hand-written train query the tuned set routes wrong (by the embedding router, as the
offline proposer counts a skill's misses), every term the query offers (`examples.request_terms`)
is judged as the proposer would judge it, added alone to the skill's added-terms sentence:

- `no term offered`: a hand-written misspelled query lends no word, and a query of function
  words, numbers or names lends none either;
- `already in the description`: every word of the term is there (inflections compared);
- `sentence full`: the sentence holds `MAX_EXAMPLES` terms (a replacement is still offered);
- `gate: REASON`: the description-quality gate refuses it, against the set the run started
  from (the reason's kind: support, half of a phrase, a word the siblings share, no noun
  phrase or a qualifier);
- `train keep: WHY`: it passes the gate, and the search on train would not keep it (it takes a
  sibling's train query, lowers BM25's train hits, or routes no more train queries right);
- `keepable`: the search on train would keep it (the run may have proposed it and seen it
  vetoed on held-out: a description once proposed is not proposed again).

Each query is counted once, under the verdict of its best term in that order (keepable first).
It reads train only, as the proposer does; no decision of a run uses it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from agentos.skill.bm25 import BM25Router
from agentos.skill.evals import EvalItem
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.examples import (
    MAX_EXAMPLES,
    covered,
    request_terms,
    split_examples,
    with_examples,
)
from agentos.skill.quality import description_problems
from agentos.skill.router import EmbeddingRouter, route_with_train
from agentos.skill.search import DescriptionSearch
from agentos.skillfile import Skill

ORDER = ("keepable", "train keep", "sentence full", "gate", "already in", "no term")


def gate_kind(reason: str) -> str:
    """The kind of a gate refusal, for the tally."""
    if "fewer than" in reason or "never names" in reason or "used neither" in reason:
        return "support"
    if "half of the phrase" in reason:
        return "half of a phrase"
    if "sibling" in reason or "everyday noun" in reason or "head of" in reason:
        return "shared or generic word"
    return "no noun phrase or a qualifier"


def verdict(
    term: str,
    item: EvalItem,
    start: Skill,
    skill: Skill,
    search: DescriptionSearch,
    judge: SkillEvaluator,
    originals: Sequence[Skill],
) -> str:
    """What becomes of `term` added alone to `skill`'s sentence (see the module docstring)."""
    if covered(term, skill.description):
        return "already in the description"
    _, have, _ = split_examples(skill.description)
    if len(have) >= MAX_EXAMPLES:
        return "sentence full"
    text = with_examples(skill.description, [*have, term])
    if text is None:
        return "sentence full"
    new = skill.with_components({f"{skill.name}/description": text})
    reasons = description_problems(
        start, new, judge.queries, judge.evidence.get(skill.name, ()), originals
    )
    if reasons:
        return f"gate: {gate_kind(reasons[0])}: {reasons[0]}"
    base, fit = search.fit(skill.description), search.fit(text)
    if fit.taken - base.taken:
        return "train keep: takes a sibling's train query"
    if fit.lexical < base.lexical:
        return "train keep: BM25 routes fewer train queries right"
    if fit.hits <= base.hits:
        return "train keep: routes no more train queries right"
    return "keepable"


def why(
    router: EmbeddingRouter,
    items: Sequence[EvalItem],
    skills: Sequence[Skill],
    tuned: Sequence[Skill],
) -> None:
    """Print `why_missed:` per hand-written train query `tuned` misses, and `why_kinds:`."""
    judge = SkillEvaluator(items, router, recalibrate=True, originals=skills, lexical=BM25Router())
    train = judge.train
    routed = route_with_train(router, tuned, train, recalibrate=True)
    kinds: Counter[str] = Counter()
    for skill in tuned:
        start = next(s for s in skills if s.name == skill.name)
        search = DescriptionSearch(router, train, tuned, skill.name, lexical=judge.lexical)
        own = re.findall(r"[A-Za-z][A-Za-z0-9'+-]*", f"{skill.description}\n{skill.body}")
        for item, got in zip(train, routed, strict=True):
            if item.expect != skill.name or got == skill.name or item.generated:
                continue
            terms = list(dict.fromkeys(request_terms(item, own)))
            verdicts = [(t, verdict(t, item, start, skill, search, judge, skills)) for t in terms]
            best = min(
                (v for _, v in verdicts),
                key=lambda v: next(n for n, o in enumerate(ORDER) if v.startswith(o)),
                default="no term offered",
            )
            kind = ":".join(best.split(":")[:2])
            kinds[kind] += 1
            detail = "; ".join(f"{t!r} {v}" for t, v in verdicts) or "-"
            print(
                f"why_missed: {skill.name}: {item.query!r} [{item.slice}] got={got}: {kind} "
                f"({detail})"
            )
    tally = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
    print(f"why_kinds: {sum(kinds.values())} ({tally or '-'})")
