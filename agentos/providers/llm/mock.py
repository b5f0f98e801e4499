"""The `mock` provider: canned proposals and reviews from a queue or a callable, for tests.

Build one in code and hand it to the runtime, or register it under a name with `install_mock` and
select it as `--provider mock:NAME`. It records every request it was given, so a test can assert
what the proposer and the reviewer saw.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from typing import TypeVar

from agentos.errors import UserError
from agentos.providers.base import (
    Proposal,
    ProposeRequest,
    ProviderError,
    Review,
    ReviewRequest,
)

T = TypeVar("T")
ProposeFn = Callable[[ProposeRequest], Proposal]
ReviewFn = Callable[[ReviewRequest], Review]


class MockProvider:
    """Answers from `proposals` and `reviews`: each a callable, or an iterable consumed in order.

    An item that is an exception instance is raised when its turn comes (use `ProviderError` to
    stand for a response the loop cannot use). An empty queue raises `ProviderError`.
    """

    name = "mock"

    def __init__(
        self,
        proposals: Iterable[Proposal | Exception] | ProposeFn = (),
        reviews: Iterable[Review | Exception] | ReviewFn = (),
    ):
        self._propose_fn = proposals if callable(proposals) else None
        self._review_fn = reviews if callable(reviews) else None
        self._proposals: deque[Proposal | Exception] = deque(
            () if callable(proposals) else proposals
        )
        self._reviews: deque[Review | Exception] = deque(() if callable(reviews) else reviews)
        self.propose_requests: list[ProposeRequest] = []
        self.review_requests: list[ReviewRequest] = []

    def propose(self, request: ProposeRequest) -> Proposal:
        self.propose_requests.append(request)
        if self._propose_fn is not None:
            return self._propose_fn(request)
        return take(self._proposals, "mock provider", "proposal")

    def review(self, request: ReviewRequest) -> Review:
        self.review_requests.append(request)
        if self._review_fn is not None:
            return self._review_fn(request)
        return take(self._reviews, "mock provider", "review")


def take(queue: deque[T | Exception], owner: str, what: str) -> T:
    """The next scripted answer; a scripted error is raised, and an empty queue is one too."""
    if not queue:
        raise ProviderError(f"{owner} has no {what} left")
    item = queue.popleft()
    if isinstance(item, Exception):
        raise item
    return item


_INSTALLED: dict[str, MockProvider] = {}


def install_mock(name: str, provider: MockProvider) -> None:
    """Make `provider` the answer to `--provider mock:NAME` (replaces any earlier one)."""
    _INSTALLED[name] = provider


def installed_mock(name: str) -> MockProvider:
    """The mock installed as `name`, or a `UserError` that says how to install one."""
    if name not in _INSTALLED:
        raise UserError(
            f"no mock provider installed as {name!r}",
            fix="call agentos.providers.llm.mock.install_mock(NAME, MockProvider(...)) first, "
            "then use --provider mock:NAME",
        )
    return _INSTALLED[name]
