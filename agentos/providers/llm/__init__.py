"""The LLM providers: `anthropic`, `mock`, `script:PATH` and `replay:PATH`.

Importing this package registers them (it is the `builtin-llm` entry point). The fake Messages API
for tests is `agentos.providers.llm.fake_api`; the switch that keeps tests off real hosts is
`agentos.providers.llm.guard.ALLOW_MODEL_REQUESTS`.
"""

from agentos.providers.llm import registry
from agentos.providers.llm.claude import AnthropicProvider, ResponseError
from agentos.providers.llm.guard import ModelRequestsDisallowed, allow_model_requests
from agentos.providers.llm.mock import MockProvider, install_mock
from agentos.providers.llm.parse import MalformedResponse
from agentos.providers.llm.replay import ReplayProvider
from agentos.providers.llm.script import ScriptProvider

__all__ = [
    "AnthropicProvider",
    "MalformedResponse",
    "MockProvider",
    "ModelRequestsDisallowed",
    "ReplayProvider",
    "ResponseError",
    "ScriptProvider",
    "allow_model_requests",
    "install_mock",
    "registry",
]
