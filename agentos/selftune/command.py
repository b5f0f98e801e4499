"""`agentos self-tune`: agentos tunes its own search profile, as an ordinary agentos run.

The outer run is the graph, ledger, gates, veto and report of any run, on a scratch repository
that `self_tune` writes: `profile.toml` is the one editable file (the search profile, starting
from the shipped default or `--profile`), `suite/` is a protected copy of the inner suite (its
digest is in the metric command, and the inner runner refuses a suite that differs), and the
metric is `python -m agentos.selftune.inner` run by the installed agentos in the sandbox
(`SelfTuneEvaluator`, each measurement on fresh inner seeds: the noise rule judges a profile's
score like any noisy metric): the train gain is the metric, the held-out gain vetoes. At the end the
sealed test split is read once: the tuned profile and the starting one, per test seed, with the
paired difference's 95% confidence interval. Train and held-out figures are reported beside it.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sqlite3
import statistics
import tempfile
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from agentos.check import preflight
from agentos.errors import UserError
from agentos.evaluate import Evaluator
from agentos.events import ProgressEvent
from agentos.git import Repo, copy_to_new_repo
from agentos.ledger import Ledger
from agentos.ledger.read import latest_run
from agentos.profile import DEFAULT_PATH, PROFILE_GATE, Profile, parse_profile
from agentos.providers import uses_claude
from agentos.providers.base import Provider
from agentos.runner import (
    STATE_DIR,
    Overrides,
    RunSummary,
    drive,
    repo_lock,
    resume,
    start_run,
    state_dir,
)
from agentos.sandbox import Sandbox
from agentos.selftune.evaluator import STATE_FILE, HeldOut, SelfTuneEvaluator
from agentos.selftune.inner import ProviderFactory, gains, score
from agentos.selftune.prompted import SKILL_PATHS, SKILLS, MakeProvider, PromptEvaluator
from agentos.selftune.suite import SPLITS, digest_of, load_suite, suite_files
from agentos.strategies.noise import t_quantile
from agentos.task import Task, load_task

DEFAULT_SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "selftune" / "suite.toml"
PROFILE = "profile.toml"
OUTER = "outer-profile.toml"  # the outer run's own search profile
# the most measurements of one outer candidate (`max_measures`): the joint move of the screen's
# winners gains about 0.05 on train, one outer noise sd; at 8 measurements it stood at t = 2.62
# (+0.051 over 7 re-runs) where the noise rule needs about 3.7, so the cap is the noise rule's own
OUTER_MEASURES = 16
OUTER_RERUNS = 3  # the starting profile's re-runs, on fresh seeds: the outer noise's estimate
# a candidate whose first measurement beats the best by less than one noise sd is not re-measured
# (a null key re-measured until the noise rule decided cost 1 to 5 re-measure runs: 12 points took
# 33 measurements); the screen's points are drawn twice each instead, for their ranking, and the
# joint moves of the winners are re-measured whatever their first gain (`strategies.common`)
OUTER_SCREEN = 1.0


@dataclass
class SelfTuneResult:
    """The outer run's summary, the tuned profile, and the figures of both profiles per split."""

    run: RunSummary
    repo: Path
    tuned: str  # the tuned profile's text
    figures: dict[str, dict[str, float]] = field(default_factory=dict)  # split -> name -> gain
    test_diff: tuple[float, float, float] = (0.0, 0.0, 0.0)  # mean, CI low, CI high
    test_seeds: int = 0

    def lines(self) -> list[str]:
        """The greppable `key: value` summary (the run's own lines first)."""
        out = [*self.run.lines(), f"repo: {self.repo}"]
        if not self.figures:
            return out
        for split in SPLITS:
            f = self.figures.get(split, {})
            out.append(f"{split}: tuned {f.get('tuned', 0):.4f} start {f.get('start', 0):.4f}")
        mean, low, high = self.test_diff
        sure = "" if low > 0 or high < 0 else "; not significant: the interval holds 0"
        out.append(f"test_gain_diff: {mean:+.4f} (95% CI {low:+.4f} .. {high:+.4f}, "
                   f"{self.test_seeds} seeds{sure})")
        tg = self.figures.get("train", {}).get("tuned", 0.0) - self.figures.get("train", {}).get(
            "start", 0.0)
        hg = self.figures.get("holdout", {}).get("tuned", 0.0) - self.figures.get(
            "holdout", {}).get("start", 0.0)
        out.append(f"train_gain: {tg:+.4f}")
        out.append(f"holdout_gain: {hg:+.4f}")
        return out


