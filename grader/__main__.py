"""``python -m grader``: the command line."""

from grader.cli import main

if __name__ == "__main__":  # not when multiprocessing's spawn re-imports the main module in a child
    raise SystemExit(main())
