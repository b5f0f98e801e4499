"""The propose node: ask the provider for a change to the incumbent, apply it, commit it.

Edits that do not apply or leave the editable surface, and a change that was already measured
from the same parent (unless its description starts `re-measure:`), go back to the provider with
the error, a bounded number of times; after that the experiment is `rejected` with the reason.

The history the provider sees is the run's, except that the reason of a vetoed experiment (its
`vetoed` field, set by `decide`) is replaced by `VETOED`: a veto's reason quotes held-out figures
(the ledger keeps it whole), and a proposer that reads them could steer by the held-out split one
experiment at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from agentos.candidate import EditError, apply, diff_summary, editable_paths, unified_diff
from agentos.memory import REMEASURE
from agentos.providers.base import (
    NOTHING_TO_TRY,
    BudgetSpent,
    NothingToPropose,
    Proposal,
    ProposeRequest,
    ProviderError,
)
from agentos.runtime import Runtime
from agentos.state import Candidate, HistoryItem, LoopState, LoopUpdate, Node, Point

# the longest description kept: a proposer may carry its state in it (the heuristic's `| tpe`
# configuration lists every searched setting), so it is cut only far beyond a sentence
DESCRIPTION_CHARS = 4000
VETO_PREFIX = "vetoed: "  # how a vetoed experiment's reason begins in the ledger
VETOED = f"{VETO_PREFIX}an acceptance check on data the proposer does not see failed"


def for_proposer(items: list[HistoryItem]) -> list[HistoryItem]:
    """`items` with the reasons of vetoed experiments replaced by `VETOED`."""
    return [
        {**i, "reason": VETOED} if i.get("vetoed") else i
        for i in items
    ]


def point_for_proposer(point: Point | None) -> Point | None:
    """`point` without its held-out figures, which only the veto may read."""
    if point is None:
        return None
    return cast(Point, {k: v for k, v in point.items() if k != "holdout"})


def make_propose(rt: Runtime, ask: Callable[[ProposeRequest], Proposal] | None = None) -> Node:
    """The propose node; `ask` replaces `rt.provider.propose` (the batch node's queue)."""
    surfaces: dict[str, list[str]] = {}  # commit -> editable paths (a commit never changes)

    def propose(state: LoopState) -> LoopUpdate:
        exp = state.get("experiment", 0) + 1
        choice = rt.strategy.choose(dict(state.get("strategy", {})), exp)
        parent = choice.parent
        if parent not in surfaces:
            if len(surfaces) >= 64:
                surfaces.pop(next(iter(surfaces)))
            surfaces[parent] = editable_paths(rt.task, rt.repo.entries(parent))
        paths = surfaces[parent]
        files = {
            p: b.decode("utf-8", "surrogateescape")
            for p, b in rt.repo.read_many(parent, paths).items()
        }
        trials = for_proposer(list(state.get("history", [])))
        best = point_for_proposer(state.get("best"))
        baseline = point_for_proposer(state.get("baseline"))
        history = trials[-rt.task.credit_horizon :] if rt.task.credit_horizon else []
        feedback = list(state.get("feedback", []))
        base: LoopUpdate = {
            "experiment": exp,
            "candidate": {"parent": parent},
            "outcome": {},
            "gates": {},  # type: ignore[typeddict-item]  # cleared: this candidate has none yet
            "review": {},
            "scores": {},
        }
        tokens_in = tokens_out = 0
        cost = 0.0
        error = ""
        for attempt in range(1 + rt.propose_retries):
            request = ProposeRequest(
                task=rt.task,
                experiment=exp,
                parent=parent,
                files=files,
                history=history,
                feedback=feedback,
                seed=rt.task.search.seed * 1_000_003 + exp * 101 + attempt,
                step=choice.step,
                noise=choice.noise,
                direction=state.get("direction"),
                best=best,
                trials=trials,
                baseline=baseline,
            )
            try:
                proposal = ask(request) if ask else rt.provider.propose(request)
            except NothingToPropose as exc:
                # no experiment was made: the run ends without counting one
                stop = f"{NOTHING_TO_TRY}: {exc}"
                return {"stop": stop, **_spend(state, tokens_in + tokens_out, cost)}
            except ProviderError as exc:
                tokens_in += exc.usage.tokens_in
                tokens_out += exc.usage.tokens_out
                cost += exc.usage.cost_usd
                error = f"provider: {exc}"
                if isinstance(exc, BudgetSpent) and not (tokens_in or tokens_out or cost):
                    return {"stop": str(exc)}
                if isinstance(exc, BudgetSpent):
                    break  # this experiment paid for calls: its row records them, then the run ends
                feedback = [*feedback, error]
                continue
            tokens_in += proposal.usage.tokens_in
            tokens_out += proposal.usage.tokens_out
            cost += proposal.usage.cost_usd
            try:
                changed = apply(
                    rt.task, files, edits=proposal.edits, components=proposal.components
                )
            except EditError as exc:
                error = f"edit refused: {exc}"
                feedback = [*feedback, error]
                continue
            before = {p: files[p] for p in changed}
            commit = rt.repo.commit_files(
                parent,
                {p: t.encode("utf-8", "surrogateescape") for p, t in changed.items()},
                f"agentos {rt.run_id} #{exp}: {proposal.description}"[:500],
            )
            twin = _measured_twin(rt, trials, parent, commit)
            if twin is not None and not proposal.description.startswith(REMEASURE):
                error = (
                    f"edit refused: the same change from the same parent was measured as "
                    f"#{twin['id']} ({twin['status']}, metric {twin['metric']}); propose another, "
                    f"or start the description with `{REMEASURE}` and say why"
                )
                feedback = [*feedback, error]
                continue
            rt.repo.set_ref(rt.experiment_ref(exp), commit)
            candidate: Candidate = {
                "parent": parent,
                "description": proposal.description[:DESCRIPTION_CHARS],
                "commit": commit,
                "changed": sorted(changed),
                "diff": unified_diff(before, changed),
                "edits": list(proposal.edits),
                "tokens_in": tokens_in,
                "tokens_out": tokens_out,
                "cost_usd": cost,
            }
            candidate["summary"] = diff_summary(before, changed)
            return {**base, "candidate": candidate, **_spend(state, tokens_in + tokens_out, cost)}
        candidate = {
            "parent": parent,
            "description": "no usable proposal",
            "error": error,
            "tokens_in": tokens_in,
            "tokens_out": tokens_out,
            "cost_usd": cost,
        }
        return {
            **base,
            "candidate": candidate,
            "outcome": {"status": "rejected", "reason": error or "no usable proposal"},
            **_spend(state, tokens_in + tokens_out, cost),
        }

    return propose


def _measured_twin(
    rt: Runtime, trials: list[HistoryItem], parent: str, commit: str
) -> HistoryItem | None:
    """The measured experiment of the run whose commit, from the same parent, holds the same
    files as `commit` (the run's memory: a repeat is a re-measure only when it says so)."""
    same = [t for t in trials
            if t["parent"] == parent and t["commit"] and t["status"] in ("keep", "discard")]
    if not same:
        return None
    tree = rt.repo.git_tree_id(commit)
    return next((t for t in same if rt.repo.git_tree_id(t["commit"]) == tree), None)


def _spend(state: LoopState, tokens: int, cost: float) -> LoopUpdate:
    return {
        "tokens": state.get("tokens", 0) + tokens,
        "cost_usd": state.get("cost_usd", 0.0) + cost,
    }
