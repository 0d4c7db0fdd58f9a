"""Similarity across a class: per graded unit, the pairs of submissions whose code is alike, ranked.

Built on copydetect (the winnowing of MOSS, Schleimer, Wilkerson and Aiken, SIGMOD 2003): each
unit's source is tokenised by Pygments with every name turned into one letter and comments and
whitespace dropped, so renaming variables or rewording comments changes nothing; its k-grams
are fingerprinted. Fingerprints of the starter notebook and of the book's own code (the
instructor notebook holds the book's version) are removed first, so students who all wrote the
book's code share nothing and are not listed. A pair's figure is the share of each one's
remaining code that the other also has.

Report, do not accuse: a high figure says two texts are alike after this normalisation, not
who wrote what, nor that anyone copied (short units, a hint given in class or a shared study
group give alike code too). Nothing here runs student code; notebooks are read with the same
bounded extraction as grading.
"""

from __future__ import annotations

import html
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from copydetect import CodeFingerprint, compare_files

from grader.assignment import Assignment, load_assignment
from grader.classroom import gradebook
from grader.classroom.class_summary import ClassReportError
from grader.classroom.submissions import file_digest, find_submissions
from grader.pipeline.grade import read_and_extract
from grader.pipeline.inert import md_code, one_line

NOISE = 25  # k: characters of normalised code in one fingerprint (copydetect's default noise threshold)
GUARANTEE = 25  # any match this long is found: window = GUARANTEE - NOISE + 1 (copydetect's default)
MIN_SHARED = 40  # normalised characters two submissions must share beyond starter and book code to be listed
LISTED = 0.5  # a pair is listed when one side shares at least this much of its own code
MAX_PAIRS = 50  # per unit, in the report
SOURCE_LIMIT = 20_000  # characters of one unit's source shown side by side
MEASURE = (
    "What the figure is: for each of the two submissions, the share of its code for this unit (after names, "
    "comments, whitespace, the starter code and the book's code are taken out) that the other submission "
    "also has, by copydetect's winnowing (k = {k} normalised characters). What it is not: proof of copying or "
    "of who copied whom. Short units, a hint given in class or working together give alike code too. Read both "
    "sides, then talk to the students. / 유사도는 이름·주석·공백·시작 코드·교재 코드를 뺀 뒤 두 코드가 겹치는 비율입니다. "
    "표절의 증거가 아닙니다: 두 코드를 직접 읽고 학생과 이야기하세요."
)


@dataclass
class Pair:
    """Two submissions of one unit, and how alike they are."""

    unit: str
    first: str
    second: str
    shares: tuple[float, float]  # share of each side's own (non-starter, non-book) code the other also has
    shared: int  # normalised characters in common
    sources: tuple[str, str]
    slices: tuple[list[tuple[int, int]], list[tuple[int, int]]]  # alike spans of each source

    @property
    def score(self) -> float:
        """The larger share: a submission copied into a longer one is still listed."""
        return max(self.shares)


@dataclass
class SimilarityReport:
    """Every unit's ranked pairs, and what could not be compared."""

    units: list[str]
    pairs: dict[str, list[Pair]] = field(default_factory=dict)
    compared: dict[str, int] = field(default_factory=dict)  # unit -> submissions that define it
    only_given: dict[str, list[str]] = field(default_factory=dict)  # unit -> students whose code is all starter/book
    unavailable: dict[str, str] = field(default_factory=dict)  # student -> why the notebook could not be read


