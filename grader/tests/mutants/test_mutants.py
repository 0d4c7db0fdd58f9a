"""The catalogue holds: every mistake costs points in its own unit and nowhere else, every style scores 100,
every do-nothing submission scores 0 in its unit, and every grading test fails on some mistake and on every
do-nothing submission of its unit.

The whole catalogue is graded once per session (two processes, 100-150 s on a busy machine), with the reference
loaded once per process; the tests below read that one run.
"""

from __future__ import annotations

import importlib
import re

import pytest

from courses.ch04_learning.mutants import CATALOGUE
from courses.ch04_learning.mutants.catalogue import MUTANTS
from courses.ch04_learning.mutants.nothing import NOTHING as DO_NOTHING
from courses.ch04_learning.mutants.styles import STYLES
from grader.assignment import load_assignment
from grader.mutants import all_variants, run_catalogue
from grader.mutants.precision import count_hints, precision_lines
from grader.mutants.run import grade_variants
from grader.mutants.table import render_table
from grader.mutants.variants import (
    BROKEN,
    HARMLESS,
    MUTANT,
    NOTHING,
    STYLE,
    Replace,
    VariantError,
    build_notebook,
    load_catalogue,
    mutant,
    solution_notebook,
    with_catalogue,
)
from grader.pipeline.checks import RETURNED_NONE, Text
from grader.pipeline.engine_hints import ENGINE_HINTS
from grader.pipeline.guarded import GUARDED_NOTE

# Grading the whole catalogue is one module fixture (about 170 s on 2 quiet cores): more than the default timeout.
pytestmark = pytest.mark.timeout(900)
OTHER_SEED = 7  # the styles are graded again with other hidden inputs
HANGUL = re.compile("[가-힣]")
# Every course package with a catalogue: the promises below the ch04-only ones hold for each of them.
CATALOGUES = {assignment_id: load_catalogue(assignment_id) for assignment_id in with_catalogue()}


def each(*kinds: str) -> list:
    """(assignment, variant) for every variant of the given kinds in every catalogue, as test parameters."""
    return [
        pytest.param(assignment_id, variant, id=f"{assignment_id}:{variant.id}")
        for assignment_id, catalogue in CATALOGUES.items()
        for variant in all_variants(catalogue)
        if variant.kind in kinds
    ]


@pytest.fixture(scope="session")
def runs() -> dict:
    """assignment -> its graded catalogue run, graded once per session when first asked for."""
    return {}


@pytest.fixture(scope="session")
def graded(runs):
    """A function: assignment -> id -> VariantResult of that catalogue's one graded run."""

    def results(assignment_id: str) -> dict:
        if assignment_id not in runs:
            runs[assignment_id] = run_catalogue(assignment_id, processes=2)
        return {result.variant.id: result for result in runs[assignment_id].results}

    return results


@pytest.fixture(scope="session")
def catalogue_run(runs, graded):
    """One graded run over every ch04 variant."""
    graded(CATALOGUE.assignment)
    return runs[CATALOGUE.assignment]


@pytest.fixture(scope="session")
def catalogue(graded):
    """The ch04 run as id -> VariantResult."""
    return graded(CATALOGUE.assignment)


@pytest.fixture(scope="session")
def styles_other_seed():
    """A function: assignment -> its styles and harmless changes graded with another grading seed."""
    done: dict[str, dict] = {}

    def results(assignment_id: str) -> dict:
        if assignment_id not in done:
            catalogue = CATALOGUES[assignment_id]
            styles = [v for v in all_variants(catalogue) if v.kind in (STYLE, HARMLESS)]
            done[assignment_id] = {
                r.variant.id: r for r in grade_variants(styles, catalogue, processes=2, seed=OTHER_SEED)
            }
        return done[assignment_id]

    return results


def test_every_course_with_a_catalogue_is_covered():
    assert {"ch04_learning", "ch03_networks"} <= set(CATALOGUES)


# -- the catalogue as data (fast) ---------------------------------------------------------------


def test_the_catalogue_is_large_and_covers_every_unit():
    assert len(MUTANTS) >= 40
    assert len([s for s in STYLES if s.kind == STYLE]) >= 8
    ids = [v.id for v in all_variants(CATALOGUE)]
    assert len(ids) == len(set(ids)), "variant ids must be unique"
    rubric_units = {unit.name for unit in load_assignment("ch04_learning").units}
    assert {m.unit for m in MUTANTS} == set(CATALOGUE.units) and set(CATALOGUE.units) <= rubric_units
    for unit in CATALOGUE.units:
        assert sum(m.unit == unit for m in MUTANTS) >= 5, unit
        assert sum(n.unit == unit for n in DO_NOTHING) >= 5, unit
    assert {n.kind for n in DO_NOTHING} == {NOTHING}


