"""Exports: Gradescope's results.json against their specification, Canvas and Moodle gradebook CSVs."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import jsonschema

from grader.classroom.exports import canvas_csv, gradescope_results, moodle_csv, read_roster
from grader.classroom.gradebook import result_path, write_atomic
from grader.pipeline.report import to_json_data
from grader.tests.helpers import grader_command, notebook_from_cells, solution_cell_source

VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
# Gradescope autograder specification (gradescope-autograders.readthedocs.io, "Output format").
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["tests"],
    "anyOf": [{"required": ["score"]}, {"properties": {"tests": {"items": {"required": ["score"]}}}}],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "max_score", "visibility"],
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number"},
                    "max_score": {"type": "number"},
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "tags": {"type": "array"},
                    "visibility": VISIBILITY,
                    "status": {"enum": ["passed", "failed"]},
                    "name_format": {"type": "string"},
                    "output_format": {"type": "string"},
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}
WRONG_CEE = "import numpy as np\ndef cross_entropy_error(y, t):\n    return 0.5\n"


def test_gradescope_results_follow_the_spec_and_hide_hidden_inputs(grade):
    cells = ["import numpy as np", solution_cell_source("numerical_diff"), WRONG_CEE]
    report = to_json_data(grade(notebook_from_cells(cells), units=["numerical_diff", "cross_entropy_error"]))
    results = gradescope_results(report)
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["score"] == report["score"] == sum(t["score"] for t in results["tests"])
    assert sum(t["max_score"] for t in results["tests"]) == report["max_score"] == 30
    graded = [t for t in results["tests"] if "staff" not in t["tags"]]  # the sandbox's warnings, when any
    hidden = [t for t in graded if t["name"].endswith("(hidden)")]
    public = [t for t in graded if not t["name"].endswith("(hidden)")]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["visibility"] == "visible" for t in public)
    failing_public = [t for t in public if t["status"] == "failed"]
    assert failing_public and any("expected" in t["output"] for t in failing_public)  # public shows the values
    failing_hidden = [t for t in hidden if t["status"] == "failed"]
    assert failing_hidden and not any("expected" in t["output"] or "call" in t["output"] for t in failing_hidden)


def test_grade_writes_gradescope_results_as_run_autograder_does(tmp_path):
    notebook = tmp_path / "submission.ipynb"
    notebook.write_text(json.dumps(notebook_from_cells(["import numpy as np", solution_cell_source("numerical_diff")])))
    result = subprocess.run(
        grader_command(
            "grade",
            str(notebook),
            "--assignment",
            "ch04_learning",
            "--unit",
            "numerical_diff",
            "--gradescope",
            str(tmp_path / "results.json"),
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    assert results["score"] == 10 and all(t["status"] == "passed" for t in results["tests"] if "staff" not in t["tags"])


def test_layers_the_grading_lacked_reach_staff_only():
    report = {
        "score": 0.0,
        "functions": [],
        "isolation": {
            "layers": ["seccomp"],
            "missing": {"hidden-files": "other users can read solutions", "bubblewrap": "bwrap is not installed"},
        },
    }
    results = gradescope_results(report)
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    (staff,) = results["tests"]
    assert staff["visibility"] == "hidden" and staff["max_score"] == staff["score"] == 0
    assert "no hidden-files: other users can read solutions" in staff["output"] and "bwrap" in staff["output"]
    assert "hidden-files" not in results["output"]  # students see the top-level output
    assert (
        gradescope_results({"score": 0.0, "functions": [], "isolation": {"layers": [], "missing": {}}})["tests"] == []
    )


def write_results(folder, scores: dict[str, float | None]) -> None:
    for student, score in scores.items():
        status = "ungradable" if score is None else "graded"
        data = {
            "student": student,
            "status": status,
            "score": score or 0.0,
            "max_score": None if score is None else 100.0,
            "functions": [],
        }
        write_atomic(result_path(folder, student), json.dumps(data))


def test_canvas_csv_has_the_columns_canvas_imports(tmp_path):
    write_results(tmp_path, {"20240001": 87.5, "20240002": 100.0, "20240003": None})
    (tmp_path / "roster.csv").write_text(
        'student,name,canvas_id,sis_user_id,section,email\n20240001,"Kim, Minji",1234,S-1,01,kim@u.ac.kr\n'
    )
    text = canvas_csv(tmp_path, assignment_name="Ch04 Learning (5678)", roster=read_roster(tmp_path / "roster.csv"))
    assert text.startswith("\ufeffStudent,")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Ch04 Learning (5678)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"]
    assert rows[2] == ["Kim, Minji", "1234", "S-1", "", "01", "87.5"]
    assert rows[3][2:] == ["20240002", "", "", "100"] and rows[4][-1] == ""  # ungradable: blank, not 0
    assert text.endswith("\r\n")


def test_moodle_csv_maps_an_identifier_to_a_grade(tmp_path):
    write_results(tmp_path, {"20240001": 87.5, "20240002": 42.0})
    (tmp_path / "roster.csv").write_text("student,idnumber,email\n20240002,S-2,lee@u.ac.kr\n")
    text = moodle_csv(tmp_path, grade_column="ch04_learning", roster=read_roster(tmp_path / "roster.csv"))
    assert text.startswith("\ufeffidnumber,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert list(rows[0]) == ["idnumber", "email", "ch04_learning"]
    assert rows == [
        {"idnumber": "20240001", "email": "", "ch04_learning": "87.5"},
        {"idnumber": "S-2", "email": "lee@u.ac.kr", "ch04_learning": "42"},
    ]
    assert all(float(row["ch04_learning"]) >= 0 for row in rows)


def test_export_misuse_is_one_line_and_status_2(tmp_path):
    """A missing report or results folder is the user's to fix: one line naming it, exit 2, no traceback."""
    import subprocess

    for args in (["gradescope", str(tmp_path / "missing.json")], ["canvas", str(tmp_path / "nothing-here")]):
        result = subprocess.run(
            grader_command("export", *args, "--out", str(tmp_path / "out")),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and args[1] in result.stderr
        assert not (tmp_path / "out").exists()
