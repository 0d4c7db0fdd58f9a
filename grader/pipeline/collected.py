"""One pytest session per grading process: the suites are collected once, and every submission runs those items.

``pytest.main`` configures pytest, imports the suites, builds their items and tears it all down again on every
call: about a quarter of a warm grading. A batch process grades hundreds of submissions of one assignment, so
:func:`collected_suites` keeps one configured and collected session per (assignment, suites) for the process's
life, and :meth:`CollectedSuites.run` drives pytest's own run protocol over the items one submission needs, as
``pytest-rerunfailures`` re-runs an item:

- every item goes through ``pytest_runtest_protocol`` (setup, call, teardown, pytest-timeout's timer, the grading
  plugin's report hook) exactly as in ``pytest.main``'s run loop;
- the last item of a run is told there is no next item, so every fixture, up to the session's, is torn down at
  the end of each submission: nothing a fixture holds reaches the next submission;
- what a run leaves on an item (``user_properties`` from ``record_property``) is cleared before it runs again;
- which units run, how many cases each rubric entry has and whether the rubric matches the suites is decided per
  submission by :meth:`grader.pipeline.plugin.GradingPlugin.select`.

Test modules are imported once per process, so a module-level value of a suite is shared by every submission that
process grades: suites keep their inputs in fixtures and constants (README, "A new assignment"), never in module state a
test changes. pytest has no public API for a session that outlives one call; the two private names used here
(``_prepareconfig``, ``_setupstate``) are those ``pytest.main`` itself uses, and ``pyproject.toml`` bounds pytest's
major version for them.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.assignment import Assignment
from grader.pipeline.checks import Text
from grader.pipeline.plugin import GradingPlugin
from grader.pipeline.session import GradingSession

TRUSTED_INI = Path(__file__).resolve().parent / "pytest-grading.ini"
KEPT_SESSIONS = 4  # assignments x suite choices one process keeps collected (a test run grades three courses)
# Plugins a grading run has no use for, each a hook on every test (together 12 % of a warm grading): nothing
# trusted prints or logs (student output stays in the worker's file) and warnings are ignored anyway. junitxml
# stays: the training tests record their time with record_property. unraisableexception/threadexception: their
# gc.collect() at the end costs ~0.5 s a grade in a big process.
UNUSED_PLUGINS = (
    "cacheprovider",
    "terminal",
    "stepwise",
    "unraisableexception",
    "threadexception",
    "capture",
    "logging",
    "warnings",
    "faulthandler",
    "doctest",
    "pastebin",
    "legacypath",
)
COLLECTION_FAILED = Text("테스트를 모으지 못했습니다", "the tests could not be collected")


class CollectedSuites:
    """One configured pytest session with the suites of one assignment collected, run once per submission."""

    def __init__(self, assignment: Assignment, suites: tuple[str, ...]) -> None:
        from _pytest.config import _prepareconfig

        self.plugin = GradingPlugin(None)
        self.broken = False  # a run ended outside pytest's protocol: this session is not used again
        arguments = [str(assignment.suite_dir(suite)) for suite in suites]
        arguments += ["-c", str(TRUSTED_INI), "--rootdir", str(assignment.root), "--noconftest"]
        # pytest collects every folder from --confcutdir (by default the ini's, which is the kit's, not the course's)
        # down to the suites: a course outside the kit had / and /tmp scanned, and a file there this user may not
        # stat (a stranger's symlink in /tmp) failed collection
        arguments += ["--confcutdir", str(assignment.root)]
        arguments += ["--import-mode=importlib", "-p", "pytest_timeout"]
        for plugin in UNUSED_PLUGINS:
            arguments += ["-p", f"no:{plugin}"]
        os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        self.collection_errors: list[str] = []
        with _quiet() as noise:
            self.config = _prepareconfig(arguments, plugins=[self.plugin, _CollectionReports(self.collection_errors)])
            self.config._do_configure()
            self.session = pytest.Session.from_config(self.config)
            self.config.hook.pytest_sessionstart(session=self.session)
            try:
                self.items: list[pytest.Item] = list(self.session.perform_collect())
            except pytest.UsageError as error:  # e.g. a suite folder that is gone
                self.items = []
                self.collection_errors.append(str(error))
        if self.collection_errors and noise.getvalue():
            self.collection_errors.append(noise.getvalue()[-2000:])

    def run(self, grading: GradingSession) -> None:
        """Run the items ``grading`` selects through pytest's run protocol; results land in ``grading.results``."""
        if self.collection_errors:  # as pytest.main: no test runs when collection failed; every test is missing
            details = "\n".join(self.collection_errors)
            grading.internal_errors.append(f"{COLLECTION_FAILED.render('both')}: {details[-2000:]}")
            return
        if self.plugin.running:  # one run at a time: a second would take the first one's fixtures
            raise RuntimeError("a grading run started inside another one in the same process")
        self.plugin.session = grading
        items = self.plugin.select(self.items)
        grading.prestart()
        finished = False
        try:
            with _quiet():
                for index, item in enumerate(items):
                    item.user_properties.clear()
                    following = items[index + 1] if index + 1 < len(items) else None
                    item.ihook.pytest_runtest_protocol(item=item, nextitem=following)
            finished = True
        finally:
            grading.stop_workers()
            self.plugin.session = None
            if not finished:
                self._tear_down_all()

    def _tear_down_all(self) -> None:
        """After a run that did not end normally: tear every fixture down; never reuse the session if that fails."""
        self.broken = True
        with contextlib.suppress(BaseException):
            self.session._setupstate.teardown_exact(None)

    def close(self) -> None:
        """End the pytest session (its sessionfinish and unconfigure hooks)."""
        with _quiet(), contextlib.suppress(Exception):
            self.config.hook.pytest_sessionfinish(session=self.session, exitstatus=0)
            self.config._ensure_unconfigure()


class _CollectionReports:
    """Keeps the long report of every collector that failed (an import error in a test file, say)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(f"{report.nodeid}: {str(report.longrepr)[-1500:]}")


_kept: dict[tuple[str, str, tuple[str, ...]], CollectedSuites] = {}


def collected_suites(assignment: Assignment, suites: tuple[str, ...]) -> CollectedSuites:
    """This process's collected session for the assignment's ``suites``; made on first use, kept after."""
    key = (str(assignment.root), assignment.id, tuple(suites))
    kept = _kept.get(key)
    if kept is not None and not kept.broken:
        _kept[key] = _kept.pop(key)  # most recently used last
        return kept
    if kept is not None:
        _kept.pop(key).close()
    while len(_kept) >= KEPT_SESSIONS:
        _kept.pop(next(iter(_kept))).close()
    made = _kept[key] = CollectedSuites(assignment, tuple(suites))
    return made


@contextlib.contextmanager
def _quiet() -> Iterator[io.StringIO]:
    """Nothing trusted prints during grading; what pytest would print is kept for an internal error."""
    with contextlib.redirect_stdout(io.StringIO()) as noise, contextlib.redirect_stderr(noise):
        with warnings.catch_warnings():  # what the warnings plugin did per test (the ini ignores them), once
            warnings.simplefilter("ignore")
            yield noise
