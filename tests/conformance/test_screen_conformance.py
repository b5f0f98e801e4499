"""Every built-in strategy still passes its conformance suite with the profile's re-measure
screen on (`[search] screen`, which the strategies' shared `decide` reads)."""

from __future__ import annotations

import pytest
from strategy_suite import assert_strategy_conforms

from agentos.profile import Profile, configure
from agentos.strategies.base import get_strategy, strategy_names


@pytest.mark.parametrize("name", strategy_names())
def test_strategy_with_a_screen_conforms(name: str) -> None:
    assert_strategy_conforms(lambda: configure(get_strategy(name), Profile(screen=1.0)))
