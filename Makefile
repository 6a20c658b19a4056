# Shortcuts over the README's commands (the README's two commands remain the reference).
PY := .venv/bin/python

.PHONY: setup test test-fast bench lint

setup:
	python3 -m venv .venv && .venv/bin/pip install -q -e '.[dev]'

test: lint       ## lint, types and the whole suite, as .ci/run runs them
	$(PY) -m pytest -q

test-fast:       ## without the real default model, the notebooks and the browser
	$(PY) -m pytest -q -m "not slow" --ignore=tests/test_notebooks.py --ignore=tests/test_web_browser.py

bench:           ## the default path's throughput (run on a quiet machine)
	cd benchmarks && ../$(PY) throughput.py --n 1000 --e2e-rows 4000

lint:            ## ruff (lint + format) and mypy, configured in pyproject.toml
	.venv/bin/ruff check && .venv/bin/ruff format --check && .venv/bin/mypy
