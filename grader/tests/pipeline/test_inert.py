"""Student-chosen text shown to people: inert in Markdown (checked with an independent parser), bounded, no escapes."""

from __future__ import annotations

import json
import re

import mistune
import pytest

from grader.pipeline.display import admit, digits, summarize
from grader.pipeline.inert import clean, md_block, md_code, md_fit, one_line
from grader.pipeline.outcomes import Outcome, Suite
from grader.pipeline.report import render_json, render_markdown, render_text
from grader.pipeline.scoring import GradeReport, UnitScore
from grader.pipeline.scoring import TestResult as Result
from grader.tests.hostile import control_characters, markdown_outside_code, markdown_problems
from grader.untrusted.protocol import Unsupported

parse = mistune.create_markdown(renderer=None, plugins=["table", "url", "strikethrough"])

HOSTILE = [
    "## 110 / 110",
    "![x](http://127.0.0.1/x.png) @octocat www.example.org/x http://127.0.0.1/",
    "<img src=x onerror=alert(1)> <!-- ch04 --> </details>",
    "`one` ``two`` ```three``` ````four````",
    "`",
    "ends with a backtick`",
    "``` \n# heading after a fence\n```",
    "~~~\n# heading\n~~~",
    "a | b || c",
    "line one\r## heading after a carriage return\r\n- item",
    "\x1b[2J\x1b[Hcleared \x1b]8;;http://127.0.0.1/\x07link\x1b]8;;\x07 \u202ebackwards\u2066",
    "",
]


def codes(tokens: list[dict]) -> list[dict]:
    found = []
    for token in tokens:
        if token["type"] in ("codespan", "block_code"):
            found.append(token)
        found += codes(token.get("children", []))
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_span_holds_the_whole_line_and_nothing_else(text):
    markdown = f"before {md_code(text)} after"
    (paragraph,) = [t for t in parse(markdown) if t["type"] != "blank_line"]
    spans = codes([paragraph])
    assert len(spans) == 1
    shown = " ".join(
        re.sub("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", "\ufffd", text.replace("\r", "\n")).split()
    )
    assert spans[0]["raw"].strip() == shown.strip()  # CommonMark strips the one padding space on each side
    assert markdown_outside_code(markdown).split() == ["before", "after"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_code_block_holds_every_line_and_ends_where_the_kit_ends_it(text):
    markdown = f"{md_block(text)}\n\n## kit heading\n"
    tokens = [t for t in parse(markdown) if t["type"] != "blank_line"]
    assert [t["type"] for t in tokens] == ["block_code", "heading"]
    assert tokens[0]["raw"].rstrip("\n") == clean(text, 10_000)
    assert control_characters(tokens[0]["raw"]) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_in_a_table_cell_no_text_adds_a_column_or_leaves_its_code_span(text):
    markdown = f"| a | b |\n|---|---|\n| {md_code(text, table=True)} | end |\n"
    (table,) = [t for t in parse(markdown) if t["type"] != "blank_line"]
    (row,) = table["children"][1]["children"]
    cells = row["children"]
    assert len(cells) == 2 and [t["type"] for t in cells[0]["children"]] == ["codespan"]
    assert cells[1]["children"][0]["raw"] == "end"


def test_clean_says_how_much_it_cut_and_stays_within_its_limit():
    text = "x" * 1_000_000
    shown = clean(text, 100)
    assert len(shown) <= 100
    kept = shown.count("x")
    assert 0 < kept < 100 and f"{1_000_000 - kept:,}" in shown
    assert clean("short", 100) == "short"
    assert one_line("a\n\n  b\tc", 100) == "a b c"


def test_clean_replaces_terminal_escapes_and_normalises_line_ends():
    shown = clean("a\x1b[31mred\x07\r\nnext\rthird\u202e", 100)
    assert control_characters(shown) == [] and shown.splitlines() == ["a\ufffd[31mred\ufffd", "next", "third\ufffd"]


def test_cutting_markdown_inside_a_code_block_closes_it_so_the_rest_stays_code():
    markdown = (
        "## kit\n\n<details><summary>s</summary>\n\n````text\n" + "## not a heading\n" * 5000 + "````\n</details>\n"
    )
    cut = md_fit(markdown, 2000, "NOTE")
    assert len(cut.encode()) <= 2000 and cut.endswith("NOTE")
    headings = [t for t in parse(cut) if t["type"] == "heading"]
    assert len(headings) == 1
    assert cut.count("<details>") == cut.count("</details>") == 1


def test_integers_a_float_cannot_hold_are_admitted_as_the_students_failure():
    value = admit({"result": (10**400, [1, -(10**309)], 2**1023, 5)})
    huge, (one, negative), large, five = value["result"]
    assert isinstance(huge, Unsupported) and "401 digits" in huge.type_name
    assert isinstance(negative, Unsupported) and "310 digits" in negative.type_name
    assert (one, large, five) == (1, 2**1023, 5)  # 2**1023 is a float's range
    assert [digits(10**k) for k in (0, 1, 399, 400)] == [1, 2, 400, 401] and digits(10**400 - 1) == 400


@pytest.mark.parametrize(
    "value",
    [
        "x" * (16 * 1024 * 1024),
        10**4000,
        [[[[["deep"] * 1000] * 1000]]],
        {"k" * 10_000: "v" * 10_000},
        ("\x1b[2J", "\u202e"),
    ],
)
def test_any_value_is_summarised_in_a_bounded_inert_string(value):
    shown = summarize(value)
    assert len(shown) <= 300 and control_characters(shown) == []


def hostile_report(messages: int = 200, message_bytes: int = 200_000) -> GradeReport:
    text = "\n".join(HOSTILE) + "\n"
    tests = [
        Result(
            unit="numerical_diff",
            name=f"case[{i}]",
            suite=Suite.PUBLIC,
            outcome=Outcome.ERROR,
            score=0.0,
            max_score=1.0,
            message=text * (message_bytes // len(text)),
        )
        for i in range(messages)
    ]
    return GradeReport(
        "ch04_learning",
        "nb\x1b[2J.ipynb",
        [UnitScore("numerical_diff", tests)],
        errors=[f"cell {i}: defining f failed: {text}" for i in range(500)],
        notes=[text],
        internal_errors=[text * 1000],
    )


def test_every_output_of_a_flooded_hostile_report_is_bounded_and_inert():
    report = hostile_report()
    markdown, text, json_text = render_markdown(report), render_text(report), render_json(report)
    for output in (markdown, text, json_text):
        assert len(output.encode()) < 1_000_000
    assert control_characters(markdown) == [] and control_characters(text) == []
    data = json.loads(json_text)
    assert len(data["functions"][0]["tests"]) == 200 and len(data["errors"]) <= 51
    assert (
        markdown_problems(
            markdown,
            {"ch04_learning: 0 / 200"},
            {"<details><summary>실패한 테스트 / Failing tests</summary>", "</details>"},
        )
        == []
    )
    prose = markdown_outside_code(markdown)
    for fragment in ("110", "127.0.0.1", "octocat", "heading", "www.", "<img"):
        assert fragment not in prose, fragment


def test_the_job_summary_of_a_hostile_report_keeps_only_the_kits_structure():
    from grader.classroom.ci import FEEDBACK_BANNER, fit_summary

    summary = fit_summary(FEEDBACK_BANNER + "\n" + render_markdown(hostile_report(5, 2000)), 20_000)
    assert len(summary.encode()) <= 20_000
    html = {"<details><summary>실패한 테스트 / Failing tests</summary>", "</details>"}
    assert markdown_problems(summary, {"ch04_learning: 0 / 5"}, html) == []
