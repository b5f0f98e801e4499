"""What every built-in strategy shares: the JSON state, noise-aware keeps, seeded randomness.

Only a new best is `keep`; where the walk goes next (the incumbent) is each strategy's own choice
and is recorded in its state. A strategy subclass implements `choose` and `after` (what to do with
a measured candidate once keep or discard is settled) and may override `init` and `failed`.

The best's score, the bar every candidate is judged against, is the mean of its last `RUNS_KEPT`
unselected runs (`best["scores"]`): the baseline's runs, a kept candidate's fresh re-runs, and its
re-runs in later tests, never the first draw that selected it (likely too high). A best kept at
once on that draw has none until it is re-run; its score is the draw until then. Those runs join
every test against it, and a re-measure runs the best beside the candidate only while it has no
more runs than the candidate will (`Decision.alone` otherwise): a run of the arm with fewer runs
narrows the test more.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from agentos.memory import JOINT_MOVE, SCREEN_POINT
from agentos.strategies.base import Choice, Decision
from agentos.strategies.noise import Judgement, judge, judge_paired, mean, pool, sample_sd

State = dict[str, Any]
RUNS_KEPT = 16  # the best's most recent unselected runs that estimate its score
# the measurements of a screening design's one-setting point (`| design screen`): the screen
# ranks the points by their mean, and one draw of each (4 fresh seeds on the self-tune suite, sd
# 0.034 to 0.054) ranked the known lever 17th of 24; two halve the variance of the ranking
SCREEN_DRAWS = 2
# a screen point whose first draw lost more than this many noise sds is not drawn again: the
# screen's median is about the parent's level, and a second draw would not lift it above. The
# noise is the start's few measurements' (df 3 in the outer run): at 2 sds (0.054 there) three of
# the first five points, null keys the heuristic proposer never reads (memory.*), were drawn once;
# the clear losers (mode mutate, max_measures 2, noise_reruns 0) lose 0.15 to 0.3
SCREEN_DROP = 4.0


@dataclass(frozen=True)
class Measured:
    """A measured candidate once keep or discard is settled: what `after` moves the walk with.

    One value rather than six parameters, so every strategy's `after` reads the same fields.
    `details` are the evaluator's secondary figures (higher is better); `descriptor` says what
    changed.
    """

    experiment: int
    commit: str
    score: float
    kept: bool
    details: dict[str, float]
    descriptor: str


class StrategyBase:
    """Template for the built-ins: subclasses set `name` and implement `choose` and `after`."""

    name: ClassVar[str] = ""
    patience: ClassVar[int] = 6
    # a first gain below this many noise sds is discarded, not re-measured (the profile's
    # `[search] screen`; 0: every gain within the noise band is re-measured)
    screen: ClassVar[float] = 0.0
    # the metric's k-th measurement of every commit runs on the same draw (the profile's
    # `[search] paired`): candidates are judged draw by draw against the best (`judge_paired`)
    paired: ClassVar[bool] = False

    def start(
        self, baseline_commit: str, baseline_scores: Sequence[float], seed: int
    ) -> dict[str, Any]:
        scores = [float(s) for s in baseline_scores]
        if not scores:
            raise ValueError("a strategy starts from at least one baseline score")
        score = mean(scores)
        state: State = {
            "strategy": self.name,
            "seed": seed,
            "noise": sample_sd(scores),
            "noise_df": len(scores) - 1,
            "best": {"commit": baseline_commit, "score": score, "scores": scores[-RUNS_KEPT:],
                     "draws": scores},
            "walk": {"commit": baseline_commit, "score": score},
            "since_best": 0,
            "decided": 0,
            "keeps": 0,
        }
        self.init(state)
        return state

    def init(self, state: State) -> None:
        """Add the strategy's own keys to a fresh state."""

    def rng(self, state: State, experiment: int, salt: str = "") -> random.Random:
        """A random stream fixed by the seed, the experiment and the purpose."""
        return random.Random(f"{self.name}:{state['seed']}:{experiment}:{salt}")

    def choose(self, state: dict[str, Any], experiment: int) -> Choice:
        raise NotImplementedError

    def decide(
        self,
        state: dict[str, Any],
        experiment: int,
        commit: str,
        scores: Sequence[float],
        incumbent_scores: Sequence[float] = (),
        *,
        details: Mapping[str, float] | None = None,
        descriptor: str = "",
    ) -> Decision:
        st = copy.deepcopy(state)
        best = st["best"]
        if not scores:
            return Decision("discard", "no score", st["walk"]["commit"], self.fail(st, experiment))
        runs = [float(x) for x in best["scores"]]
        # the best's measurements in order, its re-runs in this test last: its k-th on draw k
        draws = [float(x) for x in best.get("draws", [])] + [float(x) for x in incumbent_scores]
        if self.paired:
            verdict = judge_paired(scores, draws, st["noise"], st["noise_df"])
            bar = draws[0] if draws else best["score"]  # a first draw is judged on its draw
        else:
            verdict = judge(
                scores, best["score"], incumbent_scores, st["noise"], st["noise_df"], len(runs)
            )
            bar = best["score"]
        if SCREEN_POINT in descriptor and verdict.verdict != "better":
            # on common draws a point that ties its parent's draw changes nothing measured
            tie = self.paired and float(scores[0]) == bar
            more = "" if tie else self._screen_point(verdict, scores, bar, st["noise"])
            if more:
                return Decision("remeasure", more, st["walk"]["commit"], st, best["commit"],
                                alone=True)
            # paired, an unsure point goes on to the noise rule: its draws are compared with
            # the best's on the same draws, where a setting that changes few runs varies little
            if verdict.verdict == "unsure" and not self.paired:
                verdict = Judgement("not-better", f"{verdict.reason}; a screen point: measured "
                                    f"{len(scores)} times for the screen's ranking, no more")
        # the screen saves its re-measures for a screening design's joint moves
        elif verdict.verdict == "unsure" and len(scores) == 1 and JOINT_MOVE not in descriptor:
            verdict = self._screened(verdict, float(scores[0]) - bar, st["noise"])
        elif verdict.verdict == "not-better" and len(scores) == 1 and JOINT_MOVE in descriptor:
            verdict = self._joint_lost(verdict, float(scores[0]) - bar, st["noise"])
        if verdict.verdict == "unsure":
            # the next run goes where it narrows the test most: the best too while it has no
            # more unselected runs than the candidate will have fresh ones; the first re-measure
            # always runs the best too, and every one after a drift (`noise.drifted`)
            alone = (
                len(draws) > len(scores)  # the best has run on the candidate's next draw
                if self.paired
                else bool(incumbent_scores)
                and not verdict.drift
                and len(runs) + len(incumbent_scores) > len(scores)
            )
            return Decision(
                "remeasure", verdict.reason, st["walk"]["commit"], st, best["commit"], alone
            )
        if incumbent_scores:  # the re-runs of the best sharpen its own estimate, and the noise's
            earlier = [] if verdict.drift else runs  # after a drift only the re-runs describe it
            best["scores"] = (earlier + [float(s) for s in incumbent_scores])[-RUNS_KEPT:]
            best["score"] = mean(best["scores"])
            best["draws"] = draws
            if st["noise"] > 0:
                groups = [list(scores[1:]), list(incumbent_scores)]
                st["noise"], st["noise_df"] = pool(st["noise"], st["noise_df"], groups)
        # the first run only selected the candidate; fresh re-runs estimate it without that bias
        fresh = [float(s) for s in scores[1:]]
        score = mean(fresh) if fresh else float(scores[0])
        st["decided"] += 1
        kept = verdict.verdict == "better"
        if kept:  # a best kept on its first run alone has no unselected run yet
            st["best"] = {"commit": commit, "score": score, "scores": fresh,
                          "draws": [float(s) for s in scores]}
            st["since_best"] = 0
            st["keeps"] += 1
        else:
            st["since_best"] += 1
        note = self.after(
            st, Measured(experiment, commit, score, kept, dict(details or {}), descriptor)
        )
        reason = f"{verdict.reason}; {note}" if note else verdict.reason
        return Decision("keep" if kept else "discard", reason, st["walk"]["commit"], st)

    def _screened(self, verdict: Judgement, gain: float, noise: float) -> Judgement:
        """An unsure first measurement whose gain is below `screen` noise sds is discarded at
        once: on a noisy metric most candidates near the best tie with it, and re-measuring each
        tie until the noise rule gives it up spends the budget that search needs (a screen, as
        in racing: the re-measures go to the candidates whose first draw stands out). A joint
        move of a screening design's winners (`| design combine`, `[proposer] start = "oat"`) is
        not screened: the single-setting points were screened to save the re-measures for it,
        and its gain is the sum of theirs, about one noise sd of the outer run."""
        if self.screen <= 0 or gain >= self.screen * noise:
            return verdict
        return Judgement("not-better", f"gain {gain:.4g} below the screen "
                         f"{self.screen:g} noise sd ({self.screen * noise:.3g}): not re-measured")

    @staticmethod
    def _joint_lost(verdict: Judgement, gain: float, noise: float) -> Judgement:
        """A joint move of a screening design's winners whose first draw lost is re-measured
        unless it lost by more than `SCREEN_DROP` noise sds: its gain is the sum of its
        settings', about one noise sd, so one draw in four or five falls below the best by
        luck alone; its re-runs are judged by the noise rule (`no gain` once they show none)."""
        if noise <= 0 or gain < -SCREEN_DROP * noise:
            return verdict
        return Judgement("unsure", f"{verdict.reason}; a joint move of the screen's winners: "
                         "one draw does not refuse it, re-measure")

    @staticmethod
    def _screen_point(verdict: Judgement, scores: Sequence[float], best: float,
                      noise: float) -> str:
        """Why a screening design's one-setting point is drawn once more (alone: its mean ranks
        it among the screen's points, not against the best), or '' once it has `SCREEN_DRAWS`
        draws, its first lost by more than `SCREEN_DROP` noise sds, or the metric has no noise.
        The screen's ranking reads every draw (the ledger's metric of a candidate is the mean of
        its measurements), so a point measured twice is ranked by its pooled mean; the re-measure
        screen and the noise rule's paired re-measures are for the joint moves that follow."""
        if noise <= 0 or len(scores) >= SCREEN_DRAWS:
            return ""  # without noise, a second draw repeats the first
        if float(scores[0]) - best < -SCREEN_DROP * noise:
            return ""
        return (f"{verdict.reason}; a screen point: drawn {SCREEN_DRAWS} times for the "
                "screen's ranking")

    def after(self, state: State, m: Measured) -> str:
        """Update the walk after a measured candidate; return a note for the reason, or ''."""
        raise NotImplementedError

    def fail(self, state: dict[str, Any], experiment: int) -> dict[str, Any]:
        st = copy.deepcopy(state)
        st["decided"] += 1
        st["since_best"] += 1
        self.failed(st, experiment)
        return st

    def failed(self, state: State, experiment: int) -> None:
        """Update the strategy's own keys after an experiment with no score."""