def compare_class(
    results_dir: Path, *, units: list[str] | None = None, submissions: Path | None = None
) -> SimilarityReport:
    """Compare every graded submission of a results folder with every other, unit by unit."""
    results = gradebook.read_results(results_dir)
    if not results:
        raise ClassReportError(
            f"{results_dir} holds no readable result (give the --out folder of a batch)",
            ko=f"{results_dir}에 읽을 수 있는 결과가 없습니다 (배치의 --out 폴더를 주세요)",
        )
    batch = gradebook.read_batch(results_dir) or {}
    assignment = load_assignment(str(batch.get("assignment") or next(iter(results.values()))["assignment"]))
    wanted = [assignment.unit(name).name for name in units] if units else list(batch.get("units") or [])
    wanted = wanted or [unit.name for unit in assignment.units]
    report = SimilarityReport(units=[])
    paths = _notebooks(results, submissions, assignment.id, report)
    sources = {student: _unit_sources(path, wanted, student, report) for student, path in paths.items()}
    given = _given_code(assignment)
    for unit in wanted:
        texts = {student: found[unit] for student, found in sorted(sources.items()) if unit in found}
        if not texts:
            continue  # no one defines it: the kit's own procedure (train_neuralnet), not student code
        report.units.append(unit)
        report.compared[unit] = len(texts)
        report.pairs[unit], report.only_given[unit] = rank_pairs(unit, texts, given)
    return report


def rank_pairs(unit: str, texts: dict[str, str], given: list[str]) -> tuple[list[Pair], list[str]]:
    """(listed pairs, most alike first; students whose code is only the given and book code)."""
    boilerplate = _boilerplate(given)
    prints = {
        student: CodeFingerprint(f"{student}.py", NOISE, GUARANTEE - NOISE + 1, boilerplate, fp=io.StringIO(text))
        for student, text in texts.items()
    }
    only_given = sorted(student for student, found in prints.items() if not found.hashes)
    pairs = []
    for first, second in itertools.combinations(sorted(prints), 2):
        shared, shares, slices = compare_files(prints[first], prints[second])
        if shared < MIN_SHARED or max(shares) < LISTED:
            continue
        pairs.append(
            Pair(
                unit,
                first,
                second,
                (float(shares[0]), float(shares[1])),
                int(shared),
                (texts[first], texts[second]),
                (_spans(slices[0]), _spans(slices[1])),
            )
        )
    pairs.sort(key=lambda pair: (-pair.score, -pair.shared, pair.first, pair.second))
    return pairs, only_given


