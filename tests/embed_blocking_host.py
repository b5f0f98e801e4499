"""examples/embed/host_app.py, with a proposer that blocks inside `propose` until the process is
killed, so that tests/test_embed_conformance.py can SIGKILL a host mid-proposal.

    python embed_blocking_host.py REPO --db host.db --thread t1 --provider blocking:MARKER@N

`blocking:MARKER@N` is the offline heuristic proposer, except that on experiment N, while the file
MARKER does not exist, it writes MARKER (its pid) and sleeps. The process that resumes finds the
marker and proposes as the heuristic does.
"""

from __future__ import annotations

import os
import runpy
import sys
import time
from pathlib import Path

from agentos.providers.base import (
    Proposal,
    ProposeRequest,
    Provider,
    Review,
    ReviewRequest,
    get_provider,
    register_provider,
)
from agentos.task import Task

HOST = Path(__file__).resolve().parents[1] / "examples" / "embed" / "host_app.py"


class Blocking:
    name = "blocking"

    def __init__(self, inner: Provider, marker: Path, at: int):
        self.inner, self.marker, self.at = inner, marker, at

    def propose(self, request: ProposeRequest) -> Proposal:
        if request.experiment == self.at and not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            while True:  # until SIGKILL
                time.sleep(1)
        return self.inner.propose(request)

    def review(self, request: ReviewRequest) -> Review:
        return self.inner.review(request)


@register_provider("blocking")
def make_blocking(task: Task, arg: str) -> Provider:
    marker, _, at = arg.rpartition("@")
    return Blocking(get_provider("heuristic", task), Path(marker), int(at))


if __name__ == "__main__":
    sys.argv[0] = str(HOST)
    runpy.run_path(str(HOST), run_name="__main__")
