"""Benchmark the trainer against the plain compiled loop, measured in the same run.

    python benchmarks/trainer.py [--budget 60] [--repeat N] [--out DIR] [--eager] [--trace]

Variants, each in its own process (peak memory and compile caches per variant), each training the
GPU example (`examples/autoresearch/model_gpu.py`) on the same corpus for the same budget:

- `harness`: the trusted harness, `python -m agentos.tools.trainer --profile gpu`, under the audit
  hook and the forgery guard as in a task's sandbox (the model files editable);
- `plain`: the plainest compiled loop a user would write around the same model file: batches cut
  on the device, `torch.compile(model)`, float32 cross-entropy, backward, the model's gradient
  clip and optimizer, no host sync until the budget is spent, torch's default attention kernel;
- `plain+attn`: the same loop with the attention kernel the harness chose (what is left between
  the two is the harness's own cost);
- `no-guard` (with `--no-guard-too`): the harness without hook and guard (their cost);
- `eager` (with `--eager`): the harness with `COMPILE = False`.

FLOPs are counted the same way for all (`torch.utils.flop_counter` on one eager step: 6N plus
attention in full) over the device's dense bf16 peak. Prints one row each and harness/plain;
`--repeat N` runs N rounds of harness and plain in ABBA order (harness, plain, plain, harness, ...)
and pools each variant's rounds, so a card that warms up or throttles over the run favours neither.
`--trace` also profiles a few steps of the harness and of the plain loop (torch.profiler) and
writes a kernel summary to `trainer-profile.txt`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "autoresearch"
MODEL = "model_gpu.py"


def run_harness(name: str, folder: Path, budget: float, out: Path,
                guard: bool = True) -> dict[str, Any]:
    """One harness run; with `guard`, under the audit hook and the forgery guard as in a task's
    sandbox (the model files editable), draining their channel and counting what they report."""
    report = out / f"trainer-{name}.json"
    argv = [sys.executable, "-m", "agentos.tools.trainer", "--profile", "gpu", "--model",
            str(folder / MODEL), "--budget", str(budget), "--output", str(report)]
    if not guard:
        return _child(name, argv, report, out)
    import threading

    from agentos.sandbox.audit import GUARD_ENV, open_channel

    channel = open_channel(folder.parent / f"site-{name}", tree=str(folder) + "/")
    records: list[bytes] = []

    def drain() -> None:
        os.set_blocking(channel.read_fd, True)
        while chunk := os.read(channel.read_fd, 1 << 16):
            records.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    path = os.pathsep.join(filter(None, [channel.env["PYTHONPATH"],
                                         os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **channel.env, "PYTHONPATH": path, GUARD_ENV: r"(model_gpu|gpt)\.py"}
    try:
        data = _child(name, argv, report, out, env)
    finally:
        os.close(channel.keep_fd)  # the reader sees end-of-file once the child is gone
        reader.join(timeout=10)
        os.close(channel.read_fd)
    lines = b"".join(records).decode("ascii", "replace").splitlines()
    data["guard"] = {"forgeries": [bytes.fromhex(line.split()[2]).decode(errors="replace")
                                   for line in lines if line.startswith("A ")],
                     "ended": any(line.startswith("E ") for line in lines),
                     "records": len(lines)}
    return data


def run_plain(name: str, folder: Path, budget: float, out: Path, attention: str) -> dict[str, Any]:
    report = out / f"trainer-{name}.json"
    argv = [sys.executable, __file__, "--child-plain", str(folder / MODEL), "--budget",
            str(budget), "--attention", attention, "--out", str(report)]
    return _child(name, argv, report, out)


def _child(name: str, argv: list[str], report: Path, out: Path,
           env: dict[str, str] | None = None) -> dict[str, Any]:
    # from the report's folder: a source checkout in the working folder would shadow agentos
    log = subprocess.run(argv, capture_output=True, text=True, check=False, env=env,
                         cwd=report.parent)
    (out / f"trainer-{name}.log").write_text(log.stdout + log.stderr, encoding="utf-8")
    if log.returncode != 0 or not report.exists():
        print(log.stdout[-3000:], log.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{name} run failed with exit code {log.returncode}")
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return data


def _load(model_path: Path) -> Any:
    from agentos.tools.trainer.modelfile import load_model_file

    return load_model_file(model_path)


def _batches(seq: int, batch: int) -> Any:
    import torch

    from agentos.tools.trainer.corpus import build_corpus

    data = build_corpus(())
    train = torch.frombuffer(bytearray(data.train), dtype=torch.uint8).cuda()
    offsets = torch.arange(seq + 1, device="cuda")

    def next_batch() -> tuple[Any, Any]:
        starts = torch.randint(0, train.numel() - seq - 1, (batch,), device="cuda")
        chunk = train[starts[:, None] + offsets].long()
        return chunk[:, :-1], chunk[:, 1:]

    return next_batch


def plain_loop(model_path: Path, budget: float, attention: str,
               profile_steps: int = 0) -> dict[str, Any]:
    """The plain compiled loop; returns what the harness's report would say of it."""
    import torch
    import torch.nn.functional as F
    from torch.utils.flop_counter import FlopCounterMode

    from agentos.tools.trainer.device import peak_for
    from agentos.tools.trainer.fastpath import attention_context

    spec = _load(model_path)
    seq, batch = spec.seq_len, spec.batch_size
    next_batch = _batches(seq, batch)
    torch.manual_seed(0)
    model = spec.build_model().cuda()
    opt = spec.build_optimizer(model)
    compiled = torch.compile(model)

    def step(fwd: Any) -> Any:
        x, y = next_batch()
        loss = F.cross_entropy(fwd(x).float().reshape(-1, 256), y.reshape(-1))
        loss.backward()  # type: ignore[no-untyped-call]
        if spec.grad_clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), spec.grad_clip)
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    counter = FlopCounterMode(display=False)
    with counter:
        step(model)
    kernels = [str(op) for op in counter.get_flop_counts().get("Global", {})
               if "scaled_dot_product" in str(op)]
    with attention_context(attention):
        for _ in range(3):
            step(compiled)
        torch.cuda.synchronize()
        if profile_steps:
            return {"profile": _profile(lambda: step(compiled), profile_steps)}
        steps, start = 0, time.perf_counter()
        while time.perf_counter() - start < budget:
            step(compiled)
            steps += 1
        torch.cuda.synchronize()
        elapsed = time.perf_counter() - start
    flops = float(counter.get_total_flops())
    peak = peak_for(torch.cuda.get_device_name(0))
    return {
        "tokens_per_s": steps * seq * batch / elapsed,
        "mfu_percent": 100 * flops * steps / elapsed / peak if peak else None,
        "peak_memory_mb": torch.cuda.max_memory_allocated() / 2**20,
        "steps": steps, "training_seconds": elapsed, "params": sum(
            p.numel() for p in model.parameters()), "seq_len": seq, "batch_size": batch,
        "val_bpb": None, "warmup_seconds": 0.0, "device_name": torch.cuda.get_device_name(0),
        "attention_backend": attention if attention != "default" else
        "default: " + ",".join(k.split("_scaled_dot_product_")[-1] for k in kernels),
    }