def _boilerplate(given: list[str]) -> np.ndarray:
    """Every fingerprint of the starter and book code (window 1: all of them, as copydetect does)."""
    hashes = [h for text in given for h in CodeFingerprint("given.py", NOISE, 1, fp=io.StringIO(text)).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


def _given_code(assignment: Assignment) -> list[str]:
    """The starter notebook's code and the book's (the instructor notebook's definitions)."""
    given = []
    for path in (assignment.student_notebook, assignment.solution_notebook):
        if path.is_file():
            _, extraction, _ = read_and_extract(path)
            given += [snippet.source for snippet in extraction.snippets] if extraction else []
    return given


def _notebooks(
    results: dict[str, dict[str, Any]], submissions: Path | None, assignment_id: str, report: SimilarityReport
) -> dict[str, Path]:
    """student -> the notebook its result was graded from (same bytes), for every graded student."""
    graded = {student: result for student, result in results.items() if not gradebook.is_ungradable(result)}
    if submissions is not None:
        found = {s.student: s.notebook for s in find_submissions(submissions, assignment_id) if s.notebook}
    else:
        found = {student: Path(str(result.get("notebook") or "")) for student, result in graded.items()}
    paths = {}
    for student, result in sorted(graded.items()):
        path = found.get(student)
        if path is None or not path.is_file():
            report.unavailable[student] = f"notebook not found ({path}); give --submissions DIR"
        elif result.get("source_sha256") and file_digest(path) != result["source_sha256"]:
            report.unavailable[student] = f"{path} changed since it was graded"
        else:
            paths[student] = path
    return paths


def _unit_sources(path: Path, units: list[str], student: str, report: SimilarityReport) -> dict[str, str]:
    """unit -> the source of its last definition in the notebook (the one grading used)."""
    _, extraction, problem = read_and_extract(path)
    if extraction is None:
        report.unavailable[student] = one_line(problem or "unreadable", 300)
        return {}
    sources = {}
    for snippet in extraction.snippets:
        for unit in units:
            if unit in snippet.names and snippet.kind in ("def", "class"):
                sources[unit] = snippet.source
    return sources


def _spans(slices: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """copydetect's slices of one side (a 2 × n array of starts and ends) as (start, end) pairs."""
    if len(slices) == 0 or len(slices[0]) == 0:
        return []
    return [(int(start), int(end)) for start, end in zip(slices[0], slices[1], strict=True)]


# -- rendering -----------------------------------------------------------------------------------


def render_text(report: SimilarityReport, *, top: int = 10) -> str:
    """The ranked pairs per unit, for a terminal."""
    lines = ["Similar submissions (report, do not accuse) / 유사한 제출물 (판단은 사람이)", ""]
    for unit in report.units:
        pairs = report.pairs[unit]
        lines.append(f"{unit}: {_unit_counts(report, unit)}")
        for rank, pair in enumerate(pairs[:top], start=1):
            lines.append(
                f"  {rank:>2}. {pair.first} ↔ {pair.second}  {100 * pair.shares[0]:.0f}% / {100 * pair.shares[1]:.0f}%"
                f"  ({pair.shared} normalised characters in common / 정규화한 {pair.shared}자가 같음)"
            )
    for student, why in sorted(report.unavailable.items()):
        lines.append(f"not compared / 비교하지 못함: {student}: {why}")
    lines += ["", MEASURE.format(k=NOISE)]
    return "\n".join(lines) + "\n"


def render_html_section(report: SimilarityReport, given: list[str] | None = None) -> str:
    """The class report's section: the measure, then per unit a ranked table and side-by-side views.

    ``given`` is the starter and book code (``given_code``): lines of it inside an alike span are not marked,
    since every student has them and the figure leaves them out.
    """
    e = html.escape
    known = _line_keys(given or [])
    parts = [f'<p class="note">{e(MEASURE.format(k=NOISE))}</p>']
    for unit in report.units:
        pairs = report.pairs[unit][:MAX_PAIRS]
        parts.append(f"<h3>{e(unit)}</h3><p>{e(_unit_counts(report, unit))}</p>")
        if not pairs:
            continue
        parts.append(
            "<table><tr><th>#</th><th>student A / 학생 A</th><th>student B / 학생 B</th><th>A's code also in B / A의 "
            "코드 중 B에도 있는 비율</th><th>B's code also in A / B의 코드 중 A에도 있는 비율</th><th>in common / 같은 글자 수</th></tr>"
        )
        for rank, pair in enumerate(pairs, start=1):
            parts.append(
                f"<tr><td class=num>{rank}</td><td>{e(pair.first)}</td><td>{e(pair.second)}</td>"
                f"<td class=num>{100 * pair.shares[0]:.0f}%</td><td class=num>{100 * pair.shares[1]:.0f}%</td>"
                f"<td class=num>{pair.shared}</td></tr>"
            )
        parts.append("</table>")
        for rank, pair in enumerate(pairs, start=1):
            parts.append(
                f"<details{' open' if rank == 1 else ''}><summary>#{rank} {e(pair.first)} ↔ {e(pair.second)} "
                f"({100 * pair.score:.0f}%)</summary><div class=pair>"
                + "".join(
                    f"<div><strong>{e(name)}</strong><pre><code>{_highlight(source, spans, known)}</code></pre></div>"
                    for name, source, spans in zip((pair.first, pair.second), pair.sources, pair.slices, strict=True)
                )
                + "</div></details>"
            )
    if report.unavailable:
        parts.append("<p>Not compared / 비교하지 못함:</p><ul>")
        parts += [f"<li>{e(s)}: {e(why)}</li>" for s, why in sorted(report.unavailable.items())]
        parts.append("</ul>")
    return "\n".join(parts)


def _unit_counts(report: SimilarityReport, unit: str) -> str:
    """How many submissions of a unit were compared, held only given code, and how many pairs are listed."""
    compared, given, listed = report.compared[unit], len(report.only_given[unit]), len(report.pairs[unit])
    return (
        f"{compared} submissions compared; {given} hold only starter or book code; {listed} pair(s) listed. / "
        f"제출물 {compared}개 비교, {given}개는 시작 코드나 교재 코드뿐, {listed}쌍 표시."
    )


def given_code(assignment_id: str) -> list[str]:
    """The starter and book code of an assignment, for ``render_html_section``."""
    return _given_code(load_assignment(assignment_id))


def _highlight(source: str, spans: list[tuple[int, int]], given: frozenset[str] = frozenset()) -> str:
    """The source, escaped, with the alike code in <mark>: the tokens inside copydetect's spans, less what the
    measure itself leaves out (comments, indentation, lines of the starter or book code)."""
    source = source[:SOURCE_LIMIT]
    marked = _marked_ranges(source, spans, given)
    out, at = [], 0
    for start, end in marked:
        out += [html.escape(source[at:start]), "<mark>", html.escape(source[start:end]), "</mark>"]
        at = end
    out.append(html.escape(source[at:]))
    return "".join(out)


def _marked_ranges(source: str, spans: list[tuple[int, int]], given: frozenset[str]) -> list[tuple[int, int]]:
    """Character ranges to mark: code tokens overlapping a span, on a line that is not given code, joined per line."""
    clipped = [(max(0, a), min(b, len(source))) for a, b in sorted(spans) if a < b]
    tokens = _code_tokens(source)
    if tokens is None:  # not Python that tokenises (cut at SOURCE_LIMIT): the spans as copydetect gave them
        return _merge([span for span in clipped if span[0] < span[1]], source)
    keys = _keys_by_line(tokens)
    ranges = [
        (start, end)
        for line, start, end in ((t[0], t[1], t[2]) for t in tokens)
        if keys.get(line) not in given and any(a < end and start < b for a, b in clipped)
    ]
    return _merge(ranges, source)


def _merge(ranges: list[tuple[int, int]], source: str) -> list[tuple[int, int]]:
    """Join ranges separated only by spaces on one line, so a marked line is one <mark>, not one per token."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and (start <= merged[-1][1] or not source[merged[-1][1] : start].strip(" \t")):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _code_tokens(source: str) -> list[tuple[int, int, int, str]] | None:
    """(line, start offset, end offset, text) of every token that is code (no comment, newline or indentation)."""
    import token
    import tokenize

    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    skip = {token.COMMENT, token.NL, token.NEWLINE, token.INDENT, token.DEDENT, token.ENDMARKER}
    try:
        found = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndexError):
        return None
    return [
        (t.start[0], starts[t.start[0] - 1] + t.start[1], starts[t.end[0] - 1] + t.end[1], t.string)
        for t in found
        if t.type not in skip and t.start[0] - 1 < len(starts) and t.end[0] - 1 < len(starts)
    ]


def _keys_by_line(tokens: list[tuple[int, int, int, str]]) -> dict[int, str]:
    """Line -> its code with every space and comment taken out (how given lines are recognised)."""
    keys: dict[int, str] = {}
    for line, _, _, text in tokens:
        keys[line] = keys.get(line, "") + text
    return keys


def _line_keys(snippets: list[str]) -> frozenset[str]:
    """The keys of every line of some code (the starter's and the book's cells, each tokenised alone)."""
    keys: set[str] = set()
    for snippet in snippets:
        keys.update(_keys_by_line(_code_tokens(snippet) or []).values())
    return frozenset(keys)


def render_markdown_section(report: SimilarityReport) -> str:
    """The ranked pairs as Markdown tables (the side-by-side views are in the HTML page)."""
    lines = [MEASURE.format(k=NOISE), ""]
    for unit in report.units:
        lines += [f"### {unit}", "", _unit_counts(report, unit), ""]
        if report.pairs[unit]:
            lines += ["| # | A | B | A in B / A 중 B에도 | B in A / B 중 A에도 | in common / 같은 글자 수 |"]
            lines += ["|---:|---|---|---:|---:|---:|"]
            for rank, pair in enumerate(report.pairs[unit][:MAX_PAIRS], start=1):
                lines.append(
                    f"| {rank} | {md_code(pair.first, table=True)} | {md_code(pair.second, table=True)} | "
                    f"{100 * pair.shares[0]:.0f}% | {100 * pair.shares[1]:.0f}% | {pair.shared} |"
                )
            lines.append("")
    return "\n".join(lines)
