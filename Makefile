# Two commands do everything on a fresh machine: `make grade` and `make test`.
# Each sets up .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOK ?= assignments/ch04_learning.ipynb
# The assignment: ASSIGNMENT=<id> when given, else the one NOTEBOOK is named after (rubrics/<id>.toml), else
# ch04_learning. So `make grade NOTEBOOK=solutions/ch03_networks.ipynb` grades ch03_networks.
ASSIGNMENTS := $(basename $(notdir $(wildcard rubrics/*.toml)))
ASSIGNMENT ?= $(or $(filter $(ASSIGNMENTS),$(basename $(notdir $(NOTEBOOK)))),ch04_learning)

.PHONY: grade check publish gradescope test lint bench bench-isolation bench-extraction bench-shard bench-profile fuzz mutants setup sandbox-tools clean student-repo

# A failed setup (Python too old, no venv module, no network) removes the half-made .venv and says what
# to do, so the next try starts clean instead of failing the same way.
SETUP_FAILED = { rm -rf $(VENV); echo "setup failed: .venv removed. Needs Linux (Windows: use WSL) and Python >= 3.11 with venv"\
  "(Debian/Ubuntu: apt install python3-venv); then run make again (another interpreter: make PYTHON=python3.12) / 설치 실패: .venv를 지웠습니다." >&2; exit 1; }

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: $(PYTHON) is not Python >= 3.11 ($$($(PYTHON) --version 2>&1)); install 3.11 or newer and run:" \
	  "make PYTHON=python3.11 (or the path of that interpreter) / Python 3.11 이상이 필요합니다" >&2; exit 1; }
	@[ -f $(STAMP) ] || rm -rf $(VENV)   # no stamp: whatever is there is a half-made venv
	@echo "setting up $(VENV) with $(PYTHON) (once) / 처음 한 번 $(VENV)를 만듭니다"
	@$(PYTHON) -m venv $(VENV) || $(SETUP_FAILED)
	@$(PY) -m pip install --quiet --upgrade pip || $(SETUP_FAILED)
	@$(PY) -m pip install --quiet -e '.[dev,staff]' || $(SETUP_FAILED)
	touch $(STAMP)

setup: $(STAMP)

grade: $(STAMP)
	$(PY) -m grader grade $(NOTEBOOK) --assignment $(ASSIGNMENT)

check: $(STAMP)
	$(PY) -m grader grade $(NOTEBOOK) --assignment $(ASSIGNMENT) --public-only

publish: $(STAMP)
	$(PY) -m grader publish --assignment $(ASSIGNMENT)

# Gradescope's autograder zip for ASSIGNMENT (upload it as the assignment's autograder).
gradescope: $(STAMP)
	$(PY) -m grader publish --assignment $(ASSIGNMENT) --gradescope autograder-$(ASSIGNMENT).zip

# A ready student repository (notebook, public tests with recorded answers, grader, workflows).
student-repo: $(STAMP)
	$(PY) -m grader publish --assignment $(ASSIGNMENT) --out student-repo

# The kit's own tests; prints the 15 slowest. They run on one pytest process per core and one more (pytest-xdist:
# each file whole on one process, the slowest cut in parts and started first, grader/tests/conftest.py): many tests
# wait on graders, sudo and pip, so one process per core left the cores idle (2 cores, fresh clones: 22-24 min on two
# processes, 21-22.5 min on three with the cores 97 % busy; README). TEST_PROCESSES=0: in this process (about 40 min).
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_PROCESSES) --dist loadgroup --no-loadscope-reorder --durations=15

# Grade every mutant (realistic mistake) and correct style of grader/mutants/ and print the table.
mutants: $(STAMP)
	$(PY) -m grader mutants

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Optional kernel layers for the sandbox (root only): bubblewrap namespaces, libseccomp.
sandbox-tools:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq bubblewrap libseccomp2 >/dev/null; \
	else echo "run as root (or with sudo) on Debian/Ubuntu to install bubblewrap and libseccomp2"; fi

clean:
	rm -rf $(VENV) build *.egg-info

# Speed and memory in every supported set-up this machine can host (root with and without bubblewrap, the
# interpreter in and out of other users' reach, a user BENCH_USER with and without bubblewrap), each in its default
# auto mode, against whole-notebook execution: prints each set-up, its figures and every target met or missed
# (asserts nothing), then one table row per set-up. One set-up: $(PY) bench/bench.py.
BENCH_USER ?= limits
bench: $(STAMP)
	$(PY) bench/setups.py --user $(BENCH_USER)
	$(MAKE) --no-print-directory bench-extraction

# A shard's fixed cost (fresh install, first grading) and rate, and the shard size for 2,000 students in 10 minutes.
bench-shard: $(STAMP)
	$(PY) bench/shard.py

# Where a warm grading's time goes in this set-up (worker start, student calls, pytest, reference, ...).
bench-profile: $(STAMP)
	$(PY) bench/profile.py

# Seconds per MB of extraction for growing cells of several shapes (should stay flat: linear time).
bench-extraction: $(STAMP)
	$(PY) bench/extraction.py

# Property-based fuzzing of every parser of untrusted bytes in the trusted process (>= 100,000 inputs).
fuzz: $(STAMP)
	$(PY) bench/fuzz.py

# What the kernel layers (seccomp, uid drop, bubblewrap) cost per submission: medians with and without.
bench-isolation: $(STAMP)
	$(PY) bench/isolation.py