def mean_ci(diffs: list[float]) -> tuple[float, float, float]:
    """The mean of `diffs` and its two-sided 95% t interval."""
    mean = statistics.fmean(diffs)
    if len(diffs) < 2:
        return mean, mean, mean
    t = t_quantile(0.975, len(diffs) - 1)  # two-sided 95%
    half = t * statistics.stdev(diffs) / math.sqrt(len(diffs))
    return mean, mean - half, mean + half


def write_repo(out: Path, suite_path: Path, profile_text: str, *, budget: int, seed: int,
               sandbox: str, timeout: float, prompts: bool = False) -> Repo:
    """The scratch repository of the outer run at `out` (a new or empty folder); with `prompts`,
    the installed proposer and reviewer skills are in it, editable beside the profile."""
    if out.exists() and any(out.iterdir()):
        raise UserError("the self-tune folder is not empty", path=out,
                        fix="give --out a new or empty folder")
    parse_profile(profile_text, path=PROFILE)
    suite_file, module = suite_files(suite_path)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        (src / "suite").mkdir(parents=True)
        shutil.copyfile(module, src / "suite" / module.name)
        text = suite_file.read_text(encoding="utf-8")
        text = "\n".join(
            f'problems = "{module.name}"' if line.strip().startswith("problems") else line
            for line in text.splitlines()
        ) + "\n"
        (src / "suite" / "suite.toml").write_text(text, encoding="utf-8")
        pin = digest_of(src / "suite" / "suite.toml")
        (src / PROFILE).write_text(profile_text, encoding="utf-8")
        (src / OUTER).write_text(outer_profile(budget), encoding="utf-8")
        editable = [PROFILE]
        if prompts:
            for name, rel in zip(SKILLS, SKILL_PATHS, strict=True):
                (src / rel).parent.mkdir(parents=True)
                text = files("agentos.skills").joinpath(name, "SKILL.md").read_text("utf-8")
                (src / rel).write_text(text, encoding="utf-8")
                editable.append(rel)
        (src / "agentos.toml").write_text(_TASK.format(
            pin=pin, budget=budget, seed=seed, sandbox=sandbox, timeout=timeout, gate=PROFILE_GATE,
            editable=json.dumps(editable), outer=OUTER, reruns=OUTER_RERUNS,
        ), encoding="utf-8")
        if out.exists():
            out.rmdir()
        return copy_to_new_repo(src, out, "agentos self-tune: the starting profile and the suite")


