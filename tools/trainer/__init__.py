"""The GPU trainer: a trusted harness that trains an editable model file for a fixed time budget.

`python -m agentos.tools.trainer` is the metric command; `agentos.tools.trainer.node` registers the
`trainer` tool node (kind `signal`). Importing this package does not import torch: the harness
(`agentos.tools.trainer.harness`) loads it only when a run starts.
"""

from .corpus import Corpus, build_corpus
from .profiles import PROFILES, Profile
from .report import REPORT_FILE, Report

__all__ = ["PROFILES", "REPORT_FILE", "Corpus", "Profile", "Report", "build_corpus"]
