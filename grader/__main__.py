"""``python -m grader``: the command line.

Until the kit is imported this file keeps to syntax any Python 3 parses, so that an old interpreter
(run outside .venv) gets one line saying which Python to use instead of a traceback.
"""

import sys

EXIT_MISUSE = 2

if sys.version_info < (3, 11):  # noqa: UP036  checked before the kit (tomllib) is imported: one line, no traceback
    sys.stderr.write(
        f"error: {sys.executable} is Python {sys.version.split()[0]}; the grader needs Python >= 3.11: run .venv/bin/python -m grader ... or make "
        "check (it sets up .venv) / Python 3.11 이상이 필요합니다.\n"
    )
    sys.exit(EXIT_MISUSE)
try:
    import resource  # noqa: F401  POSIX only: say so in one line rather than a traceback from deep inside
except ImportError:
    sys.stderr.write(
        "error: the grader runs on Linux only (no `resource` module here); on Windows use WSL / "
        "이 채점기는 Linux에서만 동작합니다. Windows에서는 WSL을 사용하세요.\n"
    )
    sys.exit(EXIT_MISUSE)

from grader.cli import main  # noqa: E402  after the checks above

if __name__ == "__main__":  # not when multiprocessing's spawn re-imports the main module in a child
    raise SystemExit(main())
