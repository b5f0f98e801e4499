"""The proposer's prompt size as the history grows, with and without the credit-horizon cap.

For 0 to 200 past experiments it builds the exact request the `anthropic` provider sends (the
propose skill, the task, the editable file, the history, two feedback items) and counts its input
tokens with the SDK's own counter (`client.messages.count_tokens`) pointed at the local fake of the
Messages API. The fake answers with agentos' documented estimate (one token per 4 characters of
text and tool JSON, plus 3 per message; see `agentos/providers/llm/fake_api.py`); real tokenizers
differ by roughly 10-30%, the ratios much less. "cached" is the share of the prompt in front of the
last `cache_control` breakpoint (tools, system prompt, task and files): what a warm cache serves
at a tenth of the input price. The cost column is one warm-cache proposal's input at the model's
price.

    python benchmarks/prompt_size.py [--file examples/autoresearch/gpt.py] [--horizon 8]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from anthropic.types import MessageParam

from agentos.providers.base import ProposeRequest
from agentos.providers.llm import AnthropicProvider
from agentos.providers.llm.fake_api import FakeMessagesAPI
from agentos.providers.llm.pricing import price_for
from agentos.providers.llm.prompts import PROPOSE_TOOL, files_block, propose_prompt
from agentos.state import HistoryItem, Status
from agentos.task import DEFAULT_MODEL, Task, parse_task

ROOT = Path(__file__).resolve().parent.parent
SIZES = (0, 1, 2, 5, 10, 20, 50, 100, 200)
STATUSES: tuple[Status, ...] = ("discard", "keep", "discard", "rejected", "discard", "invalid")
FEEDBACK = [
    "ruff: gpt.py:88: E501 line too long (104 > 100 characters)",
    "metric run: exit 0; last log lines:\nstep 400 | loss 2.913 | lr 6.0e-04\nval_bpb: 1.0421",
]


def history(n: int) -> list[HistoryItem]:
    """`n` past experiments with descriptions and reasons of typical length."""
    return [
        HistoryItem(
            id=i,
            parent=f"{i * 7919:040x}",
            commit=f"{i * 104729:040x}",
            status=STATUSES[i % len(STATUSES)],
            metric=None if i % 6 in (3, 5) else round(1.10 - i * 0.0003, 4),
            description=f"raise the warmup to {100 + i} steps and scale the learning rate by 1.1",
            reason="no gain (+0.0012 within the noise band 0.003)" if i % 2 else "",
        )
        for i in range(1, n + 1)
    ]


def build_task(file: Path, horizon: int, model: str) -> Task:
    data = {
        "task": {"name": "autoresearch", "editable": [file.name], "protected": ["prepare.py"]},
        "metric": {"command": "python prepare.py", "goal": "min", "regex": r"val_bpb: (\S+)"},
        "llm": {"model": model, "credit_horizon": horizon},
    }
    return parse_task(data, root=file.parent, path=file.parent / "agentos.toml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ROOT / "examples/autoresearch/gpt.py")
    parser.add_argument("--horizon", type=int, default=8)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args()
    task = build_task(args.file, args.horizon, args.model)
    files = {args.file.name: args.file.read_text(encoding="utf-8")}
    price = price_for(args.model)

    with FakeMessagesAPI() as fake:
        provider = AnthropicProvider(task, base_url=fake.base_url)

        def count(n: int, shown: int) -> tuple[int, int]:
            """The run has made `n` experiments; the prompt shows the last `shown` in full and
            the run's memory digest of all `n` (as the propose node's request does)."""
            request = ProposeRequest(task=task, experiment=n + 1, parent="f" * 40, files=files,
                                     history=history(n)[n - shown:], feedback=FEEDBACK,
                                     trials=history(n))
            system, messages = propose_prompt(request)
            total = provider.count_tokens(provider.payload(system, messages, PROPOSE_TOOL))
            prefix: list[MessageParam] = [{"role": "user", "content": [files_block(request)]}]
            cached = provider.count_tokens(provider.payload(system, prefix, PROPOSE_TOOL))
            return total, cached

        def dollars(total: int, cached: int) -> float:
            return (cached * price.cache_read + (total - cached) * price.input) / 1e6

        shown = args.file.relative_to(ROOT) if args.file.is_relative_to(ROOT) else args.file
        print(f"editable file: {shown} ({len(files[args.file.name])} chars); "
              f"model {args.model}; horizon {args.horizon}")
        print(f"{'history':>7} | {'uncapped':>8} {'cached':>7} {'$/call':>8} | "
              f"{'capped':>7} {'cached':>7} {'$/call':>8} | {'ratio':>5}")
        for n in SIZES:
            full, full_cached = count(n, n)
            capped, capped_cached = count(n, min(n, args.horizon))
            print(f"{n:>7} | {full:>8} {full_cached / full:>7.0%} "
                  f"{dollars(full, full_cached):>8.5f} | "
                  f"{capped:>7} {capped_cached / capped:>7.0%} "
                  f"{dollars(capped, capped_cached):>8.5f} | {full / capped:>5.2f}")


if __name__ == "__main__":
    main()
