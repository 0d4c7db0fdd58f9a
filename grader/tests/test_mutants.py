"""The mutant catalogue holds: every mistake costs points in its own unit and nowhere else, every style scores 100.

The whole catalogue is graded once per session (two processes, about a minute), with the reference
loaded once per process; the tests below read that one run.
"""

from __future__ import annotations

import re

import pytest

from grader.assignment import load_assignment
from grader.checks import Text
from grader.course import ch04_hints
from grader.mutants import all_variants, run_catalogue
from grader.mutants.catalogue import MUTANTS
from grader.mutants.run import GRADING_SEED, UNITS, grade_variants
from grader.mutants.styles import STYLES
from grader.mutants.variants import (
    HARMLESS,
    MUTANT,
    STYLE,
    Replace,
    VariantError,
    build_notebook,
    mutant,
    solution_notebook,
)

OTHER_SEED = 7  # the styles are graded again with other hidden inputs
HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="session")
def catalogue():
    """One graded run over every variant: id -> VariantResult."""
    run = run_catalogue(processes=2, seed=GRADING_SEED)
    return {result.variant.id: result for result in run.results}


@pytest.fixture(scope="session")
def styles_other_seed():
    """The styles and harmless changes graded with another grading seed."""
    return {r.variant.id: r for r in grade_variants(STYLES, processes=2, seed=OTHER_SEED)}


# -- the catalogue as data (fast) ---------------------------------------------------------------


def test_the_catalogue_is_large_and_covers_every_unit():
    assert len(MUTANTS) >= 40
    assert len([s for s in STYLES if s.kind == STYLE]) >= 8
    ids = [v.id for v in all_variants()]
    assert len(ids) == len(set(ids)), "variant ids must be unique"
    rubric_units = {unit.name for unit in load_assignment("ch04_learning").units}
    assert {m.unit for m in MUTANTS} == set(UNITS) and set(UNITS) <= rubric_units
    for unit in UNITS:
        assert sum(m.unit == unit for m in MUTANTS) >= 5, unit


@pytest.mark.parametrize("variant", all_variants(), ids=lambda v: v.id)
def test_every_variant_is_described_in_both_languages_and_changes_the_notebook(variant):
    assert HANGUL.search(variant.ko), f"{variant.id}: the Korean description has no Korean"
    assert variant.en and not HANGUL.search(variant.en)
    assert variant.kind in (MUTANT, STYLE, HARMLESS) and (variant.unit is not None) == (variant.kind == MUTANT)
    solution = [cell.source for cell in solution_notebook().cells]
    changed = [cell.source for cell in build_notebook(variant).cells]
    assert (changed != solution) == bool(variant.edits), f"{variant.id}: its edits must change the notebook"


def test_an_edit_that_no_longer_applies_is_an_error():
    stale = mutant("stale", "cross_entropy_error", "낡음", "stale", Replace("cross_entropy_error", "no such text", ""))
    with pytest.raises(VariantError, match="occurs 0 times"):
        build_notebook(stale)


# -- the graded run ------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_a_mutant_loses_points_in_its_unit_and_nowhere_else(catalogue, variant):
    result = catalogue[variant.id]
    assert result.internal_errors == []
    assert result.lost[variant.unit] > 0, f"{variant.id} survived: {variant.en}"
    assert {unit: lost for unit, lost in result.lost.items() if unit != variant.unit and lost} == {}


@pytest.mark.parametrize("style", STYLES, ids=lambda v: v.id)
def test_a_correct_style_scores_full_marks(catalogue, styles_other_seed, style):
    for result in (catalogue[style.id], styles_other_seed[style.id]):
        failing = [f"{t.unit}.{t.name}: {t.message}" for t in result.failed]
        assert result.score == result.max_score == 100.0, failing
        assert result.internal_errors == []


def test_the_public_suite_alone_catches_most_mutants(catalogue):
    caught = [m.id for m in MUTANTS if catalogue[m.id].public_caught]
    assert len(caught) / len(MUTANTS) >= 0.7, sorted(set(m.id for m in MUTANTS) - set(caught))


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_public_feedback_says_what_was_called_and_hints(catalogue, variant):
    public = [t for t in catalogue[variant.id].failed if t.suite == "public"]
    assert public
    for test in public:
        assert "힌트 / hint: " in test.message, f"{test.name} gives no hint:\n{test.message}"
        if test.outcome == "failed":  # what came back: a value, or what kind of thing it was
            assert "호출 / call: " in test.message, test.message
            assert "받은 값 / got: " in test.message or " returned " in test.message.splitlines()[0], test.message
        else:
            assert test.outcome == "error" and " raised " in test.message, test.message


def _known_hints() -> set[str]:
    """Every hint the suites can give, rendered in both languages: fixed texts, no inputs in them."""
    return {f"힌트 / hint: {value.render('both')}" for value in vars(ch04_hints).values() if isinstance(value, Text)}


@pytest.mark.parametrize("variant", MUTANTS, ids=lambda v: v.id)
def test_hidden_feedback_never_shows_inputs_or_expected_values(catalogue, variant):
    generic = "숨은 테스트에서 결과가 틀렸습니다. / a hidden test got a wrong result."
    for test in (t for t in catalogue[variant.id].failed if t.suite == "hidden"):
        first, *rest = test.message.splitlines()
        assert first == generic or re.fullmatch(r"[A-Za-z_.]+ raised ([A-Za-z]+|an exception)", first), first
        assert rest and set(rest) <= _known_hints(), rest
