"""Benchmark skill tuning on examples/skills: held-out accuracy before and after per slice, the
wall time of one tuning run, and the router's queries per second (the median of three timed
calls on queries it has not embedded before, after a warm-up call).

    .venv/bin/python benchmarks/skills.py [--budget N] [--seed S] [--audit] [--examples DIR]
        [--reach] [--why]

`--examples` names another folder of skills with its `evals.jsonl` (default examples/skills).
`--why` prints, for each hand-written train query the tuned set still misses, what becomes of
each term it offers (`why_missed:` lines and a `why_kinds:` tally; `benchmarks/skills_why.py`).
`holdout_router_NAME` lines give held-out accuracy with each router the run decided with (the
embedding router and BM25, `[tuned against]`) and with the independent one, which no decision
reads (TF-IDF over character n-grams, `agentos.skill.ngram`, `[independent]`). For each of the
three, `holdout_missed_{before,after}_ROUTER` lines name every held-out query missed, where it
went and where its words are (`word_reach`: in the description, `lexical`: in the skill's own
name or body, `train words`, or `out of reach`), and `holdout_miss_kinds_*` count them.

It tunes a copy of the examples in a temporary git repository (the checkout is never touched)
and prints `key: value` lines. It also prints `holdout_ceiling`: held-out accuracy when every
description quotes all of its skill's train queries at once (each as an example request would
quote it, with no limit on their number), with no acceptance check: nearest-neighbour routing over
the train split, about the most that description rewrites can give with this router.

The held-out split gates every acceptance, so the held-out gain is measured on queries that
helped decide what was kept. `--audit` holds back every other held-out query of each slice from
tuning altogether (the run is gated by the other half) and prints `audit_*` lines: accuracy on
the held-back queries before and after, a figure no decision of the run has seen. Beside them it
prints each half's ceiling (`audit_ceiling_gating`, `audit_ceiling_held_back`), which no held-out
query decides either: the halves differ in how much room they leave, and a run that gains as much
on a half as its ceiling does has not been flattered by the queries that gated it.
With `--audit`, the `holdout_*` lines are the run's own report, so they cover the gating half
only; `holdout_ceiling` always covers the whole held-out split.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from agentos.git import copy_to_new_repo
from agentos.skill import load_skills, tune_skills
from agentos.skill.bm25 import BM25Router, terms
from agentos.skill.evals import SLICES, EvalItem, augment, load_evals
from agentos.skill.evaluator import Scored, SkillEvaluator, accuracy
from agentos.skill.examples import requests_of, spelled, with_examples
from agentos.skill.lexicon import real_word
from agentos.skill.ngram import NgramRouter
from agentos.skill.quality import problems, train_gate
from agentos.skill.report import holdout_routes
from agentos.skill.router import (
    EmbeddingRouter,
    Router,
    ThresholdRouting,
    route_with_train,
    skill_text,
)
from agentos.skill.vocab import content_words
from agentos.skillfile import Skill, parse_skill

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "skills"
ROUTERS: tuple[tuple[str, Router], ...] = (("bm25", BM25Router()), ("ngram", NgramRouter()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--audit", action="store_true", help="hold back half the held-out split")
    parser.add_argument(
        "--examples", type=Path, default=EXAMPLES, help="a folder of skills with evals.jsonl"
    )
    parser.add_argument(
        "--reach",
        action="store_true",
        help="diagnose: the held-out change of each single term a skill's train queries or own "
        "text offers, added alone (reads held-out; no tuning decision uses it)",
    )
    parser.add_argument(
        "--why",
        action="store_true",
        help="diagnose: for each hand-written train query the tuned set misses, what becomes of "
        "each term it offers (reads train only; `skills_why.py`)",
    )
    args = parser.parse_args()
    t0 = time.monotonic()
    router = EmbeddingRouter()
    print(f"router_load_s: {time.monotonic() - t0:.1f}")
    skills = load_skills(args.examples)
    print(f"router_queries_per_s: {queries_per_s(router, skills):.0f}")
    evals = load_evals(args.examples / "evals.jsonl", [s.name for s in skills])
    items = augment(evals)
    quoted = quote_all(skills, [i for i in items if i.split == "train"])
    ceiling = SkillEvaluator(items, router, recalibrate=True).evaluate_skills(quoted)
    print(f"holdout_ceiling: {100 * ceiling.holdout['holdout/all']:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        # a staged copy: a folder that is itself a git repository is tuned as a plain folder
        source = Path(tmp) / "staged"
        shutil.copytree(args.examples, source, ignore=shutil.ignore_patterns(".git"))
        gating, held_back = evals, list[EvalItem]()
        if args.audit:
            gating, held_back = hold_back(evals)
            write_evals(source / "evals.jsonl", gating)
        repo = copy_to_new_repo(source, Path(tmp) / "skills", "skills")
        t2 = time.monotonic()
        report = tune_skills(
            repo.root,
            repo.root / "evals.jsonl",
            seed=args.seed,
            budget=args.budget,
            router=router,
            offline=True,  # the offline proposer, key or not: the figures must not depend on it
            progress=lambda line: print(f"run: {line}"),  # every move, kept or not, and why
        )
        wall = time.monotonic() - t2
        tuned = [
            parse_skill(s.path, report.rewrites[s.name], folder=s.name)
            if s.name in report.rewrites
            else s
            for s in skills
        ]
        if held_back:
            audit(router, gating, held_back, skills, tuned, quoted)
    judge = SkillEvaluator(items, router, recalibrate=True)
    for name, other in (("embedding", router), *ROUTERS):
        for label, skill_set in (("before", skills), ("after", tuned)):
            misses = missed_by(other, judge, skills, skill_set)
            kinds: Counter[str] = Counter()
            for item, got in misses:
                kind = miss_kind(item.expect, got)
                words = word_reach(item, skills, judge.train)
                kinds[kind if item.expect is None else words.split(":")[0]] += 1
                print(
                    f"holdout_missed_{label}_{name}: {item.query!r} expect={item.expect} "
                    f"got={got} ({kind}; {words})"
                )
            tally = ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()))
            print(f"holdout_miss_kinds_{label}_{name}: {len(misses)} ({tally or '-'})")
    if args.reach:
        reach(judge, skills)
    if args.why:  # run as a script, this folder is on the path (the tests import the module)
        from skills_why import why

        why(router, items, skills, tuned)
    for row in report.rows:
        if row.group in ("slice", "all"):
            b, a = row.holdout_before or 0.0, row.holdout_after or 0.0
            print(f"holdout_{row.name}: {change(b, a)}")
    worse = [
        r.name
        for r in report.rows
        if r.group == "slice" and (r.holdout_after or 0.0) < (r.holdout_before or 0.0)
    ]
    print(f"slices_worse: {len(worse)}")
    for score in report.routers:  # the routers the run decided with, then the independent one
        b, a = score.holdout_before or 0.0, score.holdout_after or 0.0
        which = "tuned against" if score.tuned_against else "independent"
        print(f"holdout_router_{score.router}: {change(b, a)} [{which}]")
    fell = [
        r.name
        for r in report.rows
        if r.group == "skill" and (r.holdout_after or 0.0) < (r.holdout_before or 0.0) - 1e-9
    ]
    print(f"skills_worse: {len(fell)}")
    print(f"gates_pinned: {report.gates}")
    print(f"gates_refused: {len(report.refusals)}")
    print(f"skills_changed: {len(report.changed)}")
    print(f"experiments: {sum(report.counts.values())}")
    print(f"tune_wall_s: {wall:.1f}")
    for name, (before, after) in sorted(report.descriptions.items()):
        print(
            f"added {name}: {after[len(before) :].strip() if after.startswith(before) else after}"
        )


def queries_per_s(router: EmbeddingRouter, skills: list[Skill], n: int = 500) -> float:
    """The median of three timed routings of `n` queries never seen before (the router caches
    embeddings by text), after one untimed warm-up call."""
    router.route([f"warm up call {i}" for i in range(64)], skills)
    rates = []
    for rep in range(3):
        queries = [f"deploy the service number {i} of batch {rep} to production" for i in range(n)]
        t0 = time.monotonic()
        router.route(queries, skills)
        rates.append(n / (time.monotonic() - t0))
    return statistics.median(rates)


def audit(
    router: EmbeddingRouter,
    gate_items: list[EvalItem],
    held_back: list[EvalItem],
    skills: list[Skill],
    tuned: list[Skill],
    quoted: list[Skill],
) -> None:
    """Print the held-back half's accuracy before and after tuning, per slice, and each half's
    ceiling. Each set is routed once: the "none" cut is fitted on train only, so a held-out
    query routes the same whichever other held-out queries are routed with it."""
    train = [i for i in augment(gate_items) if i.split == "train"]  # the run's own
    gating = [i for i in gate_items if i.split == "holdout"]
    judge = SkillEvaluator([*train, *gating, *held_back], router, recalibrate=True)
    before, after, ceiling = (judge.score(ss)[1].predicted for ss in (skills, tuned, quoted))
    for label, half in (("held_back", slice(len(gating), None)), ("gating", slice(len(gating)))):
        items = judge.holdout[half]
        b, a, c = (accuracy(items, routed[half], "holdout") for routed in (before, after, ceiling))
        if label == "held_back":
            for slice_ in ("all", *SLICES):
                print(f"audit_{slice_}: {change(b[f'holdout/{slice_}'], a[f'holdout/{slice_}'])}")
        print(f"audit_ceiling_{label}: {change(b['holdout/all'], c['holdout/all'])}")


def missed(judge: SkillEvaluator, skills: list[Skill]) -> list[tuple[EvalItem, str | None]]:
    """The held-out items `skills` routes wrongly, with where each went."""
    _, holdout = judge.score(skills)
    return [(i, p) for i, p in zip(holdout.items, holdout.predicted, strict=True) if i.expect != p]


def missed_by(
    router: Router, judge: SkillEvaluator, start: Sequence[Skill], skills: Sequence[Skill]
) -> list[tuple[EvalItem, str | None]]:
    """The held-out items `skills` routes wrongly with `router`, and where each went, routed as
    the report routes it (`report.holdout_routes`: its "none" cut fitted on train, never below
    the starting set's `start`)."""
    got = holdout_routes(router, judge, start, skills)
    return [(i, p) for i, p in zip(judge.holdout, got, strict=True) if i.expect != p]


def word_reach(item: EvalItem, skills: Sequence[Skill], train: Sequence[EvalItem]) -> str:
    """Where the words of a missed query that expects a skill can be found, stems compared
    (`bm25.terms`): `in description` (every word already there: the miss is one of ranking),
    `lexical` (words absent from the description that the skill's own name or body writes),
    `train words` (only the skill's train queries have them) or `out of reach` (nowhere in the
    skill's text or train queries: a typo, a word nobody wrote down)."""
    if item.expect is None:
        return "near-miss"
    skill = next(s for s in skills if s.name == item.expect)
    words = set(terms(item.query))
    missing = sorted(words - set(terms(skill_text(skill))))
    if not missing:
        return "in description"
    body = set(terms(f"{skill.name.replace('-', ' ')} {skill.body}"))
    asked = {w for i in train if i.expect == skill.name for w in terms(i.source or i.query)}
    own = [w for w in missing if w in body]
    seen = [w for w in missing if w in asked and w not in body]
    rest = [w for w in missing if w not in body and w not in asked]
    kind = "lexical" if own else "train words" if seen else "out of reach"
    parts = [
        f"{k} {' '.join(ws)}" for k, ws in (("own", own), ("train", seen), ("none", rest)) if ws
    ]
    return f"{kind}: {'; '.join(parts)}"


def right(scored: Scored) -> int:
    """How many of `scored`'s items were routed to what they expect."""
    return sum(i.expect == p for i, p in zip(scored.items, scored.predicted, strict=True))


def miss_kind(expect: str | None, got: str | None) -> str:
    """Why a held-out query was missed: a near-miss that fired, a query no skill took, or one
    another skill took."""
    if expect is None:
        return "near-miss fires"
    return "below the cut" if got is None else "taken by a sibling"


def reach(judge: SkillEvaluator, skills: list[Skill]) -> None:
    """Print `reach:` lines: for every skill, each term its train queries offer
    (`requests_of`) and each content word and heading of its own body, added alone to its
    description (`with_examples`, the sentence the tuner writes), with the train hits it changes
    on the two routers a run decides with (embedding `E`, BM25 `B`), the held-out hits it changes
    on those and on the independent n-gram router (`N`), whether the quality gate would let a
    proposer add it (`gate ok` or its first reason) and whether the keep rule would take it
    (`kept`: a train gain, the two routers' hits counted together, that lowers BM25's train hits
    by none, and no held-out fall on either deciding router). Then a `reach_miss_ROUTER:` line per
    held-out query each router misses at the start: what kind of miss it is (a near-miss that
    fires, a query a sibling takes, or one below the "none" cut) and the single terms that route
    it right, and `reach_summary_ROUTER`: how many terms raise that router's held-out figure and
    how many of those pass the gate and the keep rule. It reads the held-out split, so it only
    diagnoses whether the misses can be reached by the terms the tuner may add."""
    names = [s.name for s in skills]
    lexical = {name: copy.copy(other) for name, other in ROUTERS}
    for other in lexical.values():
        assert isinstance(other, ThresholdRouting)
        other.calibrate(judge.train, skills)

    def routes(trial: Sequence[Skill]) -> dict[str, tuple[list[bool], list[bool]]]:
        train, holdout = judge.score(trial)
        out = {"E": (_hits(train), _hits(holdout))}
        n = len(judge.train)
        for key, name in (("B", "bm25"), ("N", "ngram")):
            got = route_with_train(
                lexical[name], trial, judge.train, [i.query for i in judge.holdout]
            )
            out[key] = (
                [i.expect == p for i, p in zip(judge.train, got[:n], strict=True)],
                [i.expect == p for i, p in zip(judge.holdout, got[n:], strict=True)],
            )
        return out

    base = routes(skills)
    fixes: dict[str, dict[int, list[str]]] = {
        r: {k: [] for k, ok in enumerate(base[r][1]) if not ok} for r in base
    }
    summary: dict[str, Counter[str]] = {r: Counter() for r in base}
    for skill in skills:
        own = f"{skill.description}\n{skill.body}"
        headings = [ln.lstrip("# ").strip() for ln in skill.body.splitlines() if ln.startswith("#")]
        body = [w for w in content_words(skill.body) if len(w) >= 4 and real_word(w, set())]
        terms = [*requests_of(judge.train, skill.name, own), *body, *headings]
        gate = train_gate(skill, judge.train, skills)
        for term in dict.fromkeys(terms):
            text = with_examples(skill.description, [term])
            if text is None or text == skill.description:
                continue
            trial = [
                s.with_components({f"{s.name}/description": text}) if s.name == skill.name else s
                for s in skills
            ]
            now = routes(trial)
            dt = {r: sum(now[r][0]) - sum(base[r][0]) for r in now}
            dh = {r: sum(now[r][1]) - sum(base[r][1]) for r in now}
            for r, missed in fixes.items():
                for k in missed:
                    if now[r][1][k]:
                        missed[k].append(f"{skill.name} + {term!r}")
            if not any(dh.values()):
                continue
            reasons = problems(
                skill.description,
                text,
                own_text=skill.body,
                queries=tuple(i.query for i in judge.train if not i.generated),
                name=skill.name,
                evidence=tuple(
                    i.query for i in judge.train if not i.generated and i.expect == skill.name
                ),
                siblings=tuple(n for n in names if n != skill.name),
                sibling_texts=tuple(
                    f"{s.description}\n{s.body}" for s in skills if s.name != skill.name
                ),
            )
            ok = gate(text)
            kept = ok and dt["E"] + dt["B"] > 0 and dt["B"] >= 0 and dh["E"] >= 0 and dh["B"] >= 0
            for r in now:
                if dh[r] > 0:
                    summary[r]["raise"] += 1
                    summary[r]["gate ok"] += ok
                    summary[r]["train gain"] += ok and dt["E"] + dt["B"] > 0 and dt["B"] >= 0
                    summary[r]["kept"] += kept
            verdict = "kept" if kept else "gate ok" if ok else (reasons or ["gate"])[0][:70]
            print(
                f"reach: {skill.name} + {term!r}: train E{dt['E']:+d} B{dt['B']:+d}, held-out "
                f"E{dh['E']:+d} B{dh['B']:+d} N{dh['N']:+d} ({verdict})"
            )
    label = {"E": "embedding", "B": "bm25", "N": "ngram"}
    for r, missed in fixes.items():
        for k, found in missed.items():
            item = judge.holdout[k]
            print(
                f"reach_miss_{label[r]}: {item.query!r} expect={item.expect}; routed right by "
                f"{len(found)} single terms: {', '.join(found[:6]) or '-'}"
            )
        tally = summary[r]
        print(
            f"reach_summary_{label[r]}: {tally['raise']} terms raise its held-out figure; "
            f"{tally['gate ok']} pass the quality gate, {tally['train gain']} of those gain on "
            f"train, {tally['kept']} would be kept (no held-out fall on E or B)"
        )


def _hits(scored: Scored) -> list[bool]:
    return [i.expect == p for i, p in zip(scored.items, scored.predicted, strict=True)]


def hold_back(items: list[EvalItem]) -> tuple[list[EvalItem], list[EvalItem]]:
    """Split `items` (as read, in file order) into the eval set the run gets and the held-back
    queries: every other held-out query of each slice."""
    kept, back, seen = [], [], dict.fromkeys(SLICES, 0)
    for item in items:
        if item.split == "holdout":
            seen[item.slice] += 1
            if seen[item.slice] % 2 == 0:
                back.append(item)
                continue
        kept.append(item)
    return kept, back


def write_evals(path: Path, items: list[EvalItem]) -> None:
    """Write `items` as the JSONL eval set at `path`."""
    rows = (
        {"query": i.query, "expect": i.expect, "slice": i.slice, "split": i.split} for i in items
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def change(before: float, after: float) -> str:
    """`before -> after (+delta)` in points."""
    return f"{100 * before:.1f} -> {100 * after:.1f} ({100 * (after - before):+.1f})"


def quote_all(skills: list[Skill], train: list[EvalItem]) -> list[Skill]:
    """Every skill with all of its train queries quoted in its description (a generated variant
    as its source, a hand-written misspelling left out): the ceiling's set, nearest-neighbour
    routing over the train split. The quality gate would refuse it (it copies queries)."""
    quoted = []
    for skill in skills:
        phrases = [i.query for i in spelled(train) if i.expect == skill.name]
        text = skill.description + " " + "; ".join(f'"{p}"' for p in dict.fromkeys(phrases))
        quoted.append(skill.with_components({f"{skill.name}/description": text + "."}))
    return quoted


if __name__ == "__main__":
    main()
