"""``python -m grader.mutants``: the same as ``python -m grader mutants``."""

import sys

from grader.cli import main

if __name__ == "__main__":  # spawned grading processes import this module too
    raise SystemExit(main(["mutants", *sys.argv[1:]]))
