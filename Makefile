# The course's two commands: `make lab` and `make test`. `make` alone lists the targets (`make help`).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
# A venv on Windows keeps its programs in Scripts.
BIN := $(VENV)/$(if $(filter Windows_NT,$(OS)),Scripts,bin)
STAMP := $(VENV)/.installed
LOCK := constraints.txt
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb))
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# student: your own copy in workspace/ (solutions left out); instructor: notebooks/, solutions in place
EDITION ?= student
# en, or zh: the Chinese edition (tools/i18n.py builds it into build/zh/ from notebooks/ and i18n/zh/)
COURSE_LANG ?= en
ZH := build/zh
# auto: PyTorch's CPU-only index on Linux without an NVIDIA GPU, the default index elsewhere;
# empty: the default index; a URL: that index (tools/torch_index.py)
TORCH_INDEX ?= auto
# The Python versions constraints.txt is checked for (`make lock-check`), and the newest first: what .venv is made with.
LOCK_PYTHONS := 3.14 3.13 3.12 3.11
# The newest of them that runs and can make a virtualenv (a pyenv shim of a version that is not active does not
# run; Debian's python3.X without python3.X-venv has no ensurepip), else python3 if it is one of them.
PYTHON_OK := import sys, ensurepip, venv; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 14))
ifndef PYTHON
PYTHON := $(firstword $(foreach p,$(addprefix python,$(LOCK_PYTHONS)) python3,\
	$(shell $(p) -c '$(PYTHON_OK)' >/dev/null 2>&1 && command -v $(p))))
endif

.PHONY: help install lab test lint unit nbval lock-check notebooks bench bench-deps experiments student slides html \
	zh zh-notebooks test-zh test-browser test-browser-zh format clean distclean

help:
	@echo "The dilated-convolution course. Targets:"
	@echo "  make lab            your own copy of the course in workspace/ (made on the first run, never overwritten),"
	@echo "                      opened in JupyterLab; the solved notebooks are in notebooks/ beside it"
	@echo "  make lab EDITION=instructor   JupyterLab on notebooks/, the instructor edition (solutions in place)"
	@echo "  make lab COURSE_LANG=zh       中文版: your own Chinese copy in workspace-zh/, JupyterLab's menus in Chinese"
	@echo "  make lab EDITION=instructor COURSE_LANG=zh   the Chinese instructor edition (build/zh/notebooks, executed)"
	@echo "  make test           lint (ruff, mypy), unit tests and doctests, every notebook under nbval"
	@echo "  make test-browser   the learner's edition of every notebook run in JupyterLab in a headless Chromium"
	@echo "  make test-browser-zh   a short smoke of the Chinese edition in JupyterLab's Chinese menus"
	@echo "  make lock-check     constraints.txt resolves for Python $(LOCK_PYTHONS) (needs PyPI)"
	@echo "  make notebooks      re-execute every notebook and store its outputs (refuses a busy machine; FORCE=1 overrides)"
	@echo "  make student | slides | html   the editions, in build/student, build/slides, build/html"
	@echo "  make zh             the Chinese edition in build/zh/: notebooks (executed), student, slides, html"
	@echo "  make test-zh        make zh, then the Chinese notebooks' outputs checked against the English ones"
	@echo "  make bench          speed against torch.nn.functional (bench-deps: numpy-ml's source for it)"
	@echo "  make experiments    notebook 06's trained comparisons over seeds, into dilconv_lib/data/ (12-20 min)"
	@echo "  make classroom STUDENTS=N|roster.txt   serve the course to a class on JupyterHub (docs/classroom.md);"
	@echo "                      classroom-status, classroom-update, classroom-stop; test-classroom checks it all"
	@echo "                      classroom-load STUDENTS=N [SCENARIO=lab]: a class simulated, what it costs measured"
	@echo "  make format         ruff's fixes and formatting"
	@echo "  make install        only create $(VENV) and install (every target above does it when needed)"
	@echo "  make clean          delete build/ and caches; keeps $(VENV), workspace/ and student notebooks you changed"
	@echo "  make distclean      clean, and delete $(VENV) too"
	@echo "Installing downloads about 0.5 GB (torch's CPU build: 190 MB) and takes 1.5 GB on disk; torch's CUDA"
	@echo "build (Linux with an NVIDIA GPU, or TORCH_INDEX=) adds about 3 GB. Python for $(VENV):$(if $(wildcard $(BIN)/python),\
	$$($(BIN)/python --version) (already made),$(or $(PYTHON),none found: install Python 3.11 to 3.14))."

install: $(STAMP)

