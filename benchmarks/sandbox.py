"""Cost of a sandboxed run: start and teardown of a no-op per backend, and of the read audit.

Usage: python benchmarks/sandbox.py [--runs N]

Every figure is the median wall time of N runs of the same command, measured in this one process
against a bare `subprocess.run` of the same argv, and printed as milliseconds added and a ratio.
The audit figure runs a program that imports 200 generated modules, with and without `audit`.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from agentos.sandbox import RunRequest, backend_names, get_backend

MODULES = 200


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm the page cache and the backend's own probes
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        tree, out = Path(tmp, "tree"), Path(tmp, "out")
        tree.mkdir()
        out.mkdir()
        for i in range(MODULES):
            (tree / f"mod{i}.py").write_text(f"VALUE = {i}\n")
        noop = (sys.executable, "-c", "pass")
        imports = (sys.executable, "-c", "; ".join(f"import mod{i}" for i in range(MODULES)))
        bare = median_ms(lambda: subprocess.run(noop, cwd=tree, check=True), runs)
        print(f"bare subprocess no-op: {bare:.1f} ms")
        names = [n for n in backend_names() if get_backend_ok(n)]
        for name in names:
            ms = median_ms(partial(get_backend(name).run, RunRequest(noop, tree, out)), runs)
            print(f"{name} no-op: {ms:.1f} ms  added {ms - bare:+.1f} ms  ratio {ms / bare:.2f}")
        bare_imp = median_ms(lambda: subprocess.run(imports, cwd=tree, check=True), runs)
        print(f"bare subprocess, {MODULES} imports: {bare_imp:.1f} ms")
        for name in names:
            run = get_backend(name).run
            plain = median_ms(partial(run, RunRequest(imports, tree, out)), runs)
            audited = median_ms(partial(run, RunRequest(imports, tree, out, audit=True)), runs)
            print(
                f"{name} {MODULES} imports: {plain:.1f} ms, audited {audited:.1f} ms  "
                f"audit added {audited - plain:+.1f} ms  ratio to bare {audited / bare_imp:.2f}"
            )


def get_backend_ok(name: str) -> bool:
    try:
        get_backend(name)
    except Exception:
        return False
    return True


if __name__ == "__main__":
    main()
