"""Landscapes with known optima, on which the search strategies are compared (a benchmark, not a
test): run `python -m benchmarks.landscapes.compare` from the repository root."""
