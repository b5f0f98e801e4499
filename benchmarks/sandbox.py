"""Cost of a sandboxed run: start and teardown of a no-op per backend, and of the read audit.

Usage: python benchmarks/sandbox.py [--runs N]

Every configuration runs the same command N times, interleaved round-robin with the others (one
run of each per round, in a rotating order), so that a burst of load on a shared machine hits all
of them alike. For each it prints the minimum and the median wall time, and the milliseconds added
over a bare `subprocess.run` of the same argv measured in the same rounds. `bwrap` and `unshare`
appear twice: with the default launcher (a chain of small tools) and with `launcher="python"`.
The audit figures run a program that imports 200 generated modules, with and without `audit`.
The load average is printed before and after: figures taken under load are not comparable.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from agentos.sandbox import RunRequest, Sandbox, backend_names, get_backend
from agentos.sandboxes.bwrap import BwrapSandbox
from agentos.sandboxes.unshare import UnshareSandbox

MODULES = 200


def interleaved(configs: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Milliseconds per run of each configuration, run round-robin in a rotating order."""
    for fn in configs.values():
        fn()  # warm the page cache and the backends' own probes
    names = list(configs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            configs[name]()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def report(times: dict[str, list[float]], bare: str) -> None:
    base_min, base_med = min(times[bare]), statistics.median(times[bare])
    heads = ("min ms", "median ms", "added min", "added med")
    print(f"{'configuration':38} " + " ".join(f"{h:>10}" for h in heads))
    for name, xs in times.items():
        lo, med = min(xs), statistics.median(xs)
        added = "" if name == bare else f"{lo - base_min:+10.1f} {med - base_med:+10.1f}"
        print(f"{name:38} {lo:10.1f} {med:10.1f} {added}")


def backends() -> dict[str, Sandbox]:
    """Every backend that works here; the namespaced ones also with the Python launcher."""
    found: dict[str, Sandbox] = {}
    for name in backend_names():
        try:
            found[name] = get_backend(name)
        except Exception as err:
            print(f"skipped {name}: {err}")
    for name, cls in (("bwrap", BwrapSandbox), ("unshare", UnshareSandbox)):
        if name in found:
            found[f"{name} (python launcher)"] = cls(launcher="python")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"{os.cpu_count()} cpus, {runs} runs each")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        tree, out = Path(tmp, "tree"), Path(tmp, "out")
        tree.mkdir()
        out.mkdir()
        for i in range(MODULES):
            (tree / f"mod{i}.py").write_text(f"VALUE = {i}\n")
        noop = (sys.executable, "-c", "pass")
        imports = (sys.executable, "-c", "; ".join(f"import mod{i}" for i in range(MODULES)))
        sandboxes = backends()

        def bare(argv: tuple[str, ...]) -> None:
            subprocess.run(argv, cwd=tree, check=True, capture_output=True)

        configs: dict[str, Callable[[], object]] = {"bare subprocess": partial(bare, noop)}
        for name, box in sandboxes.items():
            configs[name] = partial(box.run, RunRequest(noop, tree, out))
        print("\nno-op (python -c pass)")
        report(interleaved(configs, runs), "bare subprocess")

        configs = {"bare subprocess": partial(bare, imports)}
        for name, box in sandboxes.items():
            if "python launcher" in name:
                continue
            configs[name] = partial(box.run, RunRequest(imports, tree, out))
            audited = RunRequest(imports, tree, out, audit=True)
            configs[f"{name} audited"] = partial(box.run, audited)
        print(f"\n{MODULES} imports, with and without the read audit")
        report(interleaved(configs, runs), "bare subprocess")
    print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