@pytest.mark.parametrize("assignment_id, variant", each(MUTANT, STYLE, HARMLESS, NOTHING))
def test_every_variant_is_described_in_both_languages_and_changes_the_notebook(assignment_id, variant):
    assert HANGUL.search(variant.ko), f"{variant.id}: the Korean description has no Korean"
    assert variant.en and not HANGUL.search(variant.en)
    assert variant.kind in (MUTANT, STYLE, HARMLESS, NOTHING, BROKEN)
    assert (variant.unit is not None) == (variant.kind in (MUTANT, NOTHING, BROKEN))
    solution = [cell.source for cell in solution_notebook(CATALOGUES[assignment_id].solution).cells]
    changed = [cell.source for cell in build_notebook(variant).cells]
    assert (changed != solution) == bool(variant.edits), f"{variant.id}: its edits must change the notebook"


def test_an_edit_that_no_longer_applies_is_an_error():
    stale = mutant(
        "stale",
        "cross_entropy_error",
        "낡음",
        "stale",
        Replace("cross_entropy_error", "no such text", ""),
        solution=CATALOGUE.solution,
    )
    with pytest.raises(VariantError, match="occurs 0 times"):
        build_notebook(stale)


# -- the graded run ------------------------------------------------------------------------------


@pytest.mark.parametrize("assignment_id, variant", each(MUTANT, BROKEN))
def test_a_mutant_loses_points_in_its_unit_and_nowhere_else(graded, assignment_id, variant):
    result = graded(assignment_id)[variant.id]
    assert result.internal_errors == []
    assert result.lost[variant.unit] > 0, f"{variant.id} survived: {variant.en}"
    assert {unit: lost for unit, lost in result.lost.items() if unit != variant.unit and lost} == {}


@pytest.mark.parametrize("assignment_id, style", each(STYLE, HARMLESS))
def test_a_correct_style_scores_full_marks(graded, styles_other_seed, assignment_id, style):
    for result in (graded(assignment_id)[style.id], styles_other_seed(assignment_id)[style.id]):
        failing = [f"{t.unit}.{t.name}: {t.message}" for t in result.failed]
        assert result.score == result.max_score == 100.0, failing
        assert result.internal_errors == []


@pytest.mark.parametrize("assignment_id", sorted(CATALOGUES))
def test_the_public_suite_alone_catches_most_mutants(graded, assignment_id):
    mutants = [v for v in all_variants(CATALOGUES[assignment_id]) if v.kind == MUTANT]
    caught = [m.id for m in mutants if graded(assignment_id)[m.id].public_caught]
    assert len(caught) / len(mutants) >= 0.7, sorted(set(m.id for m in mutants) - set(caught))


@pytest.mark.parametrize("assignment_id, variant", each(NOTHING))
def test_a_do_nothing_submission_earns_nothing_in_its_unit_and_loses_nothing_elsewhere(graded, assignment_id, variant):
    result = graded(assignment_id)[variant.id]
    assert result.internal_errors == []
    builds_on = [unit for unit, on in CATALOGUES[assignment_id].builds_on_student.items() if variant.unit in on]
    assert set(builds_on) <= set(result.lost), "units that run this code by design must be graded too"
    for unit in (variant.unit, *builds_on):
        failing = {t.name for t in result.failed if t.unit == unit}
        assert result.lost[unit] == result.max_scores[unit] > 0, f"{variant.id} earns points in {unit}; fails {failing}"
    assert {unit: lost for unit, lost in result.lost.items() if unit not in (variant.unit, *builds_on) and lost} == {}


def _grading_tests(assignment_id: str, results: dict) -> list[tuple[str, str, str]]:
    """Every test case of the catalogue's units, as graded (its first correct style passes them all)."""
    catalogue = CATALOGUES[assignment_id]
    first_style = next(v for v in all_variants(catalogue) if v.kind == STYLE)
    style = results[first_style.id]
    assert style.failed == [] and style.tests
    return [test for test in style.tests if test[0] in catalogue.units]


