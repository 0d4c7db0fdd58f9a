"""Fuzzing, short version: each parser of untrusted bytes meets a few hundred generated inputs and the seeds.

The long version is ``make fuzz`` (bench/fuzz.py, over 100,000 inputs). The regression tests
at the end are the crashes the fuzzing found, each pinned to the error it must now give.
"""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings

from grader.classroom import gradebook, merge
from grader.classroom.ci import CIError, read_untrusted_report
from grader.classroom.gradebook import GradebookError
from grader.classroom.regrade import RegradeError, read_roster
from grader.tests import fuzz_targets

SHORT = settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def quiet_nbformat():
    """nbformat logs every invalid notebook it reads; hundreds of them would bury the test output."""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("name", sorted(fuzz_targets.STRATEGIES))
def test_every_generated_input_ends_in_a_result_or_the_modules_error(name):
    target, strategy = fuzz_targets.STRATEGIES[name]

    @SHORT
    @given(strategy)
    def run(value):
        target(value)

    run()


@pytest.mark.parametrize("cells", fuzz_targets.seed_cells_by_fixture(), ids=lambda cells: str(len(cells)))
def test_hostile_fixture_cells_extract_without_a_crash(cells):
    for cell in cells:
        fuzz_targets.python_source(cell)
        fuzz_targets.ipython_syntax(cell)


def test_seed_notebooks_and_their_mutations_are_read_or_refused():
    import random

    rng = random.Random(1)
    seeds = fuzz_targets.seed_notebooks()
    assert len(seeds) > 100  # the kit's notebooks and every hostile fixture, as v4 and v3
    for seed in seeds:
        fuzz_targets.notebook_bytes(seed)
        fuzz_targets.notebook_bytes(fuzz_targets.mutate(seed, rng))


def test_the_targets_detect_a_crash():
    """A target must let a foreign exception through, or the fuzzing could never report one."""
    with pytest.raises(AssertionError):
        fuzz_targets.check_extraction(type("Fake", (), {})())
    with pytest.raises(TypeError):
        fuzz_targets.protocol_bytes(None)


# -- crashes the fuzzing found, now each module's own error ------------------------------------


def test_a_roster_that_is_not_utf8_is_a_regrade_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b"student,repository\n\xfc\xf3,a/b\n")
    with pytest.raises(RegradeError, match="UTF-8"):
        read_roster(path)


def test_a_roster_with_a_huge_field_is_a_regrade_error(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(b'student,repository\n"' + b"x" * 200_000 + b'",a/b\n')
    with pytest.raises(RegradeError):
        read_roster(path)


def test_a_report_with_an_integer_too_large_for_a_float_is_a_ci_error(tmp_path):
    path = tmp_path / "report.json"
    path.write_text('{"functions": [{"name": "u", "tests": [], "score": 1' + "0" * 400 + ', "max_score": 10}]}')
    with pytest.raises(CIError, match="not a number"):
        read_untrusted_report(path)


def test_results_nested_too_deeply_or_of_the_wrong_shape_are_regraded_not_crashed_on(tmp_path):
    (tmp_path / "results").mkdir()
    deep = tmp_path / "results" / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    assert gradebook.read_result(deep) is None
    wrong = tmp_path / "results" / "wrong.json"
    wrong.write_text(json.dumps({"status": "graded", "score": 1, "functions": [{"name": "u", "score": "ten"}]}))
    assert gradebook.read_result(wrong) is None
    (tmp_path / gradebook.BATCH_FILE).write_text("[1, 2]")
    assert gradebook.read_batch(tmp_path) is None
    text = gradebook.write_gradebook(tmp_path, ["u"]).read_text()
    assert text == "\ufeffstudent,total,u,status,reason,reason_text\n"  # with the BOM Excel needs


def test_merging_a_shard_whose_batch_names_no_units_is_a_gradebook_error(tmp_path):
    shard = tmp_path / "shard"
    shard.mkdir()
    (shard / gradebook.BATCH_FILE).write_text(json.dumps({"assignment": "ch04_learning", "units": "all"}))
    with pytest.raises(GradebookError, match="unit names"):
        merge.merge_shards([shard], tmp_path / "out")
