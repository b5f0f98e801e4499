PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench clean

$(BIN)/agentos: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/agentos

demo: $(BIN)/agentos
	$(BIN)/agentos demo

test: $(BIN)/agentos
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -m 'not gpu' -n 2  # two workers: most tests wait on sandboxed processes

lint: $(BIN)/agentos
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/agentos
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
