"""The kit's documents point only at files inside the repository, and say what the code does.

A clone holds nothing outside the repository, so every relative Markdown link and every
backticked repository path in README.md, SECURITY.md, CONTRIBUTING.md and docs/*.md must name a
file or folder of the repository (and an existing heading when it has an anchor). No document,
source or comment may send the reader to the course's shared folder beside the checkout. The
threat table of docs/THREATS.md must list exactly the hostile fixtures whose headers name each
id, and docs/MISTAKES.md every mutant of the catalogue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest


def _repository_root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "pyproject.toml").is_file() and (folder / "README.md").is_file():
            return folder
    raise AssertionError("no repository root (pyproject.toml and README.md) above this test")


ROOT = _repository_root()
# Local state, not part of the repository: a backticked path starting here is not a claim about it.
LOCAL_ONLY = {".git", ".venv", ".ruff_cache", ".pytest_cache"}
# The folder of course material outside the repository that documents must no longer point to.
OUTSIDE = re.compile(r"\.\./shared\b|/work/(?:shared)\b")  # spelt so that this file does not match

FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.M | re.S)
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^()\s<>]+(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)"
)
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.M)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
PATH_LIKE = re.compile(r"^(?:\.{1,2}/)*[\w.-]+(?:/[\w.-]+)*/?$")
URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class Reference:
    """One place a document names a file: a Markdown link or a backticked path."""

    document: Path
    line: int
    kind: str  # "link" or "path"
    target: str


def documents(root: Path = ROOT) -> list[Path]:
    """The Markdown documents whose links must resolve."""
    named = [root / name for name in ("README.md", "SECURITY.md", "CONTRIBUTING.md")]
    return [path for path in named if path.is_file()] + sorted((root / "docs").glob("*.md"))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _blank_fences(text: str) -> str:
    """The text with fenced code blocks blanked out (kept line for line): links there are not links."""
    return FENCE.sub(lambda match: re.sub(r"[^\n]", " ", match.group(0)), text)


def references(document: Path, root: Path = ROOT) -> list[Reference]:
    """Every relative link and every backticked repository path in ``document``."""
    text = _blank_fences(document.read_text(encoding="utf-8"))
    found = []
    spans = [(m.start(), m.end()) for m in CODE_SPAN.finditer(text)]
    for pattern in (INLINE_LINK, REFERENCE_DEFINITION):
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end in spans):
                continue  # a link written inside a code span is shown, not followed
            target = match.group(1)
            if not URL.match(target):
                found.append(Reference(document, _line_of(text, match.start()), "link", target))
    for match in CODE_SPAN.finditer(text):
        content = match.group(2).strip()
        if not PATH_LIKE.match(content):
            continue
        first = content.split("/", 1)[0]
        relative = first in (".", "..")
        # Only a path that starts at a top-level entry of the repository (or relative to the document) is a
        # claim about the repository; `/tmp`, `trampgeek/jobe` or `x.reshape` are not.
        if "/" in content and (relative or ((root / first).exists() and first not in LOCAL_ONLY)):
            found.append(Reference(document, _line_of(text, match.start()), "path", content))
    return found


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip().lower())
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    """Every heading anchor of a Markdown document (repeated headings get -1, -2, ...)."""
    seen: dict[str, int] = {}
    result = set()
    for match in re.finditer(
        r"^ {0,3}#{1,6}\s+(.+?)\s*#*\s*$", _blank_fences(document.read_text(encoding="utf-8")), re.M
    ):
        anchor = github_anchor(match.group(1))
        count = seen.get(anchor, 0)
        result.add(anchor if count == 0 else f"{anchor}-{count}")
        seen[anchor] = count + 1
    return result


def problem(reference: Reference, root: Path = ROOT) -> str | None:
    """Why ``reference`` does not resolve inside the repository, or None when it does."""
    target = reference.target
    path_part, _, anchor = target.partition("#")
    if reference.kind == "link" and target.startswith("/"):
        return "an absolute path: write it relative to the document"
    if reference.kind == "path" and not path_part.startswith(("./", "../")):
        base = root  # prose names repository paths from the repository's root
    else:
        base = reference.document.parent
    resolved = (base / path_part).resolve() if path_part else reference.document.resolve()
    if not resolved.is_relative_to(root.resolve()):
        return f"points outside the repository ({resolved})"
    if not resolved.exists():
        return f"no such file or folder in the repository ({resolved.relative_to(root.resolve())})"
    if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
        return f"no heading with the anchor #{anchor} in {resolved.name}"
    return None


def broken(root: Path = ROOT) -> list[str]:
    """Every reference of every document that does not resolve, as 'file:line: target: why'."""
    messages = []
    for document in documents(root):
        for reference in references(document, root):
            why = problem(reference, root)
            if why:
                messages.append(f"{document.relative_to(root)}:{reference.line}: {reference.target}: {why}")
    return messages


# -- the checker itself ---------------------------------------------------------------------------


@pytest.fixture
def fake_repository(tmp_path):
    """A small repository with one document of each kind of reference, good and bad."""
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "grader" / "pipeline").mkdir(parents=True)
    (root / "grader" / "pipeline" / "report.py").write_text("")
    (root / "pyproject.toml").write_text("")
    (root / "SECURITY.md").write_text("# Security\n\n## The design / 설계\n")
    (root / "README.md").write_text(
        "# Kit\n\n"
        "[ok](docs/CONTRACT.md) [anchor](SECURITY.md#the-design--설계) [web](https://example.org/x)\n"
        "[missing](docs/NOPE.md)\n"
        "[escape](../outside.md)\n"
        "[bad anchor](SECURITY.md#no-such-heading)\n"
        "[absolute](/etc/passwd)\n"
        "`grader/pipeline/report.py` `grader/nope.py` `/tmp/x` `trampgeek/jobe` `x.reshape(-1)`\n"
        "```\n[in a fence](docs/FENCED.md)\n```\n"
        "`[in a code span](docs/SPAN.md)`\n"
        "[ref]: docs/REF.md\n"
    )
    (root / "docs" / "CONTRACT.md").write_text("See [the readme](../README.md) and `../grader/pipeline/report.py`.\n")
    (tmp_path / "outside.md").write_text("outside, but present: a link to it must still fail")
    return root


def test_the_checker_finds_every_kind_of_broken_reference(fake_repository):
    messages = broken(fake_repository)
    flagged = {message.split(": ")[1] for message in messages}
    assert flagged == {
        "docs/NOPE.md",
        "../outside.md",
        "SECURITY.md#no-such-heading",
        "/etc/passwd",
        "grader/nope.py",
        "docs/REF.md",
    }, messages
    assert any("outside the repository" in message for message in messages)


def test_the_checker_reads_links_paths_and_anchors_as_written(fake_repository):
    found = {
        (r.document.name, r.kind, r.target) for d in documents(fake_repository) for r in references(d, fake_repository)
    }
    assert ("README.md", "link", "docs/CONTRACT.md") in found
    assert ("README.md", "path", "grader/pipeline/report.py") in found
    assert ("CONTRACT.md", "link", "../README.md") in found
    assert ("CONTRACT.md", "path", "../grader/pipeline/report.py") in found
    assert not {target for _, _, target in found} & {"/tmp/x", "trampgeek/jobe", "docs/FENCED.md", "docs/SPAN.md"}
    assert github_anchor("The design / 설계") == "the-design--설계"
    assert github_anchor("Speed / 속도 (`make bench`)") == "speed--속도-make-bench"


# -- the repository's documents -------------------------------------------------------------------


def test_every_link_and_path_in_the_documents_resolves_inside_the_repository():
    names = {path.relative_to(ROOT).as_posix() for path in documents()}
    assert {"README.md", "SECURITY.md", "docs/CONTRACT.md", "docs/THREATS.md", "docs/MISTAKES.md"} <= names
    checked = [reference for document in documents() for reference in references(document)]
    assert len([r for r in checked if r.kind == "link"]) >= 20  # the documents do link: the parser found them
    assert not broken(), "\n".join(broken())


def _text_files(*places: Path):
    for place in places:
        for path in [place] if place.is_file() else sorted(place.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                try:
                    yield path, path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    continue  # binary data (notebooks' images, npz files) names no document


def test_nothing_points_to_the_course_folder_outside_the_repository():
    places = [ROOT / "grader", ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "docs"]
    scanned, hits = 0, []
    for path, text in _text_files(*places):
        scanned += 1
        for match in OUTSIDE.finditer(text):
            hits.append(f"{path.relative_to(ROOT)}:{_line_of(text, match.start())}: {match.group(0)}")
    assert scanned > 50  # the grader package, the fixtures and the documents were all read
    assert not hits, "\n".join(hits)


def test_the_outside_pattern_would_catch_the_old_references():
    old = "".join(("..", "/", "shared", "/THREATS.md"))  # written so that this file itself stays clean
    assert OUTSIDE.search(f"The catalogue is `{old}`.")
    assert not OUTSIDE.search("shared by all its workers")


# -- the documents say what the code does ----------------------------------------------------------


def _fixture_threats() -> dict[str, set[str]]:
    """Threat id -> the hostile fixtures whose `# threat:` header names it."""
    folders = sorted({path.parent for path in ROOT.glob("grader/**/fixtures/hostile/*.py")})
    assert folders, "no hostile fixtures found"
    result: dict[str, set[str]] = {}
    for folder in folders:
        for path in folder.glob("*.py"):
            header = re.search(r"^# threat:(.*)$", path.read_text(encoding="utf-8"), re.M)
            assert header, f"{path.name} has no '# threat:' header"
            for threat in re.findall(r"T\d+", header.group(1)):
                result.setdefault(threat, set()).add(path.stem)
    return result


def _documented_threats() -> dict[str, set[str]]:
    """Threat id -> the fixtures docs/THREATS.md lists in its catalogue row."""
    rows = re.findall(r"^\| (T\d+) \|(.*)\|\s*$", (ROOT / "docs" / "THREATS.md").read_text(encoding="utf-8"), re.M)
    result = {}
    for threat, rest in rows:
        result[threat] = set(re.findall(r"\]\([^)]*/fixtures/hostile/(\w+)\.py\)", rest))
    return result


def test_the_threat_catalogue_lists_t1_to_t36_with_the_fixtures_that_cover_each():
    documented = _documented_threats()
    assert sorted(documented, key=lambda t: int(t[1:])) == [f"T{n}" for n in range(1, 37)]
    covered = _fixture_threats()
    assert set(covered) <= set(documented), f"fixtures name unknown ids: {sorted(set(covered) - set(documented))}"
    differences = {
        threat: {
            "in the headers only": sorted(covered.get(threat, set()) - listed),
            "in THREATS.md only": sorted(listed - covered.get(threat, set())),
        }
        for threat, listed in documented.items()
        if listed != covered.get(threat, set())
    }
    assert not differences, differences


def test_every_mutant_and_every_mistake_row_the_catalogue_cites_is_in_mistakes_md():
    from courses.ch04_learning.mutants.catalogue import MUTANTS

    text = (ROOT / "docs" / "MISTAKES.md").read_text(encoding="utf-8")
    rows = {int(number) for number in re.findall(r"^\| (\d+) \|", text, re.M)}
    assert rows == set(range(1, 11))
    missing = [variant.id for variant in MUTANTS if f"`{variant.id}`" not in text]
    assert not missing, f"mutants not described in docs/MISTAKES.md: {missing}"
    cited = {int(n) for variant in MUTANTS for n in re.findall(r"MISTAKES #(\d+)", variant.seen)}
    assert cited and cited <= rows


def test_every_hint_mistakes_md_names_exists():
    from courses.ch04_learning import hints as ch04_hints
    from grader.pipeline.checks import Text

    hints = {name for name, value in vars(ch04_hints).items() if isinstance(value, Text)}
    text = (ROOT / "docs" / "MISTAKES.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:CEE|DIFF|GRAD|GD|NET|GLOBAL)_[A-Z0-9_]+)`", text))
    assert len(named) >= 20
    assert named <= hints, f"unknown hints: {sorted(named - hints)}"