# torch first, from the index tools/torch_index.py chooses; then the course and its extras. Every version is
# the one in constraints.txt (-c), which matches torch's CPU build 2.13.0+cpu too.
$(STAMP): pyproject.toml $(LOCK) lab/overrides.json
	@if [ ! -x $(BIN)/python ]; then \
		if [ -z "$(PYTHON)" ]; then \
			echo "make: no Python 3.11 to 3.14 found (tried $(addprefix python,$(LOCK_PYTHONS)) python3);" \
				"install one, or name it: make PYTHON=/path/to/python3.X" >&2; \
			exit 1; \
		fi; \
		echo "make: creating $(VENV) with $$($(PYTHON) --version) ($(PYTHON))"; \
		$(PYTHON) -m venv $(VENV); \
	else \
		echo "make: $(VENV) has $$($(BIN)/python --version) (make distclean to start again with another)"; \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -c $(LOCK) $$($(BIN)/python -m tools.torch_index --override "$(TORCH_INDEX)") torch
	$(BIN)/python -m pip install -c $(LOCK) -e ".[dev]"
	$(BIN)/python -m pip install -c $(LOCK) --no-deps mplfonts  # the Chinese figures' font file only (constraints.txt)
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json  # no news pop-up (lab/README.md)
	touch $@

# JupyterLab as the course starts it, written once: on 127.0.0.1 (LAB_IP=0.0.0.0 to serve others; JupyterLab's own
# token then guards it), no browser opened where there is no display, as root only where we are root.
LAB_IP ?= 127.0.0.1
LAB = $(BIN)/jupyter lab --ServerApp.ip=$(LAB_IP) $(if $(DISPLAY),,--no-browser) $(if $(filter 0,$(shell id -u)),--allow-root)
# The learner's edition: nbgrader's authoring and grading menus off (lab/student/).
STUDENT_LAB = JUPYTER_CONFIG_PATH=$(CURDIR)/lab/student$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))
# The Chinese edition: JupyterLab's own menus in Chinese (its language pack), from a settings folder made once and
# then the learner's (never overwritten).
ZH_SETTINGS := $(VENV)/lab-settings-zh
ZH_LAB = JUPYTERLAB_SETTINGS_DIR=$(CURDIR)/$(ZH_SETTINGS)

$(ZH_SETTINGS):
	mkdir -p $@/@jupyterlab/translation-extension
	echo '{"locale": "zh_CN"}' > $@/@jupyterlab/translation-extension/plugin.jupyterlab-settings

# Student: workspace/ is brought up to date first (missing notebooks added, new versions put beside yours,
# nothing overwritten), and JupyterLab starts at the course's top folder, so that notebooks/ is one click away.
# Instructor: notebooks/ (English), or the executed Chinese edition in build/zh/notebooks (make zh).
lab: install
ifeq ($(EDITION)-$(COURSE_LANG),student-zh)
	$(MAKE) --no-print-directory $(ZH_SETTINGS)
	$(BIN)/python -m tools.i18n build --lang zh --out $(ZH)/notebooks
	$(BIN)/python -m tools.workspace --notebooks $(ZH)/notebooks --workspace workspace-zh
	$(STUDENT_LAB) $(ZH_LAB) $(LAB) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/workspace-zh/00_welcome.ipynb
else ifeq ($(EDITION)-$(COURSE_LANG),student-en)
	$(BIN)/python -m tools.workspace
	$(STUDENT_LAB) $(LAB) --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/workspace/00_welcome.ipynb
else ifeq ($(EDITION)-$(COURSE_LANG),instructor-zh)
	$(MAKE) --no-print-directory $(ZH_SETTINGS)
	test -f $(ZH)/notebooks/.executed || $(MAKE) --no-print-directory zh-notebooks
	$(ZH_LAB) $(LAB) --ServerApp.root_dir=$(ZH)/notebooks --LabApp.default_url=/lab/tree/00_welcome.ipynb
else ifeq ($(EDITION)-$(COURSE_LANG),instructor-en)
	$(LAB) --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_welcome.ipynb
else
	$(error EDITION must be student or instructor and COURSE_LANG en or zh, not "$(EDITION)" and "$(COURSE_LANG)")
endif

test: install lint unit nbval

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy dilconv_lib

unit: install
	$(BIN)/python -m pytest tests dilconv_lib tools --ignore=tests/browser --ignore=tests/test_zh_edition.py \
		--ignore=tests/test_classroom.py --ignore=tests/test_classroom_grading.py --ignore=tests/test_chart_tools.py \
		--ignore=tests/test_classroom_load_run.py

nbval: install
	$(BIN)/python -m pytest $(NBVAL) $(NOTEBOOKS)

