"""Similarity: a copied-and-renamed submission ranks first; the book's code, written by many, is never a match."""

from __future__ import annotations

import re
import subprocess
import sys

from courses.ch04_learning.mutants import styles
from grader.assignment import load_assignment
from grader.classroom.similarity import _given_code, compare_class, rank_pairs
from grader.tests.classroom.class_batch import book_renamed, copied_and_renamed
from grader.tests.helpers import solution_cell_source


def test_a_renamed_copy_is_identical_and_the_books_code_is_nothing():
    given = _given_code(load_assignment("ch04_learning"))
    texts = {
        "book": solution_cell_source("numerical_gradient"),
        "book-renamed": book_renamed(),
        "own": styles._FLAT_VIEW_GRAD,
        "copy": copied_and_renamed(styles._FLAT_VIEW_GRAD),
    }
    assert copied_and_renamed(styles._FLAT_VIEW_GRAD) != styles._FLAT_VIEW_GRAD
    pairs, only_given = rank_pairs("numerical_gradient", texts, given)
    assert only_given == ["book", "book-renamed"]
    assert [(p.first, p.second) for p in pairs] == [("copy", "own")]
    assert pairs[0].shares == (1.0, 1.0) and pairs[0].shared > 100
    assert pairs[0].slices[0] and pairs[0].slices[1]  # the spans the side-by-side view marks


def test_without_the_given_code_the_book_pair_would_be_flagged():
    """The exclusion is what keeps the book's writers apart (the measure would otherwise call them copies)."""
    texts = {"book": solution_cell_source("numerical_gradient"), "book-renamed": book_renamed()}
    pairs, only_given = rank_pairs("numerical_gradient", texts, given=[])
    assert only_given == [] and [(p.first, p.second) for p in pairs] == [("book", "book-renamed")]
    assert pairs[0].score > 0.9


def test_the_class_ranks_the_copy_first_and_not_the_books_writers(graded_class):
    report = compare_class(graded_class.results)
    assert set(report.unavailable) == set()  # every graded notebook found, same bytes (not-json is not graded)
    pairs = report.pairs["numerical_gradient"]
    assert {pairs[0].first, pairs[0].second} == {"choi", "park"}
    assert pairs[0].score == 1.0
    books = {"kim", "lee", "홍길동"}
    for unit in report.units:
        assert not any({p.first, p.second} <= books for p in report.pairs[unit]), unit
    assert books <= set(report.only_given["numerical_gradient"])
    # Two students who made the same small change to the book's code (no delta in the log): alike, but the
    # change is a few characters, which a common mistake explains; not listed.
    assert not any({p.first, p.second} == {"m-delta-1", "m-delta-2"} for p in report.pairs["cross_entropy_error"])
    print(
        "numerical_gradient pairs:",
        [(p.first, p.second, round(p.shares[0], 2), round(p.shares[1], 2), p.shared) for p in pairs],
    )


def test_similarity_command_prints_the_ranking_and_what_the_measure_is(graded_class):
    done = subprocess.run(
        [sys.executable, "-m", "grader", "similarity", str(graded_class.results), "--unit", "numerical_gradient"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    first = re.search(r"^\s+1\. (\S+) ↔ (\S+)\s+(\d+)% / (\d+)%", done.stdout, re.MULTILINE)
    assert first and {first[1], first[2]} == {"choi", "park"} and first[3] == first[4] == "100", done.stdout
    assert "not: proof of copying" in done.stdout
    assert "kim ↔ lee" not in done.stdout and "lee ↔ 홍길동" not in done.stdout


def test_moved_or_changed_notebooks_are_named_and_found_again_with_submissions(graded_class, tmp_path):
    import json
    import shutil

    results = tmp_path / "results"
    shutil.copytree(graded_class.results, results)
    moved = tmp_path / "moved"
    shutil.copytree(graded_class.submissions, moved)
    park = json.loads((results / "results" / "park.json").read_text(encoding="utf-8"))
    park["notebook"] = str(tmp_path / "gone" / "park.ipynb")
    (results / "results" / "park.json").write_text(json.dumps(park), encoding="utf-8")
    (moved / "choi.ipynb").write_text((moved / "kim.ipynb").read_text(encoding="utf-8"), encoding="utf-8")

    report = compare_class(results, units=["numerical_gradient"])
    assert "give --submissions" in report.unavailable["park"]
    assert not report.pairs["numerical_gradient"] or report.pairs["numerical_gradient"][0].score < 1

    again = compare_class(results, units=["numerical_gradient"], submissions=moved)
    assert "park" not in again.unavailable
    assert "changed since it was graded" in again.unavailable["choi"]  # other bytes than the ones graded
