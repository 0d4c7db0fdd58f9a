# Two commands do everything on a fresh machine: `make grade` and `make test`.
# Each sets up .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOK ?= assignments/ch04_learning.ipynb
ASSIGNMENT ?= ch04_learning

.PHONY: grade check publish test lint bench bench-isolation bench-extraction fuzz mutants setup sandbox-tools clean student-repo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

grade: $(STAMP)
	$(PY) -m grader grade $(NOTEBOOK) --assignment $(ASSIGNMENT)

check: $(STAMP)
	$(PY) -m grader grade $(NOTEBOOK) --assignment $(ASSIGNMENT) --public-only

publish: $(STAMP)
	$(PY) -m grader publish --assignment $(ASSIGNMENT)

# A ready student repository (notebook, public tests with recorded answers, grader, workflows).
student-repo: $(STAMP)
	$(PY) -m grader publish --assignment $(ASSIGNMENT) --out student-repo

test: $(STAMP)
	$(PY) -m pytest -q

# Grade every mutant (realistic mistake) and correct style of grader/mutants/ and print the table.
mutants: $(STAMP)
	$(PY) -m grader mutants

lint: $(STAMP)
	$(PY) -m ruff check grader tests_public tests_hidden
	$(PY) -m ruff format --check grader tests_public tests_hidden

# Optional kernel layers for the sandbox (root only): bubblewrap namespaces, libseccomp.
sandbox-tools:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2 >/dev/null; \
	else echo "run as root (or with sudo) on Debian/Ubuntu to install bubblewrap and libseccomp2"; fi

clean:
	rm -rf $(VENV) build *.egg-info

# What the kernel layers (seccomp, uid drop, bubblewrap) cost per submission: medians with and without.
# Speed and memory against whole-notebook execution (prints medians; asserts nothing).
bench: $(STAMP)
	$(PY) bench/bench.py
	$(MAKE) --no-print-directory bench-extraction

# Seconds per MB of extraction for growing cells of several shapes (should stay flat: linear time).
bench-extraction: $(STAMP)
	$(PY) bench/extraction.py

# Property-based fuzzing of every parser of untrusted bytes in the trusted process (>= 100,000 inputs).
fuzz: $(STAMP)
	$(PY) bench/fuzz.py

bench-isolation: $(STAMP)
	$(PY) bench/isolation.py
