"""Batch regrades: 34 submissions with broken ones, interrupted and resumed, sharded and merged, --force."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from grader.classroom.batch import in_shard, parse_shard
from grader.classroom.submissions import find_submissions
from grader.tests.helpers import STUDENT, grader_command, solution_cell_source, solution_notebook

UNITS = ["--public-only", "--unit", "numerical_diff", "--unit", "cross_entropy_error"]  # kept small: fast


def write_class(folder: Path) -> dict[str, str]:
    """30 notebooks and 4 broken submissions; returns student -> what it is."""
    folder.mkdir()
    kinds = {}
    solution = solution_notebook()
    for i in range(30):
        student = f"2024{i:04d}"
        kind = ("solution", "stub", "diff-only", "cee-only")[i % 4]
        if kind == "stub":
            notebook = nbformat.read(STUDENT, as_version=4)
        elif kind == "solution":
            notebook = solution
        else:
            source = solution_cell_source("numerical_diff" if kind == "diff-only" else "cross_entropy_error")
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
            notebook.cells.insert(0, nbformat.v4.new_code_cell("import numpy as np"))
        nbformat.write(notebook, folder / f"{student}.ipynb")
        kinds[student] = kind
    (folder / "not-json.ipynb").write_text("{ this is not a notebook")
    kinds["not-json"] = "broken"
    (folder / "no-notebook").mkdir()
    (folder / "no-notebook" / "notes.txt").write_text("forgot to add it")
    kinds["no-notebook"] = "ungradable"
    (folder / "two-notebooks").mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        nbformat.write(solution, folder / "two-notebooks" / name)
    kinds["two-notebooks"] = "ungradable"
    (folder / "in-folder" / "assignments").mkdir(parents=True)
    nbformat.write(solution, folder / "in-folder" / "assignments" / "ch04_learning.ipynb")
    (folder / "in-folder" / ".ipynb_checkpoints").mkdir()
    kinds["in-folder"] = "solution"
    return kinds


def batch(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        grader_command("batch", "--assignment", "ch04_learning", *args),
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )


def read_gradebook(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8-sig") as stream:  # the BOM Excel needs
        return {row["student"]: row for row in csv.DictReader(stream)}


def test_submissions_and_shards_are_found_deterministically(tmp_path):
    kinds = write_class(tmp_path / "subs")
    found = {s.student: s for s in find_submissions(tmp_path / "subs", "ch04_learning")}
    assert set(found) == set(kinds)
    assert found["in-folder"].notebook.name == "ch04_learning.ipynb"
    assert found["no-notebook"].notebook is None and "no .ipynb" in found["no-notebook"].problem
    assert "several notebooks" in found["two-notebooks"].problem
    shards = [{s for s in kinds if in_shard(s, (i, 3))} for i in (1, 2, 3)]
    assert set().union(*shards) == set(kinds) and sum(map(len, shards)) == len(kinds)
    assert all(shards)  # every shard gets work
    with pytest.raises(Exception, match="I/N"):
        parse_shard("2-3")


def test_interrupted_batch_resumes_and_shards_merge_to_the_same_gradebook(tmp_path):
    kinds = write_class(tmp_path / "subs")
    full = tmp_path / "full"
    command = grader_command(
        "batch", "--assignment", "ch04_learning", str(tmp_path / "subs"), "--out", str(full), "--seed", "7", *UNITS
    )
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while len(list((full / "results").glob("*.json"))) < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the harshest interruption: no cleanup at all
    process.wait()
    finished = list((full / "results").glob("*.json"))
    assert 8 <= len(finished) < len(kinds)
    assert all(json.loads(path.read_text())["status"] for path in finished)  # whole files only

    resumed = batch(str(tmp_path / "subs"), "--out", str(full), *UNITS)  # the seed is kept in batch.json
    assert resumed.returncode == 0, resumed.stderr
    assert f"{len(kinds)}/{len(kinds)} done" in resumed.stderr
    skipped = int(resumed.stderr.split("graded now, ")[1].split(" finished earlier")[0])
    assert skipped >= len(finished) - 2  # the ungradable ones are recorded again, the graded ones skipped
    rows = read_gradebook(full / "gradebook.csv")
    assert set(rows) == set(kinds)
    for student, kind in kinds.items():
        row = rows[student]
        if kind == "solution":
            assert (row["total"], row["status"]) == ("14", "graded"), row
        elif kind == "stub":
            assert (row["total"], row["status"]) == ("0", "graded"), row
        elif kind == "broken":  # a notebook that cannot be read is no 0: blank, with the reason's code
            assert (row["total"], row["status"], row["reason"]) == ("", "ungradable", "not-json"), row
        elif kind == "diff-only":
            assert (row["cross_entropy_error"], row["numerical_diff"]) == ("0", "5"), row
        elif kind == "cee-only":
            assert (row["cross_entropy_error"], row["numerical_diff"]) == ("9", "0"), row
        else:
            assert row["status"] == "ungradable" and row["total"] == row["numerical_diff"] == "", row  # blank, not 0
    assert "not valid JSON" in json.loads((full / "results" / "not-json.json").read_text())["errors"][0]
    assert (full / "feedback" / "20240001.md").read_text().startswith("## ch04_learning: 0 / 14")
    assert "several notebooks" in (full / "feedback" / "two-notebooks.md").read_text()

    for index in (1, 2):
        shard = batch(
            str(tmp_path / "subs"),
            "--out",
            str(tmp_path / f"shard{index}"),
            "--seed",
            "7",
            "--shard",
            f"{index}/2",
            *UNITS,
        )
        assert shard.returncode == 0, shard.stderr
    merged = subprocess.run(
        grader_command("merge", str(tmp_path / "shard1"), str(tmp_path / "shard2"), "--out", str(tmp_path / "merged")),
        capture_output=True,
        text=True,
    )
    assert merged.returncode == 0, merged.stderr
    assert (tmp_path / "merged" / "gradebook.csv").read_bytes() == (full / "gradebook.csv").read_bytes()
    assert len(read_gradebook(tmp_path / "shard1" / "gradebook.csv")) < len(kinds)


def test_rerun_skips_finished_work_and_force_redoes_it(tmp_path):
    (tmp_path / "subs").mkdir()
    nbformat.write(nbformat.read(STUDENT, as_version=4), tmp_path / "subs" / "kim.ipynb")
    arguments = [str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--unit", "numerical_diff"]
    assert "1 graded now, 0 finished earlier" in batch(*arguments).stderr
    assert "0 graded now, 1 finished earlier" in batch(*arguments).stderr
    assert "1 graded now, 0 finished earlier" in batch(*arguments, "--force").stderr


def test_merging_shards_of_different_batches_is_refused(tmp_path):
    for name, seed in (("a", 1), ("b", 2)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "batch.json").write_text(json.dumps({"assignment": "ch04_learning", "seed": seed}))
    result = subprocess.run(
        grader_command("merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "m")),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "different settings" in result.stderr
