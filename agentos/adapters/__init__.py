"""Adapters that expose agentos parts to other agent frameworks."""

from agentos.adapters.langchain import as_langchain_tool

__all__ = ["as_langchain_tool"]