@pytest.mark.parametrize(
    "assignment_id, unit", [(a, unit) for a, catalogue in CATALOGUES.items() for unit in catalogue.units]
)
def test_every_grading_test_fails_on_a_mistake_and_on_every_do_nothing_submission(graded, assignment_id, unit):
    """Each test earns its points: some realistic mistake fails it, and no do-nothing entry passes it."""
    results = graded(assignment_id)
    variants = all_variants(CATALOGUES[assignment_id])
    mutants = [v for v in variants if v.kind == MUTANT]
    do_nothing = [v for v in variants if v.kind == NOTHING]
    tests = [test for test in _grading_tests(assignment_id, results) if test[0] == unit]
    assert tests
    failed_by = {
        variant.id: {(t.unit, t.name, t.suite) for t in results[variant.id].failed} for variant in mutants + do_nothing
    }
    no_mistake = [test for test in tests if not any(test in failed_by[m.id] for m in mutants)]
    assert no_mistake == [], "tests no mutant of the catalogue fails"
    nothings = [n.id for n in do_nothing if n.unit == unit]
    paid = {test: [n for n in nothings if test not in failed_by[n]] for test in tests}
    assert {test: ids for test, ids in paid.items() if ids} == {}, "tests a do-nothing submission passes"


# Partial credit kept on purpose (issue 13): real partial work still earns these tests' points.
PARTIAL_CREDIT = {
    "grad_h_10e4": ("x_restored", "restored_random", "tensor_3d"),  # a wrong step with the right scheme
    "grad_forward": ("x_restored", "restored_random"),  # a finite difference that restores x
    "net_no_init_std": ("init_shapes", "init_other_sizes"),  # a real draw of the wrong spread
    "net_weight_rand": ("init_shapes", "init_other_sizes"),  # a real draw of the wrong distribution
    "net_relu": ("predict_rows_sum_to_one",),  # softmax over wrong scores: still a distribution per row
    "net_predict_no_bias": ("predict_rows_sum_to_one", "gradient", "init_scale"),  # the other methods are right
    "gd_no_copy": ("book_function_2", "random_starts", "defaults"),  # the walk is right, its record is not
}


@pytest.mark.parametrize("mutant_id", sorted(PARTIAL_CREDIT))
def test_partial_credit_for_real_partial_work_is_kept(catalogue, mutant_id):
    result = catalogue[mutant_id]
    failed = {t.name.split("[")[0] for t in result.failed if t.unit == result.variant.unit}
    assert failed, f"{mutant_id} must still be caught"
    assert failed.isdisjoint(PARTIAL_CREDIT[mutant_id]), sorted(failed & set(PARTIAL_CREDIT[mutant_id]))


