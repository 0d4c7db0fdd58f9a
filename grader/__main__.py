"""``python -m grader``: the command line."""

import sys

try:
    import resource  # noqa: F401  POSIX only: say so in one line rather than a traceback from deep inside
except ImportError:
    sys.exit(
        "error: the grader runs on Linux only (no `resource` module here); on Windows use WSL / "
        "이 채점기는 Linux에서만 동작합니다. Windows에서는 WSL을 사용하세요."
    )

from grader.cli import main

if __name__ == "__main__":  # not when multiprocessing's spawn re-imports the main module in a child
    raise SystemExit(main())