def _profile(step: Any, steps: int) -> str:
    """Kernel time of `steps` steps by kind, and the ten costliest kernels."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            step()
        torch.cuda.synchronize()
        wall = time.perf_counter() - start
    return summarize(prof, steps, wall)


KINDS = (("attention", ("flash", "fmha", "cudnn", "attention", "sdpa")),
         ("matmul", ("gemm", "cutlass", "xmma", "nvjet", "cublas", "sm90")),
         ("optimizer", ("adam", "multi_tensor", "foreach", "norm_kernel")),
         ("elementwise (triton)", ("triton",)),
         ("copy", ("memcpy", "memset", "copy")))


def summarize(prof: Any, steps: int, wall: float) -> str:
    from torch.autograd import DeviceType  # type: ignore[attr-defined]

    by_kind: dict[str, float] = {}
    by_name: dict[str, float] = {}
    for evt in prof.events():
        if evt.device_type != DeviceType.CUDA or evt.name.startswith("ProfilerStep"):
            continue
        us = float(evt.device_time)
        name = evt.name
        kind = next((k for k, keys in KINDS if any(s in name.lower() for s in keys)), "other")
        by_kind[kind] = by_kind.get(kind, 0.0) + us
        by_name[name] = by_name.get(name, 0.0) + us
    busy = sum(by_kind.values()) / 1e3
    lines = [f"steps {steps}, wall {wall * 1e3 / steps:.1f} ms/step, kernels "
             f"{busy / steps:.1f} ms/step, device idle {100 * (1 - busy / 1e3 / wall):.1f}%"]
    for kind, us in sorted(by_kind.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {kind:<16} {us / 1e3 / steps:7.2f} ms/step {100 * us / 1e3 / busy:5.1f}%")
    lines.append("  top kernels (ms/step):")
    for name, us in sorted(by_name.items(), key=lambda kv: -kv[1])[:12]:
        lines.append(f"    {us / 1e3 / steps:7.2f}  {name[:110]}")
    return "\n".join(lines)


def trace_harness(model_path: Path, steps: int) -> str:
    """Profile `steps` timed steps of the harness, in this process."""
    import torch
    from torch.profiler import ProfilerActivity, profile, schedule

    from agentos.tools.trainer.harness import HarnessConfig, run_harness
    from agentos.tools.trainer.profiles import PROFILES

    gpu = PROFILES["gpu"]
    skip = gpu.warmup_steps + 3
    clock: dict[str, float] = {}
    prof = profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA],
                   schedule=schedule(wait=skip, warmup=1, active=steps, repeat=1))

    def on_step(n: int) -> None:
        prof.step()
        if n == skip + 1:
            torch.cuda.synchronize()
            clock["start"] = time.perf_counter()
        if n == skip + 1 + steps:
            torch.cuda.synchronize()
            clock["end"] = time.perf_counter()

    with prof:
        run_harness(HarnessConfig(model_path=model_path, budget=3.0, eval_bytes=65536,
                                  warmup_steps=gpu.warmup_steps, on_step=on_step))
    return summarize(prof, steps, clock["end"] - clock["start"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--out", default=os.environ.get("OUT") or "benchmarks/out")
    parser.add_argument("--eager", action="store_true", help="also the harness uncompiled")
    parser.add_argument("--no-guard-too", action="store_true",
                        help="also the harness without the audit hook and forgery guard")
    parser.add_argument("--trace", action="store_true", help="profile harness and plain loop")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of harness and plain, in ABBA order; the ratio pools them")
    parser.add_argument("--child-plain", help=argparse.SUPPRESS)
    parser.add_argument("--child-trace", help=argparse.SUPPRESS)
    parser.add_argument("--attention", default="default", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_plain:
        result = plain_loop(Path(args.child_plain), args.budget, args.attention)
        Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
        return 0
    if args.child_trace:
        model = Path(args.child_trace)
        text = (f"harness (warm-up and compile skipped)\n{trace_harness(model, 10)}\n\n"
                f"plain loop\n{plain_loop(model, 0, 'default', profile_steps=10)['profile']}")
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        return 0
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "example"
        shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("__pycache__"))
        for r in range(args.repeat):  # rounds in ABBA order: a drift of the card cancels out
            tag = f"#{r + 1}" if r else ""
            for name in ("harness", "plain") if r % 2 == 0 else ("plain", "harness"):
                results[name + tag] = (
                    run_harness(name + tag, folder, args.budget, out) if name == "harness"
                    else run_plain(name + tag, folder, args.budget, out, "default"))
        chosen = str(results["harness"].get("attention_backend", "default"))
        if chosen not in str(results["plain"]["attention_backend"]):  # else the same loop again
            results["plain+attn"] = run_plain("plain-attn", folder, args.budget, out, chosen)
        if args.no_guard_too:
            results["no-guard"] = run_harness("no-guard", folder, args.budget, out, guard=False)
        if args.eager:
            eager = Path(tmp) / "eager"
            shutil.copytree(folder, eager)
            model = eager / MODEL
            model.write_text(model.read_text(encoding="utf-8").replace(
                "COMPILE = True", "COMPILE = False"), encoding="utf-8")
            results["eager"] = run_harness("eager", eager, args.budget, out, guard=False)
        if args.trace:
            trace = out / "trainer-profile.txt"
            subprocess.run([sys.executable, __file__, "--child-trace", str(folder / MODEL),
                            "--out", str(trace)], check=True, cwd=out)
            print(trace.read_text(encoding="utf-8"))
    print(table(results))
    (out / "trainer-summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


def table(results: dict[str, dict[str, Any]]) -> str:
    lines = [f"device: {results['harness']['device_name']}",
             f"{'variant':<11} {'params_M':>8} {'seq':>5} {'batch':>5} {'tok/s':>10} {'MFU%':>6} "
             f"{'peak_MiB':>8} {'steps':>6} {'val_bpb':>8}  attention"]
    for name, r in results.items():
        mfu = r["mfu_percent"]
        bpb = r.get("val_bpb")
        lines.append(
            f"{name:<11} {r['params'] / 1e6:>8.1f} {r['seq_len']:>5} {r['batch_size']:>5} "
            f"{r['tokens_per_s']:>10.0f} {'n/a' if mfu is None else format(mfu, '.1f'):>6} "
            f"{r['peak_memory_mb']:>8.0f} {r['steps']:>6} "
            f"{'n/a' if bpb is None else format(bpb, '.4f'):>8}  {r.get('attention_backend')}")
    guard = results["harness"].get("guard")
    if guard is not None:
        lines.append(f"harness ran under the forgery guard: {guard['records']} records, "
                     f"forgeries {guard['forgeries'] or 'none'}, orderly exit {guard['ended']}")
    h, p = pooled(results, "harness"), pooled(results, "plain")
    rounds = sum(1 for name in results if name.startswith("harness"))
    lines.append(f"harness/plain tokens/s: {h['tokens_per_s'] / p['tokens_per_s']:.4f}; MFU "
                 f"{h['mfu_percent']:.2f}% vs {p['mfu_percent']:.2f}%"
                 + (f" (pooled over {rounds} rounds)" if rounds > 1 else ""))
    if rounds > 1:
        each = [results["harness" + t]["tokens_per_s"] / results["plain" + t]["tokens_per_s"]
                for t in [""] + [f"#{r}" for r in range(2, rounds + 1)]]
        lines.append("per round: " + ", ".join(f"{x:.4f}" for x in each))
    return "\n".join(lines)


def pooled(results: dict[str, dict[str, Any]], variant: str) -> dict[str, float]:
    """One variant's rounds pooled: tokens over training seconds, FLOPs likewise."""
    runs = [r for name, r in results.items() if name.split("#")[0] == variant]
    seconds = sum(r["training_seconds"] for r in runs)
    return {key: sum(r[key] * r["training_seconds"] for r in runs) / seconds
            for key in ("tokens_per_s", "mfu_percent")}


if __name__ == "__main__":
    sys.exit(main())
