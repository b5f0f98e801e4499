"""`python -m agentos.tools.trainer`: train a model file for a fixed budget and score it.

Run as the metric command of a task, inside the sandbox. It prints autoresearch's `---` summary
block and writes the trusted report to `--output` (by default `$AGENTOS_OUTPUT/trainer.json`).
Exit codes: 0 when a report was written (a diverged or leaking candidate included: its report has
`val_bpb: null` and names the failure), 2 for bad input, 1 for a crash of the model code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from agentos.errors import UserError

from .profiles import PROFILES
from .report import REPORT_FILE


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m agentos.tools.trainer", description=__doc__)
    p.add_argument("--model", default="model.py", help="the editable model file (default model.py)")
    p.add_argument("--profile", choices=sorted(PROFILES), default="cpu",
                   help="defaults for budget, evaluation length and warm-up (default cpu)")
    p.add_argument("--budget", type=float, help="seconds of timed training (overrides the profile)")
    p.add_argument("--eval-bytes", type=int, help="validation bytes scored (overrides the profile)")
    p.add_argument("--warmup-steps", type=int, help="untimed first steps, for compilation")
    p.add_argument("--warmup-limit", type=float, help="seconds the untimed steps may take")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--corpus", action="append", default=[],
                   help="a directory or glob of corpus files, repeatable (default: the stdlib)")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--max-train-bytes", type=int, help="cap on the training split")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--peak-tflops", type=float, help="the device's peak, when not in the table")
    p.add_argument("--threads", type=int, help="CPU threads for torch")
    p.add_argument("--output", help=f"report path (default $AGENTOS_OUTPUT/{REPORT_FILE})")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    profile = PROFILES[args.profile]
    output = args.output or (
        os.path.join(os.environ["AGENTOS_OUTPUT"], REPORT_FILE)
        if os.environ.get("AGENTOS_OUTPUT") else None
    )
    if output and os.path.exists(output):
        os.unlink(output)  # a stale report must never be read as this run's
    try:
        import torch

        from .harness import HarnessConfig, run_harness
        from .report import summary_block, write_report

        if args.threads:
            torch.set_num_threads(args.threads)
        cfg = HarnessConfig(
            model_path=Path(args.model).resolve(),
            budget=args.budget if args.budget is not None else profile.budget,
            eval_bytes=args.eval_bytes if args.eval_bytes is not None else profile.eval_bytes,
            warmup_steps=args.warmup_steps if args.warmup_steps is not None
            else profile.warmup_steps,
            warmup_limit=args.warmup_limit if args.warmup_limit is not None
            else profile.warmup_limit,
            device=args.device,
            corpus=tuple(args.corpus),
            val_fraction=args.val_fraction,
            max_train_bytes=args.max_train_bytes,
            seed=args.seed,
            peak_flops=args.peak_tflops * 1e12 if args.peak_tflops else None,
        )
        if cfg.budget <= 0 or cfg.eval_bytes < 1:
            raise UserError("--budget and --eval-bytes must be positive",
                            fix="pass --budget 30 --eval-bytes 65536, for example")
        report = run_harness(cfg)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if output:
        write_report(report, Path(output))
    print(summary_block(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
