# The two commands of the README: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
# Two workers (one torch thread each) use both cores of the CI machine; loadfile keeps a test
# module's fitted fixtures in one worker.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: install demo test test-slow lint format clean

install:
	@bash scripts/bootstrap.sh

demo: install
	$(VENV)/bin/ganad demo

test: install
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

test-slow: install
	$(PY) -m pytest -m slow -s tests/slow

lint: install
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m mypy
	$(PY) -m ruff format --check src tests benchmarks

format: install
	$(PY) -m ruff format src tests benchmarks
	$(PY) -m ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist src/*.egg-info
