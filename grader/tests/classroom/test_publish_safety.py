"""publish --out is safe and per assignment: a folder it did not write is refused, a student's edited notebook
is never overwritten, and everything in a student repository is its own assignment's."""

from __future__ import annotations

import json
import tomllib

import pytest

from grader.assignment import load_assignment
from grader.classroom.publish import PublishError
from grader.classroom.student_repo import MARKER, publish_repository

TOP_LEVEL = ("README.md", "Makefile", "pyproject.toml", ".github/workflows/autograde.yml")


def test_a_folder_publish_did_not_write_is_refused_unless_forced(tmp_path):
    (tmp_path / "notes.txt").write_text("a TA's own file", encoding="utf-8")
    with pytest.raises(PublishError, match="--force"):
        publish_repository(tmp_path, "ch04_learning")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # refused before writing anything
    publish_repository(tmp_path, "ch04_learning", force=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "a TA's own file"
    assert json.loads((tmp_path / MARKER).read_text(encoding="utf-8"))["assignment"] == "ch04_learning"


def test_publishing_again_keeps_a_students_edited_notebook_and_says_so(tmp_path):
    said: list[str] = []
    out = publish_repository(tmp_path / "repo", "ch04_learning", say=said.append)
    notebook = out / "assignments" / "ch04_learning.ipynb"
    stub = notebook.read_text(encoding="utf-8")
    publish_repository(out, "ch04_learning", say=said.append)  # unchanged: refreshed in place, nothing to say
    assert said == [] and notebook.read_text(encoding="utf-8") == stub
    edited = stub.replace("raise NotImplementedError", "pass  # my work", 1)
    notebook.write_text(edited, encoding="utf-8")
    publish_repository(out, "ch04_learning", force=True, say=said.append)  # not even --force overwrites it
    assert notebook.read_text(encoding="utf-8") == edited
    assert (out / "assignments" / "ch04_learning.published.ipynb").read_text(encoding="utf-8") == stub
    assert len(said) == 1 and "kept" in said[0] and "그대로" in said[0]


def test_another_assignments_repository_is_refused(tmp_path):
    publish_repository(tmp_path, "ch04_learning")
    with pytest.raises(PublishError, match="ch04_learning"):
        publish_repository(tmp_path, "ch03_networks")


@pytest.mark.parametrize(("mine", "other"), [("ch03_networks", "ch04_learning"), ("ch04_learning", "ch03_networks")])
def test_a_student_repository_names_only_its_own_assignment(tmp_path, mine, other):
    out = publish_repository(tmp_path / mine, mine)
    own, foreign = load_assignment(mine), load_assignment(other)
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert own.title in readme and f'check("{own.units[0].name}")' in readme
    assert "4장" not in readme or mine == "ch04_learning"
    own_names = {unit.name for unit in own.units}
    for path in TOP_LEVEL:
        text = (out / path).read_text(encoding="utf-8")
        assert other not in text, path
        for unit in foreign.units:
            if unit.name not in own_names:
                assert f'"{unit.name}"' not in text and f"`{unit.name}`" not in text, (path, unit.name)

    # Students install what grading needs, not the staff's class report and similarity libraries.
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = " ".join(project["dependencies"] + sum(project.get("optional-dependencies", {}).values(), []))
    assert "numpy" in names and "matplotlib" not in names and "copydetect" not in names