# Every pin of constraints.txt, resolved together as wheels for each Python (PyPI's metadata only: nothing is
# installed). X.Y.0, the oldest release of each: a pin that needs a later patch release fails here.
lock-check: install
	@mkdir -p build
	@grep -v '^mplfonts==' $(LOCK) > build/lock-with-deps.txt
	@for v in $(LOCK_PYTHONS); do \
		( $(BIN)/python -m pip install --dry-run --quiet --ignore-installed --only-binary=:all: \
			--python-version $$v.0 -r build/lock-with-deps.txt -c build/lock-with-deps.txt \
			&& $(BIN)/python -m pip install --dry-run --quiet --ignore-installed --only-binary=:all: --no-deps \
			--python-version $$v.0 $$(grep '^mplfonts==' $(LOCK)); echo $$? > build/lock-check-$$v.rc \
		) > build/lock-check-$$v.log 2>&1 & \
	done; wait; failed=; \
	for v in $(LOCK_PYTHONS); do \
		if [ "$$(cat build/lock-check-$$v.rc)" != 0 ]; then failed="$$failed $$v"; cat build/lock-check-$$v.log >&2; fi; \
	done; \
	if [ -n "$$failed" ]; then echo "lock-check: $(LOCK) does not resolve for Python$$failed" >&2; exit 1; fi; \
	echo "lock-check: $(LOCK) resolves for Python $(LOCK_PYTHONS) (resolved side by side)"

# Re-execute every notebook and store its outputs (what nbval compares against), recording the machine in each
# notebook's metadata; refuses a busy machine (make notebooks FORCE=1 runs anyway: tools/run_notebooks.py).
notebooks: install
	$(BIN)/ruff format notebooks
	$(BIN)/python -m tools.run_notebooks $(if $(FORCE),--force) $(NOTEBOOKS)

# Speed against torch.nn.functional, each implementation in a fresh process; prints a table, writes bench-results.json.
bench: install
	$(BIN)/python -m dilconv_lib.bench

# numpy-ml's source, for the benchmark's comparison row (its package no longer imports on Python 3.11).
bench-deps: install
	$(BIN)/python -m pip download numpy-ml==0.1.2 --no-deps -d build/numpy-ml

# Notebook 06's trained comparisons (tools/experiments.py): every configuration over seeds, with a learning-rate
# sweep, a longer budget and the gridding task, stored with its provenance in dilconv_lib/data/context_module.json.
experiments: install
	nice -n 19 $(BIN)/python -m tools.experiments

# The course's editions (tools/editions.py), each in its own folder under build/:
# student: solutions replaced by stubs, outputs cleared (a rebuild refuses to replace a notebook changed since);
# slides: one reveal.js deck per notebook; html: every notebook with its outputs as a static page, and
# index.html, the syllabus. Slides and pages load nothing from the network; the slides fetch reveal.js
# once with npm into build/vendor/.
student: install
	$(BIN)/python -m tools.editions student

slides: install
	$(BIN)/python -m tools.editions slides

html: install
	$(BIN)/python -m tools.editions html

# The Chinese edition: the notebooks with their markdown and code comments from i18n/zh/ (code tokens shared),
# executed once so that every output is in Chinese (a sentence with no translation is an error there), then its
# student edition, slides and site. The site's index links the English one.
zh-notebooks: install
	rm -f $(ZH)/notebooks/.executed
	$(BIN)/python -m tools.i18n build --lang zh --out $(ZH)/notebooks
	DILCONV_I18N_STRICT=1 $(BIN)/jupyter nbconvert --to notebook --execute --inplace --log-level=WARN \
		--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 $(ZH)/notebooks/*.ipynb
	touch $(ZH)/notebooks/.executed

zh: zh-notebooks
	$(BIN)/python -m tools.editions student --notebooks $(ZH)/notebooks --out $(ZH)/student
	$(BIN)/python -m tools.editions slides --notebooks $(ZH)/notebooks --out $(ZH)/slides
	$(BIN)/python -m tools.editions html --notebooks $(ZH)/notebooks --out $(ZH)/html

# The Chinese notebooks, executed once by `make zh`, checked from that execution: the same numbers as the English
# stored outputs (what nbval checks for the English), and no English sentence in any output.
test-zh: zh
	$(BIN)/python -m pytest tests/test_zh_edition.py --zh-notebooks $(ZH)/notebooks

# The learner's edition as `make lab` gives it (workspace/ made by tools.workspace in a temporary copy of the
# course, lab/student and lab/overrides.json in effect), every notebook run top to bottom in JupyterLab in a real
# (headless) browser, on past each exercise's error: the one browser execution of each notebook. Then what the
# learner is told (every failure an exercise or its check, saying what to do), widgets, no pop-up, no nbgrader.
test-browser: install
	VENV=$(VENV) bash tests/browser/run.sh -m "not zh"

# A smoke of the Chinese edition as `make lab COURSE_LANG=zh` gives it: JupyterLab's menus in Chinese, and
# notebook 01's first cells up to its first figure (built here from i18n/zh/; never the whole notebook: make zh
# executes every Chinese notebook once already).
test-browser-zh: install
	VENV=$(VENV) bash tests/browser/run.sh -m zh

# The classroom: JupyterHub serving the course to a class (docs/classroom.md); its targets live in classroom.mk.
-include classroom.mk

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Never workspace/ (yours), never a student notebook changed after it was built (tools/manifest.py).
clean:
	$(or $(wildcard $(BIN)/python),$(PYTHON),python3) -m tools.manifest clean build
	rm -rf *.egg-info .pytest_cache .ruff_cache .mypy_cache .hypothesis

distclean: clean
	rm -rf $(VENV)
