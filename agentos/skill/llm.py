"""The LLM proposer of skill tuning: Claude rewrites one SKILL.md, told how the router treats it.

`tune_skills` uses it when a key is set (`ANTHROPIC_API_KEY`, or a local `ANTHROPIC_BASE_URL`), as
it uses the Claude router. It wraps the loop's ordinary LLM provider (`AnthropicProvider`: the
`agentos-propose` instructions, the editable SKILL.md, the history) and adds, as feedback quoted as
data, what the offline operators are driven by:

- the skill's train queries that go elsewhere now, and where;
- other skills' train queries it takes now (it must give them back);
- the listing it competes in (the other skills' names and descriptions);
- its pinned gates, which must survive word for word (the gates node refuses a rewrite without).

The operator's direction (trusted text, not data) asks for the whole SKILL.md as one component.
Held-out items never reach it: a non-train item is refused when it is built. An answer that is not
exactly that one file is a `ProviderError`, which the propose node retries with the error as
feedback, like any other provider failure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from agentos.providers.base import (
    Proposal,
    ProposeRequest,
    Provider,
    ProviderError,
    Review,
    ReviewRequest,
)
from agentos.skill.evals import EvalItem
from agentos.skill.gates import Gate
from agentos.skill.operators import skills_in
from agentos.skill.router import Router, route_with_train
from agentos.skillfile import MAX_DESCRIPTION, Skill

MAX_LISTED = 40  # queries per feedback list; the rest are counted


class SkillLLMProposer:
    """Claude's rewrite of one skill, briefed with its train routing (never the held-out split)."""

    name = "skill-llm"

    def __init__(
        self,
        llm: Provider,
        train: Sequence[EvalItem],
        router: Router,
        *,
        target: str,
        others: Sequence[Skill],
        gates: Sequence[Gate] = (),
    ):
        if any(i.split != "train" for i in train):
            raise ValueError("the proposer may only see train items")
        self.llm = llm
        self.train = list(train)
        self.router = router
        self.target = target
        self.others = list(others)
        self.gates = list(gates)

    def brief(self, skills: Sequence[Skill]) -> list[str]:
        """The feedback texts: misses, queries taken, the listing, the gates."""
        routed = route_with_train(self.router, skills, self.train)
        missed = [
            f"{i.query!r} ({i.slice}) went to {got or 'no skill'}"
            for i, got in zip(self.train, routed, strict=True)
            if i.expect == self.target and got != self.target and not i.generated
        ]
        taken = [
            f"{i.query!r} ({i.slice}) belongs to {i.expect or 'no skill (should not trigger)'}"
            for i, got in zip(self.train, routed, strict=True)
            if got == self.target and i.expect != self.target and not i.generated
        ]
        own = [
            got == self.target
            for i, got in zip(self.train, routed, strict=True)
            if i.expect == self.target and not i.generated
        ]  # counted as listed: generated variants never appear in the lists
        hits = sum(own)
        return [
            f"Train requests for {self.target} ({hits} of {len(own)} routed to it) that go "
            "elsewhere:\n" + _listed(missed),
            f"Train requests of other skills (or of none) that {self.target} takes:\n"
            + _listed(taken),
            "The other skills a request can go to (name: description):\n"
            + "\n".join(f"{s.name}: {s.description}" for s in skills if s.name != self.target),
            f"Gates of {self.target} that must stay word for word in the body:\n"
            + _listed([f"{g.kind}: {g.text}" for g in self.gates]),
        ]

    def propose(self, request: ProposeRequest) -> Proposal:
        found, skills = skills_in(request.files, self.target, self.others)
        path = found[self.target][0]
        direction = (
            f"Rewrite {path} so that a coding agent choosing from the listing picks "
            f"{self.target} for its requests, misspelled and abbreviated ones included, and for "
            f"no other skill's. Keep the name and every gate; keep the description under "
            f"{MAX_DESCRIPTION} characters. Return the whole new file as the one component {path}."
        )
        if request.direction:
            direction = f"{request.direction}\n{direction}"
        proposal = self.llm.propose(
            replace(
                request,
                files={path: request.files[path]},  # the rest of the set is in the brief
                feedback=[*request.feedback, *self.brief(skills)],
                direction=direction,
            )
        )
        if proposal.edits or set(proposal.components) != {path}:
            got = sorted({*proposal.components, *(e["path"] for e in proposal.edits)})
            raise ProviderError(
                f"the rewrite must be the whole {path} as one component, got {got or 'nothing'}",
                proposal.usage,
            )
        return proposal

    def review(self, request: ReviewRequest) -> Review:
        return self.llm.review(request)


def _listed(lines: Sequence[str]) -> str:
    if not lines:
        return "(none)"
    more = len(lines) - MAX_LISTED
    return "\n".join(lines[:MAX_LISTED]) + (f"\n... and {more} more" if more > 0 else "")
