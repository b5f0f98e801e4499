"""The trainer's model file runs in the harness's process: the forgery guard watches it there, so a
model file that reaches for the harness's score or report fails the signal with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

import agentos.tools.trainer.node  # noqa: F401  (registers the tool, as the entry point would)
from agentos.sandbox import get_backend
from agentos.task import load_task
from agentos.tool import ToolContext, get_tool, run_tool

FORGERIES = [
    ("patch-the-loss", "import torch.nn.functional\n"
     "torch.nn.functional.cross_entropy = lambda *a, **k: a[0].sum() * 0\n",
     "replaced torch.nn.functional.cross_entropy"),
    ("write-the-report-and-exit", "import os\nopen(os.environ['AGENTOS_OUTPUT'] + "
     "'/trainer.json', 'w').write('{\"status\": \"ok\", \"val_bpb\": 0.01}')\nos._exit(0)\n",
     "opened for writing $AGENTOS_OUTPUT/trainer.json"),
    ("patch-the-harness", "from agentos.tools.trainer import evaluate\n"
     "evaluate.bits_per_byte = lambda *a, **k: 0.01\n",
     "replaced agentos.tools.trainer.evaluate.bits_per_byte"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "code", "reason"), FORGERIES, ids=[f[0] for f in FORGERIES])
def test_a_model_file_that_reaches_for_the_score_fails(
    example: Path, name: str, code: str, reason: str
) -> None:
    with (example / "model.py").open("a") as fh:
        fh.write("\n" + code)
    ctx = ToolContext(tree=example, changed=["model.py"], task=load_task(example),
                      sandbox=get_backend("auto"), options={"budget": 1.5, "eval_bytes": 4096})
    result = run_tool(get_tool("trainer"), ctx)
    assert result.outcome == "fail", (name, result.detail)
    assert "forgery guard" in result.detail and reason in result.detail, result.detail
    assert "val_bpb" not in result.signals