@pytest.mark.parametrize("assignment_id", sorted(CATALOGUES))
def test_the_table_shows_what_a_do_nothing_submission_earns(runs, graded, assignment_id):
    graded(assignment_id)
    run, catalogue = runs[assignment_id], CATALOGUES[assignment_id]
    do_nothing = [v for v in all_variants(catalogue) if v.kind == NOTHING]
    table = render_table(
        run.results,
        run.summary,
        processes=2,
        seed=catalogue.seed,
        short_names=catalogue.short_names,
    )
    assert run.holds
    section = table.split("Do-nothing submissions", 1)[1].split("Per unit", 1)[0]
    rows = [line.split() for line in section.splitlines() if line.strip().startswith("none_")]
    assert [row[0] for row in rows] == [n.id for n in do_nothing]
    for row in rows:  # the bracketed cells are the unit the entry fakes (and train for a net): all 0
        assert [cell for cell in row if cell.startswith("[")] in (["[0]"], ["[0]", "[0]"]), row
    per_unit = table.split("points a do-nothing submission earns", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert {line.split()[0]: line.split()[-1] for line in per_unit} == {unit: "0" for unit in catalogue.units}
    assert f"{len(do_nothing)}/{len(do_nothing)}" in table


@pytest.mark.parametrize("assignment_id, variant", each(MUTANT, NOTHING))
def test_public_feedback_says_what_was_called_and_hints(graded, assignment_id, variant):
    public = [t for t in graded(assignment_id)[variant.id].failed if t.suite == "public"]
    assert public
    for test in public:
        assert "힌트 / hint: " in test.message, f"{test.name} gives no hint:\n{test.message}"
        guarded = test.guarded  # the worker held reference units: no got value
        if test.outcome != "missing":  # a missing name is the notebook's fact: no note needed
            assert (GUARDED_NOTE.render("both") in test.message) == guarded, test.message
        if test.outcome == "failed":  # what came back: a value, or what kind of thing it was
            assert "호출 / call: " in test.message, test.message
            if guarded:
                assert "받은 값 / got: " not in test.message, test.message
            else:
                assert "받은 값 / got: " in test.message or " returned " in test.message.splitlines()[0], test.message
        else:
            assert test.outcome == "error" and " raised " in test.message, test.message


def _known_hints(assignment_id: str) -> set[str]:
    """Every hint a course's suites (or the engine) can give, rendered in both languages: fixed texts, no inputs."""
    hints = importlib.import_module(f"{load_assignment(assignment_id).package}.hints")
    texts = [value for value in vars(hints).values() if isinstance(value, Text)] + list(ENGINE_HINTS)
    return {f"힌트 / hint: {value.render('both')}" for value in texts}


@pytest.mark.parametrize("assignment_id, variant", each(MUTANT, NOTHING))
def test_hidden_feedback_never_shows_inputs_or_expected_values(graded, assignment_id, variant):
    generic = "숨은 테스트에서 결과가 틀렸습니다. / a hidden test got a wrong result."
    # The catalogue's units; ch04's train_neuralnet hidden hint carries the accuracy on purpose (it shows no input).
    units = CATALOGUES[assignment_id].units
    for test in (t for t in graded(assignment_id)[variant.id].failed if t.suite == "hidden" and t.unit in units):
        first, *rest = test.message.splitlines()
        # Only the called name and a built-in exception's name, in both languages.
        raised = r"[A-Za-z_.]+에서 ([A-Za-z]+ )?예외가 발생했습니다 / [A-Za-z_.]+ raised ([A-Za-z]+|an exception)"
        assert first == generic or re.fullmatch(raised, first), first
        assert rest and set(rest) <= _known_hints(assignment_id), rest


# -- hint precision (issue 24): the hint a mistake gets sends its author to it --------------------------------


@pytest.mark.parametrize("assignment_id, variant", each(MUTANT, BROKEN))
def test_a_mutant_shows_no_hint_but_those_its_catalogue_entry_names(graded, assignment_id, variant):
    """By hint id: in its own unit only the hints the catalogue judged right, in any other unit none at all."""
    count = count_hints(graded(assignment_id)[variant.id])
    assert count.wrong == [], f"{variant.id} ({variant.en}) may show only {variant.hints or 'no hint'}"


@pytest.mark.parametrize("assignment_id, variant", each(BROKEN))
def test_a_broken_notebook_gives_the_message_it_must(graded, assignment_id, variant):
    """A fact of the engine (a SyntaxError, a misspelt name, an endless loop) is told in every failing test of
    the unit; a course's hint (an exception in a helper, a second definition) in at least one."""
    result = graded(assignment_id)[variant.id]
    own = [t for t in result.failed if t.unit == variant.unit]
    assert variant.hints and own
    engine = {hint.id for hint in ENGINE_HINTS} - {RETURNED_NONE.id}  # None can also fail a later, other check
    if set(variant.hints) <= engine:
        assert {t.diagnosis for t in own} <= set(variant.hints), [(t.name, t.diagnosis) for t in own]
    assert any(t.diagnosis in variant.hints for t in own), [(t.name, t.diagnosis) for t in own]


def test_every_kind_of_broken_notebook_is_in_every_catalogue():
    for assignment_id, catalogue in CATALOGUES.items():
        codes = {hint for v in all_variants(catalogue) if v.kind == BROKEN for hint in v.hints}
        assert {hint.id for hint in ENGINE_HINTS} <= codes, assignment_id
        assert any(not hint.startswith("grader.") for hint in codes), f"{assignment_id}: an exception in a helper"


@pytest.mark.parametrize("assignment_id", sorted(CATALOGUES))
def test_the_table_shows_hint_precision(runs, graded, assignment_id):
    graded(assignment_id)
    lines = precision_lines(runs[assignment_id].results)
    rows = {line.split()[0]: line.split()[1:4] for line in lines[3:] if line.startswith("  ")}
    breaking = [v.id for v in all_variants(CATALOGUES[assignment_id]) if v.kind in (MUTANT, BROKEN)]
    assert list(rows) == breaking
    assert all(wrong == "0" for _, wrong, _ in rows.values())
    assert lines[-1].startswith("hint precision: ") and " 0 wrong, " in lines[-1]
