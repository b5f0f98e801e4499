"""The conformance suite every provider passes (built-in or plugin).

`assert_provider_conforms(provider, task, files)` checks the contract of
`agentos.providers.base.Provider`: a name; `propose` returns a `Proposal` (or raises
`ProviderError`, never anything else) whose edits apply to the files and change only editable
ones, with a description and non-negative usage; `review` returns a `Review` of named checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from agentos.candidate import apply
from agentos.providers.base import (
    Proposal,
    ProposeRequest,
    Provider,
    ProviderError,
    Review,
    ReviewRequest,
    Usage,
)
from agentos.task import Task

PARENT = "p" * 40


def _usage(usage: Usage, where: str) -> None:
    assert usage.tokens_in >= 0 and usage.tokens_out >= 0, f"{where}: negative tokens"
    assert math.isfinite(usage.cost_usd) and usage.cost_usd >= 0, f"{where}: cost {usage.cost_usd}"


def assert_provider_conforms(
    provider: Provider, task: Task, files: Mapping[str, str]
) -> Proposal | None:
    """Raise AssertionError naming the first breach; return the proposal (None when the
    provider refused with a `ProviderError`, which the loop handles)."""
    assert isinstance(provider.name, str) and provider.name, "a provider needs a name"
    request = ProposeRequest(task=task, experiment=1, parent=PARENT, files=dict(files), seed=3)
    try:
        proposal = provider.propose(request)
    except ProviderError:
        return None
    assert isinstance(proposal, Proposal), f"propose returned {type(proposal).__name__}"
    assert isinstance(proposal.description, str) and proposal.description, "no description"
    _usage(proposal.usage, "propose")
    after = apply(task, files, edits=proposal.edits, components=proposal.components)
    changed = sorted(after)  # `apply` returns the files it changed
    assert changed, "the proposal changes nothing"
    assert all(task.is_editable(p) for p in changed), f"changes outside the surface: {changed}"
    before = {p: files[p] for p in changed if p in files}
    review = provider.review(
        ReviewRequest(task, "", changed, before, {p: after[p] for p in changed})
    )
    assert isinstance(review, Review), f"review returned {type(review).__name__}"
    assert all(isinstance(c.name, str) and c.name for c in review.checks), "unnamed check"
    _usage(review.usage, "review")
    return proposal
