"""agentos."""
