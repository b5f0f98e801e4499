"""Benchmark the trainer: the GPU example compiled and eager, same budget, same invocation.

    python benchmarks/trainer.py [--budget 60] [--out DIR]

Each variant is one run of the trusted harness (`python -m agentos.tools.trainer --profile gpu`)
in its own process, so peak memory is per variant. The eager variant is the same model file with
`COMPILE = False`. Prints tokens/s, MFU and peak memory for each, and the compiled/eager ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "autoresearch"


def run_variant(name: str, folder: Path, budget: float, out: Path) -> dict[str, object]:
    report = out / f"trainer-{name}.json"
    argv = [sys.executable, "-m", "agentos.tools.trainer", "--profile", "gpu", "--model",
            str(folder / "model_gpu.py"), "--budget", str(budget), "--output", str(report)]
    log = subprocess.run(argv, capture_output=True, text=True, check=False)
    (out / f"trainer-{name}.log").write_text(log.stdout + log.stderr, encoding="utf-8")
    if log.returncode != 0 or not report.exists():
        print(log.stdout[-3000:], log.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name} run failed with exit code {log.returncode}")
    data: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", default=os.environ.get("OUT") or "benchmarks/out")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, compiled in (("compiled", True), ("eager", False)):
            folder = Path(tmp) / name
            shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
            model = folder / "model_gpu.py"
            text = model.read_text(encoding="utf-8")
            model.write_text(text.replace("COMPILE = True", f"COMPILE = {compiled}"),
                             encoding="utf-8")
            results[name] = run_variant(name, folder, args.budget, out)
    print(f"device: {results['compiled']['device_name']}")
    print(f"{'variant':<10} {'params_M':>9} {'seq':>5} {'tok/s':>10} {'MFU%':>6} "
          f"{'peak_MiB':>9} {'steps':>6} {'val_bpb':>8} {'warmup_s':>8}")
    for name, r in results.items():
        mfu = r["mfu_percent"]
        print(f"{name:<10} {float(r['params']) / 1e6:>9.1f} {r['seq_len']:>5} "  # type: ignore[arg-type]
              f"{float(r['tokens_per_s']):>10.0f} "  # type: ignore[arg-type]
              f"{'n/a' if mfu is None else format(mfu, '.1f'):>6} "
              f"{float(r['peak_memory_mb']):>9.0f} {r['steps']:>6} "  # type: ignore[arg-type]
              f"{r['val_bpb']!s:>8.8} {float(r['warmup_seconds']):>8.1f}")  # type: ignore[arg-type]
    ratio = float(results["compiled"]["tokens_per_s"]) / float(  # type: ignore[arg-type]
        results["eager"]["tokens_per_s"])  # type: ignore[arg-type]
    print(f"compiled/eager tokens/s: {ratio:.2f}x")
    (out / "trainer-summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
