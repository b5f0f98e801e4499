"""The one proposer of skill tuning: each call is one move on the whole skill set.

The candidate is the set's named components, `{SKILL.md path: text}` (every skill's file is
editable). A move is one of:

- a joint move (`agentos.skill.joint.JointMoves`): added terms for several skills at once, chosen
  on train margins, when the offline operators propose and the router is local; while the
  incumbent has not moved, a refused look is searched again at the next call without the
  skills its veto blames, or halved when it blames none;
- a per-skill move: one skill's rewrite by its own proposer (the offline text operators, or
  Claude), the skills taken in turn.

Joint moves come first on an incumbent they have not searched (the start, and after every keep),
then the skills in turn; a skill whose proposer has nothing left on this incumbent is passed over
until the incumbent moves. When no move is left, `NothingToPropose` ends the run. The proposer
never decides anything: the graph's gates, evaluator and `decide` node keep or discard each move.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from agentos.providers.base import (
    NothingToPropose,
    Proposal,
    ProposeRequest,
    Provider,
    Review,
    ReviewRequest,
)
from agentos.skill.joint import JointMoves
from agentos.skill.operators import skills_in
from agentos.skillfile import render_skill

JOINT = "joint"  # the description prefix of a joint move; a per-skill move's is its skill's name


class SkillSetProposer:
    """Moves on a skill set: joint additions, then each skill's own proposer in turn."""

    name = "skill-set"

    def __init__(
        self,
        per_skill: Callable[[str], Provider],
        names: Sequence[str],
        *,
        joint: JointMoves | None = None,
        reviewer: Provider | None = None,
        files_of_target: bool = False,
    ):
        """`per_skill(name)` builds the proposer of one skill's rewrites (called once a skill);
        `names` is the turn order. `files_of_target`: a per-skill proposer sees only its own
        SKILL.md among the request's files (a model is then briefed with the rest as data)."""
        if not names:
            raise ValueError("a skill set to tune needs at least one skill")
        self._factory = per_skill
        self._movers: dict[str, Provider] = {}
        self.names = list(names)
        self.joint = joint
        self.reviewer = reviewer
        self.files_of_target = files_of_target
        self._turn = 0
        self._spent: dict[str, str] = {}  # skill -> the incumbent on which it had nothing left
        self._why: dict[str, str] = {}  # skill -> why it had nothing left there

    def mover(self, name: str) -> Provider:
        if name not in self._movers:
            self._movers[name] = self._factory(name)
        return self._movers[name]

    def propose(self, request: ProposeRequest) -> Proposal:
        found, skills = skills_in(request.files, None)
        if self.joint is not None:
            move = self.joint.next(request.parent, skills)
            if move is not None:
                moved, line = move
                before = {s.name: s for s in skills}
                return Proposal(
                    description=f"{JOINT}: {line}",
                    components={
                        found[s.name][0]: render_skill(s)
                        for s in moved
                        if s.description != before[s.name].description
                    },
                )
        for k in range(len(self.names)):
            name = self.names[(self._turn + k) % len(self.names)]
            if name not in found or self._spent.get(name) == request.parent:
                continue
            files = request.files
            if self.files_of_target:
                files = {found[name][0]: request.files[found[name][0]]}
            turn = self._turn
            self._turn = (turn + k + 1) % len(self.names)  # a failed move passes the turn on too
            try:
                proposal = self.mover(name).propose(replace(request, files=files))
            except NothingToPropose as exc:
                self._spent[name] = request.parent
                self._why[name] = str(exc).removeprefix(f"{name}: ")
                self._turn = turn
                continue
            if not proposal.description.startswith(f"{name}:"):
                proposal = replace(proposal, description=f"{name}: {proposal.description}")
            return proposal
        raise NothingToPropose(self._nothing_left(request.parent))

    def _nothing_left(self, parent: str) -> str:
        """Every skill's reason for having nothing on the incumbent `parent`, grouped by reason
        (the skills spent in an earlier call on the same incumbent included)."""
        grouped: dict[str, list[str]] = {}
        for name in self.names:
            if self._spent.get(name) == parent:
                grouped.setdefault(self._why.get(name, "nothing to try"), []).append(name)
        if not grouped:
            return "no move left: every skill was tried"
        parts = [f"{', '.join(names)}: {why}" for why, names in grouped.items()]
        return "no move left: " + "; ".join(parts)

    def review(self, request: ReviewRequest) -> Review:
        return (self.reviewer or self.mover(self.names[0])).review(request)


def move_of(description: str) -> str:
    """The skill a move's description names, or `JOINT` for a joint move."""
    head, sep, _ = description.partition(":")
    return head.strip() if sep else ""


__all__ = ["JOINT", "SkillSetProposer", "move_of"]
