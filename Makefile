# The course's two commands: `make lab` and `make test`. Both create .venv when it is missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: install lab test test-browser lint format unit nbval notebooks bench bench-deps student slides html clean

install: $(STAMP)

# torch goes first and pinned: on these machines 2.13.0 is a local CPU wheel, while an unpinned
# torch pulled in by another package would download several GB of CUDA libraries.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install torch==2.13.0
	$(BIN)/python -m pip install -e ".[dev]"
	touch $@

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(DISPLAY),,--no-browser) \
		$(if $(filter 0,$(shell id -u)),--allow-root)

test: install lint unit nbval

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: install
	$(BIN)/python -m pytest tests dilconv_lib --ignore=tests/browser

nbval: install
	$(BIN)/python -m pytest $(NBVAL) $(NOTEBOOKS)

# Re-execute every notebook and store its outputs (what nbval compares against).
notebooks: install
	$(BIN)/ruff format notebooks
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 $(NOTEBOOKS)

# Speed against torch.nn.functional, measured in one run; prints a table, writes bench-results.json.
bench: install
	$(BIN)/python -m dilconv_lib.bench

# numpy-ml's source, for the benchmark's comparison row (its package no longer imports on Python 3.11).
bench-deps: install
	$(BIN)/python -m pip download numpy-ml==0.1.2 --no-deps -d build/numpy-ml

# The course's editions (dilconv_lib/editions.py), each in its own folder under build/:
# student: solutions replaced by stubs, outputs cleared; slides: one reveal.js deck per notebook;
# html: every notebook with its outputs as a static page, and index.html, the syllabus.
# Slides and pages load nothing from the network; the slides fetch reveal.js once with npm into build/vendor/.
student: install
	$(BIN)/python -m dilconv_lib.editions student

slides: install
	$(BIN)/python -m dilconv_lib.editions slides

html: install
	$(BIN)/python -m dilconv_lib.editions html

# Every notebook run top to bottom in JupyterLab in a real (headless) browser.
test-browser: install
	bash tests/browser/run.sh

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
