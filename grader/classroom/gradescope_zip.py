"""Kit -> Gradescope's autograder zip for one assignment: only what grading that assignment needs.

The zip holds ``setup.sh`` and ``run_autograder`` (``templates/gradescope/``), ``gradescope.json``
naming the assignment (``run_autograder`` reads it: one zip, one assignment), a ``pyproject.toml``
that installs the grader and this assignment's course package with the core dependencies only (no
staff or developer tools), and the grader package, the course package, the rubric, the solution, both
suites and the rubric's data. Never the kit's own tests, a mutant catalogue, another assignment, the
git history, caches or results.
"""

from __future__ import annotations

import json
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

from grader.assignment import KIT_ROOT, Assignment, load_assignment

TEMPLATE_DIR = KIT_ROOT / "templates" / "gradescope"
CONFIG_FILE = "gradescope.json"
SKIPPED_PARTS = {"tests", "mutants", "__pycache__", ".ipynb_checkpoints"}  # the kit's tests and catalogues
SCRIPTS = ("setup.sh", "run_autograder")


def _files(folder: Path) -> Iterator[Path]:
    """Every file under ``folder`` (kit-relative paths), without the kit's tests, catalogues and caches."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(KIT_ROOT)
        if path.is_file() and not SKIPPED_PARTS & set(relative.parts) and path.suffix not in (".pyc", ".pyo"):
            yield relative


def zip_contents(assignment: Assignment) -> list[Path]:
    """The kit-relative files the zip copies as they are, for one assignment."""
    course = KIT_ROOT / Path(*assignment.package.split("."))
    folders = [KIT_ROOT / "grader", course, KIT_ROOT / "tests_public" / assignment.id]
    folders += [KIT_ROOT / "tests_hidden" / assignment.id, *(KIT_ROOT / item for item in assignment.data)]
    single = [Path("courses/__init__.py"), assignment.rubric_path.relative_to(KIT_ROOT)]
    single.append(Path("solutions") / f"{assignment.id}.ipynb")
    found = [
        path for folder in folders for path in ([folder.relative_to(KIT_ROOT)] if folder.is_file() else _files(folder))
    ]
    return sorted(set(found) | set(single))


def _pyproject(files: list[Path]) -> str:
    """The kit's project, its packages narrowed to those in the zip and its extras dropped."""
    project = tomllib.loads((KIT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    packages = sorted(".".join(path.parent.parts) for path in files if path.name == "__init__.py")
    packages = [name for name in packages if name.split(".")[0] in ("grader", "courses")]
    dependencies = ",\n".join(f"    {json.dumps(item)}" for item in project["dependencies"])
    return (
        '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{project["name"]}-gradescope"\nversion = "{project["version"]}"\n'
        f'requires-python = "{project["requires-python"]}"\ndependencies = [\n{dependencies},\n]\n\n'
        f"[tool.setuptools]\npackages = {json.dumps(packages)}\n\n"
        '[tool.setuptools.package-data]\n"grader.pipeline" = ["*.ini"]\n'
    )


def build_autograder_zip(assignment_id: str, out: Path) -> Path:
    """Write Gradescope's autograder zip for ``assignment_id`` to ``out``; returns ``out``."""
    assignment = load_assignment(assignment_id)
    files = zip_contents(assignment)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for script in SCRIPTS:  # executable: Gradescope runs them as they are
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o755 << 16
            archive.writestr(info, (TEMPLATE_DIR / script).read_bytes(), zipfile.ZIP_DEFLATED)
        archive.writestr(CONFIG_FILE, json.dumps({"assignment": assignment.id}, indent=2) + "\n")
        archive.writestr("pyproject.toml", _pyproject(files))
        for path in files:
            archive.write(KIT_ROOT / path, path.as_posix())
    return out
