# The classroom: JupyterHub serving the course to a class from this machine (docs/classroom.md, tools/classroom.py).
# Included by the Makefile; uses its $(BIN), $(VENV), $(LOCK) and $(COURSE_LANG).
#
#   make classroom STUDENTS=30            student1 ... student30 and the lecturer, on 127.0.0.1:8000
#   make classroom STUDENTS=roster.txt    the roster's names (one login name a line)
#   make classroom-status | classroom-update | classroom-stop
#   make classroom-release [ASSIGNMENTS="00_welcome 01_by_hand"]   nbgrader assignments, one a notebook (all by default)
#   make classroom-grade                 collect, autograde, feedback released, build/classroom/grades.csv
#   make classroom-load STUDENTS=10 [SCENARIO=lab]   a class simulated against the hub: build/classroom/load/

# the hub's files: configuration, database, secrets (0700; secrets 0600)
CLASSROOM_DIR ?= build/classroom
CLASSROOM_PORT ?= 8000
# 127.0.0.1: this machine only; 0.0.0.0 serves the room's network (then set CLASSROOM_SSL_CERT and CLASSROOM_SSL_KEY)
CLASSROOM_IP ?= 127.0.0.1
CLASSROOM_SSL_CERT ?=
CLASSROOM_SSL_KEY ?=
# the git repository the course is pulled from (a URL or a path): by default this checkout's commits
CLASSROOM_REPO ?= $(CURDIR)
CLASSROOM_ADMIN ?= lecturer
# run as root: what learners read (their edition, the library), outside the checkout, and their Python environment,
# made once from a Python every user may run
CLASSROOM_PREFIX ?= /opt/dilconv-classroom
CLASSROOM_ENV ?= $(CLASSROOM_PREFIX)/venv
CLASSROOM_PYTHON ?= /usr/bin/python3
# configurable-http-proxy, from npm, once
CLASSROOM_CHP_DIR ?= build/chp
NPM ?= npm
STUDENTS ?=
# classroom-release: the notebooks (names without .ipynb) to release as assignments; empty: all of them
ASSIGNMENTS ?=
# classroom-load: lecture (notebook 01 at a lecture's pace, then idle), lab (01, then 06 up to its training cell) or
# smoke; the run's time limit (at most 1800 s); where the report goes
SCENARIO ?= lecture
LOAD_SECONDS ?= 900
CLASSROOM_LOAD_OUT ?= $(CLASSROOM_DIR)/load
CLASSROOM_STAMP := $(VENV)/.classroom-installed
CLASSROOM = $(BIN)/python -m tools.classroom
CLASSROOM_ARGS = --dir $(CLASSROOM_DIR)

.PHONY: classroom classroom-stop classroom-status classroom-update classroom-release classroom-grade
.PHONY: classroom-load test-classroom test-classroom-grading test-classroom-load

# JupyterHub and its parts, from the lock, into $(VENV) (the hub runs from it)
$(CLASSROOM_STAMP): $(STAMP) pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[classroom]"
	touch $@

classroom: $(CLASSROOM_STAMP)
	@$(CLASSROOM) start $(CLASSROOM_ARGS) --students "$(STUDENTS)" --port "$(CLASSROOM_PORT)" --ip "$(CLASSROOM_IP)" \
		--repo "$(CLASSROOM_REPO)" --lang "$(COURSE_LANG)" --admin "$(CLASSROOM_ADMIN)" \
		--prefix "$(CLASSROOM_PREFIX)" --env "$(CLASSROOM_ENV)" --python "$(CLASSROOM_PYTHON)" \
		--chp-dir "$(CLASSROOM_CHP_DIR)" --npm "$(NPM)" --ssl-cert "$(CLASSROOM_SSL_CERT)" --ssl-key "$(CLASSROOM_SSL_KEY)"

classroom-stop: $(CLASSROOM_STAMP)
	@$(CLASSROOM) stop $(CLASSROOM_ARGS)

classroom-status: $(CLASSROOM_STAMP)
	@$(CLASSROOM) status $(CLASSROOM_ARGS)

classroom-update: $(CLASSROOM_STAMP)
	@$(CLASSROOM) update $(CLASSROOM_ARGS)

# grading with nbgrader (docs/classroom.md): run by the lecturer who started the classroom; nbgrader itself runs as the
# lecturer's Unix user, in their ~/grading
classroom-release: $(CLASSROOM_STAMP)
	@$(CLASSROOM) release $(CLASSROOM_ARGS) --assignments "$(ASSIGNMENTS)"

classroom-grade: $(CLASSROOM_STAMP)
	@$(CLASSROOM) grade $(CLASSROOM_ARGS)

# N learners simulated with Locust (tools/classroom_load.py, docs/classroom.md): against the classroom running from
# CLASSROOM_DIR (its first N learners), else one started for the run (dcload1 ...) and removed after it; loopback only
classroom-load: $(CLASSROOM_STAMP)
	@$(BIN)/python -m tools.classroom_load --dir $(CLASSROOM_DIR) --students "$(STUDENTS)" --scenario "$(SCENARIO)" \
		--seconds "$(LOAD_SECONDS)" --out "$(CLASSROOM_LOAD_OUT)" --repo "$(CLASSROOM_REPO)" --lang "$(COURSE_LANG)" \
		--env "$(CLASSROOM_ENV)" --python "$(CLASSROOM_PYTHON)" --chp-dir "$(CLASSROOM_CHP_DIR)" --npm "$(NPM)"

# The whole sequence with three learners on a free port, through the hub as a learner meets it (tests/test_classroom.py);
# the browser check needs Playwright (the browser extra) and Debian's chromium, and is skipped without them.
test-classroom: $(CLASSROOM_STAMP)
	DILCONV_TEST_CLASSROOM=1 $(BIN)/python -m pytest -q -s --durations=0 tests/test_classroom.py tests/test_chart_tools.py

# Grading end to end with three learners (tests/test_classroom_grading.py): run as root (a Unix user a learner).
test-classroom-grading: $(CLASSROOM_STAMP)
	DILCONV_TEST_CLASSROOM=1 $(BIN)/python -m pytest -q -s --durations=0 tests/test_classroom_grading.py

# Three simulated learners through the hub, in at most 120 s, no failure, a report written; and the report's
# statistics and the tool's bounds (tests/test_classroom_load.py; the unit tests also run in `make test`)
test-classroom-load: $(CLASSROOM_STAMP)
	$(BIN)/python -m pytest -q -s --durations=0 tests/test_classroom_load.py tests/test_classroom_load_run.py
