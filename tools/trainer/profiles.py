"""Named defaults for the harness's own arguments: `cpu` (a laptop, seconds) and `gpu` (minutes).

A profile is chosen on the harness's command line, which lives in the protected `agentos.toml`,
so the editable model file can neither pick nor change one.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    budget: float
    eval_bytes: int
    warmup_steps: int
    warmup_limit: float


PROFILES: dict[str, Profile] = {
    # Tiny: each experiment about 30 s on a laptop CPU, build and evaluation included.
    "cpu": Profile(budget=20.0, eval_bytes=65_536, warmup_steps=1, warmup_limit=60.0),
    # autoresearch's fixed 5 minutes; three untimed steps pay for torch.compile.
    "gpu": Profile(budget=300.0, eval_bytes=1_048_576, warmup_steps=3, warmup_limit=300.0),
}
