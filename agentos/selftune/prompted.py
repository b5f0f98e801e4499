"""Self-tuning the prompts: with a key, the proposer and reviewer skills are editable too.

The inner runs then propose and review with Claude, its system prompts being the candidate's
`skills/agentos-propose/SKILL.md` and `skills/agentos-review/SKILL.md`. The key never enters a
sandbox, so this evaluator runs the inner suite in agentos' own process, as tune-skills' evaluator
routes queries in-process: it reads the candidate's profile and skills as data from the
read-only snapshot (a profile that fails to parse, or a skill without its front matter, is
`invalid`), and the suite from the snapshot's protected copy checked against its pin. Train is the
metric, held-out vetoes (`HeldOut`), each measurement runs on fresh inner seeds (as
`SelfTuneEvaluator`'s), the sealed test is not reachable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from agentos.errors import UserError
from agentos.evaluate import Evaluation
from agentos.profile import load_profile
from agentos.providers.base import Provider
from agentos.selftune.evaluator import HOLDOUT, HeldOut
from agentos.selftune.inner import score
from agentos.selftune.suite import load_suite
from agentos.skillfile import parse_skill
from agentos.task import Task

SKILLS = ("agentos-propose", "agentos-review")
SKILL_PATHS = tuple(f"skills/{name}/SKILL.md" for name in SKILLS)
MakeProvider = Callable[[Task, Mapping[str, str]], Provider]


class PromptEvaluator:
    """Scores a candidate profile and prompts on the pinned suite, in-process."""

    def __init__(self, pin: str, make_provider: MakeProvider, *, profile: str = "profile.toml",
                 heldout: HeldOut | None = None):
        self.pin = pin
        self.make_provider = make_provider
        self.profile = profile
        self.heldout = heldout or HeldOut()

    def evaluate(self, tree: Path, commit: str) -> Evaluation:
        try:
            suite = load_suite(tree / "suite" / "suite.toml", pin=self.pin)
            profile = load_profile(tree / self.profile)
            skills = {name: (tree / path).read_text(encoding="utf-8")
                      for name, path in zip(SKILLS, SKILL_PATHS, strict=True)}
            for name, text in skills.items():
                parse_skill(Path(f"skills/{name}/SKILL.md"), text, folder=name)
        except (UserError, OSError, UnicodeDecodeError) as exc:
            return Evaluation(None, "invalid", f"the candidate is not a profile and skills: {exc}")

        def provider(task: Task) -> Provider:
            return self.make_provider(task, skills)

        draw = self.heldout.draw(commit)
        train = score(suite, profile, "train", provider=provider, draw=draw)
        holdout = score(suite, profile, "holdout", provider=provider, draw=draw)
        details = {k: v for k, v in train.items() if k != "train"}
        self.heldout.add(commit, holdout["holdout"])
        return Evaluation(train["train"], details=details, holdout={HOLDOUT: holdout["holdout"]})

    def veto(self, incumbent: Evaluation, candidate: Evaluation) -> str | None:
        return self.heldout.veto(incumbent, candidate)