def outer_profile(budget: int) -> str:
    """The outer run's own search profile: the shipped one, with TPE's random start-up at a
    sixth of the outer budget (at least 3) and half its proposals local moves from the start
    (`local_start`; the shipped share 0.2 grows to 0.9 over the budget). A profile has 16
    keys: the shipped start-up of 12 random configurations, each moving most of them, would
    spend most of a small outer budget far from the starting profile, where every such draw
    lost (benchmarks/results/selftune-2core.txt). A candidate is measured at most
    `OUTER_MEASURES` times: one the noise rule is still unsure of then is not kept, rather than
    spending a third of the outer budget on a gain too small to show. It starts with a screen
    (`start = "oat"`): each key of the profile alone at a far value, then the keys that helped
    moved together (`providers.heuristic.design`), since a lever of a few keys set far from the
    start is lost in a draw that moves most keys at once. Each screen point is drawn twice and
    ranked by its mean (one fresh-seed draw ranked the lever 17th of 24); any other first
    measurement less than `OUTER_SCREEN` noise sds above the best is not re-measured
    (`screen`), a joint move of the screen's winners excepted."""
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^startup = \d+", f"startup = {max(3, budget // 6)}", text)
    text = re.sub(r"(?m)^max_measures = \d+", f"max_measures = {OUTER_MEASURES}", text)
    text = re.sub(r'(?m)^start = "\w+"', 'start = "oat"', text)
    text = re.sub(r"(?m)^screen = [0-9.]+", f"screen = {OUTER_SCREEN}", text)
    text = re.sub(r"(?m)^paired = \w+", "paired = true", text)
    return re.sub(r"(?m)^local_start = [0-9.]+", "local_start = 0.5", text)


_TASK = """\
# agentos self-tune: the search profile is the editable file; the inner suite is protected and
# pinned, and the installed agentos scores a profile on it in the sandbox.
[task]
name = "self-tune"
editable = {editable}
protected = ["suite/**"]

[metric]
command = [
  "python", "-m", "agentos.selftune.inner",
  "--suite", "suite/suite.toml", "--pin", "{pin}", "--profile", "profile.toml",
]
regex = '^train: (\\S+)$'
goal = "max"
timeout = {timeout}

[env]
python = "agentos"

[budget]
experiments = {budget}

[search]
profile = "{outer}"  # the outer run's own search: the shipped one, local sooner (not editable)
strategy = "greedy"
seed = {seed}
# every measurement runs the inner tasks on fresh seeds: a profile's score is noisy, the
# baseline's re-runs estimate that noise, and a gain within it is re-measured, paired
noise_reruns = {reruns}

[tools]
gates = ["{gate}"]

[sandbox]
backend = "{sandbox}"
"""


SELF_TUNE = "self-tune"  # the evaluator name the outer run records, for `agentos resume`


def self_tune(
    out: Path, *, suite: Path | None = None, profile: Path | None = None, budget: int = 12,
    seed: int = 0, sandbox: str = "auto", provider: str | None = None, timeout: float = 600,
    progress: Callable[[str], None] | None = None, make_provider: MakeProvider | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
) -> SelfTuneResult:
    """Tune the profile on the suite's train split (held-out vetoes), then read the sealed test
    once for the tuned profile and the starting one.

    With a Claude proposer (`provider` anthropic, or a key set and no provider named) the proposer
    and reviewer prompts are tuned too, the inner runs proposing with Claude (`PromptEvaluator`);
    `make_provider` builds their provider (default: `AnthropicProvider` with the candidate's
    skills). A killed run continues with `resume_self_tune` (`agentos resume DIR`)."""
    if suite is None and not DEFAULT_SUITE.is_file():
        raise UserError(
            "the default inner suite is agentos' own benchmark, in a source checkout of agentos "
            "(benchmarks/selftune/suite.toml), not in an installed copy",
            fix="give --suite a suite TOML file of your own tasks (docs/self-tune.md)",
        )
    suite_path = (suite or DEFAULT_SUITE).resolve()
    start_text = (profile or DEFAULT_PATH).read_text(encoding="utf-8")
    load_suite(suite_path)  # a bad suite fails before anything is written
    prompts = uses_claude(provider or "auto")
    repo = write_repo(out.resolve(), suite_path, start_text, budget=budget, seed=seed,
                      sandbox=sandbox, timeout=timeout, prompts=prompts)
    overrides = Overrides(provider=provider)
    task = overrides.apply(load_task(repo.root))
    pre = preflight(task, repo)
    sdir = state_dir(repo)
    with repo_lock(sdir):
        rt = start_run(task, repo, Ledger(sdir / "ledger.db"), overrides=overrides,
                       evaluator=_evaluator(make_provider)(task, pre.sandbox),
                       evaluator_name=SELF_TUNE)
        if progress is not None:
            progress(f"run {rt.run_id}: self-tune in {repo.root}, {budget} experiments")
        summary = drive(rt, on_event=on_event)
    return _finish(repo, task, summary, make_provider, progress)


def is_self_tune(out: Path) -> bool:
    """Whether the latest run recorded in the repository at `out` is a self-tune run."""
    db = out / STATE_DIR / "ledger.db"
    if not db.is_file():
        return False
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
            run_id = latest_run(conn)
            found = conn.execute("select config from runs where run_id = ?", [run_id]).fetchone()
    except sqlite3.Error:
        return False  # `resume` opens the ledger itself and says what is wrong with it
    try:
        return found is not None and json.loads(found[0]).get("evaluator") == SELF_TUNE
    except (TypeError, ValueError, AttributeError):
        return False


def resume_self_tune(
    out: Path, *, progress: Callable[[str], None] | None = None,
    on_event: Callable[[ProgressEvent], None] | None = None,
    make_provider: MakeProvider | None = None, on_start: Callable[[str], None] | None = None,
) -> SelfTuneResult:
    """Continue a killed self-tune run at `out` from its last checkpoint (`runner.resume`, with
    the run's own evaluator rebuilt from its task file), then read the sealed test."""
    repo = Repo(out)

    def started(run_id: str) -> None:
        if progress is not None:
            progress(f"run {run_id}: self-tune in {repo.root}, resumed")
        if on_start is not None:
            on_start(run_id)

    summary = resume(repo.root, make_evaluator=_evaluator(make_provider), on_start=started,
                     on_event=on_event)
    return _finish(repo, load_task(repo.root), summary, make_provider, progress)


def _evaluator(make_provider: MakeProvider | None) -> Callable[[Task, Sandbox], Evaluator]:
    """The outer run's evaluator, from its task: the inner suite in the sandbox, or with the
    prompts editable (a Claude proposer) in-process (`PromptEvaluator`)."""

    def make(task: Task, sandbox: Sandbox) -> Evaluator:
        kept = HeldOut(task.root / STATE_DIR / STATE_FILE)  # a resumed run's draws and figures
        if set(SKILL_PATHS) <= set(task.editable):
            return PromptEvaluator(_pin(task), make_provider or _claude, heldout=kept)
        return SelfTuneEvaluator(task, sandbox, heldout=kept)

    return make


def _pin(task: Task) -> str:
    argv = list(task.metric.command)
    return argv[argv.index("--pin") + 1]


def _finish(repo: Repo, task: Task, summary: RunSummary, make_provider: MakeProvider | None,
            progress: Callable[[str], None] | None = None) -> SelfTuneResult:
    """The figures of the tuned profile (the run's best commit) and the starting one (HEAD, which
    agentos never moves): train and held-out, then the sealed test, read once, here."""
    prompts = set(SKILL_PATHS) <= set(task.editable)
    start = repo.read_many(repo.rev("HEAD") or "", [PROFILE, *(SKILL_PATHS if prompts else ())])
    start_text = start[PROFILE].decode("utf-8")
    if summary.failure is not None or not summary.best_commit:
        return SelfTuneResult(summary, repo.root, start_text)  # the run says why
    texts = repo.read_many(summary.best_commit, [PROFILE, *(SKILL_PATHS if prompts else ())])
    tuned = texts[PROFILE].decode("utf-8")
    result = SelfTuneResult(summary, repo.root, tuned)
    pinned = load_suite(repo.root / "suite" / "suite.toml", pin=_pin(task))
    profiles: dict[str, Profile] = {"tuned": parse_profile(tuned, path=PROFILE),
                                    "start": parse_profile(start_text, path=PROFILE)}
    makers: dict[str, ProviderFactory | None] = {"tuned": None, "start": None}
    if prompts:
        for name, chosen in (("tuned", texts), ("start", start)):
            makers[name] = _with_skills(make_provider or _claude, {
                skill: chosen[path].decode("utf-8") for skill, path in zip(SKILLS, SKILL_PATHS,
                                                                           strict=True)})
    if progress is not None:
        runs = 2 * sum(len(pinned.splits[s]) * len(pinned.seeds_of(s)) for s in SPLITS)
        progress(f"final figures: the tuned and the starting profile on the suite's seeds, then "
                 f"the sealed test ({runs} inner runs)")
    for split in ("train", "holdout"):
        result.figures[split] = {n: score(pinned, p, split, provider=makers[n])[split]
                                 for n, p in profiles.items()}
    # the sealed test: read once, here, for both profiles
    per_seed = {n: gains(pinned, p, "test", provider=makers[n]) for n, p in profiles.items()}
    result.figures["test"] = {n: statistics.fmean(v) for n, v in per_seed.items()}
    diffs = [t - s for t, s in zip(per_seed["tuned"], per_seed["start"], strict=True)]
    result.test_diff, result.test_seeds = mean_ci(diffs), len(diffs)
    (repo.root / "tuned-profile.toml").write_text(tuned, encoding="utf-8")
    return result


def _with_skills(make: MakeProvider, skills: Mapping[str, str]) -> ProviderFactory:
    def factory(task: Task) -> Provider:
        return make(task, skills)

    return factory


def _claude(task: Task, skills: Mapping[str, str]) -> Provider:
    from agentos.providers.llm.claude import AnthropicProvider

    return AnthropicProvider(task, skills=skills)


__all__ = ["DEFAULT_SUITE", "SelfTuneResult", "is_self_tune", "mean_ci", "resume_self_tune",
           "self_tune"]
