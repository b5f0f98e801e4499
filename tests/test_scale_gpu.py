"""On a real GPU (`pytest -m gpu`): experiments that ask for one queue for it, one at a time, and
each sees only its own device inside the sandbox."""

from __future__ import annotations

import itertools
import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from agentos.evaluate import MetricEvaluator
from agentos.executors import pack
from agentos.executors.local import LocalExecutor
from agentos.git import Repo
from agentos.sandbox import get_backend
from agentos.sandbox.gpus import machine_gpus
from agentos.task import parse_task

METRIC = """import glob, json, os, time
import torch
t0 = time.time()
x = torch.randn(2048, 2048, device="cuda")
for _ in range(50):
    x = (x @ x).tanh()
torch.cuda.synchronize()
time.sleep(0.5)
seen = {
    "start": t0, "end": time.time(), "env": os.environ.get("CUDA_VISIBLE_DEVICES"),
    "count": torch.cuda.device_count(),
    "nodes": sorted(n for n in glob.glob("/dev/nvidia*") if n[11:].isdigit()),
}
print("seen: " + json.dumps(seen))
print("score: 1.0")
"""


@pytest.mark.gpu
def test_two_workers_queue_on_one_gpu_each_alone_on_it(tmp_path: Path) -> None:
    gpus = machine_gpus()
    assert gpus, "no GPU found"
    root = tmp_path / "repo"
    root.mkdir()
    (root / "evaluate.py").write_text(METRIC)
    (root / "settings.py").write_text("X = 1\n")
    (root / "agentos.toml").write_text(
        '[task]\neditable=["settings.py"]\nprotected=["evaluate.py"]\n'
        '[metric]\ncommand="python evaluate.py"\nregex="^score: (\\\\S+)$"\ngoal="max"\n'
        "timeout=300\n[sandbox]\ngpus=1\n"
    )
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "gpu"]):
        subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@l",
                        *args], check=True)  # fmt: skip
    task = parse_task(
        tomllib.loads((root / "agentos.toml").read_text()), root=root, path=root / "agentos.toml"
    )
    repo = Repo(root)
    sandbox = get_backend(task.sandbox)
    backend = sandbox.name
    evaluator = MetricEvaluator(task, sandbox)
    ex = LocalExecutor(2 * len(gpus), gpus=1)
    jobs = 2 * len(gpus) + 1
    try:
        for i in range(jobs):
            ex.submit(pack(repo, repo.rev("HEAD") or "", evaluator, str(i)))
        done = []
        while len(done) < jobs:
            done += ex.wait(timeout=300)
    finally:
        ex.close()
    for d in done:
        assert d.measurement is not None and d.measurement.evaluation.metric == 1.0, (
            d.error or (d.measurement and d.measurement.evaluation.log_tail)
        )
    seen = [  # what each run printed (the sandbox lets it write only its own tree)
        json.loads(line.removeprefix("seen: "))
        for d in done
        if d.measurement is not None
        for line in d.measurement.evaluation.log_tail.splitlines()
        if line.startswith("seen: ")
    ]
    assert len(seen) == jobs
    for s in seen:
        assert s["count"] == 1 and s["env"] in gpus, s
        if backend != "local":
            assert s["nodes"] == [f"/dev/nvidia{s['env']}"], s  # only its own device node
    for dev in gpus:
        mine = sorted((s["start"], s["end"]) for s in seen if s["env"] == dev)
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(mine)), (
            f"two experiments on GPU {dev} at once: {mine}"
        )
