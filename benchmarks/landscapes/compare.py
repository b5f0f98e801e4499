"""Compare search methods at equal evaluation budgets on every landscape; write the table and plots.

    python -m benchmarks.landscapes.compare [--seeds 20] [--budget 60] [--workers 2]
        [--problems smooth,valley] [--methods tpe,greedy] [--dry]

`--problems` and `--methods` run a subset (for iterating); `--dry` prints the table without
writing `benchmarks/RESULTS.md` or the plot. The committed table is always the full run, and every
line of that file is written by it (the three targets are computed from the run's figures).

Methods: random search, `keep-revert` (autoresearch: greedy with no noise estimate and the
typed-mutation proposer), Optuna's TPE (ask-and-tell, best observed value), every agentos strategy
as the shipped search profile configures it (its re-measure screen) with the default proposer
(`heuristic`, mode `hybrid`) and 3 baseline re-runs, and `greedy` with
the other proposer modes (`greedy+mutate`, `greedy+tpe`).
Figures: mean normalized regret ((best true - f*) / (baseline - f*), of the commit
each method would hand back), success rate (true loss within the problem's tolerance of f*), and
false keeps (a keep whose true loss is worse than the previous best's).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from agentos.strategies import strategy_names
from benchmarks.landscapes.fast import Result, run_agentos, run_random, run_tpe
from benchmarks.landscapes.problems import PROBLEMS, Problem

HERE = Path(__file__).parent
RESULTS = HERE.parent / "RESULTS.md"


def methods() -> list[str]:
    return [
        "random", "keep-revert", "tpe", *strategy_names(), "greedy+mutate", "greedy+tpe",
        f"keep-revert{PLAIN}", f"greedy{PLAIN}",
    ]  # fmt: skip


PLAIN = "@plain"  # a method's suffix: run on the settings as people write them


def run(job: tuple[str, str, int, int]) -> Result:
    method, problem_name, seed, budget = job
    p = PROBLEMS[problem_name]
    if method.endswith(PLAIN):
        p = p.as_written()
    result = _run(method.removesuffix(PLAIN), p, seed, budget)
    result.method = method
    return result


def _run(method: str, p: Problem, seed: int, budget: int) -> Result:
    if method == "random":
        return run_random(p, seed, budget)
    if method == "tpe":
        return run_tpe(p, seed, budget)
    if method == "keep-revert":
        return run_agentos(p, "greedy", seed, budget, noise_reruns=0, label=method, mode="mutate")
    if method == "greedy+tpe":
        return run_agentos(p, "greedy", seed, budget, mode="tpe", label=method)
    if method == "greedy+mutate":
        return run_agentos(p, "greedy", seed, budget, mode="mutate", label=method)
    return run_agentos(p, method, seed, budget)


def regret(result: Result, value: float) -> float:
    p = PROBLEMS[result.problem]
    return (value - p.f_star) / (_baseline_loss(result.problem) - p.f_star)


@functools.cache
def _baseline_loss(problem: str) -> float:
    """The true loss of a problem's starting settings (the plot asks for it per point)."""
    p = PROBLEMS[problem]
    return p.loss(p.values(p.settings))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="seeds first..first+seeds-1 (others than the "
        "ones settings were chosen on, to check they carry over)",
    )
    ap.add_argument("--budget", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--problems", default="", help="comma-separated subset of the problems")
    ap.add_argument("--methods", default="", help="comma-separated subset of the methods")
    ap.add_argument("--dry", action="store_true", help="print only; write no table or plot")
    args = ap.parse_args()
    problems = args.problems.split(",") if args.problems else list(PROBLEMS)
    ms = args.methods.split(",") if args.methods else methods()
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    jobs = [(m, p, s, args.budget) for p in problems for m in ms for s in seeds]
    t0 = time.time()
    with ProcessPoolExecutor(args.workers) as pool:
        results = list(pool.map(run, jobs, chunksize=4))
    elapsed = time.time() - t0
    table: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        table.setdefault((r.problem, r.method), []).append(r)
    sums = {key: summary(rs) for key, rs in table.items()}
    if args.dry or args.problems or args.methods or args.first_seed:
        lines = render_subset(sums, problems, ms) + noise_rows(table, problems, ms)
        print("\n".join(lines) + f"\n({elapsed:.0f} s)")
        return
    lines = render(sums, args, elapsed, table)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")  # every line from this run
    plot(table, args.budget)
    print("\n".join(lines))


Summaries = dict[tuple[str, str], tuple[float, float, int]]  # (problem, method): summary()


def render_subset(sums: Summaries, problems: list[str], ms: list[str]) -> list[str]:
    """The per-problem cells of a partial run, then its group and summary figures."""
    lines = ["| problem | " + " | ".join(ms) + " |", "|---|" + "---|" * len(ms)]
    for name in problems:
        cells = ["{:.3f} / {:.0%} / {}".format(*sums[(name, m)]) for m in ms]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines + figure_rows(sums, problems, ms) + target_rows(sums, problems, ms)


def figure_rows(sums: Summaries, problems: list[str], ms: list[str]) -> list[str]:
    """Mean regret per problem group, success on the numeric problems and false keeps on the
    noisy ones, over `problems` (a group with none of them is left out)."""
    tags = {n: set(PROBLEMS[n].tags) for n in problems}
    groups = {
        "all": list(problems),
        "multimodal+deceptive": [n for n in problems if {"multimodal", "deceptive"} & tags[n]],
        "numeric": [n for n in problems if "numeric" in tags[n]],
        "noisy": [n for n in problems if "noisy" in tags[n]],
    }
    head = ["| group | " + " | ".join(ms) + " |", "|---|" + "---|" * len(ms)]
    lines = ["", "Mean normalized regret by problem group:", "", *head]
    for g, names in groups.items():
        if names:
            regrets = (statistics.fmean(sums[(n, m)][0] for n in names) for m in ms)
            cells = [f"{r:.3f}" for r in regrets]
            lines.append(f"| {g} | " + " | ".join(cells) + " |")
    if not groups["numeric"] and not groups["noisy"]:
        return lines
    lines += ["", "Success rate on the numeric problems, and false keeps on the noisy ones:", ""]
    lines += ["| figure | " + " | ".join(ms) + " |", "|---|" + "---|" * len(ms)]
    if groups["numeric"]:
        succ = [f"{statistics.fmean(sums[(n, m)][1] for n in groups['numeric']):.0%}" for m in ms]
        lines.append("| success (numeric) | " + " | ".join(succ) + " |")
    if groups["noisy"]:
        fks = [str(sum(sums[(n, m)][2] for n in groups["noisy"])) for m in ms]
        lines.append("| false keeps (noisy) | " + " | ".join(fks) + " |")
    return lines


DEFAULT = "greedy"  # the default strategy, under the default proposer


def target_rows(sums: Summaries, problems: list[str], ms: list[str]) -> list[str]:
    """The three targets, computed from `sums`, each left out when the run lacks its columns
    or problems: the default's regret on the multimodal and deceptive problems at most half of
    keep/revert's, its success on the numeric ones no worse than TPE's, and no false keep of
    any agentos strategy on the noisy ones."""
    tags = {n: set(PROBLEMS[n].tags) for n in problems}
    hard = [n for n in problems if {"multimodal", "deceptive"} & tags[n]]
    numeric = [n for n in problems if "numeric" in tags[n]]
    noisy = [n for n in problems if "noisy" in tags[n]]
    lines: list[str] = []

    def mean(k: int, names: list[str], m: str) -> float:
        return statistics.fmean(sums[(n, m)][k] for n in names)

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    if DEFAULT in ms and "keep-revert" in ms and hard:
        ours, theirs = mean(0, hard, DEFAULT), mean(0, hard, "keep-revert")
        ratio = ours / theirs if theirs else float("inf")
        lines.append(
            f"- Regret on multimodal+deceptive, at most 0.5x keep-revert's: {verdict(ratio <= 0.5)}"
            f" ({DEFAULT} {ours:.3f} vs {theirs:.3f}, {ratio:.2f}x)."
        )
    if DEFAULT in ms and "tpe" in ms and numeric:
        ours, theirs = mean(1, numeric, DEFAULT), mean(1, numeric, "tpe")
        lines.append(
            f"- Success on the numeric problems, no worse than TPE's: {verdict(ours >= theirs)}"
            f" ({DEFAULT} {ours:.0%} vs {theirs:.0%})."
        )
    # agentos' columns, the plain-comment ones (`greedy@plain`) included
    ours_ms = [m for m in ms
               if m.split("@")[0] in strategy_names() or m.startswith(f"{DEFAULT}+")]
    if ours_ms and noisy:
        keeps = {m: sum(sums[(n, m)][2] for n in noisy) for m in ours_ms}
        worst = ", ".join(f"{m} {k}" for m, k in keeps.items() if k) or "none"
        lines.append(
            f"- No false keep on the noisy problems by any agentos column: "
            f"{verdict(not any(keeps.values()))} (columns with false keeps: {worst})."
        )
    return ["", "Targets, computed from this run:", "", *lines] if lines else []


def summary(rs: list[Result]) -> tuple[float, float, int]:
    p = PROBLEMS[rs[0].problem]
    mean_regret = statistics.fmean(regret(r, r.final) for r in rs)
    success = sum(r.final - p.f_star <= p.tol for r in rs) / len(rs)
    return mean_regret, success, sum(r.false_keeps for r in rs)


def noise_rows(
    table: dict[tuple[str, str], list[Result]], problems: list[str], ms: list[str]
) -> list[str]:
    """On the noisy problems, per method: false keeps beside false discards (candidates truly
    better than the best, and by more than one noise sd, that were discarded), the share of the
    budget spent re-measuring, and how many distinct settings were measured per run (`–` for
    random search and TPE, which keep nothing and re-measure nothing). A discard count stands
    beside the number of truly better candidates measured, of which it is a share."""
    noisy = [n for n in problems if "noisy" in PROBLEMS[n].tags]
    if not noisy:
        return []
    lines = ["", "On the noisy problems, measured against the noiseless truth (sums over runs;"]
    lines += ["re-measure share and distinct settings per run):", ""]
    lines += ["| figure | " + " | ".join(ms) + " |", "|---|" + "---|" * len(ms)]
    runs = {m: [r for n in noisy for r in table[(n, m)]] for m in ms}
    rows: dict[str, Callable[[list[Result]], str]] = {
        "false keeps": lambda rs: str(sum(r.false_keeps for r in rs)),
        "false discards": lambda rs: _rate(rs, sd=False),
        "false discards > 1 sd": lambda rs: _rate(rs, sd=True),
        **{
            f"false discards > 1 sd, {n}": functools.partial(_rate, sd=True, problem=n)
            for n in noisy if len(noisy) > 1
        },
        "runs with nothing kept": lambda rs: f"{sum(r.keeps == 0 for r in rs)} of {len(rs)}",
        "budget spent re-measuring": lambda rs: (
            f"{sum(r.remeasures for r in rs) / max(1, sum(len(r.trace) for r in rs)):.0%}"
        ),
        "distinct settings": lambda rs: f"{statistics.fmean(r.distinct for r in rs):.1f}",
    }
    for name, cell in rows.items():
        blank = ("random", "tpe") if name != "false keeps" else ()
        cells = ("–" if m in blank else cell(runs[m]) for m in ms)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def _rate(rs: list[Result], *, sd: bool, problem: str = "") -> str:
    """Discards of truly better candidates as a count, and as a share of those measured: `12 of
    40 (30%)`; `problem` counts that problem's runs only."""
    rs = [r for r in rs if r.problem == problem] if problem else rs
    lost = sum(r.false_discards_sd if sd else r.false_discards for r in rs)
    better = sum(r.better_sd if sd else r.better for r in rs)
    return f"{lost} of {better} ({lost / better:.0%})" if better else str(lost)


def render(
    sums: Summaries,
    args: argparse.Namespace,
    elapsed: float,
    table: dict[tuple[str, str], list[Result]],
) -> list[str]:
    ms = methods()
    lines = [
        "# Search strategies on landscapes with known optima",
        "",
        f"`python -m benchmarks.landscapes.compare --seeds {args.seeds} --budget {args.budget} "
        f"--workers {args.workers}` ({elapsed:.0f} s). Each cell: mean normalized regret / "
        "success rate / false keeps, over all seeds, at an equal budget of "
        f"{args.budget} evaluations (noise re-runs and re-measures included).",
        "",
        "| problem | tags | " + " | ".join(ms) + " |",
        "|---|---|" + "---|" * len(ms),
    ]
    for name, p in PROBLEMS.items():
        cells = []
        for m in ms:
            reg, succ, fk = sums[(name, m)]
            cells.append(f"{reg:.3f} / {succ:.0%} / {fk}")
        lines.append(f"| {name} | {', '.join(p.tags)} | " + " | ".join(cells) + " |")
    lines += figure_rows(sums, list(PROBLEMS), ms) + target_rows(sums, list(PROBLEMS), ms)
    lines += noise_rows(table, list(PROBLEMS), ms)
    lines += ["", "How the default was chosen, and checks on other seeds: docs/search.md."]
    lines += ["", "![convergence](landscapes/convergence.png)"]
    return lines


def plot(table: dict[tuple[str, str], list[Result]], budget: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(PROBLEMS)
    cols = 3
    rows = (len(names) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        for m in methods():
            rs = table[(name, m)]
            curve = [
                statistics.fmean(regret(r, r.trace[min(i, len(r.trace) - 1)]) for r in rs)
                for i in range(budget)
            ]
            ax.plot(range(1, budget + 1), curve, label=m)
        ax.set_title(name)
        ax.set_yscale("symlog", linthresh=1e-2)
        ax.set_xlabel("evaluations")
        ax.set_ylabel("mean normalized regret")
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(HERE / "convergence.png", dpi=90)


if __name__ == "__main__":
    main()
