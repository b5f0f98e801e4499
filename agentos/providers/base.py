"""The provider contract: something that proposes a change and reviews one.

The embedded default is the offline heuristic proposer with the rubric reviewer; the LLM providers
implement the same two calls. A provider never decides keep or discard: that is deterministic code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from agentos.errors import UserError
from agentos.memory import digest
from agentos.providers import resolve
from agentos.state import Edit, HistoryItem, Point
from agentos.task import Task


@dataclass(frozen=True)
class Usage:
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class ProposeRequest:
    """Everything a proposer may see. Held-out data never appears here.

    `files` are the editable files at `parent` (path to text). `history` is already cut to the
    task's credit horizon; `trials` is every experiment of the run so far, for model-based
    proposers that learn from all of them (nothing held out is ever in either). `feedback` holds
    the last failures (gate findings, errors) as plain strings to be quoted as data. `step` is
    the strategy's step scale (1.0 normal; larger explores further). `noise` is the metric's
    standard deviation as the strategy measured it (0: none measured; `Choice.noise`). `digest`
    is the compact memory of every trial, in the form and size of the task's search profile.
    """

    task: Task
    experiment: int
    parent: str
    files: Mapping[str, str]
    history: Sequence[HistoryItem] = ()
    feedback: Sequence[str] = ()
    seed: int = 0
    step: float = 1.0
    noise: float = 0.0
    direction: str | None = None
    best: Point | None = None
    baseline: Point | None = None
    trials: Sequence[HistoryItem] = ()

    @property
    def digest(self) -> str:
        """Everything tried in the run, grouped (`agentos.memory`); "" when the profile's
        memory is off."""
        return digest(self.trials, self.task.profile.memory, goal=self.task.metric.goal)


@dataclass(frozen=True)
class Proposal:
    """A candidate: search-and-replace `edits`, or whole named `components` (path to new text)."""

    description: str
    edits: Sequence[Edit] = ()
    components: Mapping[str, str] = field(default_factory=dict)
    usage: Usage = Usage()


@dataclass(frozen=True)
class ReviewRequest:
    task: Task
    diff: str
    changed: Sequence[str]
    before: Mapping[str, str]
    after: Mapping[str, str]
    findings: Sequence[str] = ()


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    reason: str


@dataclass(frozen=True)
class Review:
    checks: Sequence[Check]
    usage: Usage = Usage()

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


@runtime_checkable
class Provider(Protocol):
    """Proposes and reviews. Raises `ProviderError` for a response it cannot use."""

    name: str

    def propose(self, request: ProposeRequest) -> Proposal: ...

    def review(self, request: ReviewRequest) -> Review: ...


@runtime_checkable
class BatchProvider(Provider, Protocol):
    """A provider that can also propose several differing candidates in one call: with
    `[run] workers`, the propose node asks it for one per free worker (docs/scale-out.md). It
    returns between one and `count` proposals; the call's usage is on the first."""

    def propose_batch(self, request: ProposeRequest, count: int) -> Sequence[Proposal]: ...


class ProviderError(Exception):
    """A response that could not be used (malformed, refused, or a budget spent).

    `usage` is what the failed attempts cost, so the loop can still charge it.
    """

    def __init__(self, message: str, usage: Usage | None = None):
        super().__init__(message)
        self.usage = usage or Usage()


class BudgetSpent(ProviderError):
    """The run's token or dollar budget is used up: the run stops, with this as its reason."""


class NothingToPropose(ProviderError):
    """The provider has no change left worth an experiment (say, every candidate it can make was
    tried or would be refused). The run ends with this as its stop reason instead of spending the
    rest of its budget on empty proposals."""


NOTHING_TO_TRY = "the proposer has nothing left to try"
"""The stop reason's head when a `NothingToPropose` ends the run."""


Kind = Literal["heuristic", "anthropic", "mock", "script", "replay"]
ProviderFactory = Callable[[Task, str], Provider]

_PROVIDERS: dict[str, ProviderFactory] = {}


def register_provider(name: str) -> Callable[[ProviderFactory], ProviderFactory]:
    """Decorator: make a provider factory available as `name` (or `name:ARG`)."""

    def deco(factory: ProviderFactory) -> ProviderFactory:
        _PROVIDERS[name] = factory
        return factory

    return deco


def get_provider(spec: str, task: Task) -> Provider:
    """Build a provider from a spec such as `heuristic`, `anthropic` or `script:PATH`."""
    from agentos.plugins import load_plugins

    load_plugins()
    name, _, arg = resolve(spec).partition(":")
    factory = _PROVIDERS.get(name)
    if factory is None:
        raise UserError(f"unknown provider {spec!r}", fix=f"choose one of {sorted(_PROVIDERS)}")
    return factory(task, arg)
