"""The framework's own cost per experiment, against the bare cost of snapshotting the same tree.

For generated repositories of 10, 1,000 and 10,000 files it runs `agentos` with a no-op metric
command (`echo score: 1`) and the `local` sandbox, and, in the same process, the bare work every
experiment must do at least once: `git archive | tar -x` of the commit plus hashing every file,
into the same place agentos makes its snapshots (`agentos.evaluate.snapshot_root`). One bare
snapshot runs after every experiment's decision (its time is taken out of the loop's), so both
are measured side by side, under the same load; the bare figure is their median. A short untimed
run comes first, so that one-time costs of the process (lazy imports) are not spread over the
experiments; each timed run still includes its own start (graph, ledger, baseline).
The framework cost is the loop's time per experiment minus the time spent inside the sandboxed
run (the `evaluate` timing the ledger records: the sandbox launch plus the no-op command, which
benchmarks/sandbox.py measures on its own).

    python benchmarks/overhead.py [--experiments N] [--sizes 10,1000,10000]

Target (issue 2): at most 1.5x the bare cost, and under 100 ms per experiment at 1,000 files.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from agentos import runner
from agentos.evaluate import snapshot_root
from agentos.git import Repo
from agentos.integrity import scan_tree
from agentos.ledger import Ledger
from agentos.plugins import load_plugins

TASK = """[task]
editable = ["settings.py"]
protected = ["evaluate.sh"]
[metric]
command = "sh evaluate.sh"
regex = '^score: (\\S+)$'
goal = "max"
[search]
noise_reruns = 0
[sandbox]
backend = "local"
"""


def make_repo(root: Path, files: int) -> Path:
    root.mkdir(parents=True)
    (root / "settings.py").write_text("X = 1.0  # range: 0..100\nY = 4  # range: 1..64\n")
    (root / "evaluate.sh").write_text("echo score: 1\n")
    (root / "agentos.toml").write_text(TASK)
    for i in range(max(files - 3, 0)):
        sub = root / "pkg" / f"d{i // 100}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"m{i}.py").write_text(f"VALUE_{i} = {i}\n" + "# filler line\n" * 20)
    env = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), *env, "commit", "-qm", "bench"], check=True)
    return root


def bare_once(repo: Repo, commit: str) -> float:
    """git archive | tar -x into a fresh directory, hash every file, remove it."""
    start = time.perf_counter()
    dest = Path(tempfile.mkdtemp(prefix="bench-bare-", dir=snapshot_root()))
    repo.snapshot(commit, dest, repo.entries(commit))
    scan_tree(dest)
    shutil.rmtree(dest)
    return time.perf_counter() - start


def noop_once(root: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["sh", "evaluate.sh"], cwd=root, capture_output=True, check=True)
    return time.perf_counter() - start


def measure(files: int, experiments: int, work: Path) -> dict[str, float]:
    root = make_repo(Path(tempfile.mkdtemp(prefix=f"repo{files}-", dir=work)) / "repo", files)
    repo = Repo(root)
    head = repo.rev("HEAD") or ""
    noop = sorted(noop_once(root) for _ in range(5))[2]
    bares: list[float] = []

    def interleave(update: dict[str, object]) -> None:
        # one bare snapshot after each decision, under the same load as the loop's own
        if update["node"] == "decide":
            bares.append(bare_once(repo, head))

    start = time.perf_counter()
    summary = runner.run(root, runner.Overrides(budget=experiments), on_update=interleave)
    total = time.perf_counter() - start - sum(bares)
    bare = statistics.median(bares)
    if summary.experiments != experiments or summary.baseline is None:
        raise SystemExit(f"the run did not complete ({summary.status}): no figures")
    per_experiment = total / (summary.experiments + 1)  # the baseline is measured too
    rows = list(Ledger(root / ".agentos" / "ledger.db").rows())
    sandboxed = sum(json.loads(r["timings"] or "{}").get("evaluate", 0.0) for r in rows) / len(rows)
    framework = per_experiment - sandboxed
    return {
        "files": files,
        "bare_ms": bare * 1000,
        "noop_ms": noop * 1000,
        "sandboxed_ms": sandboxed * 1000,
        "experiment_ms": per_experiment * 1000,
        "framework_ms": framework * 1000,
        "ratio": framework / bare,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=20)
    parser.add_argument("--sizes", default="10,1000,10000")
    args = parser.parse_args()
    load_plugins()  # once per process: not a per-experiment cost
    with tempfile.TemporaryDirectory(prefix="agentos-overhead-") as tmp:
        # a short untimed run first: lazy imports (Optuna's, on the first proposal) are paid once
        # per process, not per experiment
        measure(10, 3, Path(tmp))
        rows = [measure(int(n), args.experiments, Path(tmp)) for n in args.sizes.split(",")]
    header = ("files", "bare ms", "no-op ms", "sandboxed ms", "per exp ms", "framework ms", "ratio")
    print("  ".join(f"{h:>12}" for h in header))
    for r in rows:
        cells = [
            f"{r['files']:.0f}",
            f"{r['bare_ms']:.1f}",
            f"{r['noop_ms']:.1f}",
            f"{r['sandboxed_ms']:.1f}",
            f"{r['experiment_ms']:.1f}",
            f"{r['framework_ms']:.1f}",
            f"{r['ratio']:.2f}x",
        ]
        print("  ".join(f"{c:>12}" for c in cells))


if __name__ == "__main__":
    main()
